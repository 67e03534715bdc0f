// Matrix-vector product with Q8_0 weights (see matvec.glsl and block_q8_0.glsl). Each invocation
// takes 8-value quarters of blocks in turn; blocks are read through 32-bit words, or with 8-bit
// storage (the *_s8 variants) code by code. With LAMP_INTEGER_DOT the activations are 8-bit
// blocks too and each quarter is two packed dot products.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q8_0.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols/32] blocks, padded
#ifdef LAMP_STORAGE8
#extension GL_EXT_shader_8bit_storage : require
layout(std430, binding = 0) readonly buffer Wt8 { int8_t w8[]; };  // the same blocks, bytewise
#undef Q8_0_Q
#define Q8_0_Q(BUF, b, j) int(w8[(b) * Q8_0_BYTES + 2u + (j)])
#endif
#include "matvec.glsl"
#ifdef LAMP_INTEGER_DOT
float partialDot(uint r, uint t, uint tid) {
    const uint blocksPerRow = p.cols / Q8_0_VALUES;
    float sum = 0.0;
    for (uint c = tid; c < blocksPerRow * 4u; c += MV_THREADS) {
        const uint blk = c / 4u, b = r * blocksPerRow + blk;
        const uint o = b * Q8_0_BYTES + 2u + (c % 4u) * 8u;  // even: blocks are 34 bytes
        const int s = DOT4(LOAD_U32_EVEN(w, o), xCodes(t, 2u * c)) + DOT4(LOAD_U32_EVEN(w, o + 4u), xCodes(t, 2u * c + 1u));
        sum += float(s) * Q8_0_D(w, b) * xScale(t, blk);
    }
    return sum;
}
#else
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
#endif
