#include "cpu/cpu_features.h"

#include "core/error.h"
#include "core/log.h"
#include "core/strings.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace lamp::cpu {
namespace {

#if defined(__x86_64__) || defined(__i386__)
uint64_t readXcr0() {
    uint32_t eax = 0, edx = 0;
    asm volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures probe() {
    CpuFeatures f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return f;
    const bool osxsave = (c >> 27) & 1u;
    const bool avx = (c >> 28) & 1u;
    if (!osxsave || !avx)
        return f;
    const uint64_t xcr0 = readXcr0();
    const bool ymmState = (xcr0 & 0x6u) == 0x6u;
    const bool zmmState = (xcr0 & 0xe6u) == 0xe6u;
    if (!ymmState)
        return f;
    f.fma = (c >> 12) & 1u;
    f.f16c = (c >> 29) & 1u;
    unsigned maxLeaf = __get_cpuid_max(0, nullptr);
    if (maxLeaf < 7)
        return f;
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = (b >> 5) & 1u;
    if (zmmState) {
        f.avx512f = (b >> 16) & 1u;
        f.avx512bw = (b >> 30) & 1u;
        f.avx512vl = (b >> 31) & 1u;
        f.avx512dq = (b >> 17) & 1u;
        f.avx512vnni = (c >> 11) & 1u;
    }
    const unsigned subleaves = a;
    if (subleaves >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        f.avxVnni = (a >> 4) & 1u;
        f.avx512bf16 = zmmState && ((a >> 5) & 1u);
    }
    return f;
}
#elif defined(__aarch64__)
// Advanced SIMD is part of every aarch64 CPU; the dot product (ARMv8.2, optional before v8.4) is
// reported by the kernel in the hardware capabilities.
CpuFeatures probe() {
    CpuFeatures f;
    f.neon = true;
#if defined(__linux__)
    f.neonDot = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
    return f;
}
#else
CpuFeatures probe() { return {}; }
#endif

// Every family, narrowest first (isaFromName and supportedIsas walk it).
constexpr Isa kAllIsas[] = {Isa::Portable, Isa::Avx2, Isa::AvxVnni, Isa::Avx512, Isa::Avx512Vnni,
                            Isa::Neon, Isa::NeonDot};

bool supports(const CpuFeatures& f, Isa isa) {
    const bool avx2 = f.avx2 && f.fma && f.f16c;
    const bool avx512 = avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq;
    switch (isa) {
    case Isa::Portable: return true;
    case Isa::Avx2: return avx2;
    case Isa::AvxVnni: return avx2 && f.avxVnni;
    case Isa::Avx512: return avx512;
    case Isa::Avx512Vnni: return avx512 && f.avx512vnni;
    case Isa::Neon: return f.neon;
    case Isa::NeonDot: return f.neon && f.neonDot;
    }
    return false;
}

// The fastest supported family. Where a CPU has AVX-512 without VNNI and AVX-VNNI (no such CPU is
// known), the wider vectors win: bench_matmul on the Zen development machine, which can run both,
// gives the AVX-512 family 1.4x the prompt-processing GEMM rate and 1.0-1.4x the decode rate.
Isa detect(const CpuFeatures& f) {
    for (Isa isa : {Isa::Avx512Vnni, Isa::Avx512, Isa::AvxVnni, Isa::Avx2, Isa::NeonDot,
                    Isa::Neon})
        if (supports(f, isa))
            return isa;
    return Isa::Portable;
}

std::string supportedNames() {
    std::string names;
    for (Isa isa : supportedIsas())
        names += (names.empty() ? "" : ", ") + std::string(isaName(isa));
    return names;
}

std::string allNames() {
    std::string names;
    for (Isa isa : kAllIsas)
        names += (names.empty() ? "" : ", ") + std::string(isaName(isa));
    return names;
}

Isa initialIsa() {
    const Isa best = detectedIsa();
    const char* env = std::getenv("LAMPLIGHT_CPU_ISA");
    if (env == nullptr || *env == '\0')
        return best;
    const auto wanted = isaFromName(env);
    if (!wanted) {
        log::get("cpu")->warn("LAMPLIGHT_CPU_ISA={} is not one of {}; using {}", env, allNames(),
                              isaName(best));
        return best;
    }
    if (!isaSupported(*wanted)) {
        log::get("cpu")->warn("LAMPLIGHT_CPU_ISA={}: this CPU lacks it (it supports {}); using {}",
                              env, supportedNames(), isaName(best));
        return best;
    }
    return *wanted;
}

std::atomic<int>& activeSlot() {
    static std::atomic<int> slot{static_cast<int>(initialIsa())};
    return slot;
}

} // namespace

std::string_view isaName(Isa isa) {
    switch (isa) {
    case Isa::Portable: return "portable";
    case Isa::Avx2: return "avx2";
    case Isa::AvxVnni: return "avxvnni";
    case Isa::Avx512: return "avx512";
    case Isa::Avx512Vnni: return "avx512vnni";
    case Isa::Neon: return "neon";
    case Isa::NeonDot: return "neondot";
    }
    return "unknown";
}

std::optional<Isa> isaFromName(std::string_view name) {
    for (Isa isa : kAllIsas)
        if (equalsIgnoreCase(name, isaName(isa)))
            return isa;
    return std::nullopt;
}

const CpuFeatures& cpuFeatures() {
    static const CpuFeatures features = probe();
    return features;
}

Isa detectedIsa() {
    static const Isa isa = detect(cpuFeatures());
    return isa;
}

bool isaSupported(Isa isa) { return supports(cpuFeatures(), isa); }

std::vector<Isa> supportedIsas() {
    std::vector<Isa> isas;
    for (Isa isa : kAllIsas)
        if (isaSupported(isa))
            isas.push_back(isa);
    return isas;
}

std::vector<Isa> allIsas() { return {std::begin(kAllIsas), std::end(kAllIsas)}; }

bool includesAvx2(Isa isa) {
    switch (isa) {
    case Isa::Avx2:
    case Isa::AvxVnni:
    case Isa::Avx512:
    case Isa::Avx512Vnni: return true;
    case Isa::Portable:
    case Isa::Neon:
    case Isa::NeonDot: return false;
    }
    return false;
}

Isa activeIsa() { return static_cast<Isa>(activeSlot().load(std::memory_order_relaxed)); }

void setIsa(Isa isa) {
    if (!isaSupported(isa))
        throw Error("CPU kernels: this CPU does not support " + std::string(isaName(isa)) +
                    " (it supports " + supportedNames() + "; the fastest is " +
                    std::string(isaName(detectedIsa())) + ")");
    activeSlot().store(static_cast<int>(isa), std::memory_order_relaxed);
}

} // namespace lamp::cpu
