// Activations to 8-bit blocks for the integer-dot matrix-vector kernels (matvec_*_dot): each run
// of 32 values of a token becomes d = max|x| / 127 and codes round(x / d) in −127..127, packed
// four to a word (as the CPU's decode kernels quantize their activations). One invocation per block.
//   x:   [tokens][xStride] floats at xOff (cols of them used)
//   out: [tokens][cols / 4] words of codes, then [tokens][cols / 32] scales d
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer QC { uint codes[]; };
layout(std430, binding = 1) writeonly buffer QS { float scales[]; };
layout(push_constant) uniform Push { uint cols; uint tokens; uint xOff; uint xStride; } p;
void main() {
    const uint blocksPerToken = p.cols / 32u;
    const uint i = flatWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (i >= p.tokens * blocksPerToken) return;
    const uint t = i / blocksPerToken, b = i % blocksPerToken;
    const uint base = p.xOff + t * p.xStride + b * 32u;
    float amax = 0.0;
    for (uint j = 0u; j < 32u; ++j) amax = max(amax, abs(x[base + j]));
    const float d = amax / 127.0;
    const float inv = d > 0.0 ? 1.0 / d : 0.0;
    for (uint w = 0u; w < 8u; ++w) {
        uint word = 0u;
        for (uint k = 0u; k < 4u; ++k) {
            const int q = clamp(int(round(x[base + 4u * w + k] * inv)), -127, 127);
            word |= (uint(q) & 0xFFu) << (8u * k);
        }
        codes[t * (p.cols / 4u) + b * 8u + w] = word;
    }
    scales[p.tokens * (p.cols / 4u) + i] = d;
}
