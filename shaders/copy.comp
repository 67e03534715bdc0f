// out[outOff + i] = a[aOff + i] for i < n (moves floats between buffers, e.g. host-computed
// embeddings into the residual stream).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push { uint n; uint aOff; uint outOff; } p;
void main() {
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (i >= p.n) return;
    o[p.outOff + i] = a[p.aOff + i];
}
