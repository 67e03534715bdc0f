// AVX-512 vec-dot kernels for Q4_K and Q5_K on full 512-bit vectors: 128 values per step.
//
// A Q4_K super-block stores values 64c + l (low nibbles) and 64c + 32 + l (high nibbles) in
// qs[32c + l]. One 64-byte load of qs covers c = 2s and 2s + 1, so its low nibbles are values
// 128s + 0..31 and 128s + 64..95, its high nibbles 128s + 32..63 and 128s + 96..127. The
// activations are quantized in that order (ActFormat::Q8KSwapped: in every 128 values the second
// and third 32 are swapped; bsums stay in value order), so both multiplications read 64
// contiguous activation bytes. The group scales are spread per 16-bit lane by one permute, and
// vpdpwssd weights and accumulates the maddubs pairs in one instruction.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {
namespace {

inline uint32_t u32At(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// The 8 six-bit scales (bytes 0-7) and 8 mins (bytes 8-15) of the 12 packed bytes at p (FACTS
// "Q4_K/Q5_K scales"), in vector code: with a, b, c the bytes 0-3, 4-7, 8-11, scale j < 4 is
// a_j & 63, scale 4 + j is (c_j & 15) | (a_j >> 6) << 4, min j is b_j & 63 and min 4 + j is
// (c_j >> 4) | (b_j >> 6) << 4. (Unpacking them with scalar code cost a third of the kernel.)
// Reads 16 bytes: the 4 past the scales are the block's qh or qs.
LAMP_TARGET_AVX512 inline __m128i unpackScalesMins(const uint8_t* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Dwords: a (scales 0-3), c (scales 4-7, low nibbles), b (mins 0-3), c (mins 4-7, high nibbles).
    const __m128i low = _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
    const __m128i lowBits = _mm_and_si128(_mm_srlv_epi32(low, _mm_setr_epi32(0, 0, 0, 4)),
                                          _mm_setr_epi32(0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f));
    // Bits 6-7 of a (for scales 4-7) and of b (mins 4-7), moved to bits 4-5.
    const __m128i high = _mm_shuffle_epi8(v, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 4, 5, 6, 7));
    const __m128i highBits = _mm_and_si128(_mm_srli_epi32(high, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030));
    return _mm_or_si128(lowBits, highBits);
}

// 16-bit lanes 0-15 = a, lanes 16-31 = b (permute indices, shift counts).
LAMP_TARGET_AVX512 inline __m512i halves16(short a, short b) {
    return _mm512_inserti64x4(_mm512_set1_epi16(a), _mm256_set1_epi16(b), 1);
}

template <bool kFifth>
LAMP_TARGET_AVX512 inline __m512i step(__m512i acc, const uint8_t* qs, __m512i qh, const int8_t* x,
                                       __m512i scales16, int s) {
    const __m512i q = _mm512_loadu_si512(qs + 64 * s);
    const __m512i m4 = _mm512_set1_epi8(15);
    __m512i lo = _mm512_and_si512(q, m4);
    __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
    const auto g = static_cast<short>(4 * s);  // groups g, g+1, g+2, g+3 of 32 values
    if constexpr (kFifth) {
        // Fifth bit of group k is bit k of qh[l]: bring it to bit 0 of each byte, then to bit 4.
        const __m512i one = _mm512_set1_epi8(1);
        const __m512i bitLo = _mm512_and_si512(_mm512_srlv_epi16(qh, halves16(g, g + 2)), one);
        const __m512i bitHi = _mm512_and_si512(_mm512_srlv_epi16(qh, halves16(g + 1, g + 3)), one);
        lo = _mm512_or_si512(lo, _mm512_slli_epi16(bitLo, 4));
        hi = _mm512_or_si512(hi, _mm512_slli_epi16(bitHi, 4));
    }
    const __m512i scLo = _mm512_permutexvar_epi16(halves16(g, g + 2), scales16);
    const __m512i scHi = _mm512_permutexvar_epi16(halves16(g + 1, g + 3), scales16);
    acc = _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(lo, _mm512_loadu_si512(x + 128 * s)), scLo);
    return _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(hi, _mm512_loadu_si512(x + 128 * s + 64)), scHi);
}

template <bool kFifth, typename Block>
LAMP_TARGET_AVX512 float dotQ45_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    __m512 acc = _mm512_setzero_ps();
    __m256 accMin = _mm256_setzero_ps();
    // Each min twice, as s16: it weighs both 16-value activation sums (bsums) of its group.
    const __m128i minPairs = _mm_setr_epi8(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(Block);
        prefetchFar<sizeof(Block)>(blk);  // simd.h
        const BlockQ8_K& xb = x[b];
        const __m128i scalesMins = unpackScalesMins(blk + offsetof(Block, scales));
        // d and dmin (adjacent fp16) in one conversion, times the activations' scale.
        uint32_t dBits;
        std::memcpy(&dBits, blk, 4);
        const __m128 dd = _mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(dBits))),
                                     _mm_set1_ps(xb.d));
        // Minimums: Σ_g mn_g (bsums_2g + bsums_2g+1).
        const __m256i minSum = _mm256_madd_epi16(
            _mm256_cvtepu8_epi16(_mm_shuffle_epi8(scalesMins, minPairs)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums)));
        accMin = _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(minSum),
                                 accMin);
        __m512i qh = _mm512_setzero_si512();
        if constexpr (kFifth)
            qh = _mm512_broadcast_i64x4(
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + offsetof(BlockQ5_K, qh))));
        const __m512i sc = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(scalesMins));  // lanes 0-7
        const uint8_t* qs = blk + offsetof(Block, qs);
        __m512i s = step<kFifth>(_mm512_setzero_si512(), qs, qh, xb.qs, sc, 0);
        s = step<kFifth>(s, qs, qh, xb.qs, sc, 1);
        acc = _mm512_fmadd_ps(_mm512_broadcastss_ps(dd), _mm512_cvtepi32_ps(s), acc);
    }
    const __m512 folded = _mm512_add_ps(acc, _mm512_shuffle_f32x4(acc, acc, _MM_SHUFFLE(1, 0, 3, 2)));
    __m256 sum = _mm256_sub_ps(_mm512_castps512_ps256(folded), accMin);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

template <auto dot>
LAMP_TARGET_AVX512 void rows(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                             int64_t n, float* y) {
    const auto* xs = static_cast<const BlockQ8_K*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * rowStride, xs, n / 256);
}

} // namespace

VecDotFn vecDotAvx512K4(TensorType type) {
    switch (type) {
    case TensorType::Q4_K: return rows<dotQ45_K<false, BlockQ4_K>>;
    case TensorType::Q5_K: return rows<dotQ45_K<true, BlockQ5_K>>;
    default: return nullptr;
    }
}

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512K4(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
