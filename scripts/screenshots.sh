#!/usr/bin/env bash
# Renders the README's screenshots of the real window under Xvfb into docs/: a conversation with
# markdown and code in the light and the dark theme, the settings panel and the model picker.
#
#   scripts/screenshots.sh [BUILD_DIR]      (default: build/release; `lamplight` must be built there)
#
# Each shot is one run of `lamplight` with its own temporary history, settings and models folder (the
# user's are never touched), the conversation from docs/demo-conversation.json, and --screenshot,
# which saves the window once the model has loaded and the layout has settled. Needs Xvfb (installed
# here with apt-get when missing) and ../shared/models (or LAMPLIGHT_SHARED_DIR) for the models shown.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/release}"
app="$build/app/lamplight"
shared="${LAMPLIGHT_SHARED_DIR:-$root/../shared}"
docs="$root/docs"

if [[ ! -x "$app" ]]; then
  echo "screenshots: $app is not built: run 'cmake --build $build --target lamplight' first" >&2
  exit 1
fi
if ! command -v xvfb-run >/dev/null; then
  echo "screenshots: installing Xvfb (apt-get install xvfb xauth)" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y xvfb xauth >/dev/null; else sudo apt-get install -y xvfb xauth >/dev/null; fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The models folder the picker lists: a few of the shared test models (linked, not copied), and one
# damaged file to show how the picker explains a file it cannot use.
models="$work/models"
mkdir -p "$models"
model=""
if [[ -d "$shared/models" ]]; then
  for f in stories260K.gguf tiny-llama-q4_k_m.gguf tiny-qwen2-q8_0.gguf tiny-gpt2-f16.gguf; do
    [[ -f "$shared/models/$f" ]] && ln -s "$shared/models/$f" "$models/$f"
  done
  head -c 3000 "$shared/models/stories260K.gguf" > "$models/unfinished-download.gguf"
  model="$shared/models/stories260K.gguf"
else
  echo "screenshots: $shared/models is missing: the shots show no model" >&2
fi

# shot NAME THEME [PANEL]
shot() {
  local name="$1" theme="$2" panel="${3:-}"
  local run="$work/$name"
  mkdir -p "$run/runtime"
  chmod 700 "$run/runtime"
  local args=(--history "$run/history.sqlite" --models-folder "$models" --theme "$theme"
              --demo-conversation "$docs/demo-conversation.json" --screenshot "$docs/$name.png" --timeout 60000)
  [[ -n "$model" ]] && args+=(--model "$model")
  [[ -n "$panel" ]] && args+=(--panel "$panel")
  HOME="$run" XDG_DATA_HOME="$run/data" XDG_CONFIG_HOME="$run/config" XDG_CACHE_HOME="$run/cache" \
  XDG_RUNTIME_DIR="$run/runtime" QT_QPA_PLATFORM=xcb QT_QUICK_BACKEND=software \
    xvfb-run -a -s "-screen 0 1280x860x24" "$app" "${args[@]}"
  echo "screenshots: docs/$name.png ($(( $(stat -c %s "$docs/$name.png") / 1024 )) KiB)"
}

shot screenshot-light light
shot screenshot-dark dark
shot screenshot-settings light settings
shot screenshot-models dark models
