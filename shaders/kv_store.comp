// Copies n rows of `width` floats into an f16 cache (a uint[] view): row r goes to the halves
// dstOff + (pos + r) · width ... Each invocation packs two values into one 32-bit word, so dstOff
// and width are even (checked by the host) and no two invocations touch the same word. The *_s16
// variant stores fp16 pairs with 16-bit storage instead of packing them into a uint.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer S { float src[]; };  // [n][width] at srcOff
#ifdef LAMP_STORAGE16
layout(std430, binding = 1) buffer C { f16vec2 cache[]; };        // halves, in pairs
#else
layout(std430, binding = 1) buffer C { uint cache[]; };           // halves
#endif
layout(push_constant) uniform Push { uint n; uint width; uint pos; uint srcOff; uint dstOff; } p;
void main() {
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;  // word index in the copy
    if (i >= p.n * p.width / 2u) return;
    const vec2 v = vec2(src[p.srcOff + 2u * i], src[p.srcOff + 2u * i + 1u]);
#ifdef LAMP_STORAGE16
    cache[(p.dstOff + p.pos * p.width) / 2u + i] = f16vec2(v);
#else
    cache[(p.dstOff + p.pos * p.width) / 2u + i] = packHalf2x16(v);
#endif
}
