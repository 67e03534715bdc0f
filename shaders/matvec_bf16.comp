// Matrix-vector product with BF16 weights (see matvec.glsl), read through 32-bit words: rows are
// only 2-byte aligned. A bf16 value is the top half of a float.
#version 450
#extension GL_GOOGLE_include_directive : require
layout(std430, binding = 0) readonly buffer Wt { uint w[]; };  // [rows][cols] bf16, padded
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint wBase = r * p.cols;
    float sum = 0.0;
    for (uint k = tid; k < p.cols; k += MV_THREADS)
        sum += uintBitsToFloat(LOAD_U16(w, wBase + k) << 16) * x[xBase + k];
    return sum;
}
