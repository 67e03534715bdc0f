// The K-quant vec-dot kernels (Q2_K ... Q6_K against BlockQ8_K activations), compiled once per
// x86 family: vec_dot_avx2_k.cpp (AVX2), vec_dot_avxvnni_k.cpp (AVX-VNNI), vec_dot_avx512_k.cpp
// (AVX-512 without VNNI: the same instructions, 32 registers) and vec_dot_avx512_vnni_k.cpp, where
// vpdpwssd fuses the group-scale multiply with the accumulation. Not a normal header: the
// including file defines LAMP_K_TARGET (function attribute), LAMP_K_NAME (the table function) and,
// with VNNI, LAMP_K_DPWSSD (the 256-bit vpdpwssd intrinsic: EVEX or VEX), includes cpu/simd.h and
// cpu/kernels.h, and includes this inside namespace lamp::cpu::detail on x86 only.
//
// Per super-block of 256 values: codes are unpacked to unsigned bytes, maddubs multiplies them with
// the activation codes into s16 pairs, those are weighted by the group scales (s16) into s32 lanes,
// and one float multiply-add per super-block applies d * d_x. Code offsets (Q3_K "- 4", Q6_K
// "- 32") and group minimums (Q2_K, Q4_K, Q5_K) are applied through the activation group sums
// (bsums).

namespace {


LAMP_K_TARGET inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

LAMP_K_TARGET inline float half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

inline uint32_t u32At(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

LAMP_K_TARGET inline __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// A 16-byte vector of 16 group scales -> s16 lanes 0-7 = scale g, lanes 8-15 = scale g + 1 (the
// two 16-value groups of 32 values), sign-extended.
template <int g>
LAMP_K_TARGET inline __m256i pairScales(__m128i scales) {
    const __m128i pick = _mm_setr_epi8(g, g, g, g, g, g, g, g, g + 1, g + 1, g + 1, g + 1, g + 1,
                                       g + 1, g + 1, g + 1);
    return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, pick));
}

// acc + Σ over 32 values of unsigned codes u and activations x, each pair of products (s16, from
// maddubs) weighted by its group scale (s16): 8 s32 lanes. VNNI fuses the weighting and the add.
// maddubs cannot saturate here: codes are at most 63 (Q6_K + 32) and |x| <= 127.
LAMP_K_TARGET inline __m256i scaledDot(__m256i acc, __m256i u, const int8_t* x, __m256i scales16) {
    const __m256i pairs = _mm256_maddubs_epi16(u, load256(x));
#ifdef LAMP_K_DPWSSD
    return LAMP_K_DPWSSD(acc, pairs, scales16);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, scales16));
#endif
}

// ---- Q2_K: value = d sc q - dmin mn, 16 groups of 16 ------------------------------------------

template <int c, int j>
LAMP_K_TARGET inline __m256i q2Step(__m256i acc, __m256i q2, const int8_t* x, __m128i scales) {
    const __m256i u = _mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), _mm256_set1_epi8(3));
    return scaledDot(acc, u, x + 128 * c + 32 * j, pairScales<8 * c + 2 * j>(scales));
}

LAMP_K_TARGET float dotQ2_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ2_K);
        const BlockQ8_K& xb = x[b];
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk));
        const __m128i scales = _mm_and_si128(packed, _mm_set1_epi8(15));
        const __m128i mins = _mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(15));
        const __m256i minSum = _mm256_madd_epi16(_mm256_cvtepu8_epi16(mins), load256(xb.bsums));
        const __m256i q0 = load256(blk + 16), q1 = load256(blk + 48);
        __m256i s = q2Step<0, 0>(_mm256_setzero_si256(), q0, xb.qs, scales);
        s = q2Step<0, 1>(s, q0, xb.qs, scales);
        s = q2Step<0, 2>(s, q0, xb.qs, scales);
        s = q2Step<0, 3>(s, q0, xb.qs, scales);
        s = q2Step<1, 0>(s, q1, xb.qs, scales);
        s = q2Step<1, 1>(s, q1, xb.qs, scales);
        s = q2Step<1, 2>(s, q1, xb.qs, scales);
        s = q2Step<1, 3>(s, q1, xb.qs, scales);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(xb.d * half(blk + 80)), _mm256_cvtepi32_ps(s), acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(-xb.d * half(blk + 82)), _mm256_cvtepi32_ps(minSum), acc);
    }
    return hsum(acc);
}

// ---- Q3_K: value = d (sc - 32) (q - 4 if the high bit is clear) --------------------------------

template <int c, int j>
LAMP_K_TARGET inline __m256i q3Step(__m256i acc, __m256i q2, __m256i hm, const int8_t* x,
                                    __m128i scales) {
    const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), _mm256_set1_epi8(3));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * c + j), _mm256_set1_epi8(1));
    const __m256i u = _mm256_or_si256(low, _mm256_slli_epi16(high, 2));  // code + 4, 0..7
    return scaledDot(acc, u, x + 128 * c + 32 * j, pairScales<8 * c + 2 * j>(scales));
}

LAMP_K_TARGET float dotQ3_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ3_K);
        const BlockQ8_K& xb = x[b];
        // 16 six-bit scales: low nibbles from bytes 0-7, high 2 bits from bytes 8-11.
        const uint32_t a = u32At(blk + 96), bb = u32At(blk + 100), c = u32At(blk + 104);
        const uint32_t s0 = (a & 0x0f0f0f0fu) | ((c & 0x03030303u) << 4);
        const uint32_t s1 = (bb & 0x0f0f0f0fu) | (((c >> 2) & 0x03030303u) << 4);
        const uint32_t s2 = ((a >> 4) & 0x0f0f0f0fu) | (((c >> 4) & 0x03030303u) << 4);
        const uint32_t s3 = ((bb >> 4) & 0x0f0f0f0fu) | (((c >> 6) & 0x03030303u) << 4);
        const __m128i scales = _mm_sub_epi8(
            _mm_setr_epi32(static_cast<int>(s0), static_cast<int>(s1), static_cast<int>(s2),
                           static_cast<int>(s3)),
            _mm_set1_epi8(32));
        // The "- 4" of every code: -4 Σ_g sc_g bsums_g.
        const __m256i offset = _mm256_madd_epi16(_mm256_cvtepi8_epi16(scales), load256(xb.bsums));
        const __m256i hm = load256(blk);
        const __m256i q0 = load256(blk + 32), q1 = load256(blk + 64);
        __m256i s = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 2));
        s = q3Step<0, 0>(s, q0, hm, xb.qs, scales);
        s = q3Step<0, 1>(s, q0, hm, xb.qs, scales);
        s = q3Step<0, 2>(s, q0, hm, xb.qs, scales);
        s = q3Step<0, 3>(s, q0, hm, xb.qs, scales);
        s = q3Step<1, 0>(s, q1, hm, xb.qs, scales);
        s = q3Step<1, 1>(s, q1, hm, xb.qs, scales);
        s = q3Step<1, 2>(s, q1, hm, xb.qs, scales);
        s = q3Step<1, 3>(s, q1, hm, xb.qs, scales);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(xb.d * half(blk + 108)), _mm256_cvtepi32_ps(s), acc);
    }
    return hsum(acc);
}

// ---- Q4_K / Q5_K: value = d sc q - dmin mn, 8 groups of 32 -----------------------------------

// The 8 scales and 8 mins of the 12 packed bytes, as bytes 0-7 of two vectors.
LAMP_K_TARGET inline void unpackK4(const uint8_t* packed, __m128i& scales, __m128i& mins) {
    const uint32_t a = u32At(packed), b = u32At(packed + 4), c = u32At(packed + 8);
    const uint32_t scLow = a & 0x3f3f3f3fu, mnLow = b & 0x3f3f3f3fu;
    const uint32_t scHigh = (c & 0x0f0f0f0fu) | (((a >> 6) & 0x03030303u) << 4);
    const uint32_t mnHigh = ((c >> 4) & 0x0f0f0f0fu) | (((b >> 6) & 0x03030303u) << 4);
    scales = _mm_setr_epi32(static_cast<int>(scLow), static_cast<int>(scHigh), 0, 0);
    mins = _mm_setr_epi32(static_cast<int>(mnLow), static_cast<int>(mnHigh), 0, 0);
}

// Group g's scale (0..63) as s16 in every lane.
template <int g>
LAMP_K_TARGET inline __m256i groupScale(__m256i scales16) {
    return _mm256_shuffle_epi8(scales16, _mm256_set1_epi16(static_cast<short>(((2 * g + 1) << 8) | (2 * g))));
}

// Mins: Σ_g mn_g (bsums_2g + bsums_2g+1), as 4 s32 lanes.
LAMP_K_TARGET inline __m128i minTerm(__m128i mins, const BlockQ8_K& xb) {
    const __m256i bs = load256(xb.bsums);
    const __m128i pairs = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
    return _mm_madd_epi16(_mm_cvtepu8_epi16(mins), pairs);
}

template <bool kFifth, int j>
LAMP_K_TARGET inline __m256i q45Step(__m256i acc, const uint8_t* qs, __m256i& qh, const int8_t* x,
                                     __m256i scales16) {
    const __m256i q = load256(qs + 32 * j);
    const __m256i m4 = _mm256_set1_epi8(15);
    __m256i lo = _mm256_and_si256(q, m4);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
    if constexpr (kFifth) {
        const __m256i bit = _mm256_set1_epi8(0x10);
        lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(qh, 4), bit));  // bit 2j
        hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(qh, 3), bit));  // bit 2j+1
        qh = _mm256_srli_epi16(qh, 2);
    }
    acc = scaledDot(acc, lo, x + 64 * j, groupScale<2 * j>(scales16));
    return scaledDot(acc, hi, x + 64 * j + 32, groupScale<2 * j + 1>(scales16));
}

template <bool kFifth, typename Block>
LAMP_K_TARGET float dotQ45_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc = _mm256_setzero_ps();
    __m128 accMin = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(Block);
        const BlockQ8_K& xb = x[b];
        __m128i scales, mins;
        unpackK4(blk + 4, scales, mins);
        accMin = _mm_fmadd_ps(_mm_set1_ps(-xb.d * half(blk + 2)),
                              _mm_cvtepi32_ps(minTerm(mins, xb)), accMin);
        const __m256i scales16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scales));
        const uint8_t* qs = blk + offsetof(Block, qs);
        __m256i qh = _mm256_setzero_si256();
        if constexpr (kFifth)
            qh = load256(blk + 16);
        __m256i s = q45Step<kFifth, 0>(_mm256_setzero_si256(), qs, qh, xb.qs, scales16);
        s = q45Step<kFifth, 1>(s, qs, qh, xb.qs, scales16);
        s = q45Step<kFifth, 2>(s, qs, qh, xb.qs, scales16);
        s = q45Step<kFifth, 3>(s, qs, qh, xb.qs, scales16);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(xb.d * half(blk)), _mm256_cvtepi32_ps(s), acc);
    }
    __m128 m = _mm_add_ps(accMin, _mm_movehl_ps(accMin, accMin));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    return hsum(acc) + _mm_cvtss_f32(m);
}

// ---- Q6_K: value = d sc (q - 32), 16 groups of 16 --------------------------------------------

template <int c, int k>
LAMP_K_TARGET inline __m256i q6Step(__m256i acc, __m256i ql, __m256i qh, const int8_t* x,
                                    __m128i scales) {
    const __m256i m4 = _mm256_set1_epi8(15);
    const __m256i low = k < 2 ? _mm256_and_si256(ql, m4) : _mm256_and_si256(_mm256_srli_epi16(ql, 4), m4);
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), _mm256_set1_epi8(3));
    const __m256i u = _mm256_or_si256(low, _mm256_slli_epi16(high, 4));  // code + 32, 0..63
    return scaledDot(acc, u, x + 128 * c + 32 * k, pairScales<8 * c + 2 * k>(scales));
}

LAMP_K_TARGET float dotQ6_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ6_K);
        const BlockQ8_K& xb = x[b];
        const __m128i scales = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + 192));
        // The "- 32" of every code: -32 Σ_g sc_g bsums_g.
        const __m256i offset = _mm256_madd_epi16(_mm256_cvtepi8_epi16(scales), load256(xb.bsums));
        __m256i s = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5));
        const __m256i qlA0 = load256(blk), qlA1 = load256(blk + 32), qhA = load256(blk + 128);
        s = q6Step<0, 0>(s, qlA0, qhA, xb.qs, scales);
        s = q6Step<0, 1>(s, qlA1, qhA, xb.qs, scales);
        s = q6Step<0, 2>(s, qlA0, qhA, xb.qs, scales);
        s = q6Step<0, 3>(s, qlA1, qhA, xb.qs, scales);
        const __m256i qlB0 = load256(blk + 64), qlB1 = load256(blk + 96), qhB = load256(blk + 160);
        s = q6Step<1, 0>(s, qlB0, qhB, xb.qs, scales);
        s = q6Step<1, 1>(s, qlB1, qhB, xb.qs, scales);
        s = q6Step<1, 2>(s, qlB0, qhB, xb.qs, scales);
        s = q6Step<1, 3>(s, qlB1, qhB, xb.qs, scales);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(xb.d * half(blk + 208)), _mm256_cvtepi32_ps(s), acc);
    }
    return hsum(acc);
}

template <auto dot>
LAMP_K_TARGET void rows(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                           int64_t n, float* y) {
    const auto* xs = static_cast<const BlockQ8_K*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * rowStride, xs, n / 256);
}

} // namespace

VecDotFn LAMP_K_NAME(TensorType type) {
    switch (type) {
    case TensorType::Q2_K: return rows<dotQ2_K>;
    case TensorType::Q3_K: return rows<dotQ3_K>;
    case TensorType::Q4_K: return rows<dotQ45_K<false, BlockQ4_K>>;
    case TensorType::Q5_K: return rows<dotQ45_K<true, BlockQ5_K>>;
    case TensorType::Q6_K: return rows<dotQ6_K>;
    default: return nullptr;
    }
}

