// AVX2 vec-dot kernels for the K-quants: the shared body in vec_dot_k_impl.h.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_K_TARGET LAMP_TARGET_AVX2
#define LAMP_K_NAME vecDotAvx2K
#include "cpu/vec_dot_k_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx2K(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
