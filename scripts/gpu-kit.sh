#!/usr/bin/env bash
# Packs what scripts/gpu-bench.sh needs on the GPU machine some sessions are lent (see the device
# tool's README): that machine has no Qt, no Debian packages and no network, so this builds the
# Qt-free lamplight-gpu-bench and lamplight-make-bench-model (Release) and copies them with every
# shared library they load — the C library and its loader included, so they run whatever the
# machine's own libraries are — and the Vulkan loader into .gpu-kit/ (ignored by git).
# Then, with the device tool: run `bash scripts/gpu-bench.sh` with carry [".gpu-kit"].
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh" release >/dev/null
build=build/gpu-kit
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLAMP_BUILD_FUZZ=OFF >/dev/null
cmake --build "$build" --target lamplight-gpu-bench lamplight-make-bench-model

kit=.gpu-kit
rm -rf "$kit"
mkdir -p "$kit/bin" "$kit/lib"
cp "$build/bench/lamplight-gpu-bench" "$build/bench/lamplight-make-bench-model" "$kit/bin/"
strip "$kit/bin/"*
for program in "$kit/bin/"*; do
  # "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
  ldd "$program" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | while read -r lib; do
    cp -L "$lib" "$kit/lib/"
  done
done
# The Vulkan loader is opened at run time (dlopen), so ldd does not list it.
loader=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF; exit}')
[[ -n "$loader" ]] || { echo "gpu-kit: libvulkan.so.1 not found (install libvulkan1)" >&2; exit 1; }
cp -L "$loader" "$kit/lib/libvulkan.so.1"
# What a GPU driver loaded into the process may ask for besides: the C library's other parts (so
# one C library serves the whole process) ...
for lib in libdl.so.2 libpthread.so.0 librt.so.1; do
  cp -L "$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')" "$kit/lib/"
done
# ... and the GL vendor-neutral dispatch NVIDIA's Vulkan driver links to, as Debian packages that
# gpu-bench.sh unpacks there (the device tool's README: the loaders that machine lacks).
mkdir -p "$kit/debs"
(cd "$kit/debs" && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
git -C "$root" log -1 --format='%h %s' > "$kit/COMMIT"
du -sh "$kit"
echo "gpu-kit: ready. With the device tool: command 'bash scripts/gpu-bench.sh', carry ['.gpu-kit']"
