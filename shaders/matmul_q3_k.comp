// Tiled matrix-matrix product with q3_k weights (see matmul.glsl and block_k.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_k.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint b = r * (p.cols / QK_K) + k0 / QK_K, g = (k0 % QK_K) / 16u;
    const uint base = b * Q3_K_BYTES;
    const uint qs = base + 32u + 32u * (g / 8u) + 16u * (g % 2u);
    const uint shift = 2u * ((g % 8u) / 2u);
    const uint hm = base + 16u * (g % 2u);
    const uint hbit = g / 2u;
    const float scale = LOAD_F16(w, base / 2u + 54u) * float(int(Q3_K_SCALE(w, base + 96u, g)) - 32);
    for (uint l = 0u; l < 16u; ++l) {
        const int low = int((LOAD_U8(w, qs + l) >> shift) & 3u);
        v[l] = scale * float(low - (((LOAD_U8(w, hm + l) >> hbit) & 1u) != 0u ? 0 : 4));
    }
}
