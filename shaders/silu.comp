// out[i] = silu(a[i]) = a / (1 + e^−a) for i < n (elementwise; out may be a).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) buffer Out { float o[]; };
layout(push_constant) uniform Push { uint n; uint aOff; uint outOff; } p;
void main() {
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (i >= p.n) return;
    const float x = a[p.aOff + i];
    o[p.outOff + i] = x / (1.0 + exp(-x));
}
