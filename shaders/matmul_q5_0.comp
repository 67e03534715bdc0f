// Tiled matrix-matrix product with q5_0 weights (see matmul.glsl and block_q4_q5.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q4_q5.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint b = r * (p.cols / QK4) + k0 / QK4, v0 = k0 % QK4;
    const uint qs = b * Q5_0_BYTES + 6u;
    const uint qh = Q5_0_QH(w, b);
    const float d = Q5_0_D(w, b);
    for (uint i = 0u; i < 16u; ++i) {
        const uint val = v0 + i;
        v[i] = (float(NIBBLE(w, qs, val) | (((qh >> val) & 1u) << 4u)) - 16.0) * d;
    }
}
