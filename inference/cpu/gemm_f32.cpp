// The float GEMM for F32/F16/BF16 weights with many tokens: weight rows are converted to float a
// tile at a time (kernels.h); an RM x TN tile of accumulators stays in registers while the columns
// stream past, so each loaded weight vector serves TN tokens and each activation vector RM rows.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <algorithm>


namespace lamp::cpu::detail {
namespace {

void gemmF32Portable(const float* w, int64_t wRows, const float* x, int64_t xRows, int64_t cols,
                     float* y, int64_t ldy) {
    for (int64_t t = 0; t < xRows; ++t)
        for (int64_t r = 0; r < wRows; ++r) {
            const float* a = w + r * cols;
            const float* b = x + t * cols;
            float acc[16] = {};
            for (int64_t c = 0; c < cols; c += 16)
                for (int k = 0; k < 16; ++k)
                    acc[k] += a[c + k] * b[c + k];
            float s = 0.0f;
            for (float v : acc)
                s += v;
            y[t * ldy + r] = s;
        }
}

#if LAMP_X86

template <int RM, int TN, typename Tile>
void tileLoop(const float* w, int64_t wRows, const float* x, int64_t xRows, int64_t cols, float* y,
              int64_t ldy, Tile tile) {
    for (int64_t t0 = 0; t0 < xRows; t0 += TN)
        for (int64_t r0 = 0; r0 < wRows; r0 += RM)
            tile(w + r0 * cols, static_cast<int>(std::min<int64_t>(RM, wRows - r0)), x + t0 * cols,
                 static_cast<int>(std::min<int64_t>(TN, xRows - t0)), cols, y + t0 * ldy + r0, ldy);
}

LAMP_TARGET_AVX2 inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Full tiles run the unrolled body; edge tiles (rm < RM or tn < TN) repeat the last valid row or
// token (so loads stay in bounds) and drop those results.
template <int RM, int TN>
LAMP_TARGET_AVX2 void tileF32Avx2(const float* w, int rm, const float* x, int tn, int64_t cols,
                                  float* y, int64_t ldy) {
    const float* wr[RM];
    const float* xt[TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        wr[r] = w + std::min(r, rm - 1) * cols;
    LAMP_UNROLL
    for (int t = 0; t < TN; ++t)
        xt[t] = x + std::min(t, tn - 1) * cols;
    __m256 acc[RM][TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            acc[r][t] = _mm256_setzero_ps();
    for (int64_t c = 0; c < cols; c += 8) {
        __m256 wv[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            wv[r] = _mm256_load_ps(wr[r] + c);
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            const __m256 xv = _mm256_load_ps(xt[t] + c);
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                acc[r][t] = _mm256_fmadd_ps(wv[r], xv, acc[r][t]);
        }
    }
    for (int t = 0; t < tn; ++t)
        for (int r = 0; r < rm; ++r)
            y[t * ldy + r] = hsum256(acc[r][t]);
}

void gemmF32Avx2(const float* w, int64_t wRows, const float* x, int64_t xRows, int64_t cols,
                 float* y, int64_t ldy) {
    tileLoop<3, 4>(w, wRows, x, xRows, cols, y, ldy, tileF32Avx2<3, 4>);
}

// (_mm512_reduce_add_ps trips gcc 12's maybe-uninitialized warning inside its own header.)
LAMP_TARGET_AVX512 inline float hsum512(__m512 v) {
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    return hsum256(_mm512_castps512_ps256(v));
}

template <int RM, int TN>
LAMP_TARGET_AVX512 void tileF32Avx512(const float* w, int rm, const float* x, int tn, int64_t cols,
                                      float* y, int64_t ldy) {
    const float* wr[RM];
    const float* xt[TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        wr[r] = w + std::min(r, rm - 1) * cols;
    LAMP_UNROLL
    for (int t = 0; t < TN; ++t)
        xt[t] = x + std::min(t, tn - 1) * cols;
    __m512 acc[RM][TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            acc[r][t] = _mm512_setzero_ps();
    for (int64_t c = 0; c < cols; c += 16) {
        __m512 wv[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            wv[r] = _mm512_load_ps(wr[r] + c);
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            const __m512 xv = _mm512_load_ps(xt[t] + c);
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
        }
    }
    for (int t = 0; t < tn; ++t)
        for (int r = 0; r < rm; ++r)
            y[t * ldy + r] = hsum512(acc[r][t]);
}

void gemmF32Avx512(const float* w, int64_t wRows, const float* x, int64_t xRows, int64_t cols,
                   float* y, int64_t ldy) {
    tileLoop<4, 6>(w, wRows, x, xRows, cols, y, ldy, tileF32Avx512<4, 6>);
}

#endif

} // namespace

GemmF32Fn gemmF32Kernel(Isa isa) {
#if LAMP_X86
    if (isa == Isa::Avx512)
        return gemmF32Avx512;
    if (isa == Isa::Avx2)
        return gemmF32Avx2;
#endif
    (void)isa;
    return gemmF32Portable;
}

} // namespace lamp::cpu::detail
