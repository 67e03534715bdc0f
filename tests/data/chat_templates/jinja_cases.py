#!/usr/bin/python3
"""Prints the rows of the expression/statement table in tests/test_jinja.cpp (kCases): each template
is rendered by Python's jinja2 in the environment of render.py with the context below (the same as
context() in the test). Run with Debian's jinja2 and paste the output into kCases:

    /usr/bin/python3 tests/data/chat_templates/jinja_cases.py
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from render import make_env  # noqa: E402

env = make_env()
CTX = {"messages": [{"role": "system", "content": " Be nice. "}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}],
       "d": {"b": 1, "a": 2}, "s": "Hello, World", "u": "héllo wörld 中文", "n": 7, "f": 2.5, "xs": [3, 1, 2], "empty": [], "no": None, "t": True}
cases = [
 # name, template
 ("int_div", "{{ 1/2 }} {{ 4/2 }} {{ 7//2 }} {{ -7//2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2**10 }} {{ 2**-1 }}"),
 ("float_repr", "{{ 1e20 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ 1.0 }} {{ 100.0 }} {{ 0.1 + 0.2 }} {{ 1.23e-7 }} {{ -0.5 }} {{ 3.0 * 2 }}"),
 ("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ -3|abs }} {{ 10 - 2 - 3 }} {{ 'a' ~ 1 ~ 2 }}"),
 ("strings_ops", "{{ 'ab' * 3 }} {{ 3 * 'x' }} {{ 'a' + 'b' }} {{ 'x' ~ none ~ true ~ 1.5 }} {{ '%s=%d' % ('k', 3) }} {{ '%s' % 'one' }} {{ 'it''s' }} {{ \"a\" 'b' }}"),
 ("compare", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 'a' != 'a' }} {{ none == none }} {{ x == y }}"),
 ("membership", "{{ 'ell' in s }} {{ 'z' not in s }} {{ 2 in xs }} {{ 'a' in d }} {{ 'zz' in d }} {{ not 1 in xs }}"),
 ("logic", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }}|{{ none or [] }} {{ not none }} {{ not 'x' }} {{ t and n }}"),
 ("ternary", "{{ 'y' if t else 'n' }} {{ 'y' if no else 'n' }} [{{ 'y' if no }}] {{ 1 if false else 2 if true else 3 }}"),
 ("literals", "{{ [1, 'a', none, true, {'k': [1.5]}] }} {{ (1, 2) }} {{ (1,) }} {{ () }} {{ {'a': 1, 'b': 'x'} }} {{ [] }} {{ {} }}"),
 ("repr_quotes", "{{ ['it\\'s', 'a\"b', 'both\\'\"', 'tab\\tnl\\n', '\\\\'] }}"),
 ("escapes", "{{ 'a\\nb\\tc\\\\d\\'e\\\"f\\x41\\u00e9\\U0001F600\\101' }}"),
 ("index_slice", "{{ xs[0] }} {{ xs[-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ s[0] }} {{ s[-5:] }} {{ s[::-1] }} [{{ xs[10] }}] {{ xs.0 }} {{ u[1] }} {{ u[-2:] }} {{ u[::-1] }} {{ u|length }}"),
 ("attr_item", "{{ messages[0].role }} {{ messages[0]['role'] }} {{ messages[1].content }} [{{ messages[0].missing }}] {{ messages[0].missing is defined }} {{ d.a }} {{ d['b'] }}"),
 ("str_methods", "[{{ messages[0].content.strip() }}] [{{ '  x  '.lstrip() }}] [{{ '  x  '.rstrip() }}] {{ 'xxhixx'.strip('x') }} {{ s.upper() }} {{ s.lower() }} {{ 'user'.title() }} {{ \"don't stop\".title() }} {{ 'aBC'.capitalize() }}"),
 ("str_methods2", "{{ s.startswith('Hell') }} {{ s.endswith(('x', 'ld')) }} {{ s.split(', ') }} {{ ' a  b '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 1) }} {{ s.find('o') }} {{ u.find('中') }} {{ s.count('l') }} {{ '-'.join(['a', 'b']) }}"),
 ("str_predicates", "{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ''.isdigit() }} {{ 'Ab'.islower() }} {{ 'AB'.isupper() }} {{ 'a\\nb'.splitlines() }}"),
 ("dict_methods", "{{ d.items()|list }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"),
 ("tests", "{{ n is odd }} {{ n is even }} {{ 9 is divisibleby 3 }} {{ no is none }} {{ s is string }} {{ d is mapping }} {{ xs is iterable }} {{ s is iterable }} {{ n is number }} {{ f is float }} {{ n is integer }} {{ t is boolean }} {{ n is equalto 7 }} {{ n is eq(7) }} {{ n is not defined }} {{ zz is undefined }} {{ t is true }} {{ no is false }} {{ xs is sameas xs }} {{ 'a' is lower }} {{ 2 is in xs }} {{ 3 is gt 2 }}"),
 ("filters_text", "[{{ messages[0].content|trim }}] [{{ 'xxhixx'|trim('x') }}] {{ s|upper }} {{ s|lower }} {{ 'hello world-foo (bar)'|title }} {{ 'aBc'|capitalize }} {{ s|length }} {{ xs|count }} {{ s|replace('o', '0') }} {{ s|reverse }} {{ 'a b  c'|wordcount }} {{ '<a href=\"x\">&'|e }}"),
 ("filters_json", "{{ d|tojson }} {{ xs|tojson }} {{ {'k': 'é\"<\\n'}|tojson }} {{ [1, [2, {}], []]|tojson(indent=2) }} {{ {'b': 1, 'a': [true, none, 1.5]}|tojson(sort_keys=true) }} {{ 'x'|tojson }} {{ u|tojson(ensure_ascii=true) }}"),
 ("filters_seq", "{{ xs|join(',') }} {{ xs|join }} {{ xs|first }} {{ xs|last }} {{ s|first }} {{ xs|sort }} {{ xs|sort(reverse=true) }} {{ ['b', 'A', 'c']|sort }} {{ xs|list }} {{ s|list|length }} {{ xs|min }} {{ xs|max }} {{ xs|sum }} {{ [1, 1, 2]|unique|list }} {{ d|dictsort }} {{ d|items|list }} {{ xs|reverse|list }}"),
 ("filters_select", "{{ messages|selectattr('role', 'equalto', 'user')|list|length }} {{ messages|rejectattr('role', 'eq', 'user')|map(attribute='role')|join(',') }} {{ xs|select('odd')|list }} {{ xs|reject('odd')|list }} {{ messages|map(attribute='role')|list }} {{ ['a', 'b']|map('upper')|list }} {{ messages|map(attribute='nope', default='-')|join }} {{ [0, 1, '', 'x']|select|list }}"),
 ("filters_conv", "{{ '42'|int }} {{ ' 7 '|int }} {{ '4.5'|int }} {{ 'x'|int }} {{ 'x'|int(9) }} {{ 3.9|int }} {{ '2.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.567|round(2) }} {{ 2.1|round(method='ceil') }} {{ 42|string }} {{ none|string }} {{ -2.5|abs }}"),
 ("filters_default", "{{ zz|default('d') }} {{ ''|default('e') }}|{{ ''|default('e', true) }} {{ no|default('n') }} {{ no|default('n', true) }} {{ zz|d('dd') }} [{{ zz|trim }}] {{ zz|length }} {{ zz|list }}"),
 ("filters_indent", "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'a\\nb'|indent('> ') }}"),
 ("format_filter", "{{ '%s and %s'|format('a', 'b') }} {{ '%5.2f'|format(3.14159) }}"),
 ("loop_vars", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}"),
 ("loop_prev_next", "{% for x in xs %}[{{ loop.previtem }},{{ loop.nextitem }},{{ loop.cycle('a', 'b') }}]{% endfor %}"),
 ("loop_else", "{% for x in empty %}{{ x }}{% else %}none{% endfor %} {% for x in zz %}{{ x }}{% else %}undef{% endfor %}"),
 ("loop_filter", "{% for i in range(6) if i is odd %}{{ i }}:{{ loop.index }}/{{ loop.length }} {% endfor %}"),
 ("loop_unpack", "{% for a, b in [[1, 2], (3, 4)] %}{{ a + b }} {% endfor %}{% for (k, v) in d|dictsort %}{{ k }}{{ v }}{% endfor %}"),
 ("loop_break", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
 ("loop_nested", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in [1, 2] %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}"),
 ("loop_string_dict", "{% for c in 'héj' %}[{{ c }}]{% endfor %} {% for k in d %}{{ k }}{% endfor %}"),
 ("range", "{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(10, 0, -3)|list }} {{ range(0)|list }}"),
 ("scoping", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = x + 10 %}{{ x }} {% endfor %}{{ x }}{% if true %}{% set x = 5 %}{% endif %} {{ x }}"),
 ("scoping2", "{% for i in [1, 2] %}[{{ y }}]{% set y = i %}{% endfor %}[{{ y }}]"),
 ("namespace", "{% set ns = namespace(count=0, found=false) %}{% for m in messages %}{% set ns.count = ns.count + 1 %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.missing is defined }}"),
 ("set_tuple_block", "{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set blk %}  in {{ a }}  {% endset %}[{{ blk }}] {% set up | upper %}shout{% endset %}{{ up }}"),
 ("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', '?') }} {{ greet(punct='.', name='Cy') }} {{ greet('Di')|upper }}"),
 ("macro_scope", "{% set top = 'T' %}{% macro m() %}{{ top }}{{ inner is defined }}{% endmacro %}{% for i in [1] %}{% set inner = 1 %}{{ m() }}{% endfor %}"),
 ("macro_recursive", "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * (fact(k - 1)|int) }}{% endif %}{% endmacro %}{{ fact(5) }}"),
 ("filter_block", "{% filter upper %}abc {{ s }}{% endfilter %} {% filter replace('a', 'b')|upper %}aaa{% endfilter %}"),
 ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]"),
 ("dict_and_list_funcs", "{{ dict(a=1, b='x') }} {{ namespace(a=1) }} {{ [1, 2] + [3] }} {{ (1, 2) + (3,) }}"),
 ("raw", "{% raw %}{{ not rendered }} {% if %}{% endraw %}"),
 ("comments", "a{# comment #}b{#- trimmed -#}   c {#+ kept +#} d"),
 ("ws_trim_blocks", "{% if true %}\nline\n{% endif %}\nafter\n{% for i in [1,2] %}\n{{ i }}\n{% endfor %}\nend\n"),
 ("ws_lstrip", "  {% if true %}\n  yes\n  {% endif %}\n  {{ 'v' }}  {% if true %}x{% endif %}\n    {# c #}\nz"),
 ("ws_dash", "a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}  \n  c {{- ' d ' -}} e {{ 'f' }}"),
 ("ws_plus", "  {%+ if true %}\nx{% endif +%}\ny\n  {%+ if true +%}\nz{% endif %}"),
 ("ws_mixed", "{% for m in messages %}\n    {%- if m.role == 'user' %}\n        {{- 'U:' + m.content }}\n    {%- else %}\n        {{- m.role[0] }}\n    {%- endif %}\n{% endfor %}\n"),
 ("ws_newline_in_tag", "{{\n  1 +\n  2\n}}|{%\n set q = 3\n%}{{ q }}"),
 ("crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\r\n"),
 ("trailing_newline", "x\n"),
 ("nested_braces", "{{ {'a': {'b': 1}} }}{{ {'a': {'b': 1}}['a'] }}"),
 ("strftime", "{{ strftime_now('%Y-%m-%d %H:%M:%S %b %d') }}"),
 ("undefined_print", "[{{ zz }}] [{{ messages[9] }}] [{{ no }}] [{{ d.zz }}]"),
 ("str_format", "{{ \"{} and {}\".format(\"a\", 1) }}|{{ \"{1}{0}{{x}}\".format(\"a\", \"b\") }}|{{ \"{n!r}\".format(n=\"q\") }}|{{ \"%s\" % [1] }}"),
 ("concat_types", "{{ 1 ~ 2 }} {{ [1] ~ '' }} {{ d ~ '' }}"),
]
rows = []
for name, tmpl in cases:
    try:
        out = env.from_string(tmpl).render(**CTX)
    except Exception as e:
        out = 'ERROR ' + type(e).__name__ + ': ' + str(e)
    rows.append((name, tmpl, out))
def c(s):
    r = json.dumps(s, ensure_ascii=False)
    return r
for name, tmpl, out in rows:
    print('    {%s, %s,\n     %s},' % (c(name), c(tmpl), c(out)))
