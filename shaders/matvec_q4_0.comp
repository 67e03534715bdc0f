// Matrix-vector product with Q4_0 weights (see matvec.glsl and block_q4_q5.glsl). Each
// invocation takes 8-value quarters of blocks in turn.
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
        const uint qs = b * Q4_0_BYTES + 2u;
        float part = 0.0;
        for (uint j = 0u; j < 8u; ++j) part += (float(NIBBLE(w, qs, v0 + j)) - 8.0) * x[xk + j];
        sum += part * Q4_0_D(w, b);
    }
    return sum;
}
