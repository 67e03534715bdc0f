// Matrix-vector product with Q4_K weights (see matvec.glsl and block_k.glsl). Each invocation
// takes 16-value halves of the 32-value groups in turn: d·sc·Σ q·x − dmin·mn·Σ x.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_k.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols/256] blocks, padded
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint blocksPerRow = p.cols / QK_K;
    const uint halves = blocksPerRow * 16u;
    float sum = 0.0;
    for (uint c = tid; c < halves; c += MV_THREADS) {
        const uint b = r * blocksPerRow + c / 16u;
        const uint j = (c % 16u) / 2u;  // 32-value group
        const uint base = b * Q4_K_BYTES;
        const uint xk = xBase + c * 16u;
        // Value 32j + l' is the low (j even) or high (j odd) nibble of qs[32(j/2) + l'].
        const uint qs = base + 16u + 32u * (j / 2u) + 16u * (c % 2u);
        const uint shift = 4u * (j % 2u);
        float qx = 0.0, sx = 0.0;
        for (uint l = 0u; l < 16u; ++l) {
            const float xv = x[xk + l];
            qx += float((LOAD_U8(w, qs + l) >> shift) & 15u) * xv;
            sx += xv;
        }
        const float d = LOAD_F16(w, base / 2u);
        const float dmin = LOAD_F16(w, base / 2u + 1u);
        sum += d * float(K4_SCALE(w, base + 4u, j)) * qx - dmin * float(K4_MIN(w, base + 4u, j)) * sx;
    }
    return sum;
}
