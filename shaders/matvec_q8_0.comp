// Matrix-vector product with Q8_0 weights (see matvec.glsl and block_q8_0.glsl). Each invocation
// takes 8-value quarters of blocks in turn; blocks are read through 32-bit words.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q8_0.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols/32] blocks, padded
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint blocksPerRow = p.cols / Q8_0_VALUES;
    const uint quarters = blocksPerRow * 4u;
    float sum = 0.0;
    for (uint c = tid; c < quarters; c += MV_THREADS) {
        const uint b = r * blocksPerRow + c / 4u;
        const uint j0 = (c % 4u) * 8u;
        const uint xk = xBase + (c / 4u) * Q8_0_VALUES + j0;
        float part = 0.0;
        for (uint j = 0u; j < 8u; ++j) part += float(Q8_0_Q(w, b, j0 + j)) * x[xk + j];
        sum += part * Q8_0_D(w, b);
    }
    return sum;
}
