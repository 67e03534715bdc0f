// Tiled matrix-matrix product with q6_k weights (see matmul.glsl and block_k.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_k.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint b = r * (p.cols / QK_K) + k0 / QK_K, g = (k0 % QK_K) / 16u;
    const uint base = b * Q6_K_BYTES;
    const uint half_ = g / 8u, k = (g % 8u) / 2u, l0 = 16u * (g % 2u);
    const uint ql = base + 64u * half_ + 32u * (k % 2u) + l0;
    const uint qh = base + 128u + 32u * half_ + l0;
    const uint lowShift = 4u * (k / 2u);
    const uint highShift = 2u * k;
    const float scale = LOAD_F16(w, base / 2u + 104u) * float(LOAD_I8(w, base + 192u + g));
    for (uint l = 0u; l < 16u; ++l) {
        const uint q = ((LOAD_U8(w, ql + l) >> lowShift) & 15u) | (((LOAD_U8(w, qh + l) >> highShift) & 3u) << 4u);
        v[l] = scale * (float(q) - 32.0);
    }
}
