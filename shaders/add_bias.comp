// out[r][i] = x[r][i] + b[i] for `rows` rows of n values (out may be x).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) buffer Out { float o[]; };
layout(push_constant) uniform Push { uint n; uint rows; uint xOff; uint bOff; uint outOff; } p;
void main() {
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (i >= p.n * p.rows) return;
    o[p.outOff + i] = x[p.xOff + i] + b[p.bOff + i % p.n];
}
