// The CPU kernels on AArch64, as a plain program (Qt is not available for the cross build): run
// under qemu-aarch64 by the ctest test cpu_kernels_aarch64, once on a CPU model with the dot
// product (NeonDot: -cpu cortex-a76 or max) and once on one without (Neon: -cpu cortex-a72).
// Every family the CPU supports (portable, neon, neondot) and both paths (vec-dot, GEMM) are
// checked against the float reference with the thresholds of test_cpu_matmul
// (tests/support/matmul_cases.h), and against the portable family, which computes the same
// integer sums, far more tightly.
//
//   cpu_kernels_aarch64 [--expect FAMILY] [--expect-active FAMILY] [--only FAMILY,FAMILY...]
// --expect fails the run unless the detected family is FAMILY, so a qemu CPU model that silently
// lacks (or has) the dot product cannot leave a family untested. --expect-active checks the
// family in use before the program forces any (LAMPLIGHT_CPU_ISA, or the detected one). --only
// limits the matmul checks to those families (ctest checks each family once across its two runs;
// emulation is slow). Exit status 0 when every check passes, 1 otherwise; each failure is printed
// with the format, path, family and shape.
#include "core/error.h"
#include "cpu/cpu_features.h"
#include "support/matmul_cases.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace lamp;
using namespace lamp::cpu;
using namespace lamp::test;

namespace {

int failures = 0;

void fail(const std::string& what) {
    ++failures;
    if (failures <= 50)
        std::printf("FAIL: %s\n", what.c_str());
}

std::string name(Isa isa) { return std::string(isaName(isa)); }
std::string name(TensorType t) { return std::string(tensorTypeName(t)); }

// The families this program is about: the portable reference and the AArch64 ones, those this
// CPU supports and `only` names (a comma-separated list; empty: all).
std::vector<Isa> familiesHere(const std::string& only) {
    std::vector<Isa> isas;
    for (Isa isa : {Isa::Portable, Isa::Neon, Isa::NeonDot}) {
        const bool named = ("," + only + ",").find("," + name(isa) + ",") != std::string::npos;
        if (isaSupported(isa) && (only.empty() || named))
            isas.push_back(isa);
    }
    return isas;
}

// Forcing a family must run that family's code, or the checks below would test the portable
// kernels several times over.
void checkKernelChoice(const std::vector<Isa>& isas) {
    for (TensorType type : kMatmulTypes)
        for (size_t i = 0; i < isas.size(); ++i)
            for (size_t j = i + 1; j < isas.size(); ++j)
                if (detail::vecDotKernel(type, isas[i]) == detail::vecDotKernel(type, isas[j]))
                    fail(name(type) + ": " + name(isas[i]) + " and " + name(isas[j]) +
                         " share a vec-dot kernel");
    for (size_t i = 0; i < isas.size(); ++i)
        for (size_t j = i + 1; j < isas.size(); ++j)
            if (detail::gemmQ8Kernel(isas[i]) == detail::gemmQ8Kernel(isas[j]))
                fail(name(isas[i]) + " and " + name(isas[j]) + " share the int8 GEMM kernel");
}

// Every format, path and family against the float reference, and against the portable family.
void checkMatmul(const std::vector<Isa>& isas, std::map<std::string, double>& worst,
                 std::map<std::string, double>& worstVsPortable) {
    std::mt19937 rng(20240611);
    ThreadPool one(1), three(3);
    for (TensorType type : kMatmulTypes) {
        for (const MatmulShape& shape : matmulShapesFor(type)) {
            const TestMatrix m = makeMatrix(type, shape.rows, shape.cols, rng);
            for (int64_t nTokens : {1, 2, 7, 33}) {
                const std::vector<float> x = makeActivations(nTokens, shape.cols, rng);
                const std::vector<double> ref = referenceProduct(m, x, nTokens);
                const size_t count = static_cast<size_t>(nTokens * shape.rows);
                for (Path path : kPaths) {
                    forcePath(path);
                    std::vector<float> portable(count);
                    setIsa(Isa::Portable);
                    matmul(m.view, x.data(), nTokens, portable.data(), one);
                    for (Isa isa : isas) {
                        setIsa(isa);
                        const std::string key = name(type) + " " + pathName(path) + " " + name(isa);
                        for (ThreadPool* pool : {&one, &three}) {
                            const MatmulResult res = runMatmulCase(m, x, ref, nTokens, *pool);
                            const std::string where =
                                key + " rows " + std::to_string(shape.rows) + " cols " +
                                std::to_string(shape.cols) + " tokens " + std::to_string(nTokens) +
                                " threads " + std::to_string(pool->size());
                            if (!res.sentinelsIntact)
                                fail("wrote outside y: " + where);
                            if (!std::isfinite(res.nmse) || res.nmse >= nmseLimit(type))
                                fail("NMSE " + std::to_string(res.nmse) +
                                     " against the reference (limit " +
                                     std::to_string(nmseLimit(type)) + "): " + where);
                            double& w = worst[key];
                            w = std::max(w, res.nmse);
                        }
                        std::vector<float> y(count);
                        matmul(m.view, x.data(), nTokens, y.data(), three);
                        const double nmse = nmseBetween(y, portable);
                        if (!(nmse < 1e-9))
                            fail("NMSE " + std::to_string(nmse) + " against the portable family: " +
                                 key + " cols " + std::to_string(shape.cols) + " tokens " +
                                 std::to_string(nTokens));
                        double& w = worstVsPortable[key];
                        w = std::max(w, nmse);
                    }
                }
            }
        }
    }
}

// The int8 GEMM micro-kernels directly, on Q8_0 weights packed with unsigned codes (q + 128, what
// matmul packs for these families) and with signed ones (PackedQ8::signedCodes, which matmul asks
// for only on some x86 families): both must match the portable kernel on the same packed data.
struct Packed {
    std::vector<uint8_t> codes;
    std::vector<float> scales, offsets;
    cpu::detail::PackedQ8 p;
    Packed(int64_t rows, int64_t cols)
        : codes(cpu::detail::PackedQ8::codeBytes(cols) * static_cast<size_t>(rows)),
          scales(cpu::detail::PackedQ8::scaleFloats(cols) * static_cast<size_t>(rows)),
          offsets(cpu::detail::PackedQ8::offsetFloats(cols) * static_cast<size_t>(rows)) {
        p.rows = rows;
        p.pairs = cpu::detail::PackedQ8::pairsFor(cols);
        p.halves = cpu::detail::PackedQ8::halvesFor(cols);
        p.codes = codes.data();
        p.scales = scales.data();
        p.offsets = offsets.data();
    }
};

void checkGemmKernelSignedCodes(const std::vector<Isa>& isas) {
    std::mt19937 rng(31);
    const int64_t rows = 13, cols = 352, tokens = 6;
    const TestMatrix m = makeMatrix(TensorType::Q8_0, rows, cols, rng);
    const std::vector<float> x = makeActivations(tokens, cols, rng);
    Packed xp(tokens, cols);
    for (int64_t t = 0; t < tokens; ++t)
        cpu::detail::packActivationRowQ8(x.data() + t * cols, cols, xp.p, t, Isa::Portable);
    const size_t rb = rowBytes(TensorType::Q8_0, cols);
    for (bool signedCodes : {false, true}) {
        Packed wp(rows, cols);
        wp.p.signedCodes = signedCodes;
        for (int64_t r = 0; r < rows; ++r)
            cpu::detail::packWeightRowQ8(TensorType::Q8_0,
                                         m.view.data + static_cast<size_t>(r) * rb, cols, wp.p, r);
        std::vector<float> ref(static_cast<size_t>(rows * tokens));
        cpu::detail::gemmQ8Kernel(Isa::Portable)(wp.p, xp.p, ref.data(), rows);
        for (Isa isa : isas) {
            std::vector<float> y(ref.size());
            cpu::detail::gemmQ8Kernel(isa)(wp.p, xp.p, y.data(), rows);
            const double nmse = nmseBetween(y, ref);
            if (!(nmse < 1e-9))
                fail("int8 GEMM kernel " + name(isa) + " with " +
                     (signedCodes ? "signed" : "unsigned") + " Q8_0 codes: NMSE " +
                     std::to_string(nmse) + " against the portable kernel");
        }
    }
}

// Q8_0 codes at the ends of their range against activations of ±1 (ExtremeCodesCase): the
// largest products and sums the 16-bit steps of the plain Neon dot product see. Any saturation or
// overflow is far above the 1e-10 bound (the products are exact).
void checkExtremeCodes(const std::vector<Isa>& isas) {
    std::mt19937 rng(31337);
    ThreadPool pool(2);
    const ExtremeCodesCase c = makeExtremeCodesCase(rng);
    for (Path path : kPaths) {
        forcePath(path);
        for (Isa isa : isas) {
            setIsa(isa);
            const MatmulResult res = runMatmulCase(c.m, c.x, c.ref, c.nTokens, pool);
            const std::string where =
                std::string("Q8_0 extreme codes ") + pathName(path) + " " + name(isa);
            if (!res.sentinelsIntact)
                fail("wrote outside y: " + where);
            if (!(res.nmse < 1e-10))
                fail("NMSE " + std::to_string(res.nmse) + ": " + where);
        }
    }
}

// Float formats take any row length: odd ones exercise the kernels' scalar tails.
void checkFloatTails(const std::vector<Isa>& isas) {
    std::mt19937 rng(5);
    ThreadPool pool(2);
    for (int64_t cols : {1, 7, 17, 33, 77})
        for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
            const TestMatrix m = makeMatrix(type, 9, cols, rng);
            for (int64_t nTokens : {1, 13}) {
                const std::vector<float> x = makeActivations(nTokens, cols, rng);
                const std::vector<double> ref = referenceProduct(m, x, nTokens);
                for (Path path : kPaths) {
                    forcePath(path);
                    for (Isa isa : isas) {
                        setIsa(isa);
                        const MatmulResult res = runMatmulCase(m, x, ref, nTokens, pool);
                        const std::string where = name(type) + " " + pathName(path) + " " +
                                                  name(isa) + " cols " + std::to_string(cols);
                        if (!res.sentinelsIntact)
                            fail("wrote outside y: " + where);
                        if (!(res.nmse < 1e-10))
                            fail("NMSE " + std::to_string(res.nmse) + ": " + where);
                    }
                }
            }
        }
}

} // namespace

int main(int argc, char** argv) {
    const char* expect = nullptr;
    const char* expectActive = nullptr;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            expect = argv[++i];
        } else if (std::strcmp(argv[i], "--expect-active") == 0 && i + 1 < argc) {
            expectActive = argv[++i];
        } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::fprintf(stderr, "usage: %s [--expect FAMILY] [--expect-active FAMILY] "
                                 "[--only FAMILY,...] (families: portable, neon, neondot)\n",
                         argv[0]);
            return 2;
        }
    }
    const char* env = std::getenv("LAMPLIGHT_CPU_ISA");
    std::printf("detected family: %s; active: %s (LAMPLIGHT_CPU_ISA=%s)\n",
                name(detectedIsa()).c_str(), name(activeIsa()).c_str(), env ? env : "");
    if (expectActive != nullptr && name(activeIsa()) != expectActive) {
        std::printf("FAIL: expected the %s family to be active at start but it is %s\n",
                    expectActive, name(activeIsa()).c_str());
        return 1;
    }
    if (expect != nullptr && name(detectedIsa()) != expect) {
        std::printf("FAIL: expected the %s family on this CPU but detected %s: run under a qemu "
                    "CPU model that has (-cpu cortex-a76, max) or lacks (-cpu cortex-a72) the dot "
                    "product\n",
                    expect, name(detectedIsa()).c_str());
        return 1;
    }
    const std::vector<Isa> isas = familiesHere(only);
    if (isas.empty()) {
        std::printf("FAIL: --only %s names no family this CPU supports\n", only.c_str());
        return 1;
    }
    std::string list;
    for (Isa isa : isas)
        list += (list.empty() ? "" : ", ") + name(isa);
    std::printf("families checked: %s\n", list.c_str());

    std::map<std::string, double> worst, worstVsPortable;
    try {
        checkKernelChoice(familiesHere(""));
        checkMatmul(isas, worst, worstVsPortable);
        checkFloatTails(isas);
        checkGemmKernelSignedCodes(isas);
        checkExtremeCodes(isas);
    } catch (const Error& e) {
        fail(std::string("exception: ") + e.what());
    }
    std::printf("worst NMSE per format, path and family (against the float reference / against "
                "portable):\n");
    for (const auto& [key, value] : worst)
        std::printf("  %-26s %9.3g  %9.3g\n", key.c_str(), value, worstVsPortable[key]);
    if (failures > 0) {
        std::printf("%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("all checks passed\n");
    return 0;
}
