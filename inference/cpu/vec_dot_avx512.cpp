// AVX-512 (VNNI) vec-dot kernels for the 32-value formats and the float formats. The K-quants use
// vec_dot_avx512_k4.cpp (Q4_K, Q5_K) and vec_dot_avx512_k.cpp (the others).
//
// vpdpbusd multiplies unsigned weight codes with signed activation codes and adds each group of
// four products to a 32-bit lane in one instruction, starting from an accumulator that here holds
// the block's code-offset correction (Q4_0 "- 8", Q5_0 "- 16", Q8_0 codes shifted by 128), so a
// block costs unpack + one dot + one float multiply-add. 256-bit vectors: a block is 32 bytes, and
// wider vectors would need more shuffling than they save.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include "quant/half.h"

#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {
namespace {

LAMP_TARGET_AVX512 inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

LAMP_TARGET_AVX512 inline float half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16 bytes of packed nibbles -> low nibbles (values 0-15), then high nibbles (16-31): the bytes are
// loaded into both halves and the upper half shifted by 4.
LAMP_TARGET_AVX512 inline __m256i unpackNibbles(const uint8_t* qs) {
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
    const __m256i shifted = _mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4));
    return _mm256_and_si256(shifted, _mm256_set1_epi8(15));
}

// 0x10 in byte v where bit v of the 32-bit qh is set (AVX-512BW: a mask register does it).
LAMP_TARGET_AVX512 inline __m256i fifthBits(const uint8_t* qh) {
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
    static constexpr int kOffset = 128;  // codes are flipped to q + 128
};

// Unsigned codes of one block.
template <Kind K>
LAMP_TARGET_AVX512 inline __m256i codes(const uint8_t* blk) {
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

// acc + block b of a row (`mins` collects the m * d_x * Σx terms of formats with a minimum).
template <Kind K>
LAMP_TARGET_AVX512 inline __m256 block(const uint8_t* w, const BlockQ8A& x, __m256 acc, float& mins) {
    using F = Format<K>;
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
    // Offset correction spread over the 8 lanes: offset * Σx / 8 each.
    const __m256i start = _mm256_set1_epi32(-x.sum * (F::kOffset / 8));
    const __m256i s = _mm256_dpbusd_epi32(start, codes<K>(w), xv);
    if constexpr (K == Kind::Min4 || K == Kind::Min5)
        mins += half(w + 2) * x.d * static_cast<float>(x.sum);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(half(w) * x.d), acc);
}

// One row at a time, read front to back (two rows interleaved measured slower: the weights are
// streamed from memory, and one sequential stream suits the prefetchers best). Four accumulators
// hide the latency of the float multiply-add chain. (Computing 16 blocks' scales at once with
// gathers measured slower on these machines than the scalar fp16 conversion per block.)
template <Kind K>
LAMP_TARGET_AVX512 void rowsQ(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                              int64_t n, float* y) {
    using F = Format<K>;
    const auto* xs = static_cast<const BlockQ8A*>(x);
    const int64_t nb = n / 32;
    for (int64_t r = 0; r < nRows; ++r) {
        const auto* row = reinterpret_cast<const uint8_t*>(w) + r * rowStride;
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                         _mm256_setzero_ps()};
        float mins = 0.0f;
        int64_t b = 0;
        for (; b + 4 <= nb; b += 4)
            LAMP_UNROLL
            for (int k = 0; k < 4; ++k)
                acc[k] = block<K>(row + (b + k) * F::kBytes, xs[b + k], acc[k], mins);
        for (; b < nb; ++b)
            acc[0] = block<K>(row + b * F::kBytes, xs[b], acc[0], mins);
        y[r] = hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]))) + mins;
    }
}

// ---- float formats: 16 values per step ------------------------------------------------------

LAMP_TARGET_AVX512 inline __m512 loadF32(const std::byte* p) {
    return _mm512_loadu_ps(p);
}
LAMP_TARGET_AVX512 inline __m512 loadF16(const std::byte* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
LAMP_TARGET_AVX512 inline __m512 loadBF16(const std::byte* p) {
    const __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}

template <int kBytes, __m512 (*load)(const std::byte*), float (*scalar)(uint32_t)>
LAMP_TARGET_AVX512 float dotFloat(const std::byte* w, const float* x, int64_t n) {
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps()};
    int64_t i = 0;
    for (; i + 64 <= n; i += 64)
        LAMP_UNROLL
        for (int k = 0; k < 4; ++k)
            acc[k] = _mm512_fmadd_ps(load(w + (i + 16 * k) * kBytes), _mm512_loadu_ps(x + i + 16 * k),
                                     acc[k]);
    for (; i + 16 <= n; i += 16)
        acc[0] = _mm512_fmadd_ps(load(w + i * kBytes), _mm512_loadu_ps(x + i), acc[0]);
    const __m512 sum = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
    const __m512 folded = _mm512_add_ps(sum, _mm512_shuffle_f32x4(sum, sum, _MM_SHUFFLE(1, 0, 3, 2)));
    float s = hsum(_mm512_castps512_ps256(folded));
    for (; i < n; ++i) {
        uint32_t bits = 0;
        std::memcpy(&bits, w + i * kBytes, kBytes);
        s += scalar(bits) * x[i];
    }
    return s;
}

inline float bitsF32(uint32_t b) {
    float v;
    std::memcpy(&v, &b, 4);
    return v;
}
LAMP_TARGET_AVX512 inline float bitsF16(uint32_t b) { return _cvtsh_ss(static_cast<uint16_t>(b)); }
inline float bitsBF16(uint32_t b) { return bf16ToFp32(static_cast<uint16_t>(b)); }

template <auto dot>
LAMP_TARGET_AVX512 void rowsFloat(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                                  int64_t n, float* y) {
    const auto* xs = static_cast<const float*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * rowStride, xs, n);
}

} // namespace

VecDotFn vecDotAvx512(TensorType type) {
    switch (type) {
    case TensorType::F32: return rowsFloat<dotFloat<4, loadF32, bitsF32>>;
    case TensorType::F16: return rowsFloat<dotFloat<2, loadF16, bitsF16>>;
    case TensorType::BF16: return rowsFloat<dotFloat<2, loadBF16, bitsBF16>>;
    case TensorType::Q4_0: return rowsQ<Kind::Offset4>;
    case TensorType::Q4_1: return rowsQ<Kind::Min4>;
    case TensorType::Q5_0: return rowsQ<Kind::Offset5>;
    case TensorType::Q5_1: return rowsQ<Kind::Min5>;
    case TensorType::Q8_0: return rowsQ<Kind::Signed8>;
    default:
        if (const VecDotFn fn = vecDotAvx512K4(type))
            return fn;
        return vecDotAvx512K(type);
    }
}

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
