// Matrix-vector product with Q5_0 weights (see matvec.glsl and block_q4_q5.glsl), over 8-value
// quarters of blocks. With LAMP_INTEGER_DOT the activations are 8-bit blocks and the 5-bit codes
// (nibble | fifth bit << 4, 0..31) are dotted with them in packed form:
// Σ (q − 16)·d·x = d·dx·(Σ q·xq − 16·Σ xq).
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
        const uint o = b * Q5_0_BYTES + 6u + (v0 % 16u), shift = (v0 / 16u) * 4u;
        uint q0 = (LOAD_U32_EVEN(w, o) >> shift) & 0x0F0F0F0Fu;
        uint q1 = (LOAD_U32_EVEN(w, o + 4u) >> shift) & 0x0F0F0F0Fu;
        const uint hb = (Q5_0_QH(w, b) >> v0) & 0xFFu;  // the fifth bits of the 8 values, into bit 4 of each byte
        q0 |= spreadBits4(hb);
        q1 |= spreadBits4(hb >> 4u);
        const int s = DOT4(q0, x0) + DOT4(q1, x1) - 16 * (sum4(x0) + sum4(x1));
        sum += float(s) * Q5_0_D(w, b) * xd;
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
        const uint qs = b * Q5_0_BYTES + 6u;
        const uint qh = Q5_0_QH(w, b);
        float part = 0.0;
        for (uint j = 0u; j < 8u; ++j) {
            const uint v = v0 + j;
            const uint q = NIBBLE(w, qs, v) | (((qh >> v) & 1u) << 4u);
            part += (float(q) - 16.0) * x[xk + j];
        }
        sum += part * Q5_0_D(w, b);
    }
    return sum;
}
#endif
