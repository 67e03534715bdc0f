// The AVX-512 vec-dot kernels of the 32-value formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) against paired
// BlockQ8A2 activations, compiled twice: by vec_dot_avx512_vnni.cpp with vpdpbusd (LAMP_V_VNNI 1)
// and by vec_dot_avx512.cpp for AVX-512 without VNNI (LAMP_V_VNNI 0), where maddubs + madd form
// the same sums exactly. Not a normal header: the including file defines LAMP_V_TARGET (function
// attribute) and LAMP_V_VNNI, includes cpu/simd.h, cpu/kernels.h and quant/half.h, and includes
// this inside namespace lamp::cpu::detail on x86 only. Everything here is file-local; the
// includer's table calls blockKernel() and interleavedKernel().
//
// vpdpbusd multiplies unsigned weight codes with signed activation codes and adds each group of
// four products to a 32-bit lane in one instruction. Two blocks share a 512-bit step (the
// activations come paired, BlockQ8A2), and the code offsets (Q4_0 "- 8", Q5_0 "- 16", Q8_0 codes
// shifted by 128 with VNNI) and minimums are applied once per block in float, through the
// activations' d * Σ codes. One block per 256-bit step left these kernels compute-bound (22-47 GB/s
// per core on the Zen 5 development machine, under its memory bandwidth); two per step reach
// 34-69 GB/s.

namespace {

LAMP_V_TARGET inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

LAMP_V_TARGET inline float half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16 bytes of packed nibbles -> low nibbles (values 0-15), then high nibbles (16-31): the bytes are
// loaded into both halves and the upper half shifted by 4.
LAMP_V_TARGET inline __m256i unpackNibbles(const uint8_t* qs) {
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
    const __m256i shifted = _mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4));
    return _mm256_and_si256(shifted, _mm256_set1_epi8(15));
}

// 0x10 in byte v where bit v of the 32-bit qh is set (AVX-512BW: a mask register does it).
LAMP_V_TARGET inline __m256i fifthBits(const uint8_t* qh) {
    uint32_t bits;
    std::memcpy(&bits, qh, 4);
    return _mm256_maskz_mov_epi8(static_cast<__mmask32>(bits), _mm256_set1_epi8(0x10));
}

enum class Kind {
    Offset4,   // Q4_0: d (q - 8)
    Offset5,   // Q5_0: d (q - 16)
    Min4,      // Q4_1: d q + m
    Min5,      // Q5_1: d q + m
    Signed8,   // Q8_0: d q, q signed
};

template <Kind K>
struct Format;
template <>
struct Format<Kind::Offset4> {
    static constexpr size_t kBytes = sizeof(BlockQ4_0);
    static constexpr int kOffset = 8;
};
template <>
struct Format<Kind::Offset5> {
    static constexpr size_t kBytes = sizeof(BlockQ5_0);
    static constexpr int kOffset = 16;
};
template <>
struct Format<Kind::Min4> {
    static constexpr size_t kBytes = sizeof(BlockQ4_1);
    static constexpr int kOffset = 0;
};
template <>
struct Format<Kind::Min5> {
    static constexpr size_t kBytes = sizeof(BlockQ5_1);
    static constexpr int kOffset = 0;
};
template <>
struct Format<Kind::Signed8> {
    static constexpr size_t kBytes = sizeof(BlockQ8_0);
    // With VNNI codes are flipped to q + 128; without, they stay signed (see blockDot).
    static constexpr int kOffset = LAMP_V_VNNI ? 128 : 0;
};

// Unsigned codes of one block.
template <Kind K>
LAMP_V_TARGET inline __m256i codes(const uint8_t* blk) {
    if constexpr (K == Kind::Offset4)
        return unpackNibbles(blk + 2);
    else if constexpr (K == Kind::Min4)
        return unpackNibbles(blk + 4);
    else if constexpr (K == Kind::Offset5)
        return _mm256_or_si256(unpackNibbles(blk + 6), fifthBits(blk + 2));
    else if constexpr (K == Kind::Min5)
        return _mm256_or_si256(unpackNibbles(blk + 8), fifthBits(blk + 4));
    else
        return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2)),
                                _mm256_set1_epi8(static_cast<char>(0x80)));
}

// Codes of the two consecutive blocks at blk and blk + kBytes as 64 unsigned bytes.
template <Kind K>
LAMP_V_TARGET inline __m512i codes2(const uint8_t* blk) {
    constexpr size_t kB = Format<K>::kBytes;
    if constexpr (K == Kind::Signed8) {
        const __m512i v = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2))),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + kB + 2)), 1);
        return _mm512_xor_si512(v, _mm512_set1_epi8(static_cast<char>(0x80)));
    } else {
        constexpr size_t qs = K == Kind::Offset4 ? 2 : K == Kind::Min4 ? 4 : K == Kind::Offset5 ? 6 : 8;
        const __m256i both = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + qs))),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + kB + qs)), 1);
        // 128-bit lanes: block 0's bytes twice, block 1's twice; the second copies shifted by 4
        // give the high nibbles (values 16-31 of each block).
        const __m512i spread = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 1, 0, 1, 2, 3, 2, 3),
                                                        _mm512_castsi256_si512(both));
        __m512i u = _mm512_and_si512(_mm512_srlv_epi64(spread, _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4)),
                                     _mm512_set1_epi8(15));
        if constexpr (K == Kind::Offset5 || K == Kind::Min5) {
            constexpr size_t qh = K == Kind::Offset5 ? 2 : 4;
            uint32_t h0, h1;
            std::memcpy(&h0, blk + qh, 4);
            std::memcpy(&h1, blk + kB + qh, 4);
            const __mmask64 bits = static_cast<__mmask64>(h0) | (static_cast<__mmask64>(h1) << 32);
            u = _mm512_or_si512(u, _mm512_maskz_mov_epi8(bits, _mm512_set1_epi8(0x10)));
        }
        return u;
    }
}

// Σ of four products per s32 lane of unsigned codes u and signed activation codes x, as vpdpbusd
// forms it. Without VNNI, maddubs + madd give the same sums exactly as long as no s16 pair sum
// saturates, which holds for codes <= 31 (|x| <= 127): Q8_0 goes through signedDot instead.
LAMP_V_TARGET inline __m512i dotU8(__m512i u, __m512i x) {
#if LAMP_V_VNNI
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, x);
#else
    return _mm512_madd_epi16(_mm512_maddubs_epi16(u, x), _mm512_set1_epi16(1));
#endif
}
LAMP_V_TARGET inline __m256i dotU8(__m256i u, __m256i x) {
#if LAMP_V_VNNI
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, x);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1));
#endif
}

// Σ q x for signed codes q without VNNI: |q| (at most 128) times x with q's sign (AVX-512 has no
// vpsignb: a mask of the negative codes negates those x, all within -127..127).
LAMP_V_TARGET inline __m512i signedDot(__m512i q, __m512i x) {
    const __m512i xs = _mm512_mask_sub_epi8(x, _mm512_movepi8_mask(q), _mm512_setzero_si512(), x);
    return dotU8(_mm512_abs_epi8(q), xs);
}

// The code dot products (one s32 lane per 4 values) of the two blocks at blk with the 64 activation
// codes xv; for Q8_0 with VNNI they are of q + 128 (the offset term removes the 128).
template <Kind K>
LAMP_V_TARGET inline __m512i blockDot2(const uint8_t* blk, __m512i xv) {
    if constexpr (!LAMP_V_VNNI && K == Kind::Signed8) {
        const __m512i q = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2))),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + Format<K>::kBytes + 2)), 1);
        return signedDot(q, xv);
    } else {
        return dotU8(codes2<K>(blk), xv);
    }
}

// The same for one block against 32 codes.
template <Kind K>
LAMP_V_TARGET inline __m256i blockDot(const uint8_t* blk, const int8_t* x) {
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    if constexpr (!LAMP_V_VNNI && K == Kind::Signed8) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2));
        return dotU8(_mm256_abs_epi8(q), _mm256_sign_epi8(xv, q));
    } else {
        return dotU8(codes<K>(blk), xv);
    }
}

// The two blocks' scales and offset factors as [d0, d1, c0, c1]: c = m for the formats with a
// minimum, c = d for the others (whose offset is -kOffset * d per code).
template <Kind K>
LAMP_V_TARGET inline __m128 scales2(const uint8_t* blk) {
    constexpr size_t kB = Format<K>::kBytes;
    if constexpr (K == Kind::Min4 || K == Kind::Min5) {
        uint32_t a, b;  // (d, m) of each block
        std::memcpy(&a, blk, 4);
        std::memcpy(&b, blk + kB, 4);
        const uint64_t bits = a | (static_cast<uint64_t>(b) << 32);
        const __m128 v = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(bits)));  // d0 m0 d1 m1
        return _mm_permute_ps(v, _MM_SHUFFLE(3, 1, 2, 0));
    } else {
        uint16_t a, b;
        std::memcpy(&a, blk, 2);
        std::memcpy(&b, blk + kB, 2);
        const uint32_t bits = a | (static_cast<uint32_t>(b) << 16);
        const __m128 v = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(bits)));  // d0 d1 0 0
        return _mm_movelh_ps(v, v);
    }
}

// The two 256-bit halves of v added.
LAMP_V_TARGET inline __m256 fold(__m512 v) {
    const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    return _mm256_add_ps(_mm512_castps512_ps256(v), high);
}

// Sums the 16 lanes of each of a0..a3 into one float each, returned as [Σa0, Σa1, Σa2, Σa3]: one
// transposing reduction for four rows instead of four horizontal sums. Every row's lanes are added
// in the same order whatever the other inputs hold, so a row gets the same bits alone (the others
// zero) as in a group of four.
LAMP_V_TARGET inline __m128 hsum4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
    const __m256 h01 = _mm256_hadd_ps(fold(a0), fold(a1));  // a0 a0 a1 a1 | a0 a0 a1 a1 (pair sums)
    const __m256 h23 = _mm256_hadd_ps(fold(a2), fold(a3));
    const __m256 h = _mm256_hadd_ps(h01, h23);  // a0 a1 a2 a3 | a0 a1 a2 a3 (quarter sums)
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

// The half-precision values at `offset` in the two blocks at blk of rows 0..R-1 (stride apart), as
// [row 0 block 0, row 0 block 1, row 1 block 0, ...] floats; zero for rows R..3.
template <Kind K, int R>
LAMP_V_TARGET inline __m256 scaleVector(const uint8_t* blk, size_t stride, size_t offset) {
    uint64_t half4[2] = {0, 0};
    for (int r = 0; r < R; ++r) {
        uint16_t a, b;
        std::memcpy(&a, blk + static_cast<size_t>(r) * stride + offset, 2);
        std::memcpy(&b, blk + static_cast<size_t>(r) * stride + Format<K>::kBytes + offset, 2);
        half4[r / 2] |= (a | static_cast<uint64_t>(b) << 16) << (32 * (r % 2));
    }
    return _mm256_cvtph_ps(
        _mm_set_epi64x(static_cast<long long>(half4[1]), static_cast<long long>(half4[0])));
}

// R rows (1 to 4) at once for the 4- and 5-bit formats, two blocks per step, against BlockQ8A2
// activations (Qwen2.5-0.5B's Q4_K_M file is mostly Q5_0, whose single-row kernel ran at 30 GB/s
// per core streamed from memory, under one core's share of the bandwidth; four rows at once: 35).
// Each step loads the pair's 64 activation codes and scales once for all R rows, vpdpbusd (or its
// emulation) forms both blocks' code dot products of a row, and one 8-float multiply gives the
// scales d * d_x of all R rows (one fused multiply-add their offset terms c * d_x * Σx). Σ_v w_v x_v = Σ_blocks d d_x dot + sign * Σ_blocks c d_x Σx, with
// sign -kOffset (code offsets) or +1 (minimums). Rows are short in small models (896 values in
// Qwen2.5-0.5B: 14 steps), so sharing the activation loads and the final horizontal sums between
// four rows matters as much as the steps themselves; the R independent accumulators also hide the
// multiply-add latency that one row alone needed two accumulators for. Each row is read front to
// back: R sequential streams. A row's arithmetic does not depend on R (see hsum4), so results do
// not depend on how rows are grouped.
template <Kind K, int R>
LAMP_V_TARGET inline void dotRows(const uint8_t* row, size_t stride, const BlockQ8A2* x, int64_t nb,
                                  float* y) {
    static_assert(R >= 1 && R <= 4);
    constexpr size_t kB = Format<K>::kBytes;
    constexpr bool kMin = K == Kind::Min4 || K == Kind::Min5;
    // Row r's two block scales (lanes 2r, 2r + 1 of the 8 scale products) over the 8 dot-product
    // lanes of each block's 32 values.
    const __m512i spread[4] = {
        _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
        _mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3),
        _mm512_setr_epi32(4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5),
        _mm512_setr_epi32(6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7)};
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    // Lanes 2r, 2r + 1: row r's Σ c d_x Σx of each block position.
    __m256 accOffset = _mm256_setzero_ps();
    const int64_t pairs = nb / 2;
    static_assert(2 * kB <= 64);  // see the prefetch below
    const size_t ahead = 12 * stride;
    for (int64_t p = 0; p < pairs; ++p) {
        const __m512i xv = _mm512_loadu_si512(x[p].qs);
        uint64_t dBits, sBits;  // the pair's two scales, its two d * Σ codes
        std::memcpy(&dBits, x[p].d, 8);
        std::memcpy(&sBits, x[p].dsum, 8);
        // d0 d1 d0 d1 ... and dΣ0 dΣ1 dΣ0 dΣ1 ...
        const __m256 dx = _mm256_castsi256_ps(_mm256_set1_epi64x(static_cast<long long>(dBits)));
        const __m256 sx = _mm256_castsi256_ps(_mm256_set1_epi64x(static_cast<long long>(sBits)));
        const size_t at = static_cast<size_t>(2 * p) * kB;
        // The R rows' 2R scales (and minimums) converted together: gathered by the scalar units,
        // which have time to spare, then one conversion and one multiply for all rows, instead
        // of a conversion, a shuffle, a multiply and a masked add per row.
        const __m256 d = scaleVector<K, R>(row + at, stride, 0);
        const __m256 c = kMin ? scaleVector<K, R>(row + at, stride, 2) : d;
        const __m256 prod = _mm256_mul_ps(d, dx);
        accOffset = _mm256_fmadd_ps(c, sx, accOffset);
        const __m512 prod512 = _mm512_castps256_ps512(prod);
        for (int r = 0; r < R; ++r) {
            const uint8_t* blk = row + static_cast<size_t>(r) * stride + at;
            // Four interleaved streams defeat the hardware prefetchers (generation from memory
            // ran at half speed without this): fetch the same place three groups of rows ahead
            // (4 to 24 rows measured; 12 and more were best). A pair is at most 64 bytes in these
            // formats, so one line per step covers the row.
            // (kFarPrefetch instead measured 20-40% slower here: 8 KiB ahead of a row of a group of
            // four mostly lands in the same group when rows are long.)
            _mm_prefetch(reinterpret_cast<const char*>(blk + ahead), _MM_HINT_T0);
            acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(blockDot2<K>(blk, xv)),
                                     _mm512_permutexvar_ps(spread[r], prod512), acc[r]);
        }
    }
    // [o0 o1 o2 o3]: each row's two lanes added.
    const __m128 offsets =
        _mm_hadd_ps(_mm256_castps256_ps128(accOffset), _mm256_extractf128_ps(accOffset, 1));
    const float sign = kMin ? 1.0f : -static_cast<float>(Format<K>::kOffset);
    alignas(16) float sums[4];
    _mm_store_ps(sums, _mm_fmadd_ps(_mm_set1_ps(sign), offsets, hsum4(acc[0], acc[1], acc[2], acc[3])));
    for (int r = 0; r < R; ++r) {
        float tail = 0.0f;
        if (nb % 2 != 0) {  // the last block alone, against the first half of the last pair
            const uint8_t* blk = row + static_cast<size_t>(r) * stride + static_cast<size_t>(nb - 1) * kB;
            const BlockQ8A2& xl = x[pairs];
            const __m256i dot = blockDot<K>(blk, xl.qs);
            const float d = half(blk);
            tail = d * xl.d[0] * hsum(_mm256_cvtepi32_ps(dot)) +
                   (kMin ? half(blk + 2) : -static_cast<float>(Format<K>::kOffset) * d) * xl.dsum[0];
        }
        y[r] = sums[r] + tail;
    }
}

// Four rows of a Q4_0/Q5_0 matrix in the interleaved layout (cpu/interleave.h), block pair by
// block pair: one 64-byte load gives two rows' nibbles of the pair (both blocks of both rows), the
// low nibbles (values 0-15 of each block) meet activations arranged as [block 0 values 0-15,
// block 1 values 0-15] twice and the high nibbles values 16-31 likewise, the eight scales of the
// four rows convert in one instruction and the fifth bits are already mask registers. About twice
// dotRows' speed from cache (22 -> 50 GB/s per core for Q5_0, 37 -> 80 for Q4_0 on the Zen 5
// development machine).
// Bit for bit dotRows<K, 4> on the same rows in the file's layout: every s32 lane holds the same
// four products as one of dotRows' lanes, is scaled and accumulated by the same multiply-adds in
// the same order, and the lanes are put back in dotRows' order for the same final sums (so the
// layout never changes a result, and a matrix may be interleaved or not as memory allows).
template <Kind K>
LAMP_V_TARGET inline void dotInterleaved4(const uint8_t* group, const BlockQ8A2* x, int64_t pairs, float* y) {
    static_assert(K == Kind::Offset4 || K == Kind::Offset5);
    constexpr bool kFifth = K == Kind::Offset5;
    constexpr size_t kUnit = 8 * Format<K>::kBytes;  // the 8 blocks of pair p of the four rows
    constexpr size_t kNibbles = kFifth ? 48 : 16;    // after the 8 scales (and the 4 masks)
    // The scale products [r0b0 r0b1 r1b0 r1b1 r2b0 r2b1 r3b0 r3b1] over the lanes of rows 0-1 and
    // of rows 2-3: four s32 lanes (16 values) per row and block.
    const __m512i scaleIndex[2] = {_mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
                                   _mm512_setr_epi32(4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7)};
    const __m512i lowBits = _mm512_set1_epi8(15), fifth = _mm512_set1_epi8(0x10);
    // acc*[h]: rows 2h (lanes 0-7) and 2h + 1 (lanes 8-15), block 0 then block 1 of each (4 lanes);
    // accLow holds values 0-15 of every block, accHigh values 16-31.
    __m512 accLow[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    __m512 accHigh[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    __m256 accOffset = _mm256_setzero_ps();  // as in dotRows
    for (int64_t p = 0; p < pairs; ++p) {
        const uint8_t* unit = group + static_cast<size_t>(p) * kUnit;
        prefetchFar<kUnit>(unit);  // simd.h: the group is one sequential stream
        const __m512i xv = _mm512_loadu_si512(x[p].qs);
        const __m512i xLow = _mm512_shuffle_i64x2(xv, xv, _MM_SHUFFLE(2, 0, 2, 0));
        const __m512i xHigh = _mm512_shuffle_i64x2(xv, xv, _MM_SHUFFLE(3, 1, 3, 1));
        uint64_t dBits, sBits;
        std::memcpy(&dBits, x[p].d, 8);
        std::memcpy(&sBits, x[p].dsum, 8);
        const __m256 dx = _mm256_castsi256_ps(_mm256_set1_epi64x(static_cast<long long>(dBits)));
        const __m256 sx = _mm256_castsi256_ps(_mm256_set1_epi64x(static_cast<long long>(sBits)));
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(unit)));
        const __m512 prod512 = _mm512_castps256_ps512(_mm256_mul_ps(d, dx));
        accOffset = _mm256_fmadd_ps(d, sx, accOffset);
        for (int h = 0; h < 2; ++h) {
            const __m512i q = _mm512_loadu_si512(unit + kNibbles + 64 * h);
            __m512i low = _mm512_and_si512(q, lowBits);
            __m512i high = _mm512_and_si512(_mm512_srli_epi16(q, 4), lowBits);
            if constexpr (kFifth) {
                __mmask64 lowMask, highMask;
                std::memcpy(&lowMask, unit + 16 + 16 * h, 8);
                std::memcpy(&highMask, unit + 24 + 16 * h, 8);
                low = _mm512_mask_add_epi8(low, lowMask, low, fifth);  // nibble + 16 = nibble | 16
                high = _mm512_mask_add_epi8(high, highMask, high, fifth);
            }
            const __m512 scale = _mm512_permutexvar_ps(scaleIndex[h], prod512);
            accLow[h] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dotU8(low, xLow)), scale, accLow[h]);
            accHigh[h] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dotU8(high, xHigh)), scale, accHigh[h]);
        }
    }
    // Each row's lanes in dotRows' order: block 0 values 0-15, 16-31, block 1 values 0-15, 16-31.
    const __m512i even = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i odd = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    const __m128 rowSums = hsum4(_mm512_permutex2var_ps(accLow[0], even, accHigh[0]),
                                 _mm512_permutex2var_ps(accLow[0], odd, accHigh[0]),
                                 _mm512_permutex2var_ps(accLow[1], even, accHigh[1]),
                                 _mm512_permutex2var_ps(accLow[1], odd, accHigh[1]));
    const __m128 offsets =
        _mm_hadd_ps(_mm256_castps256_ps128(accOffset), _mm256_extractf128_ps(accOffset, 1));
    alignas(16) float sums[4];
    _mm_store_ps(sums, _mm_fmadd_ps(_mm_set1_ps(-static_cast<float>(Format<K>::kOffset)), offsets, rowSums));
    const float tail = 0.0f;  // dotRows adds its odd last block's share; an even count has none
    for (int r = 0; r < 4; ++r)
        y[r] = sums[r] + tail;
}

// acc + pair p of a row; accumulates the offset terms in lanes 2, 3 of accOffset.
template <Kind K>
LAMP_V_TARGET inline __m512 pairStep(const uint8_t* row, const BlockQ8A2* x, int64_t p,
                                          __m512i spread, __m512 acc, __m128& accOffset) {
    const uint8_t* blk = row + static_cast<size_t>(2 * p) * Format<K>::kBytes;
    if constexpr (K == Kind::Signed8)
        prefetchFar<64>(blk);  // one line per pair (68 bytes); simd.h
    const __m128 prod = _mm_mul_ps(scales2<K>(blk), _mm_load_ps(x[p].d));  // [s0 s1 c0dΣ c1dΣ]
    accOffset = _mm_mask_add_ps(accOffset, 0xc, accOffset, prod);
    const __m512i dot = blockDot2<K>(blk, _mm512_loadu_si512(x[p].qs));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot),
                           _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(prod)), acc);
}

// One row, two blocks per step (against BlockQ8A2 activations), for Q8_0: vpdpbusd (or its
// emulation) forms both blocks' code dot products in one step, and one 4-float multiply gives
// both blocks' scales d * d_x and offset terms c * d_x * Σx. Σ_v w_v x_v = Σ_blocks d d_x dot +
// sign * Σ_blocks c d_x Σx, with sign -kOffset (code offsets) or +1 (minimums). Read front to back: one sequential stream suits
// the prefetchers best. (Four blocks per step, with one conversion for all their scales, measured
// slower.)
template <Kind K>
LAMP_V_TARGET float dotRow(const uint8_t* row, const BlockQ8A2* x, int64_t nb) {
    constexpr size_t kB = Format<K>::kBytes;
    constexpr bool kMin = K == Kind::Min4 || K == Kind::Min5;
    // Each block's scale over the 8 dot-product lanes of its 32 values.
    const __m512i spread = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    // Lanes 2, 3: Σ c d_x Σx. Two, like acc0 and acc1: one would chain every pair's add.
    __m128 accOffset0 = _mm_setzero_ps(), accOffset1 = _mm_setzero_ps();
    const int64_t pairs = nb / 2;
    int64_t p = 0;
    for (; p + 2 <= pairs; p += 2) {  // two accumulators hide the multiply-add latency
        acc0 = pairStep<K>(row, x, p, spread, acc0, accOffset0);
        acc1 = pairStep<K>(row, x, p + 1, spread, acc1, accOffset1);
    }
    if (p < pairs)
        acc0 = pairStep<K>(row, x, p, spread, acc0, accOffset0);
    float tail = 0.0f;
    if (nb % 2 != 0) {  // the last block alone, against the first half of the last pair
        const uint8_t* blk = row + static_cast<size_t>(nb - 1) * kB;
        const BlockQ8A2& xl = x[pairs];
        const __m256i dot = blockDot<K>(blk, xl.qs);
        const float d = half(blk);
        tail = d * xl.d[0] * hsum(_mm256_cvtepi32_ps(dot)) +
               (kMin ? half(blk + 2) : -static_cast<float>(Format<K>::kOffset) * d) * xl.dsum[0];
    }
    const __m512 sum = _mm512_add_ps(acc0, acc1);
    const __m512 folded = _mm512_add_ps(sum, _mm512_shuffle_f32x4(sum, sum, _MM_SHUFFLE(1, 0, 3, 2)));
    const __m128 accOffset = _mm_add_ps(accOffset0, accOffset1);
    const __m128 high = _mm_movehl_ps(accOffset, accOffset);  // lanes 2, 3 -> 0, 1
    const float offsets = _mm_cvtss_f32(_mm_add_ss(high, _mm_movehdup_ps(high)));
    const float sign = kMin ? 1.0f : -static_cast<float>(Format<K>::kOffset);
    return hsum(_mm512_castps512_ps256(folded)) + sign * offsets + tail;
}

template <Kind K>
LAMP_V_TARGET void rowsQ(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                              int64_t n, float* y) {
    const auto* xs = static_cast<const BlockQ8A2*>(x);
    const auto* rows = reinterpret_cast<const uint8_t*>(w);
    int64_t r = 0;
    if constexpr (K == Kind::Signed8) {
        // Q8_0 streamed from memory ran slower four rows at a time, prefetching or not (37 against
        // 42 GB/s on one core of the development machine, though faster from cache): its rows
        // stay single streams.
        for (; r < nRows; ++r)
            y[r] = dotRow<K>(rows + static_cast<size_t>(r) * rowStride, xs, n / 32);
    } else {
        for (; r + 4 <= nRows; r += 4)
            dotRows<K, 4>(rows + static_cast<size_t>(r) * rowStride, rowStride, xs, n / 32, y + r);
        for (; r < nRows; ++r)
            dotRows<K, 1>(rows + static_cast<size_t>(r) * rowStride, rowStride, xs, n / 32, y + r);
    }
}

// Rows of an interleaved matrix (cpu/interleave.h): `w` starts a group, nRows is a multiple of 4.
template <Kind K>
LAMP_V_TARGET void rowsInterleaved(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                                   int64_t n, float* y) {
    const auto* xs = static_cast<const BlockQ8A2*>(x);
    const auto* rows = reinterpret_cast<const uint8_t*>(w);
    for (int64_t r = 0; r < nRows; r += 4)
        dotInterleaved4<K>(rows + static_cast<size_t>(r) * rowStride, xs, n / 64, y + r);
}

// The kernel for an interleaved matrix of `type` (nullptr for the formats never interleaved).
VecDotFn interleavedKernel(TensorType type) {
    switch (type) {
    case TensorType::Q4_0: return rowsInterleaved<Kind::Offset4>;
    case TensorType::Q5_0: return rowsInterleaved<Kind::Offset5>;
    default: return nullptr;
    }
}

// The kernel of a 32-value format (nullptr for the others).
VecDotFn blockKernel(TensorType type) {
    switch (type) {
    case TensorType::Q4_0: return rowsQ<Kind::Offset4>;
    case TensorType::Q4_1: return rowsQ<Kind::Min4>;
    case TensorType::Q5_0: return rowsQ<Kind::Offset5>;
    case TensorType::Q5_1: return rowsQ<Kind::Min5>;
    case TensorType::Q8_0: return rowsQ<Kind::Signed8>;
    default: return nullptr;
    }
}

} // namespace
