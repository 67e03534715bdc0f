// The Avx512Vnni family's own vec-dot kernels: the 32-value formats (vec_dot_avx512_impl.h with
// vpdpbusd), Q4_K/Q5_K (vec_dot_avx512_k4.cpp), Q6_K (vec_dot_avx512_k6.cpp) and the other
// K-quants (vec_dot_avx512_vnni_k.cpp). The float formats come from the Avx512 family.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include "quant/half.h"

#include <cstddef>
#include <cstring>

#if LAMP_X86

namespace lamp::cpu::detail {

#define LAMP_V_TARGET LAMP_TARGET_AVX512
#define LAMP_V_VNNI 1
#include "cpu/vec_dot_avx512_impl.h"

VecDotFn vecDotAvx512Vnni(TensorType type) {
    if (const VecDotFn fn = blockKernel(type))
        return fn;
    if (const VecDotFn fn = vecDotAvx512K4(type))
        return fn;
    if (const VecDotFn fn = vecDotAvx512K6(type))
        return fn;
    return vecDotAvx512VnniK(type);
}

VecDotFn vecDotInterleavedAvx512Vnni(TensorType type) { return interleavedKernel(type); }

} // namespace lamp::cpu::detail

#else

namespace lamp::cpu::detail {
VecDotFn vecDotAvx512Vnni(TensorType) { return nullptr; }
VecDotFn vecDotInterleavedAvx512Vnni(TensorType) { return nullptr; }
} // namespace lamp::cpu::detail

#endif
