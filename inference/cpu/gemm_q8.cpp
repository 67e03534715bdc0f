// The integer GEMM on the uniform PackedQ8 layout (kernels.h): every quantized weight format ends up
// here for prompt processing. A micro-kernel keeps an RM x TN tile of float accumulators in
// registers; each step loads RM rows of weight codes and TN tokens of activation codes once and
// forms all RM * TN products (8-bit multiplies summed into 32-bit lanes), scaled per lane. The x86
// micro-kernel is gemm_q8_tile.h, compiled here once per family.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <algorithm>


namespace lamp::cpu::detail {
namespace {

// ---- portable ---------------------------------------------------------------------------------
// Written for the auto-vectorizer: per 64-value pair, 16 lane sums of 4 products (a fixed-length
// integer loop), then 16 float multiply-adds; each weight pair serves up to 4 tokens.

template <typename WCode>
inline void lanes16(const WCode* w, const int8_t* x, int32_t* s) {
    for (int lane = 0; lane < 16; ++lane) {
        int32_t sum = 0;
        for (int k = 0; k < 4; ++k)
            sum += static_cast<int32_t>(w[4 * lane + k]) * static_cast<int32_t>(x[4 * lane + k]);
        s[lane] = sum;
    }
}

template <typename WCode>
void gemmQ8PortableT(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
    constexpr int kTokens = 4;
    for (int64_t t0 = 0; t0 < x.rows; t0 += kTokens) {
        const int tn = static_cast<int>(std::min<int64_t>(kTokens, x.rows - t0));
        for (int64_t r = 0; r < w.rows; ++r) {
            const auto* wc = reinterpret_cast<const WCode*>(w.codeRow(r));
            const float* ws = w.scaleRow(r);
            float acc[kTokens][16] = {};
            for (int64_t p = 0; p < w.pairs; ++p)
                for (int t = 0; t < tn; ++t) {
                    int32_t s[16];
                    lanes16(wc + 64 * p, reinterpret_cast<const int8_t*>(x.codeRow(t0 + t)) + 64 * p, s);
                    const float* xs = x.scaleRow(t0 + t) + 16 * p;
                    for (int lane = 0; lane < 16; ++lane)
                        acc[t][lane] += static_cast<float>(s[lane]) * (ws[16 * p + lane] * xs[lane]);
                }
            for (int t = 0; t < tn; ++t) {
                const float* wo = w.offsetRow(r);
                const float* xo = x.offsetRow(t0 + t);
                for (int64_t h = 0; h < w.halves; h += 16)
                    for (int lane = 0; lane < 16; ++lane)
                        acc[t][lane] += wo[h + lane] * xo[h + lane];
                float sum = 0.0f;
                for (float v : acc[t])
                    sum += v;
                y[(t0 + t) * ldy + r] = sum;
            }
        }
    }
}

void gemmQ8Portable(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
    if (w.signedCodes)
        gemmQ8PortableT<int8_t>(w, x, y, ldy);
    else
        gemmQ8PortableT<uint8_t>(w, x, y, ldy);
}

#if LAMP_X86

// Runs tile<RM', TN'>(r0, t0) over the whole packed sets, with the edge tiles instantiated for every
// smaller size.
template <int RM, int TN, template <int, int> class Tile>
struct TileLoop {
    template <int R>
    static void rowsEdge(int rm, const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0, int tn,
                         float* y, int64_t ldy) {
        if constexpr (R >= 1) {
            if (rm == R)
                return tokensEdge<R, TN>(tn, w, r0, x, t0, y, ldy);
            rowsEdge<R - 1>(rm, w, r0, x, t0, tn, y, ldy);
        }
    }
    template <int R, int T>
    static void tokensEdge(int tn, const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0,
                           float* y, int64_t ldy) {
        if constexpr (T >= 1) {
            if (tn == T)
                return Tile<R, T>::run(w, r0, x, t0, y, ldy);
            tokensEdge<R, T - 1>(tn, w, r0, x, t0, y, ldy);
        }
    }
    static void run(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
        for (int64_t t0 = 0; t0 < x.rows; t0 += TN) {
            const int tn = static_cast<int>(std::min<int64_t>(TN, x.rows - t0));
            for (int64_t r0 = 0; r0 < w.rows; r0 += RM) {
                const int rm = static_cast<int>(std::min<int64_t>(RM, w.rows - r0));
                if (rm == RM && tn == TN)
                    Tile<RM, TN>::run(w, r0, x, t0, y, ldy);
                else
                    rowsEdge<RM>(rm, w, r0, x, t0, tn, y, ldy);
            }
        }
    }
};

// ---- the x86 families: one micro-kernel (gemm_q8_tile.h) compiled per family -----------------

namespace avx2 {
#define LAMP_G_TARGET LAMP_TARGET_AVX2
#define LAMP_G_WIDTH 256
#define LAMP_G_VNNI 0
#define LAMP_G_RM 2
#define LAMP_G_TN 4
#include "cpu/gemm_q8_tile.h"
} // namespace avx2

namespace avxvnni {
#define LAMP_G_TARGET LAMP_TARGET_AVXVNNI
#define LAMP_G_WIDTH 256
#define LAMP_G_VNNI 1
#define LAMP_G_RM 2
#define LAMP_G_TN 4
#include "cpu/gemm_q8_tile.h"
} // namespace avxvnni

namespace avx512 {
#define LAMP_G_TARGET LAMP_TARGET_AVX512_NOVNNI
#define LAMP_G_WIDTH 512
#define LAMP_G_VNNI 0
#define LAMP_G_RM 4
#define LAMP_G_TN 4
#include "cpu/gemm_q8_tile.h"
} // namespace avx512

namespace avx512vnni {
#define LAMP_G_TARGET LAMP_TARGET_AVX512
#define LAMP_G_WIDTH 512
#define LAMP_G_VNNI 1
#define LAMP_G_RM 4
#define LAMP_G_TN 4
#include "cpu/gemm_q8_tile.h"
} // namespace avx512vnni

#endif

} // namespace

GemmQ8Fn gemmQ8Kernel(Isa isa) {
#if LAMP_X86
    if (isa == Isa::Avx2)
        return avx2::gemm;
    if (isa == Isa::AvxVnni)
        return avxvnni::gemm;
    if (isa == Isa::Avx512)
        return avx512::gemm;
    if (isa == Isa::Avx512Vnni)
        return avx512vnni::gemm;
#endif
#if defined(__aarch64__)
    if (isa == Isa::NeonDot)
        return gemmQ8NeonDot();
    if (isa == Isa::Neon)
        return gemmQ8Neon();
#endif
    (void)isa;
    return gemmQ8Portable;
}

bool gemmQ8SignedCodes(Isa isa) { return isa == Isa::Avx2 || isa == Isa::Avx512; }

} // namespace lamp::cpu::detail
