// Tiled matrix-matrix product with q4_1 weights (see matmul.glsl and block_q4_q5.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q4_q5.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint b = r * (p.cols / QK4) + k0 / QK4, v0 = k0 % QK4;
    const uint qs = b * Q4_1_BYTES + 4u;
    const float d = Q4_1_D(w, b), m = Q4_1_M(w, b);
    for (uint i = 0u; i < 16u; ++i) v[i] = float(NIBBLE(w, qs, v0 + i)) * d + m;
}
