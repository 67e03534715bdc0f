// The Avx512 family (AVX-512 F/BW/VL/DQ, no VNNI: Skylake-X, Cascade Lake without DL Boost
// enabled): the 32-value formats (vec_dot_avx512_impl.h with vpdpbusd emulated), the float formats,
// which the Avx512Vnni family uses too (they need no VNNI), and the K-quants of
// vec_dot_avx512_k.cpp. Nothing here may contain a VNNI instruction.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include "quant/half.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_V_TARGET LAMP_TARGET_AVX512_NOVNNI
#define LAMP_V_VNNI 0
#include "cpu/vec_dot_avx512_impl.h"

// (hsum and half come from the kernel body above: the same file-local namespace.)
namespace {

// ---- float formats: 16 values per step ------------------------------------------------------

LAMP_TARGET_AVX512_NOVNNI inline __m512 loadF32(const std::byte* p) {
    return _mm512_loadu_ps(p);
}
LAMP_TARGET_AVX512_NOVNNI inline __m512 loadF16(const std::byte* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
LAMP_TARGET_AVX512_NOVNNI inline __m512 loadBF16(const std::byte* p) {
    const __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}

template <int kBytes, __m512 (*load)(const std::byte*), float (*scalar)(uint32_t)>
LAMP_TARGET_AVX512_NOVNNI float dotFloat(const std::byte* w, const float* x, int64_t n) {
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
LAMP_TARGET_AVX512_NOVNNI inline float bitsF16(uint32_t b) { return _cvtsh_ss(static_cast<uint16_t>(b)); }
inline float bitsBF16(uint32_t b) { return bf16ToFp32(static_cast<uint16_t>(b)); }

template <auto dot>
LAMP_TARGET_AVX512_NOVNNI void rowsFloat(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
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
    default:
        if (const VecDotFn fn = blockKernel(type))
            return fn;
        return vecDotAvx512K(type);
    }
}

VecDotFn vecDotInterleavedAvx512(TensorType type) { return interleavedKernel(type); }

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512(TensorType) { return nullptr; }
VecDotFn vecDotInterleavedAvx512(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
