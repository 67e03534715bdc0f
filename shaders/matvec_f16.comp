// Matrix-vector product with F16 weights (see matvec.glsl), read through 32-bit words: rows are
// only 2-byte aligned; with 16-bit storage (the *_s16 variants) as fp16 elements.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#ifdef LAMP_STORAGE16
layout(std430, binding = 0) readonly buffer Wt { float16_t w[]; };  // [rows][cols] fp16
#else
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols] fp16, padded
#endif
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint wBase = r * p.cols;
    float sum = 0.0;
    for (uint k = tid; k < p.cols; k += MV_THREADS) sum += F16_AT(w, wBase + k) * x[xBase + k];
    return sum;
}
