#!/usr/bin/env bash
# Runs on the GPU machine (the device tool's `run`, carry [".gpu-kit"] made by scripts/gpu-kit.sh):
# writes the benchmark models (a ~1.1B TinyLlama shape at F16, Q8_0 and Q4_K_M, with our own GGUF
# writer and quantizer), checks the Vulkan backend against the CPU on each (logits NMSE, greedy
# tokens), and runs the throughput benchmark on both backends: prompt (pp512) and generation (tg128)
# tokens/s and the share of the GPU's memory bandwidth that generation reaches. Everything printed
# also goes to $OUT/gpu-bench.txt. GPU_BANDWIDTH (GB/s, default 4800: an H200's HBM3e) and
# FORMATS ("f16 q8_0 q4_k_m") can be set.
set -uo pipefail

kit=.gpu-kit
out=${OUT:-/tmp/gpu-bench}
mkdir -p "$out"
log="$out/gpu-bench.txt"
bandwidth=${GPU_BANDWIDTH:-4800}
formats=${FORMATS:-f16 q8_0 q4_k_m}
models=/tmp/lamplight-bench-models
mkdir -p "$models"
[[ -f "$kit/bin/lamplight-gpu-bench" ]] || { echo "no $kit: run scripts/gpu-kit.sh here first and carry it"; exit 1; }
chmod +x "$kit/lib/ld-linux-x86-64.so.2" "$kit/bin/"*  # in case the copy lost the modes

# The GL dispatch libraries NVIDIA's driver needs (the device tool's README), then the kit's own C
# library and loader for our programs, whatever the machine has.
for deb in "$kit"/debs/*.deb; do dpkg -x "$deb" / 2>/dev/null; done
ldconfig 2>/dev/null
run() { "$kit/lib/ld-linux-x86-64.so.2" --library-path "$kit/lib" "$@"; }
# NVIDIA's driver on that machine is not where the loader looks by default.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
           /etc/vulkan/icd.d/nvidia_icd.json; do
  if [[ -f "$icd" ]]; then export VK_DRIVER_FILES="$icd"; break; fi
done

{
  echo "== kit $(cat "$kit/COMMIT" 2>/dev/null), $(date -u +%FT%TZ), VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.memory --format=csv 2>&1 | head -3
  nproc
  for fmt in $formats; do
    file="$models/tinyllama-$fmt.gguf"
    [[ -f "$file" ]] || run "$kit/bin/lamplight-make-bench-model" tinyllama "$fmt" "$file"
  done
  for fmt in $formats; do
    echo "== tinyllama $fmt"
    run "$kit/bin/lamplight-gpu-bench" -p 512 -n 128 -r 3 --backend cpu,vulkan --device-bandwidth "$bandwidth" \
        --compare "$models/tinyllama-$fmt.gguf"
  done
  # The plain shader paths (every optional feature off) against the feature paths above.
  echo "== LAMPLIGHT_VK_DISABLE=all"
  for fmt in $formats; do
    LAMPLIGHT_VK_DISABLE=all run "$kit/bin/lamplight-gpu-bench" -p 512 -n 128 -r 2 --backend vulkan \
        --device-bandwidth "$bandwidth" "$models/tinyllama-$fmt.gguf"
  done
} 2>&1 | tee "$log"
