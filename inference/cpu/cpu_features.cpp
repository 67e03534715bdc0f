#include "cpu/cpu_features.h"

#include "core/error.h"
#include "core/log.h"
#include "core/strings.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
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
#else
CpuFeatures probe() { return {}; }
#endif

Isa detect(const CpuFeatures& f) {
    const bool avx2 = f.avx2 && f.fma && f.f16c;
    if (avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni)
        return Isa::Avx512;
    return avx2 ? Isa::Avx2 : Isa::Portable;
}

Isa initialIsa() {
    const Isa best = detectedIsa();
    const char* env = std::getenv("LAMPLIGHT_CPU_ISA");
    if (env == nullptr || *env == '\0')
        return best;
    const auto wanted = isaFromName(env);
    if (!wanted) {
        log::get("cpu")->warn("LAMPLIGHT_CPU_ISA={} is not one of portable, avx2, avx512; using {}",
                              env, isaName(best));
        return best;
    }
    if (static_cast<int>(*wanted) > static_cast<int>(best)) {
        log::get("cpu")->warn("LAMPLIGHT_CPU_ISA={}: this CPU lacks it; using {}", env,
                              isaName(best));
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
    case Isa::Avx512: return "avx512";
    }
    return "unknown";
}

std::optional<Isa> isaFromName(std::string_view name) {
    for (Isa isa : {Isa::Portable, Isa::Avx2, Isa::Avx512})
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

bool isaSupported(Isa isa) { return static_cast<int>(isa) <= static_cast<int>(detectedIsa()); }

Isa activeIsa() { return static_cast<Isa>(activeSlot().load(std::memory_order_relaxed)); }

void setIsa(Isa isa) {
    if (!isaSupported(isa))
        throw Error("CPU kernels: this CPU does not support " + std::string(isaName(isa)) +
                    " (the best it has is " + std::string(isaName(detectedIsa())) + ")");
    activeSlot().store(static_cast<int>(isa), std::memory_order_relaxed);
}

} // namespace lamp::cpu
