// out[i] = GELU(a[i]), tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). tanh is
// written with exp on a clamped argument, so large |x| cannot overflow to NaN. out may be a.
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
    const float u = clamp(0.79788456080286535588 * x * (1.0 + 0.044715 * x * x), -15.0, 15.0);
    const float t = 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
    o[p.outOff + i] = 0.5 * x * (1.0 + t);
}
