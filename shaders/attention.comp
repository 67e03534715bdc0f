// Causal grouped-query attention over an fp16 KV cache (plain path: the cache is read through
// 32-bit words and unpacked with unpackHalf2x16; the *_s16 variants read fp16 elements with
// 16-bit storage). One workgroup per
// (query token, query head); positions are processed in tiles of 128 with an online softmax:
// each invocation scores one position of the tile, then every invocation accumulates its output
// dimensions over the tile's weighted value rows, rescaling by e^(m_old − m_new).
//   q:   [tokens][heads][dk] floats at qOff     K: [ctx][kvHeads][dk] halves at kOff
//   out: [tokens][heads][dv] floats at outOff   V: [ctx][kvHeads][dv] halves at vOff
// Token t (position startPos + t) sees positions 0 .. startPos + t; head h reads KV head
// h / (heads / kvHeads). dk, dv ≤ 256.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer Q { float q[]; };
#ifdef LAMP_STORAGE16
layout(std430, binding = 1) readonly buffer K { float16_t kc[]; };
layout(std430, binding = 2) readonly buffer V { float16_t vc[]; };
#else
layout(std430, binding = 1) readonly buffer K { uint kc[]; };
layout(std430, binding = 2) readonly buffer V { uint vc[]; };
#endif
layout(std430, binding = 3) buffer Out { float o[]; };
layout(push_constant) uniform Push {
    uint tokens; uint heads; uint kvHeads; uint dk; uint dv; uint startPos;
    uint qOff; uint kOff; uint vOff; uint outOff; float scale;
} p;
shared float qs[256];
shared float w[128];    // this tile's weights e^(s − m)
shared float red[128];  // reductions
void main() {
    const uint th = flatWorkgroup();
    if (th >= p.tokens * p.heads) return;  // uniform per workgroup
    const uint tid = gl_LocalInvocationID.x;
    const uint t = th / p.heads, h = th % p.heads;
    const uint g = h / (p.heads / p.kvHeads);
    const uint visible = p.startPos + t + 1u;
    for (uint d = tid; d < p.dk; d += 128u) qs[d] = q[p.qOff + th * p.dk + d];
    barrier();

    float m = -3.402823466e38;  // running maximum (finite: the first tile always has a position)
    float l = 0.0;              // running Σ e^(s − m)
    float acc0 = 0.0, acc1 = 0.0;  // output dims tid and tid + 128
    for (uint j0 = 0u; j0 < visible; j0 += 128u) {
        const uint j = j0 + tid;
        float s = -3.402823466e38;
        if (j < visible) {
            const uint kBase = p.kOff + (j * p.kvHeads + g) * p.dk;
            float dot = 0.0;
            for (uint d = 0u; d < p.dk; ++d) dot += qs[d] * F16_AT(kc, kBase + d);
            s = p.scale * dot;
        }
        red[tid] = s;
        barrier();
        for (uint r = 64u; r > 0u; r >>= 1u) {
            if (tid < r) red[tid] = max(red[tid], red[tid + r]);
            barrier();
        }
        const float mNew = max(m, red[0]);
        barrier();
        const float e = j < visible ? exp(s - mNew) : 0.0;
        w[tid] = e;
        red[tid] = e;
        barrier();
        for (uint r = 64u; r > 0u; r >>= 1u) {
            if (tid < r) red[tid] += red[tid + r];
            barrier();
        }
        const float correction = exp(m - mNew);
        l = l * correction + red[0];
        m = mNew;
        acc0 *= correction;
        acc1 *= correction;
        const uint count = min(128u, visible - j0);
        for (uint jj = 0u; jj < count; ++jj) {
            const uint vBase = p.vOff + ((j0 + jj) * p.kvHeads + g) * p.dv;
            const float wj = w[jj];
            if (tid < p.dv) acc0 += wj * F16_AT(vc, vBase + tid);
            if (tid + 128u < p.dv) acc1 += wj * F16_AT(vc, vBase + tid + 128u);
        }
        barrier();  // w and red are rewritten by the next tile
    }
    const float inv = 1.0 / l;
    const uint oBase = p.outOff + th * p.dv;
    if (tid < p.dv) o[oBase + tid] = acc0 * inv;
    if (tid + 128u < p.dv) o[oBase + tid + 128u] = acc1 * inv;
}
