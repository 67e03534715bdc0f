// Which SIMD instruction sets the CPU kernels use, chosen at run time. The library is compiled for
// the baseline target; the AVX2 and AVX-512 kernels carry function-level target attributes and run
// only where the CPU (and the OS, which must save the wider registers) supports them.
#pragma once

#include <optional>
#include <string_view>

namespace lamp::cpu {

// Kernel families, from the plain code any compiler builds to the widest. Each level includes the
// ones below it.
enum class Isa {
    Portable,  // plain C++
    Avx2,      // AVX2 + FMA + F16C
    Avx512,    // AVX-512 F/BW/VL/VNNI (integer dot products with vpdpbusd)
};

std::string_view isaName(Isa isa);                         // "portable", "avx2", "avx512"
std::optional<Isa> isaFromName(std::string_view name);     // case-insensitive; nullopt if unknown

// The widest family this CPU supports.
Isa detectedIsa();
bool isaSupported(Isa isa);

// The family the kernels use now: the environment variable LAMPLIGHT_CPU_ISA (portable, avx2,
// avx512) read at first use, capped at what the CPU supports (with a warning), else detectedIsa().
Isa activeIsa();

// Forces a family (tests run every supported path; benchmarks compare them). Throws lamp::Error
// when the CPU lacks it. Not synchronised with running kernels: call between operations.
void setIsa(Isa isa);

// Individual features, for kernels that use an extra one when present.
struct CpuFeatures {
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vnni = false;
    bool avx512bf16 = false;
    bool avxVnni = false;
};
const CpuFeatures& cpuFeatures();

} // namespace lamp::cpu
