// AVX2 vec-dot kernels: the 32-value formats (vec_dot_avx2_impl.h, shared with the AVX-VNNI family)
// and the float formats (F32, F16, BF16) against float activations, which every wider x86 family
// without its own float kernels uses too. The K-quants are in vec_dot_avx2_k.cpp; the AVX-512
// families have their own kernels (vec_dot_avx512.cpp, vec_dot_avx512_vnni.cpp).
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include "quant/half.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_A_TARGET LAMP_TARGET_AVX2
#include "cpu/vec_dot_avx2_impl.h"

// (hsum and half come from the kernel body above: the same file-local namespace.)
namespace {

// ---- float formats ------------------------------------------------------------------------

LAMP_TARGET_AVX2 inline __m256 loadF32(const std::byte* p) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
}
LAMP_TARGET_AVX2 inline __m256 loadF16(const std::byte* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
LAMP_TARGET_AVX2 inline __m256 loadBF16(const std::byte* p) {
    const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}
inline float scalarF32(const std::byte* p) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
}
LAMP_TARGET_AVX2 inline float scalarF16(const std::byte* p) {
    return half(reinterpret_cast<const uint8_t*>(p));
}
inline float scalarBF16(const std::byte* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return bf16ToFp32(h);
}

template <int kBytes, __m256 (*load)(const std::byte*), float (*scalar)(const std::byte*)>
LAMP_TARGET_AVX2 float dotFloat(const std::byte* w, const float* x, int64_t n) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        LAMP_UNROLL
        for (int k = 0; k < 4; ++k)
            acc[k] = _mm256_fmadd_ps(load(w + (i + 8 * k) * kBytes), _mm256_loadu_ps(x + i + 8 * k),
                                     acc[k]);
    for (; i + 8 <= n; i += 8)
        acc[0] = _mm256_fmadd_ps(load(w + i * kBytes), _mm256_loadu_ps(x + i), acc[0]);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
    for (; i < n; ++i)
        s += scalar(w + i * kBytes) * x[i];
    return s;
}

template <auto dot>
LAMP_TARGET_AVX2 void rowsFloat(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                                int64_t n, float* y) {
    const auto* xs = static_cast<const float*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * rowStride, xs, n);
}

} // namespace

VecDotFn vecDotAvx2(TensorType type) {
    switch (type) {
    case TensorType::F32: return rowsFloat<dotFloat<4, loadF32, scalarF32>>;
    case TensorType::F16: return rowsFloat<dotFloat<2, loadF16, scalarF16>>;
    case TensorType::BF16: return rowsFloat<dotFloat<2, loadBF16, scalarBF16>>;
    default: return blockKernel(type);
    }
}

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx2(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
