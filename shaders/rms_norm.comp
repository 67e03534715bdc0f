// RMSNorm of `rows` rows of n values: out = x / sqrt(mean(x²) + eps) ⊙ w. One workgroup per row;
// the sum of squares is reduced in shared memory (plain path, no subgroup operations).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };    // [rows][n] at xOff
layout(std430, binding = 1) readonly buffer W { float w[]; };    // [n] at wOff
layout(std430, binding = 2) buffer Out { float o[]; };           // [rows][n] at outOff
layout(push_constant) uniform Push { uint n; uint rows; float eps; uint xOff; uint wOff; uint outOff; } p;
shared float partial[128];
void main() {
    const uint row = flatWorkgroup();
    if (row >= p.rows) return;  // uniform per workgroup: safe before the barriers
    const uint tid = gl_LocalInvocationID.x;
    const uint xBase = p.xOff + row * p.n;
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += 128u) {
        const float v = x[xBase + i];
        sum += v * v;
    }
    partial[tid] = sum;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (tid < s) partial[tid] += partial[tid + s];
        barrier();
    }
    const float scale = 1.0 / sqrt(partial[0] / float(p.n) + p.eps);
    const uint oBase = p.outOff + row * p.n;
    for (uint i = tid; i < p.n; i += 128u)
        o[oBase + i] = x[xBase + i] * scale * w[p.wOff + i];
}
