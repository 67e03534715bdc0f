#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Lamplight needs (only those missing), then configures and
# builds one CMake preset. Used by start.sh and test.sh; safe to run again (nothing is redone).
#
#   scripts/setup.sh [PRESET]      PRESET: release (default), debug or ci
set -euo pipefail

preset="${1:-release}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Build tools, Qt 6 (Core, Test), spdlog, PCRE2 (tokenizer pre-splitting), and clang with its
# runtime libraries for the libFuzzer target.
packages=(
  cmake ninja-build g++ pkgconf
  qt6-base-dev libspdlog-dev libpcre2-dev
  clang libclang-rt-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "setup: these packages are missing and neither root nor sudo is available: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cd "$root"
# Configure once; later runs only build what changed (ninja re-runs CMake itself when needed).
if [[ ! -f "build/$preset/build.ninja" ]]; then
  cmake --preset "$preset"
fi
cmake --build --preset "$preset"
