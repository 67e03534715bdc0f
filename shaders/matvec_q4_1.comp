// Matrix-vector product with Q4_1 weights (see matvec.glsl and block_q4_q5.glsl):
// Σ (q·d + m)·x = d·Σ q·x + m·Σ x over 8-value quarters of blocks.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q4_q5.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols/32] blocks, padded
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint blocksPerRow = p.cols / QK4;
    const uint quarters = blocksPerRow * 4u;
    float sum = 0.0;
    for (uint c = tid; c < quarters; c += MV_THREADS) {
        const uint b = r * blocksPerRow + c / 4u;
        const uint v0 = (c % 4u) * 8u;
        const uint xk = xBase + (c / 4u) * QK4 + v0;
        const uint qs = b * Q4_1_BYTES + 4u;
        float qx = 0.0, sx = 0.0;
        for (uint j = 0u; j < 8u; ++j) {
            const float xv = x[xk + j];
            qx += float(NIBBLE(w, qs, v0 + j)) * xv;
            sx += xv;
        }
        sum += qx * Q4_1_D(w, b) + sx * Q4_1_M(w, b);
    }
    return sum;
}
