// Matrix-vector product with Q4_1 weights (see matvec.glsl and block_q4_q5.glsl):
// Σ (q·d + m)·x = d·Σ q·x + m·Σ x over 8-value quarters of blocks. With LAMP_INTEGER_DOT the
// activations are 8-bit blocks: d·dx·Σ q·xq + m·dx·Σ xq, Σ q·xq by packed dot products.
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
        const uint o = b * Q4_1_BYTES + 4u + (v0 % 16u), shift = (v0 / 16u) * 4u;
        uint q0 = (LOAD_U32_EVEN(w, o) >> shift) & 0x0F0F0F0Fu;
        uint q1 = (LOAD_U32_EVEN(w, o + 4u) >> shift) & 0x0F0F0F0Fu;
        const int s = DOT4(q0, x0) + DOT4(q1, x1);
        sum += (float(s) * Q4_1_D(w, b) + float(sum4(x0) + sum4(x1)) * Q4_1_M(w, b)) * xd;
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
#endif
