// AVX-512 VNNI vec-dot kernels for the K-quants: the shared body in vec_dot_k_impl.h, with the
// group-scale weighting fused into the accumulation (vpdpwssd on 256-bit vectors).
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_K_TARGET LAMP_TARGET_AVX512
#define LAMP_K_VNNI 1
#define LAMP_K_NAME vecDotAvx512K
#include "cpu/vec_dot_k_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512K(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
