// Activations quantized to 8 bits once per matmul call: BlockQ8A (32 values), BlockQ8_K (256 values)
// and the PackedQ8 GEMM layout. Every path computes the same codes: d = max|x| / 127, codes are
// x * (127 / max|x|) rounded to nearest, ties to even.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>


namespace lamp::cpu::detail {
namespace {

// Nearest integer, ties to even, as cvtps2dq rounds; clamped to the code range first (codes never
// exceed 127 in magnitude by construction; the clamp keeps a NaN or infinite activation from
// reaching an undefined float-to-int conversion: NaN becomes -127).
inline int roundEven(float v) {
    v = v > -127.0f ? v : -127.0f;
    v = v < 127.0f ? v : 127.0f;
    constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23: adding and removing it rounds
    return static_cast<int>((v + kMagic) - kMagic);
}

// Quantizes n values (n <= 256) with one scale; returns d and writes codes.
float quantizeGroupPortable(const float* x, int8_t* q, int n) {
    float amax = 0.0f;
    for (int i = 0; i < n; ++i)
        amax = std::max(amax, std::fabs(x[i]));
    const float d = amax / 127.0f;
    const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int i = 0; i < n; ++i)
        q[i] = static_cast<int8_t>(roundEven(x[i] * id));
    return d;
}

#if LAMP_X86
// 32 values: returns d, writes 32 codes.
LAMP_TARGET_AVX2 float quantize32Avx2(const float* x, int8_t* q) {
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
        v[k] = _mm256_loadu_ps(x + 8 * k);
        amax = _mm256_max_ps(amax, _mm256_andnot_ps(signBit, v[k]));
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    const float maxAbs = _mm_cvtss_f32(m);
    const float d = maxAbs / 127.0f;
    const __m256 id = _mm256_set1_ps(maxAbs > 0.0f ? 127.0f / maxAbs : 0.0f);
    __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v[0], id));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v[1], id));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v[2], id));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v[3], id));
    // Pack 32-bit -> 16-bit -> 8-bit; the packs interleave 128-bit lanes, undone by a permute.
    const __m256i s01 = _mm256_packs_epi32(i0, i1);
    const __m256i s23 = _mm256_packs_epi32(i2, i3);
    __m256i b = _mm256_packs_epi16(s01, s23);
    b = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), b);
    return d;
}

LAMP_TARGET_AVX2 int sum16Avx2(const int8_t* q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    const __m256i w = _mm256_cvtepi8_epi16(v);
    __m128i s = _mm_add_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
    s = _mm_madd_epi16(s, _mm_set1_epi16(1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

LAMP_TARGET_AVX2 float quantize256Avx2(const float* x, int8_t* q) {
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 32; ++k)
        amax = _mm256_max_ps(amax, _mm256_andnot_ps(signBit, _mm256_loadu_ps(x + 8 * k)));
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    const float maxAbs = _mm_cvtss_f32(m);
    const __m256 id = _mm256_set1_ps(maxAbs > 0.0f ? 127.0f / maxAbs : 0.0f);
    for (int k = 0; k < 8; ++k) {
        const float* xs = x + 32 * k;
        __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xs), id));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xs + 8), id));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xs + 16), id));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xs + 24), id));
        __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
        b = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + 32 * k), b);
    }
    return maxAbs / 127.0f;
}
#endif

float quantize32(const float* x, int8_t* q, Isa isa) {
#if LAMP_X86
    if (includesAvx2(isa))
        return quantize32Avx2(x, q);
#else
    (void)isa;
#endif
    return quantizeGroupPortable(x, q, 32);
}

int sum16(const int8_t* q, Isa isa) {
#if LAMP_X86
    if (includesAvx2(isa))
        return sum16Avx2(q);
#else
    (void)isa;
#endif
    int s = 0;
    for (int i = 0; i < 16; ++i)
        s += q[i];
    return s;
}

} // namespace

void quantizeQ8A(const float* x, BlockQ8A* out, int64_t n, Isa isa) {
    for (int64_t b = 0; b < n / 32; ++b) {
        BlockQ8A& blk = out[b];
        blk.d = quantize32(x + 32 * b, blk.qs, isa);
        blk.sum = sum16(blk.qs, isa) + sum16(blk.qs + 16, isa);
    }
}

void quantizeQ8A2(const float* x, BlockQ8A2* out, int64_t n, Isa isa) {
    const int64_t blocks = n / 32;
    for (int64_t b = 0; b < blocks; ++b) {
        BlockQ8A2& pair = out[b / 2];
        const int k = static_cast<int>(b % 2);
        int8_t* q = pair.qs + 32 * k;
        const float d = quantize32(x + 32 * b, q, isa);
        pair.d[k] = d;
        pair.dsum[k] = d * static_cast<float>(sum16(q, isa) + sum16(q + 16, isa));
    }
    if (blocks % 2 != 0) {
        BlockQ8A2& last = out[blocks / 2];
        last.d[1] = 0.0f;
        last.dsum[1] = 0.0f;
        std::fill(last.qs + 32, last.qs + 64, int8_t{0});
    }
}

void quantizeQ8K(const float* x, BlockQ8_K* out, int64_t n, Isa isa) {
    for (int64_t b = 0; b < n / 256; ++b) {
        BlockQ8_K& blk = out[b];
#if LAMP_X86
        if (includesAvx2(isa))
            blk.d = quantize256Avx2(x + 256 * b, blk.qs);
        else
#endif
            blk.d = quantizeGroupPortable(x + 256 * b, blk.qs, 256);
        for (int g = 0; g < 16; ++g)
            blk.bsums[g] = static_cast<int16_t>(sum16(blk.qs + 16 * g, isa));
    }
}

void quantizeQ8KSwapped(const float* x, BlockQ8_K* out, int64_t n, Isa isa) {
    quantizeQ8K(x, out, n, isa);
    for (int64_t b = 0; b < n / 256; ++b)
        for (int half = 0; half < 2; ++half) {
            int8_t* q = out[b].qs + 128 * half;
            int8_t tmp[32];
            std::memcpy(tmp, q + 32, 32);
            std::memcpy(q + 32, q + 64, 32);
            std::memcpy(q + 64, tmp, 32);
        }
}

void packActivationRowQ8(const float* x, int64_t cols, PackedQ8& dst, int64_t r, Isa isa) {
    int8_t* codes = reinterpret_cast<int8_t*>(dst.codes + r * dst.pairs * 64);
    float* scales = dst.scales + r * dst.pairs * 16;
    float* offsets = dst.offsets + r * dst.halves;
    const int64_t blocks = cols / 32;
    for (int64_t b = 0; b < blocks; ++b) {
        int8_t* q = codes + 32 * b;
        const float d = quantize32(x + 32 * b, q, isa);
        for (int l = 0; l < 8; ++l)
            scales[8 * b + l] = d;
        offsets[2 * b] = d * static_cast<float>(sum16(q, isa));
        offsets[2 * b + 1] = d * static_cast<float>(sum16(q + 16, isa));
    }
    if (blocks % 2 != 0) {  // zero the padding block of the last pair
        std::memset(codes + 32 * blocks, 0, 32);
        std::fill(scales + 8 * blocks, scales + 8 * blocks + 8, 0.0f);
    }
    std::fill(offsets + 2 * blocks, offsets + dst.halves, 0.0f);
}

} // namespace lamp::cpu::detail
