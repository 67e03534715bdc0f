// Exponentials over arrays for the softmax of attention and the SiLU of the feed-forward: on x86
// with AVX2, glibc's vector math library (libmvec, the x86-64 vector function ABI: 8 floats per
// call, within 4 ulp of expf) instead of one std::exp call per value, which left the softmax of a
// 2048-position context spending more time in call overhead than in arithmetic. Elsewhere std::exp.
#pragma once

#include <cstdint>

namespace lamp::cpu {

// x[i] = exp(x[i] − shift) for i < n; returns the sum of the results.
float expShiftedSum(float* x, int64_t n, float shift);

// gate[i] = silu(gate[i]) · up[i] = gate[i] / (1 + exp(−gate[i])) · up[i].
void siluMul(float* gate, const float* up, int64_t n);

} // namespace lamp::cpu
