// LayerNorm of `rows` rows of n values: out = (x − mean) / sqrt(var + eps) ⊙ w + b. One workgroup
// per row; mean and variance (two passes, as the CPU reference) are reduced in shared memory.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };    // [rows][n] at xOff
layout(std430, binding = 1) readonly buffer W { float w[]; };    // [n] at wOff
layout(std430, binding = 2) readonly buffer B { float bias[]; }; // [n] at bOff
layout(std430, binding = 3) buffer Out { float o[]; };           // [rows][n] at outOff
layout(push_constant) uniform Push { uint n; uint rows; float eps; uint xOff; uint wOff; uint bOff; uint outOff; } p;
shared float partial[128];
float reduceSum(float v, uint tid) {
    partial[tid] = v;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (tid < s) partial[tid] += partial[tid + s];
        barrier();
    }
    const float total = partial[0];
    barrier();
    return total;
}
void main() {
    const uint row = flatWorkgroup();
    if (row >= p.rows) return;  // uniform per workgroup
    const uint tid = gl_LocalInvocationID.x;
    const uint xBase = p.xOff + row * p.n;
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += 128u) sum += x[xBase + i];
    const float mean = reduceSum(sum, tid) / float(p.n);
    float sq = 0.0;
    for (uint i = tid; i < p.n; i += 128u) {
        const float d = x[xBase + i] - mean;
        sq += d * d;
    }
    const float scale = 1.0 / sqrt(reduceSum(sq, tid) / float(p.n) + p.eps);
    const uint oBase = p.outOff + row * p.n;
    for (uint i = tid; i < p.n; i += 128u)
        o[oBase + i] = (x[xBase + i] - mean) * scale * w[p.wOff + i] + bias[p.bOff + i];
}
