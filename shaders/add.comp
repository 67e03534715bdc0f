// out[i] = a[i] + b[i] for i < n (elementwise; out may be a or b).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) buffer Out { float o[]; };
layout(push_constant) uniform Push { uint n; uint aOff; uint bOff; uint outOff; } p;
void main() {
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (i >= p.n) return;
    o[p.outOff + i] = a[p.aOff + i] + b[p.bOff + i];
}
