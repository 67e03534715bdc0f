// Numerically stable softmax of `rows` rows of n values: out = e^(x − max) / Σ e^(x − max).
// One workgroup per row; max and sum are reduced in shared memory (plain path). out may be x.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };  // [rows][n] at xOff
layout(std430, binding = 1) buffer Out { float o[]; };         // [rows][n] at outOff
layout(push_constant) uniform Push { uint n; uint rows; uint xOff; uint outOff; } p;
shared float partial[128];
void main() {
    const uint row = flatWorkgroup();
    if (row >= p.rows) return;  // uniform per workgroup
    const uint tid = gl_LocalInvocationID.x;
    const uint xBase = p.xOff + row * p.n;
    const uint oBase = p.outOff + row * p.n;
    float m = -3.402823466e38;
    for (uint i = tid; i < p.n; i += 128u) m = max(m, x[xBase + i]);
    partial[tid] = m;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (tid < s) partial[tid] = max(partial[tid], partial[tid + s]);
        barrier();
    }
    m = partial[0];
    barrier();
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += 128u) sum += exp(x[xBase + i] - m);
    partial[tid] = sum;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (tid < s) partial[tid] += partial[tid + s];
        barrier();
    }
    const float inv = 1.0 / partial[0];
    for (uint i = tid; i < p.n; i += 128u) o[oBase + i] = exp(x[xBase + i] - m) * inv;
}
