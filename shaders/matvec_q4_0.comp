// Matrix-vector product with Q4_0 weights (see matvec.glsl and block_q4_q5.glsl). Each
// invocation takes 8-value quarters of blocks in turn. With LAMP_INTEGER_DOT the activations are
// 8-bit blocks and each quarter is a packed dot product of the nibbles with them:
// Σ (q − 8)·d·x = d·dx·(Σ q·xq − 8·Σ xq).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q4_q5.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols/32] blocks, padded
#include "matvec.glsl"
#ifdef LAMP_INTEGER_DOT
float partialDot(uint r, uint t, uint tid) {
    const uint blocksPerRow = p.cols / QK4;
    float sum = 0.0;
    for (uint c = tid; c < blocksPerRow * 4u; c += MV_THREADS) {
        const uint blk = c / 4u, b = r * blocksPerRow + blk, v0 = (c % 4u) * 8u;
        const uint x0 = xCodes(t, 2u * c), x1 = xCodes(t, 2u * c + 1u);
        const float xd = xScale(t, blk);
        const uint o = b * Q4_0_BYTES + 2u + (v0 % 16u), shift = (v0 / 16u) * 4u;
        const uint q0 = (LOAD_U32_EVEN(w, o) >> shift) & 0x0F0F0F0Fu;
        const uint q1 = (LOAD_U32_EVEN(w, o + 4u) >> shift) & 0x0F0F0F0Fu;
        const int s = DOT4(q0, x0) + DOT4(q1, x1) - 8 * (sum4(x0) + sum4(x1));
        sum += float(s) * Q4_0_D(w, b) * xd;
    }
    return sum;
}
#else
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
#endif
