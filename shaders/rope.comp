// Rotary position embedding, in place, over x = [tokens][heads][headDim] at xOff; token t is at
// position startPos + t. One invocation per rotated pair: normal mode rotates (x[2i], x[2i+1]),
// neox mode (x[i], x[i + nRot/2]). The angle of pair i is pos · f_i turns, f_i = freqScale ·
// base^(−2i/nRot) / factor_i / 2π. The host gives the fraction of f_i as a 64-bit fixed-point
// number (ropeTable(), computed in double), so frac(pos · f_i) is exact integer arithmetic mod 2^64
// and the angle keeps float accuracy at any position (a float angle would lose it past ~1000).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer F { uvec2 turns[]; };  // [nRot/2] (lo, hi) words at tableOff
layout(push_constant) uniform Push {
    uint tokens; uint heads; uint headDim; uint nRot; uint startPos; uint xOff; uint tableOff; uint neox;
} p;
void main() {
    const uint pairs = p.nRot / 2u;
    const uint i = flatWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (i >= p.tokens * p.heads * pairs) return;
    const uint pr = i % pairs;
    const uint th = i / pairs;  // token * heads + head
    const uint t = th / p.heads;
    const uint base = p.xOff + th * p.headDim;
    const uint a = p.neox != 0u ? pr : 2u * pr;
    const uint b = p.neox != 0u ? pr + pairs : 2u * pr + 1u;
    const uvec2 f = turns[p.tableOff + pr];
    const uint pos = p.startPos + t;
    uint carry, low;
    umulExtended(pos, f.x, carry, low);
    const uint high = carry + pos * f.y;  // (pos · F) mod 2^64, upper word: the turn fraction
    const float r = (float(int(high)) + float(low) * 2.3283064365386963e-10) * 1.4629180792671596e-9;  // · 2π / 2^32
    const float c = cos(r), s = sin(r);
    const float x0 = x[base + a], x1 = x[base + b];
    x[base + a] = x0 * c - x1 * s;
    x[base + b] = x0 * s + x1 * c;
}
