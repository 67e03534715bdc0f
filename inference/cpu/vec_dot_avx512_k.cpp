// AVX-512 (without VNNI) vec-dot kernels for the K-quants: the shared body in vec_dot_k_impl.h,
// compiled for the Avx512 family so that it never contains a VNNI instruction (Skylake-X has none).
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_K_TARGET LAMP_TARGET_AVX512_NOVNNI
#define LAMP_K_NAME vecDotAvx512K
#include "cpu/vec_dot_k_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512K(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
