// AVX-VNNI vec-dot kernels for the 32-value formats: the AVX2 kernels (vec_dot_avx2_impl.h) with
// VEX vpdpbusd, for CPUs with AVX-VNNI but no AVX-512 (Alder Lake, Meteor Lake, Zen 5 mobile).
// Float formats use the AVX2 kernels; the K-quants are in vec_dot_avxvnni_k.cpp.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include "quant/half.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_A_TARGET LAMP_TARGET_AVXVNNI
#define LAMP_A_DPBUSD _mm256_dpbusd_avx_epi32
#include "cpu/vec_dot_avx2_impl.h"

VecDotFn vecDotAvxVnni(TensorType type) { return blockKernel(type); }

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvxVnni(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
