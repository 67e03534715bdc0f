// AVX-VNNI vec-dot kernels for the K-quants: the shared body in vec_dot_k_impl.h, with the
// group-scale weighting fused into the accumulation (VEX vpdpwssd).
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_K_TARGET LAMP_TARGET_AVXVNNI
#define LAMP_K_DPWSSD _mm256_dpwssd_avx_epi32
#define LAMP_K_NAME vecDotAvxVnniK
#include "cpu/vec_dot_k_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvxVnniK(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
