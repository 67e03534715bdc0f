// Tiled matrix-matrix product with f16 weights (see matmul.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#ifdef LAMP_STORAGE16
layout(std430, binding = 0) readonly buffer Wt { float16_t w[]; };
#else
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#endif
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint base = r * p.cols + k0;
    for (uint i = 0u; i < 16u; ++i) v[i] = F16_AT(w, base + i);
}
