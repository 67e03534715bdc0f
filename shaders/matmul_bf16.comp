// Tiled matrix-matrix product with bf16 weights (see matmul.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint base = r * p.cols + k0;
    for (uint i = 0u; i < 16u; ++i) v[i] = uintBitsToFloat(LOAD_U16(w, base + i) << 16);
}
