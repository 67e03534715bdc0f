// AVX-512 VNNI vec-dot kernels for the K-quants: the shared body in vec_dot_k_impl.h, with the
// group-scale weighting fused into the accumulation (EVEX vpdpwssd on 256-bit vectors). Q4_K, Q5_K
// and Q6_K have wider kernels (vec_dot_avx512_k4.cpp, vec_dot_avx512_k6.cpp); these serve the rest.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_K_TARGET LAMP_TARGET_AVX512
#define LAMP_K_DPWSSD _mm256_dpwssd_epi32
#define LAMP_K_NAME vecDotAvx512VnniK
#include "cpu/vec_dot_k_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512VnniK(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
