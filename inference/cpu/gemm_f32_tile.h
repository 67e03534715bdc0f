// The float GEMM micro-kernel (kernels.h, GemmF32Fn) for one x86 vector width. Not a normal header:
// gemm_f32.cpp includes it once per width, each time inside its own namespace, after defining
//   LAMP_F_TARGET   the function attribute
//   LAMP_F_WIDTH    256 or 512 (bits per vector)
//   LAMP_F_RM, LAMP_F_TN   the register tile: weight rows x tokens
// and leaves one function, gemm().
//
// An RM x TN tile of accumulators stays in registers while the columns stream past, so each loaded
// weight vector serves TN tokens and each activation vector RM rows. Full tiles run the unrolled
// body; edge tiles (rm < RM or tn < TN) repeat the last valid row or token (so loads stay in
// bounds) and drop those results.

namespace {

#if LAMP_F_WIDTH == 512
using VecF = __m512;
LAMP_F_TARGET inline VecF zeroF() { return _mm512_setzero_ps(); }
LAMP_F_TARGET inline VecF loadF(const float* p) { return _mm512_load_ps(p); }
LAMP_F_TARGET inline VecF fmadd(VecF a, VecF b, VecF c) { return _mm512_fmadd_ps(a, b, c); }
#else
using VecF = __m256;
LAMP_F_TARGET inline VecF zeroF() { return _mm256_setzero_ps(); }
LAMP_F_TARGET inline VecF loadF(const float* p) { return _mm256_load_ps(p); }
LAMP_F_TARGET inline VecF fmadd(VecF a, VecF b, VecF c) { return _mm256_fmadd_ps(a, b, c); }
#endif

LAMP_F_TARGET inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#if LAMP_F_WIDTH == 512
// (_mm512_reduce_add_ps trips gcc 12's maybe-uninitialized warning inside its own header.)
LAMP_F_TARGET inline float hsum(__m512 v) {
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    return hsum(_mm512_castps512_ps256(v));
}
#endif

constexpr int kFloats = static_cast<int>(sizeof(VecF) / sizeof(float));  // per vector: 8 or 16

template <int RM, int TN>
LAMP_F_TARGET void tile(const float* w, int rm, const float* x, int tn, int64_t cols, float* y,
                        int64_t ldy) {
    const float* wr[RM];
    const float* xt[TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        wr[r] = w + std::min(r, rm - 1) * cols;
    LAMP_UNROLL
    for (int t = 0; t < TN; ++t)
        xt[t] = x + std::min(t, tn - 1) * cols;
    VecF acc[RM][TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            acc[r][t] = zeroF();
    for (int64_t c = 0; c < cols; c += kFloats) {
        VecF wv[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            wv[r] = loadF(wr[r] + c);
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            const VecF xv = loadF(xt[t] + c);
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                acc[r][t] = fmadd(wv[r], xv, acc[r][t]);
        }
    }
    for (int t = 0; t < tn; ++t)
        for (int r = 0; r < rm; ++r)
            y[t * ldy + r] = hsum(acc[r][t]);
}

void gemm(const float* w, int64_t wRows, const float* x, int64_t xRows, int64_t cols, float* y,
          int64_t ldy) {
    constexpr int RM = LAMP_F_RM, TN = LAMP_F_TN;
    for (int64_t t0 = 0; t0 < xRows; t0 += TN)
        for (int64_t r0 = 0; r0 < wRows; r0 += RM)
            tile<RM, TN>(w + r0 * cols, static_cast<int>(std::min<int64_t>(RM, wRows - r0)),
                         x + t0 * cols, static_cast<int>(std::min<int64_t>(TN, xRows - t0)), cols,
                         y + t0 * ldy + r0, ldy);
}

} // namespace

// The parameters are this instance's only: the next family defines them again.
#undef LAMP_F_TARGET
#undef LAMP_F_WIDTH
#undef LAMP_F_RM
#undef LAMP_F_TN
