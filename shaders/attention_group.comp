// Causal grouped-query attention, as attention.comp, but one workgroup per (query token, KV head)
// serving all G = heads / kvHeads query heads of the group (G ≤ 8, G · dk ≤ 2048, G · dv ≤ 2048),
// so each key and value row is read from memory once per group instead of once per query head.
// Positions go in tiles of 128 with an online softmax per head; invocation j scores position j of
// the tile for every head of the group; the flattened outputs (head, dim) are spread over the
// invocations (at most 16 each).
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
shared float qs[2048];     // [G][dk]
shared float w[8][128];    // this tile's weights per head
shared float red[128];
void main() {
    const uint tg = flatWorkgroup();
    if (tg >= p.tokens * p.kvHeads) return;  // uniform per workgroup
    const uint tid = gl_LocalInvocationID.x;
    const uint t = tg / p.kvHeads, g = tg % p.kvHeads;
    const uint G = p.heads / p.kvHeads;
    const uint visible = p.startPos + t + 1u;
    const uint qBase = p.qOff + (t * p.heads + g * G) * p.dk;  // the group's heads are contiguous
    for (uint e = tid; e < G * p.dk; e += 128u) qs[e] = q[qBase + e];
    barrier();

    float m[8], l[8], acc[16];
    for (uint h = 0u; h < 8u; ++h) { m[h] = -3.402823466e38; l[h] = 0.0; }
    for (uint k = 0u; k < 16u; ++k) acc[k] = 0.0;
    const uint outs = G * p.dv;
    for (uint j0 = 0u; j0 < visible; j0 += 128u) {
        const uint j = j0 + tid;
        float s[8];
        for (uint h = 0u; h < 8u; ++h) s[h] = 0.0;
        if (j < visible) {
            const uint kBase = p.kOff + (j * p.kvHeads + g) * p.dk;
            for (uint d = 0u; d < p.dk; ++d) {
                const float kv = F16_AT(kc, kBase + d);
                for (uint h = 0u; h < G; ++h) s[h] += qs[h * p.dk + d] * kv;
            }
        }
        float corr[8];
        for (uint h = 0u; h < G; ++h) {
            const float sh = j < visible ? p.scale * s[h] : -3.402823466e38;
            red[tid] = sh;
            barrier();
            for (uint r = 64u; r > 0u; r >>= 1u) {
                if (tid < r) red[tid] = max(red[tid], red[tid + r]);
                barrier();
            }
            const float mNew = max(m[h], red[0]);
            barrier();
            const float e = j < visible ? exp(sh - mNew) : 0.0;
            w[h][tid] = e;
            red[tid] = e;
            barrier();
            for (uint r = 64u; r > 0u; r >>= 1u) {
                if (tid < r) red[tid] += red[tid + r];
                barrier();
            }
            corr[h] = exp(m[h] - mNew);
            l[h] = l[h] * corr[h] + red[0];
            m[h] = mNew;
            barrier();
        }
        const uint count = min(128u, visible - j0);
        for (uint k = 0u; k < 16u; ++k) {
            const uint e = tid + 128u * k;
            if (e >= outs) break;
            const uint h = e / p.dv, d = e % p.dv;
            float a = acc[k] * corr[h];
            for (uint jj = 0u; jj < count; ++jj)
                a += w[h][jj] * F16_AT(vc, p.vOff + ((j0 + jj) * p.kvHeads + g) * p.dv + d);
            acc[k] = a;
        }
        barrier();  // w and red are rewritten by the next tile
    }
    const uint oBase = p.outOff + (t * p.heads + g * G) * p.dv;
    for (uint k = 0u; k < 16u; ++k) {
        const uint e = tid + 128u * k;
        if (e >= outs) break;
        o[oBase + e] = acc[k] / l[e / p.dv];
    }
}
