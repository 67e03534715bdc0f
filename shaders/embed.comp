// Embedding lookup: out[t] = row ids[t] of a table piece, dequantized to floats. The table is read
// through a uint[] view (rows are rowBytes long; Q8_0 blocks are 34 bytes, 2-byte aligned). A
// piece holds rows [rowBase, rowBase + rows); tokens whose id lies outside it are left to the
// other pieces' dispatches. One workgroup per token. type: 0 F32, 1 F16, 2 Q8_0.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer T { uint tab[]; };
layout(std430, binding = 1) readonly buffer I { uint ids[]; };  // [tokens] at idsOff
layout(std430, binding = 2) buffer Out { float o[]; };          // [tokens][cols] at outOff
layout(push_constant) uniform Push {
    uint cols; uint tokens; uint type; uint rowBytes; uint rowBase; uint rows; uint idsOff; uint outOff;
} p;
void main() {
    const uint t = flatWorkgroup();
    if (t >= p.tokens) return;
    const uint id = ids[p.idsOff + t];
    if (id < p.rowBase || id - p.rowBase >= p.rows) return;
    const uint rowByte = (id - p.rowBase) * p.rowBytes;
    const uint oBase = p.outOff + t * p.cols;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += 128u) {
        float v;
        if (p.type == 0u) {
            v = uintBitsToFloat(tab[rowByte / 4u + c]);
        } else if (p.type == 1u) {
            v = LOAD_F16(tab, rowByte / 2u + c);
        } else {
            const uint block = rowByte + (c / 32u) * 34u;
            v = LOAD_F16(tab, block / 2u) * float(LOAD_I8(tab, block + 2u + c % 32u));
        }
        o[oBase + c] = v;
    }
}
