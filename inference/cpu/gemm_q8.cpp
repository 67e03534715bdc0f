// The integer GEMM on the uniform PackedQ8 layout (kernels.h): every quantized weight format ends up
// here for prompt processing. A micro-kernel keeps an RM x TN tile of float accumulators in
// registers; each step loads RM rows of weight codes and TN tokens of activation codes once and
// forms all RM * TN products (8-bit multiplies summed into 32-bit lanes), scaled per lane.
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

// ---- AVX2: 32 values per step, maddubs (u8 x s8 -> s16 pairs) + madd (-> s32 lanes) -----------

LAMP_TARGET_AVX2 inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

template <int RM, int TN>
struct TileAvx2 {
    LAMP_TARGET_AVX2 static void run(const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0,
                                     float* y, int64_t ldy) {
        __m256 acc[RM][TN];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t)
                acc[r][t] = _mm256_setzero_ps();
        const uint8_t* wc[RM];
        const float* ws[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r) {
            wc[r] = w.codeRow(r0 + r);
            ws[r] = w.scaleRow(r0 + r);
        }
        const uint8_t* xc[TN];
        const float* xs[TN];
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            xc[t] = x.codeRow(t0 + t);
            xs[t] = x.scaleRow(t0 + t);
        }
        const __m256i ones = _mm256_set1_epi16(1);
        const int64_t blocks = 2 * w.pairs;
        if (!w.signedCodes) {
            for (int64_t b = 0; b < blocks; ++b) {
                __m256i wv[RM];
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r)
                    wv[r] = _mm256_load_si256(reinterpret_cast<const __m256i*>(wc[r] + 32 * b));
                LAMP_UNROLL
                for (int t = 0; t < TN; ++t) {
                    const __m256i xv = _mm256_load_si256(reinterpret_cast<const __m256i*>(xc[t] + 32 * b));
                    const __m256 xsv = _mm256_load_ps(xs[t] + 8 * b);
                    LAMP_UNROLL
                    for (int r = 0; r < RM; ++r) {
                        const __m256i d = _mm256_madd_epi16(_mm256_maddubs_epi16(wv[r], xv), ones);
                        acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d),
                                                    _mm256_mul_ps(_mm256_load_ps(ws[r] + 8 * b), xsv),
                                                    acc[r][t]);
                    }
                }
            }
        } else {
            // Signed weight codes (Q8_0): |w| x (x with w's sign) keeps maddubs from saturating.
            for (int64_t b = 0; b < blocks; ++b) {
                __m256i wv[RM], wa[RM];
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r) {
                    wv[r] = _mm256_load_si256(reinterpret_cast<const __m256i*>(wc[r] + 32 * b));
                    wa[r] = _mm256_sign_epi8(wv[r], wv[r]);
                }
                LAMP_UNROLL
                for (int t = 0; t < TN; ++t) {
                    const __m256i xv = _mm256_load_si256(reinterpret_cast<const __m256i*>(xc[t] + 32 * b));
                    const __m256 xsv = _mm256_load_ps(xs[t] + 8 * b);
                    LAMP_UNROLL
                    for (int r = 0; r < RM; ++r) {
                        const __m256i p = _mm256_maddubs_epi16(wa[r], _mm256_sign_epi8(xv, wv[r]));
                        const __m256i d = _mm256_madd_epi16(p, ones);
                        acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d),
                                                    _mm256_mul_ps(_mm256_load_ps(ws[r] + 8 * b), xsv),
                                                    acc[r][t]);
                    }
                }
            }
        }
        // Offsets: Σ_halves wOffset * (d Σ x codes), 8 halves per step.
        for (int64_t h = 0; h < w.halves; h += 8) {
            __m256 wo[RM];
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                wo[r] = _mm256_load_ps(w.offsetRow(r0 + r) + h);
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t) {
                const __m256 xo = _mm256_load_ps(x.offsetRow(t0 + t) + h);
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r)
                    acc[r][t] = _mm256_fmadd_ps(wo[r], xo, acc[r][t]);
            }
        }
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                y[(t0 + t) * ldy + r0 + r] = hsum256(acc[r][t]);
    }
};

void gemmQ8Avx2(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
    TileLoop<2, 4, TileAvx2>::run(w, x, y, ldy);
}

// ---- AVX-512 VNNI: 64 values per step, vpdpbusd (u8 x s8, 4 products summed per s32 lane) ------

// (_mm512_reduce_add_ps trips gcc 12's maybe-uninitialized warning inside its own header.)
LAMP_TARGET_AVX512 inline float hsum512(__m512 v) {
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    return hsum256(_mm512_castps512_ps256(v));
}

template <int RM, int TN>
struct TileAvx512 {
    LAMP_TARGET_AVX512 static void run(const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0,
                                       float* y, int64_t ldy) {
        __m512 acc[RM][TN];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t)
                acc[r][t] = _mm512_setzero_ps();
        const uint8_t* wc[RM];
        const float* ws[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r) {
            wc[r] = w.codeRow(r0 + r);
            ws[r] = w.scaleRow(r0 + r);
        }
        const uint8_t* xc[TN];
        const float* xs[TN];
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            xc[t] = x.codeRow(t0 + t);
            xs[t] = x.scaleRow(t0 + t);
        }
        for (int64_t p = 0; p < w.pairs; ++p) {
            __m512i wv[RM];
            __m512 wsv[RM];
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r) {
                wv[r] = _mm512_load_si512(wc[r] + 64 * p);
                wsv[r] = _mm512_load_ps(ws[r] + 16 * p);
            }
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t) {
                const __m512i xv = _mm512_load_si512(xc[t] + 64 * p);
                const __m512 xsv = _mm512_load_ps(xs[t] + 16 * p);
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r) {
                    const __m512i d = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv[r], xv);
                    acc[r][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), _mm512_mul_ps(wsv[r], xsv),
                                                acc[r][t]);
                }
            }
        }
        for (int64_t h = 0; h < w.halves; h += 16) {
            __m512 wo[RM];
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                wo[r] = _mm512_load_ps(w.offsetRow(r0 + r) + h);
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t) {
                const __m512 xo = _mm512_load_ps(x.offsetRow(t0 + t) + h);
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r)
                    acc[r][t] = _mm512_fmadd_ps(wo[r], xo, acc[r][t]);
            }
        }
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                y[(t0 + t) * ldy + r0 + r] = hsum512(acc[r][t]);
    }
};

void gemmQ8Avx512(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
    TileLoop<4, 4, TileAvx512>::run(w, x, y, ldy);
}

#endif

} // namespace

GemmQ8Fn gemmQ8Kernel(Isa isa) {
#if LAMP_X86
    if (isa == Isa::Avx512)
        return gemmQ8Avx512;
    if (isa == Isa::Avx2)
        return gemmQ8Avx2;
#endif
    (void)isa;
    return gemmQ8Portable;
}

} // namespace lamp::cpu::detail
