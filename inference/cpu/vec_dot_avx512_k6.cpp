// AVX-512 vec-dot kernel for Q6_K on full 512-bit vectors: 128 values per step, two steps per
// super-block (the 256-bit kernel in vec_dot_k_impl.h takes eight). Q6_K is the format of the
// output matrix (tied embeddings included) and of some attn_v / ffn_down matrices in the Q4_K_M
// mix, so its speed bounds generation on those files.
//
// Half c of a super-block (values 128c .. 128c + 127) keeps its low nibbles in ql[64c .. 64c + 64):
// byte i holds value 128c + i in its low nibble and value 128c + 64 + i in its high nibble
// (FACTS "Q6_K"). So one 64-byte load gives 64 consecutive values from the low nibbles and the
// next 64 from the high nibbles: the activations are read in plain order (ActFormat::Q8K). The
// two high bits of value 128c + 32k + l are bits 2k, 2k + 1 of qh[32c + l]; the 32 qh bytes are
// broadcast to both 256-bit halves and shifted per half so each byte's bits land at bits 4-5.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {
namespace {

LAMP_TARGET_AVX512 inline float half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16-bit lanes 0-15 = a, lanes 16-31 = b.
LAMP_TARGET_AVX512 inline __m512i halves16(short a, short b) {
    return _mm512_inserti64x4(_mm512_set1_epi16(a), _mm256_set1_epi16(b), 1);
}

// Permute indices that spread 4 consecutive group scales (s16 lanes first .. first + 3 of the
// scale vector) over the 32 s16 lanes of a maddubs result: lane i covers values 2i, 2i + 1, which
// lie in group first + i / 8.
LAMP_TARGET_AVX512 inline __m512i groupIndex(int first) {
    const __m128i g = _mm_setr_epi32(first, first + 1, first + 2, first + 3);
    // Each 32-bit group number -> 8 s16 lanes: widen to bytes' worth of repeats via a shuffle.
    const __m512i wide = _mm512_broadcast_i32x4(g);                 // 4 x 32-bit, repeated
    const __m512i perm = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    const __m512i per32 = _mm512_permutexvar_epi32(perm, wide);     // each group on 4 dwords
    // Both 16-bit halves of every dword carry the group number.
    return _mm512_or_si512(per32, _mm512_slli_epi32(per32, 16));
}

// acc + the 128 values of half c: unsigned codes (q + 32, 0..63) times activations, each maddubs
// pair weighted by its group scale.
LAMP_TARGET_AVX512 inline __m512i halfStep(__m512i acc, const uint8_t* ql, const uint8_t* qh,
                                           const int8_t* x, __m512i scales16, __m512i idxLo,
                                           __m512i idxHi) {
    const __m512i q = _mm512_loadu_si512(ql);
    const __m512i h = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)));
    const __m512i m4 = _mm512_set1_epi8(15), m30 = _mm512_set1_epi8(0x30);
    // Low nibbles: values 0-31 use qh bits 0-1 (shift left 4), values 32-63 bits 2-3 (left 2).
    // High nibbles: values 64-95 use bits 4-5 (as they are), values 96-127 bits 6-7 (right 2).
    // 16-bit shifts move bits across the byte boundary only outside bits 4-5, which the mask drops.
    const __m512i hLo = _mm512_and_si512(_mm512_sllv_epi16(h, halves16(4, 2)), m30);
    const __m512i hHi = _mm512_and_si512(_mm512_srlv_epi16(h, halves16(0, 2)), m30);
    const __m512i lo = _mm512_or_si512(_mm512_and_si512(q, m4), hLo);
    const __m512i hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(q, 4), m4), hHi);
    const __m512i scLo = _mm512_permutexvar_epi16(idxLo, scales16);
    const __m512i scHi = _mm512_permutexvar_epi16(idxHi, scales16);
    acc = _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(lo, _mm512_loadu_si512(x)), scLo);
    return _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(hi, _mm512_loadu_si512(x + 64)), scHi);
}

LAMP_TARGET_AVX512 float dotQ6_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    const __m512i idx0 = groupIndex(0), idx1 = groupIndex(4), idx2 = groupIndex(8),
                  idx3 = groupIndex(12);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ6_K);
        prefetchFar<sizeof(BlockQ6_K)>(blk);  // simd.h
        const BlockQ8_K& xb = x[b];
        const __m256i scales16 = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + offsetof(BlockQ6_K, scales))));
        // The "- 32" of every code: -32 Σ_g sc_g bsums_g, as 8 s32 lanes (upper 8 lanes zero).
        const __m256i offset = _mm256_madd_epi16(
            scales16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums)));
        __m512i s = _mm512_zextsi256_si512(_mm256_sub_epi32(_mm256_setzero_si256(),
                                                            _mm256_slli_epi32(offset, 5)));
        const __m512i sc = _mm512_castsi256_si512(scales16);
        s = halfStep(s, blk, blk + 128, xb.qs, sc, idx0, idx1);
        s = halfStep(s, blk + 64, blk + 160, xb.qs + 128, sc, idx2, idx3);
        const float d = xb.d * half(blk + offsetof(BlockQ6_K, d));
        acc = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(s), acc);
    }
    const __m512 folded = _mm512_add_ps(acc, _mm512_shuffle_f32x4(acc, acc, _MM_SHUFFLE(1, 0, 3, 2)));
    const __m256 sum = _mm512_castps512_ps256(folded);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

LAMP_TARGET_AVX512 void rowsQ6_K(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                                 int64_t n, float* y) {
    const auto* xs = static_cast<const BlockQ8_K*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dotQ6_K(w + r * rowStride, xs, n / 256);
}

} // namespace

VecDotFn vecDotAvx512K6(TensorType type) { return type == TensorType::Q6_K ? rowsQ6_K : nullptr; }

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512K6(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
