// Which SIMD instruction sets the CPU kernels use, chosen at run time. The library is compiled for
// the baseline target; the AVX2 and AVX-512 kernels carry function-level target attributes and run
// only where the CPU (and the OS, which must save the wider registers) supports them.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace lamp::cpu {

// Kernel families, from the plain code any compiler builds to the widest. The x86 families are not
// a chain: a Skylake-X has Avx512 but not AvxVnni, an Alder Lake AvxVnni but not Avx512. Ask
// isaSupported() rather than comparing values.
enum class Isa {
    Portable,    // plain C++
    Avx2,        // AVX2 + FMA + F16C
    AvxVnni,     // Avx2 + AVX-VNNI (VEX vpdpbusd on 256-bit vectors: Alder Lake and later)
    Avx512,      // Avx2 + AVX-512 F/BW/VL/DQ, no VNNI (vpdpbusd emulated exactly: Skylake-X)
    Avx512Vnni,  // Avx512 + AVX512-VNNI (vpdpbusd on 512-bit vectors: Ice Lake, Zen 4 and later)
    Neon,        // AArch64 Advanced SIMD (every aarch64 CPU)
    NeonDot,     // Neon + ARMv8.2 dot product (sdot: Cortex-A55/A76, Apple M1, Neoverse and later)
};

// "portable", "avx2", "avxvnni", "avx512", "avx512vnni", "neon", "neondot"
std::string_view isaName(Isa isa);
std::optional<Isa> isaFromName(std::string_view name);     // case-insensitive; nullopt if unknown

// The fastest family this CPU supports.
Isa detectedIsa();
bool isaSupported(Isa isa);
// Every family this CPU supports, narrowest first (tests and benchmarks run each).
std::vector<Isa> supportedIsas();
// Every family there is, supported here or not, in the same order.
std::vector<Isa> allIsas();
// True for the x86 families whose code may use AVX2 + FMA + F16C (all but portable and the ARM
// ones), for code outside the kernel tables that has an AVX2 path of its own.
bool includesAvx2(Isa isa);

// The family the kernels use now: the environment variable LAMPLIGHT_CPU_ISA (any isaName) read
// at first use, refused with a warning when the CPU lacks it, else detectedIsa().
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
    bool avx512dq = false;
    bool avx512vnni = false;
    bool avx512bf16 = false;
    bool avxVnni = false;
    bool neon = false;     // aarch64 Advanced SIMD (HWCAP_ASIMD)
    bool neonDot = false;  // ARMv8.2 dot product (HWCAP_ASIMDDP)
};
const CpuFeatures& cpuFeatures();

} // namespace lamp::cpu
