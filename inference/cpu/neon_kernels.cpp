// NEON kernels for baseline AArch64 (Advanced SIMD is always present there): the shared body in
// neon_impl.h, with the dot product of 8-bit codes built from widening multiplies.
#include "cpu/kernels.h"

#include "quant/half.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#if defined(__aarch64__)

#include <arm_neon.h>

namespace lamp::cpu::detail {

#define LAMP_NEON_TARGET
#define LAMP_NEON_DOT 0
#define LAMP_NEON_VECDOT vecDotNeon
#define LAMP_NEON_GEMM gemmQ8Neon
#include "cpu/neon_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotNeon(TensorType) { return nullptr; }
GemmQ8Fn gemmQ8Neon() { return nullptr; }
} // namespace lamp::cpu::detail

#endif
