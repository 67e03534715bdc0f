// Matrix-vector product with Q3_K weights (see matvec.glsl and block_k.glsl). Each invocation
// takes 16-value groups in turn: Σ d·(sc − 32)·q·x = d·(sc − 32)·Σ q·x.
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
        const uint base = b * Q3_K_BYTES;
        const uint xk = xBase + c * 16u;
        // Low bits as Q2_K; the high bit of value v is bit v/32 of hmask[v % 32], clear = −4.
        const uint qs = base + 32u + 32u * (g / 8u) + 16u * (g % 2u);
        const uint shift = 2u * ((g % 8u) / 2u);
        const uint hm = base + 16u * (g % 2u);
        const uint hbit = g / 2u;
        float qx = 0.0;
        for (uint l = 0u; l < 16u; ++l) {
            const int low = int((LOAD_U8(w, qs + l) >> shift) & 3u);
            const int q = low - (((LOAD_U8(w, hm + l) >> hbit) & 1u) != 0u ? 0 : 4);
            qx += float(q) * x[xk + l];
        }
        const int sc = int(Q3_K_SCALE(w, base + 96u, g)) - 32;
        sum += LOAD_F16(w, base / 2u + 54u) * float(sc) * qx;
    }
    return sum;
}
