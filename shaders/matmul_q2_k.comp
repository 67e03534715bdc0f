// Tiled matrix-matrix product with q2_k weights (see matmul.glsl and block_k.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_k.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint b = r * (p.cols / QK_K) + k0 / QK_K, g = (k0 % QK_K) / 16u;
    const uint base = b * Q2_K_BYTES;
    const uint qs = base + 16u + 32u * (g / 8u) + 16u * (g % 2u);
    const uint shift = 2u * ((g % 8u) / 2u);
    const uint sm = LOAD_U8(w, base + g);
    const float scale = LOAD_F16(w, base / 2u + 40u) * float(sm & 15u);
    const float offset = LOAD_F16(w, base / 2u + 41u) * float(sm >> 4u);
    for (uint l = 0u; l < 16u; ++l) v[l] = scale * float((LOAD_U8(w, qs + l) >> shift) & 3u) - offset;
}
