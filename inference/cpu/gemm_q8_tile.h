// The integer GEMM micro-kernel on PackedQ8 (kernels.h) for one x86 family, written once for
// 256- and 512-bit vectors. Not a normal header: gemm_q8.cpp includes it once per family, each time
// inside its own namespace, after defining
//   LAMP_G_TARGET   the family's function attribute
//   LAMP_G_WIDTH    256 or 512 (bits per vector)
//   LAMP_G_VNNI     1 where vpdpbusd exists at that width, else 0 (maddubs + madd instead)
//   LAMP_G_RM, LAMP_G_TN   the register tile: weight rows x tokens
// and leaves one function, gemm(), the GemmQ8Fn of that family.
//
// Each step loads RM rows of weight codes and TN tokens of activation codes (32 or 64 bytes) once
// and forms all RM * TN code dot products (four u8 x s8 products per s32 lane), each converted to
// float and scaled by its lane's weight scale times activation scale. vpdpbusd forms a lane in one
// instruction; without it maddubs (u8 x s8 -> s16 pairs) + madd (pairs -> s32) give the same sums
// exactly as long as no s16 pair saturates: codes up to 63 are safe, and Q8_0 weights (up to 255
// as q + 128) come signed instead (gemmQ8SignedCodes) and are multiplied as |q| with x carrying
// q's sign, at most 128 * 127 * 2 per pair.

namespace {

#if LAMP_G_WIDTH == 512
using VecI = __m512i;
using VecF = __m512;
using SignT = __mmask64;  // the negative weight codes
LAMP_G_TARGET inline VecF zeroF() { return _mm512_setzero_ps(); }
LAMP_G_TARGET inline VecI loadI(const uint8_t* p) { return _mm512_load_si512(p); }
LAMP_G_TARGET inline VecF loadF(const float* p) { return _mm512_load_ps(p); }
LAMP_G_TARGET inline VecF fmadd(VecF a, VecF b, VecF c) { return _mm512_fmadd_ps(a, b, c); }
LAMP_G_TARGET inline VecF mul(VecF a, VecF b) { return _mm512_mul_ps(a, b); }
LAMP_G_TARGET inline VecF toFloat(VecI v) { return _mm512_cvtepi32_ps(v); }
LAMP_G_TARGET inline VecI absCodes(VecI w) { return _mm512_abs_epi8(w); }
LAMP_G_TARGET inline SignT signOf(VecI w) { return _mm512_movepi8_mask(w); }
LAMP_G_TARGET inline VecI withSign(VecI x, SignT negative) {
    return _mm512_mask_sub_epi8(x, negative, _mm512_setzero_si512(), x);
}
LAMP_G_TARGET inline VecI dotU8(VecI u, VecI x) {
#if LAMP_G_VNNI
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, x);
#else
    return _mm512_madd_epi16(_mm512_maddubs_epi16(u, x), _mm512_set1_epi16(1));
#endif
}
#else
using VecI = __m256i;
using VecF = __m256;
using SignT = __m256i;  // the weight codes themselves (vpsignb reads their signs)
LAMP_G_TARGET inline VecF zeroF() { return _mm256_setzero_ps(); }
LAMP_G_TARGET inline VecI loadI(const uint8_t* p) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(p)); }
LAMP_G_TARGET inline VecF loadF(const float* p) { return _mm256_load_ps(p); }
LAMP_G_TARGET inline VecF fmadd(VecF a, VecF b, VecF c) { return _mm256_fmadd_ps(a, b, c); }
LAMP_G_TARGET inline VecF mul(VecF a, VecF b) { return _mm256_mul_ps(a, b); }
LAMP_G_TARGET inline VecF toFloat(VecI v) { return _mm256_cvtepi32_ps(v); }
LAMP_G_TARGET inline VecI absCodes(VecI w) { return _mm256_sign_epi8(w, w); }
LAMP_G_TARGET inline SignT signOf(VecI w) { return w; }
LAMP_G_TARGET inline VecI withSign(VecI x, SignT w) { return _mm256_sign_epi8(x, w); }
LAMP_G_TARGET inline VecI dotU8(VecI u, VecI x) {
#if LAMP_G_VNNI
    return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), u, x);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1));
#endif
}
#endif

LAMP_G_TARGET inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#if LAMP_G_WIDTH == 512
// (_mm512_reduce_add_ps trips gcc 12's maybe-uninitialized warning inside its own header.)
LAMP_G_TARGET inline float hsum(__m512 v) {
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    return hsum(_mm512_castps512_ps256(v));
}
#endif

constexpr int kStep = static_cast<int>(sizeof(VecI));  // code bytes per step: 32 or 64
constexpr int kLanes = kStep / 4;                       // s32 lanes (and their scales) per step
// 512-bit tiles keep each row's scales in registers (32 of them); 256-bit ones (16 registers)
// read them as memory operands.
constexpr bool kHoistScales = LAMP_G_WIDTH == 512;

template <int RM, int TN>
struct Tile {
    template <bool kSigned>
    LAMP_G_TARGET static void body(const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0,
                                   float* y, int64_t ldy) {
        VecF acc[RM][TN];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t)
                acc[r][t] = zeroF();
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
        const int64_t steps = w.pairs * (64 / kStep);
        for (int64_t b = 0; b < steps; ++b) {
            VecI wv[RM];
            SignT sign[RM];
            VecF wsv[RM];
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r) {
                const VecI codes = loadI(wc[r] + kStep * b);
                if constexpr (kSigned) {
                    wv[r] = absCodes(codes);
                    sign[r] = signOf(codes);
                } else {
                    wv[r] = codes;
                    sign[r] = SignT{};
                }
                if constexpr (kHoistScales)
                    wsv[r] = loadF(ws[r] + kLanes * b);
            }
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t) {
                const VecI xv = loadI(xc[t] + kStep * b);
                const VecF xsv = loadF(xs[t] + kLanes * b);
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r) {
                    const VecI d = dotU8(wv[r], kSigned ? withSign(xv, sign[r]) : xv);
                    const VecF scale = kHoistScales ? wsv[r] : loadF(ws[r] + kLanes * b);
                    acc[r][t] = fmadd(toFloat(d), mul(scale, xsv), acc[r][t]);
                }
            }
        }
        // Offsets: Σ_halves wOffset * (d Σ x codes), kLanes halves per step.
        for (int64_t h = 0; h < w.halves; h += kLanes) {
            VecF wo[RM];
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                wo[r] = loadF(w.offsetRow(r0 + r) + h);
            LAMP_UNROLL
            for (int t = 0; t < TN; ++t) {
                const VecF xo = loadF(x.offsetRow(t0 + t) + h);
                LAMP_UNROLL
                for (int r = 0; r < RM; ++r)
                    acc[r][t] = fmadd(wo[r], xo, acc[r][t]);
            }
        }
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                y[(t0 + t) * ldy + r0 + r] = hsum(acc[r][t]);
    }

    static void run(const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0, float* y,
                    int64_t ldy) {
        if (w.signedCodes)
            body<true>(w, r0, x, t0, y, ldy);
        else
            body<false>(w, r0, x, t0, y, ldy);
    }
};

void gemm(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
    TileLoop<LAMP_G_RM, LAMP_G_TN, Tile>::run(w, x, y, ldy);
}

} // namespace

// The parameters are this instance's only: the next family defines them again.
#undef LAMP_G_TARGET
#undef LAMP_G_WIDTH
#undef LAMP_G_VNNI
#undef LAMP_G_RM
#undef LAMP_G_TN
