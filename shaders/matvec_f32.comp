// Matrix-vector product with F32 weights (see matvec.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
layout(std430, binding = 0) readonly buffer Wt { float w[]; };  // [rows][cols]
#include "matvec.glsl"
float partialDot(uint r, uint xBase, uint tid) {
    const uint wBase = r * p.cols;
    float sum = 0.0;
    for (uint k = tid; k < p.cols; k += MV_THREADS) sum += w[wBase + k] * x[xBase + k];
    return sum;
}
