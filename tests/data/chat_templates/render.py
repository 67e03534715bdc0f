#!/usr/bin/python3
"""Renders every template in templates.json with every conversation in cases.json using Python's
jinja2 (Debian's python3-jinja2), set up as Hugging Face transformers' apply_chat_template sets it
up, and writes the results to expected/ so that the C++ tests need no Python.

    /usr/bin/python3 tests/data/chat_templates/render.py          # rewrite expected/
    /usr/bin/python3 tests/data/chat_templates/render.py --check  # compare with expected/

Environment (as in transformers' chat template utilities): ImmutableSandboxedEnvironment with
trim_blocks=True, lstrip_blocks=True and the loopcontrols extension; tojson overridden to
json.dumps(ensure_ascii=False, ...); globals raise_exception() and strftime_now(). strftime_now is
pinned to FIXED_NOW so the outputs are reproducible (the C++ test pins the same time).

Variables: messages, add_generation_prompt, bos_token, eos_token, tools=None: what Lamplight passes.

Outputs: expected/<template>.<case>.txt holds the rendered prompt (UTF-8, byte for byte).
expected/<template>.<case>.error.txt when rendering failed: the first line is "raise_exception"
(the template called raise_exception(); the second line onwards is its message) or "error" (any
other failure; the second line is the Python exception).
"""
import datetime
import json
import pathlib
import sys

import jinja2
import jinja2.ext
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
FIXED_NOW = datetime.datetime(2025, 3, 14, 9, 26, 53)


class RaisedByTemplate(TemplateError):
    pass


def raise_exception(message):
    raise RaisedByTemplate(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def make_env():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render_all():
    env = make_env()
    templates = json.loads((HERE / "templates.json").read_text(encoding="utf-8"))
    cases = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    outputs = {}
    for t in templates:
        source = (HERE / t["file"]).read_bytes().decode("utf-8")
        compiled = env.from_string(source)
        for case_name, case in cases.items():
            try:
                text = compiled.render(messages=case["messages"],
                                       add_generation_prompt=case["add_generation_prompt"],
                                       bos_token=t["bos_token"], eos_token=t["eos_token"], tools=None)
                outputs["%s.%s.txt" % (t["name"], case_name)] = text
            except RaisedByTemplate as e:
                outputs["%s.%s.error.txt" % (t["name"], case_name)] = "raise_exception\n" + str(e.message)
            except Exception as e:  # noqa: BLE001 - any failure is an expected outcome to record
                outputs["%s.%s.error.txt" % (t["name"], case_name)] = "error\n%s: %s" % (type(e).__name__, e)
    return outputs


def main():
    check = "--check" in sys.argv[1:]
    outputs = render_all()
    out_dir = HERE / "expected"
    if check:
        existing = {p.name for p in out_dir.glob("*.txt")}
        bad = sorted(existing.symmetric_difference(outputs))
        bad += sorted(n for n in outputs if n in existing and (out_dir / n).read_bytes() != outputs[n].encode("utf-8"))
        for name in bad:
            print("differs:", name)
        print("jinja2 %s: %d outputs, %d differ" % (jinja2.__version__, len(outputs), len(bad)))
        return 1 if bad else 0
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("*.txt"):
        old.unlink()
    for name, text in outputs.items():
        (out_dir / name).write_bytes(text.encode("utf-8"))
    errors = sum(1 for n in outputs if n.endswith(".error.txt"))
    print("jinja2 %s: wrote %d outputs (%d errors) to %s" % (jinja2.__version__, len(outputs), errors, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
