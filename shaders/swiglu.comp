// out[i] = silu(gate[i]) · up[i], silu(x) = x / (1 + e^−x). out may be gate or up.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer G { float gate[]; };
layout(std430, binding = 1) readonly buffer U { float up[]; };
layout(std430, binding = 2) buffer Out { float o[]; };
layout(push_constant) uniform Push { uint n; uint gOff; uint uOff; uint outOff; } p;
void main() {
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (i >= p.n) return;
    const float g = gate[p.gOff + i];
    o[p.outOff + i] = g / (1.0 + exp(-g)) * up[p.uOff + i];
}
