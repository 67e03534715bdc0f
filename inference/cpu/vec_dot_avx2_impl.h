// The 256-bit vec-dot kernels of the 32-value formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) against
// BlockQ8A activations, compiled twice: by vec_dot_avx2.cpp for AVX2 and by vec_dot_avxvnni.cpp for
// AVX-VNNI, where one vpdpbusd replaces maddubs + madd + add. Not a normal header: the including
// file defines LAMP_A_TARGET (function attribute) and, for VNNI, LAMP_A_DPBUSD (the intrinsic),
// includes cpu/simd.h, cpu/kernels.h and quant/half.h, and includes this inside
// namespace lamp::cpu::detail on x86 only. Everything here is file-local; the includer's table
// calls blockKernel().
//
// Weight codes are kept unsigned (0..15, 0..31) and multiplied with the signed activation codes
// (u8 x s8, four products summed per s32 lane, 8 lanes per block); a format's code offset ("- 8",
// "- 16") is the block's activation sum times the offset, subtracted in integers. Q8_0 codes are
// signed: |q| x (x with q's sign) keeps the first operand unsigned.

namespace {

LAMP_A_TARGET inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

LAMP_A_TARGET inline float half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16 bytes of packed nibbles -> 32 bytes: low nibbles (values 0-15), then high nibbles (16-31).
LAMP_A_TARGET inline __m256i unpackNibbles(const uint8_t* qs) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(q, 4), q);
    return _mm256_and_si256(both, _mm256_set1_epi8(15));
}

// The 32 bits of qh (bit v = value v) -> 0x10 in byte v where the bit is set.
LAMP_A_TARGET inline __m256i fifthBits(const uint8_t* qh) {
    uint32_t bits;
    std::memcpy(&bits, qh, 4);
    // Byte v gets byte v / 8 of the mask word, then is tested for bit v % 8.
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(bits)),
        _mm256_setr_epi64x(0x0000000000000000, 0x0101010101010101, 0x0202020202020202,
                           0x0303030303030303));
    const __m256i select = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// acc + Σ over a block of unsigned codes u and activation codes x, as 8 s32 lanes. Without VNNI,
// maddubs' s16 pair sums are exact here: |u| <= 128 (Q8_0's |q|) or <= 31 with |x| <= 127.
LAMP_A_TARGET inline __m256i dotU8(__m256i acc, __m256i u, __m256i x) {
#ifdef LAMP_A_DPBUSD
    return LAMP_A_DPBUSD(acc, u, x);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1)));
#endif
}

LAMP_A_TARGET inline __m256i loadX(const BlockQ8A& x) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
}

// The unsigned codes of block i of a 4- or 5-bit format.
template <bool kFifth, size_t kBlockBytes, int kQhAt, int kQsAt>
LAMP_A_TARGET inline __m256i codes(const uint8_t* w, int64_t i) {
    const uint8_t* blk = w + i * kBlockBytes;
    __m256i u = unpackNibbles(blk + kQsAt);
    if constexpr (kFifth)
        u = _mm256_or_si256(u, fifthBits(blk + kQhAt));
    return u;
}

// Formats value = d (u - offset): lanes hold Σ u x - offset * sum / 8 each.
template <int kOffset, bool kFifth, size_t kBlockBytes, int kQhAt, int kQsAt>
LAMP_A_TARGET inline __m256 blockOffset(const uint8_t* w, const BlockQ8A* x, int64_t i, __m256 acc) {
    const __m256i u = codes<kFifth, kBlockBytes, kQhAt, kQsAt>(w, i);
#ifdef LAMP_A_DPBUSD
    // vpdpbusd adds to the offset term for free.
    const __m256i s = dotU8(_mm256_set1_epi32(-x[i].sum * (kOffset / 8)), u, loadX(x[i]));
#else
    // (Subtracting after the dot, as here, measured 9% faster for Q4_0 than adding the dot to the
    // offset term.)
    const __m256i s = _mm256_sub_epi32(dotU8(_mm256_setzero_si256(), u, loadX(x[i])),
                                       _mm256_set1_epi32(x[i].sum * (kOffset / 8)));
#endif
    const float d = half(w + i * kBlockBytes) * x[i].d;
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d), acc);
}

template <int kOffset, bool kFifth, size_t kBlockBytes, int kQhAt, int kQsAt>
LAMP_A_TARGET float dotOffset(const std::byte* wb, const BlockQ8A* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        acc0 = blockOffset<kOffset, kFifth, kBlockBytes, kQhAt, kQsAt>(w, x, b, acc0);
        acc1 = blockOffset<kOffset, kFifth, kBlockBytes, kQhAt, kQsAt>(w, x, b + 1, acc1);
    }
    if (b < nb)
        acc0 = blockOffset<kOffset, kFifth, kBlockBytes, kQhAt, kQsAt>(w, x, b, acc0);
    return hsum(_mm256_add_ps(acc0, acc1));
}

// Formats value = d u + m: lanes hold Σ u x; the offsets add m * d_x * sum per block.
template <bool kFifth, size_t kBlockBytes, int kQhAt, int kQsAt>
LAMP_A_TARGET inline __m256 blockMin(const uint8_t* w, const BlockQ8A* x, int64_t i, __m256 acc,
                                        float& mins) {
    const __m256i u = codes<kFifth, kBlockBytes, kQhAt, kQsAt>(w, i);
    const __m256i s = dotU8(_mm256_setzero_si256(), u, loadX(x[i]));
    const uint8_t* blk = w + i * kBlockBytes;
    mins += half(blk + 2) * x[i].d * static_cast<float>(x[i].sum);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(half(blk) * x[i].d), acc);
}

template <bool kFifth, size_t kBlockBytes, int kQhAt, int kQsAt>
LAMP_A_TARGET float dotMin(const std::byte* wb, const BlockQ8A* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    float mins0 = 0.0f, mins1 = 0.0f;
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        acc0 = blockMin<kFifth, kBlockBytes, kQhAt, kQsAt>(w, x, b, acc0, mins0);
        acc1 = blockMin<kFifth, kBlockBytes, kQhAt, kQsAt>(w, x, b + 1, acc1, mins1);
    }
    if (b < nb)
        acc0 = blockMin<kFifth, kBlockBytes, kQhAt, kQsAt>(w, x, b, acc0, mins0);
    return hsum(_mm256_add_ps(acc0, acc1)) + mins0 + mins1;
}

LAMP_A_TARGET inline __m256 blockQ8_0(const uint8_t* w, const BlockQ8A* x, int64_t i, __m256 acc) {
    const uint8_t* blk = w + i * sizeof(BlockQ8_0);
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2));
    // |q| x (x with q's sign): maddubs wants its first operand unsigned.
    const __m256i s = dotU8(_mm256_setzero_si256(), _mm256_sign_epi8(q, q), _mm256_sign_epi8(loadX(x[i]), q));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(half(blk) * x[i].d), acc);
}

LAMP_A_TARGET float dotQ8_0(const std::byte* wb, const BlockQ8A* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        // One line per two blocks (68 bytes), kFarPrefetch ahead (simd.h): from memory +5-15%.
        prefetchFar<64>(w + b * sizeof(BlockQ8_0));
        acc0 = blockQ8_0(w, x, b, acc0);
        acc1 = blockQ8_0(w, x, b + 1, acc1);
    }
    if (b < nb)
        acc0 = blockQ8_0(w, x, b, acc0);
    return hsum(_mm256_add_ps(acc0, acc1));
}

// ---- row loops ----------------------------------------------------------------------------

template <typename X, auto dot, int kBlock>
LAMP_A_TARGET void rows(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                           int64_t n, float* y) {
    const X* xs = static_cast<const X*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * rowStride, xs, n / kBlock);
}

// The kernel of a 32-value format (nullptr for the others).
VecDotFn blockKernel(TensorType type) {
    switch (type) {
    case TensorType::Q4_0:
        return rows<BlockQ8A, dotOffset<8, false, sizeof(BlockQ4_0), 0, offsetof(BlockQ4_0, qs)>, 32>;
    case TensorType::Q5_0:
        return rows<BlockQ8A,
                    dotOffset<16, true, sizeof(BlockQ5_0), offsetof(BlockQ5_0, qh),
                              offsetof(BlockQ5_0, qs)>,
                    32>;
    case TensorType::Q4_1:
        return rows<BlockQ8A, dotMin<false, sizeof(BlockQ4_1), 0, offsetof(BlockQ4_1, qs)>, 32>;
    case TensorType::Q5_1:
        return rows<BlockQ8A,
                    dotMin<true, sizeof(BlockQ5_1), offsetof(BlockQ5_1, qh), offsetof(BlockQ5_1, qs)>,
                    32>;
    case TensorType::Q8_0: return rows<BlockQ8A, dotQ8_0, 32>;
    default: return nullptr;
    }
}

} // namespace
