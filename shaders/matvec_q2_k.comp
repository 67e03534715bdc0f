// Matrix-vector product with Q2_K weights (see matvec.glsl and block_k.glsl). Each invocation
// takes 16-value groups in turn: Σ (d·sc·q − dmin·mn)·x = d·sc·Σ q·x − dmin·mn·Σ x.
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
        const uint base = b * Q2_K_BYTES;
        const uint xk = xBase + c * 16u;
        // value v = 128c' + 32j + 16h + l is bits 2j..2j+1 of qs[32c' + 16h + l]; here v = 16g + l.
        const uint qs = base + 16u + 32u * (g / 8u) + 16u * (g % 2u);
        const uint shift = 2u * ((g % 8u) / 2u);
        float qx = 0.0, sx = 0.0;
        for (uint l = 0u; l < 16u; ++l) {
            const float xv = x[xk + l];
            qx += float((LOAD_U8(w, qs + l) >> shift) & 3u) * xv;
            sx += xv;
        }
        const uint sm = LOAD_U8(w, base + g);
        const float d = LOAD_F16(w, base / 2u + 40u);
        const float dmin = LOAD_F16(w, base / 2u + 41u);
        sum += d * float(sm & 15u) * qx - dmin * float(sm >> 4u) * sx;
    }
    return sum;
}
