// Tiled matrix-matrix product with q8_0 weights (see matmul.glsl and block_q8_0.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "block_q8_0.glsl"
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };
#ifdef LAMP_STORAGE8
#extension GL_EXT_shader_8bit_storage : require
layout(std430, binding = 0) readonly buffer Wt8 { int8_t w8[]; };  // the same blocks, bytewise
#undef Q8_0_Q
#define Q8_0_Q(BUF, b, j) int(w8[(b) * Q8_0_BYTES + 2u + (j)])
#endif
#include "matmul.glsl"
void dequant16(uint r, uint k0, out float v[16]) {
    const uint b = r * (p.cols / Q8_0_VALUES) + k0 / Q8_0_VALUES, v0 = k0 % Q8_0_VALUES;
    const float d = Q8_0_D(w, b);
    for (uint i = 0u; i < 16u; ++i) v[i] = float(Q8_0_Q(w, b, v0 + i)) * d;
}
