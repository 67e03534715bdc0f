// Matrix-vector product with Q5_K weights (see matvec.glsl and block_k.glsl). Each invocation
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
        const uint base = b * Q5_K_BYTES;
        const uint xk = xBase + c * 16u;
        const uint l0 = 16u * (c % 2u);
        // Low 4 bits as Q4_K; the fifth bit of value 32j + l' is bit j of qh[l'].
        const uint qs = base + 48u + 32u * (j / 2u) + l0;
        const uint qh = base + 16u + l0;
        const uint shift = 4u * (j % 2u);
        float qx = 0.0, sx = 0.0;
        for (uint l = 0u; l < 16u; ++l) {
            const float xv = x[xk + l];
            const uint q = ((LOAD_U8(w, qs + l) >> shift) & 15u) | (((LOAD_U8(w, qh + l) >> j) & 1u) << 4u);
            qx += float(q) * xv;
            sx += xv;
        }
        const float d = LOAD_F16(w, base / 2u);
        const float dmin = LOAD_F16(w, base / 2u + 1u);
        sum += d * float(K4_SCALE(w, base + 4u, j)) * qx - dmin * float(K4_MIN(w, base + 4u, j)) * sx;
    }
    return sum;
}
