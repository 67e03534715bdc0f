#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Lamplight needs (only those missing), then configures and
# builds one CMake preset. Used by start.sh and test.sh; safe to run again (nothing is redone).
#
#   scripts/setup.sh [PRESET]      PRESET: release (default), debug or ci
set -euo pipefail

preset="${1:-release}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Build tools, Qt 6 (Core, Test, SQL with its SQLite driver), spdlog, PCRE2 (tokenizer
# pre-splitting), the Vulkan headers and loader, glslang and SPIRV-Tools (shaders are compiled and
# validated at build time), and for the tests Mesa's lavapipe (a software Vulkan device) with the
# Khronos validation layer; Qt Quick with its QML modules, Qt Linguist tools and a CJK font for the
# window.
required=(
  cmake ninja-build g++ pkgconf
  qt6-base-dev libqt6sql6-sqlite libspdlog-dev libpcre2-dev
  libvulkan-dev glslang-tools spirv-tools mesa-vulkan-drivers vulkan-validationlayers
  qt6-declarative-dev qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtqml-workerscript qml6-module-qtquick-window
  qml6-module-qtquick-dialogs qml6-module-qt-labs-platform qml6-module-qttest
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools fonts-noto-cjk
)
# clang with its runtime libraries builds the libFuzzer target; the build works without it.
optional=(clang libclang-rt-dev)
# CI also cross-builds the AArch64 kernels and runs their test under qemu (tests/arm); elsewhere
# that test is off (LAMP_ARM_CROSS_TESTS) or skips itself without these.
if [[ "$preset" == ci ]]; then
  required+=(g++-aarch64-linux-gnu qemu-user)
fi

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${required[@]}" "${optional[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
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
  install=()
  for p in "${missing[@]}"; do
    # An optional package this distribution does not have is skipped, not an error.
    if [[ " ${optional[*]} " == *" $p "* ]] && ! apt-cache show "$p" >/dev/null 2>&1; then
      echo "setup: optional package $p is not available here; skipping it"
      continue
    fi
    install+=("$p")
  done
  if ((${#install[@]} > 0)); then
    echo "setup: installing ${install[*]}"
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${install[@]}"
  fi
fi

cd "$root"
# Configure once; later runs only build what changed (ninja re-runs CMake itself when needed).
if [[ ! -f "build/$preset/build.ninja" ]]; then
  cmake --preset "$preset"
fi
cmake --build --preset "$preset"
