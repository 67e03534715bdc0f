// Matrix-vector product with Q6_K weights (see matvec.glsl and block_k.glsl). Each invocation
// takes 16-value groups in turn: d·sc·Σ (q − 32)·x.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_k.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols/256] blocks, padded
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint blocksPerRow = p.cols / QK_K;
    const uint groups = blocksPerRow * 16u;
    float sum = 0.0;
    for (uint c = tid; c < groups; c += MV_THREADS) {
        const uint b = r * blocksPerRow + c / 16u;
        const uint g = c % 16u;
        const uint base = b * Q6_K_BYTES;
        const uint xk = xBase + c * 16u;
        // Value v = 128c' + 32k + l' (here v = 16g + l): low nibble (k < 2) or high nibble of
        // ql[64c' + 32(k%2) + l'], high 2 bits = bits 2k..2k+1 of qh[32c' + l'].
        const uint half_ = g / 8u, k = (g % 8u) / 2u, l0 = 16u * (g % 2u);
        const uint ql = base + 64u * half_ + 32u * (k % 2u) + l0;
        const uint qh = base + 128u + 32u * half_ + l0;
        const uint lowShift = 4u * (k / 2u);
        const uint highShift = 2u * k;
        float qx = 0.0;
        for (uint l = 0u; l < 16u; ++l) {
            const uint q = ((LOAD_U8(w, ql + l) >> lowShift) & 15u) | (((LOAD_U8(w, qh + l) >> highShift) & 3u) << 4u);
            qx += (float(q) - 32.0) * x[xk + l];
        }
        const float sc = float(LOAD_I8(w, base + 192u + g));
        sum += LOAD_F16(w, base / 2u + 104u) * sc * qx;
    }
    return sum;
}
