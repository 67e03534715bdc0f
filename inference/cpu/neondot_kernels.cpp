// NEON kernels with the ARMv8.2 dot product (sdot, optional before ARMv8.4 and detected at run
// time): the shared body in neon_impl.h, compiled with a function-level target attribute so the
// library itself still runs on baseline armv8-a.
#include "cpu/kernels.h"

#include "quant/half.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#if defined(__aarch64__)

#include <arm_neon.h>

namespace lamp::cpu::detail {

#define LAMP_NEON_TARGET LAMP_TARGET_NEONDOT
#define LAMP_NEON_DOT 1
#define LAMP_NEON_VECDOT vecDotNeonDot
#define LAMP_NEON_GEMM gemmQ8NeonDot
#include "cpu/neon_impl.h"

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotNeonDot(TensorType) { return nullptr; }
GemmQ8Fn gemmQ8NeonDot() { return nullptr; }
} // namespace lamp::cpu::detail

#endif
