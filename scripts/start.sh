#!/usr/bin/env bash
# Sets up, builds the Release configuration and starts Lamplight's window on a model: MODEL if given,
# else the stories260K model from ../shared when it is there, else a tiny demo model the build makes
# with our own GGUF writer (until we ship a trained demo model). Without a display (no DISPLAY or
# WAYLAND_DISPLAY) it describes the model with the command-line tool instead.
#
#   scripts/start.sh [MODEL.gguf]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" release

bin="$root/build/release"
model="${1:-}"
if [[ -z "$model" ]]; then
  if [[ -f "$root/../shared/models/stories260K.gguf" ]]; then
    model="$root/../shared/models/stories260K.gguf"
  else
    model="$bin/demo-model.gguf"
    [[ -f "$model" ]] || "$bin/tests/lamplight-make-demo-model" "$model"
  fi
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "start: no display found; describing the model instead of opening the window" >&2
  exec "$bin/app/lamplight-cli" info "$model"
fi
exec "$bin/app/lamplight" --model "$model"
