// Exponentials over arrays (vector_math.h).
#include "cpu/vector_math.h"

#include "cpu/cpu_features.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
// glibc's libmvec, AVX2 variant of expf (x86-64 vector function ABI name). The target attribute
// on the declaration lets the AVX2 functions below pass it a __m256 in a register (gcc and clang).
extern "C" __attribute__((target("avx2,fma"))) __m256 _ZGVdN8v_expf(__m256 x);
#define LAMP_VECTOR_EXP 1
#else
#define LAMP_VECTOR_EXP 0
#endif

namespace lamp::cpu {
namespace {

#if LAMP_VECTOR_EXP
__attribute__((target("avx2,fma"))) float expShiftedSumAvx2(float* x, int64_t n, float shift) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 acc = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = _ZGVdN8v_expf(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        _mm256_storeu_ps(x + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float sum = _mm_cvtss_f32(h);
    for (; i < n; ++i) {
        x[i] = std::exp(x[i] - shift);
        sum += x[i];
    }
    return sum;
}

__attribute__((target("avx2,fma"))) void siluMulAvx2(float* gate, const float* up, int64_t n) {
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = _ZGVdN8v_expf(_mm256_sub_ps(zero, g));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; ++i)
        gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}
#endif

} // namespace

float expShiftedSum(float* x, int64_t n, float shift) {
#if LAMP_VECTOR_EXP
    if (includesAvx2(activeIsa()))
        return expShiftedSumAvx2(x, n, shift);
#endif
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - shift);
        sum += x[i];
    }
    return sum;
}

void siluMul(float* gate, const float* up, int64_t n) {
#if LAMP_VECTOR_EXP
    if (includesAvx2(activeIsa()))
        return siluMulAvx2(gate, up, n);
#endif
    for (int64_t i = 0; i < n; ++i)
        gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

} // namespace lamp::cpu
