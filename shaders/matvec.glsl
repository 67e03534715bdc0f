// The frame of every matrix-vector kernel: y[t][rowBase + r] = Σ_k W[r][k] · x[t][k] for the
// `rows` rows of one weight piece (large matrices are split by rows into pieces) and `tokens`
// activation rows. One workgroup of 128 invocations per (row, tile of MV_TOKENS tokens): the
// workgroup goes through its tokens one after another, so the row it multiplies is read from
// memory once per tile and from cache after that. Each invocation sums a strided part of the row
// in fp32 and the workgroup reduces: in shared memory (plain path), or with LAMP_SUBGROUP (the
// matvec_*_sg variants, for devices with subgroup arithmetic) by subgroupAdd and one shared-memory
// step across the subgroups.
// The including shader declares binding 0 (the weights) and then defines partialDot().
#ifndef LAMP_MATVEC_GLSL
#define LAMP_MATVEC_GLSL
#include "common.glsl"
#ifdef LAMP_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

layout(local_size_x = 128) in;
const uint MV_THREADS = 128u;
const uint MV_TOKENS = 8u;  // tokens per workgroup (must match kMatVecTokens in vulkan/ops.cpp)

layout(std430, binding = 1) readonly buffer X { float x[]; };  // [tokens][xStride] at xOff
layout(std430, binding = 2) buffer Y { float y[]; };            // [tokens][yStride] at yOff
layout(push_constant) uniform Push {
    uint cols;     // row length (values)
    uint rows;     // rows in this weight piece
    uint tokens;
    uint xOff;
    uint xStride;
    uint yOff;
    uint yStride;
    uint rowBase;  // first row of this piece in the whole matrix
} p;

shared float mvPartial[MV_THREADS];

float partialDot(uint r, uint xBase, uint tid);

// The sum of `v` over the workgroup, in every invocation; mvPartial is free again on return.
float workgroupSum(float v, uint tid) {
#ifdef LAMP_SUBGROUP
    const float s = subgroupAdd(v);
    if (subgroupElect()) mvPartial[gl_SubgroupID] = s;
    barrier();
    float total = 0.0;
    for (uint i = 0u; i < gl_NumSubgroups; ++i) total += mvPartial[i];
    barrier();
    return total;
#else
    mvPartial[tid] = v;
    barrier();
    for (uint s = MV_THREADS / 2u; s > 0u; s >>= 1u) {
        if (tid < s) mvPartial[tid] += mvPartial[tid + s];
        barrier();
    }
    const float total = mvPartial[0];
    barrier();
    return total;
#endif
}

void main() {
    const uint r = flatWorkgroup();
    const uint first = gl_WorkGroupID.z * MV_TOKENS;
    if (r >= p.rows || first >= p.tokens) return;  // uniform per workgroup
    const uint last = min(first + MV_TOKENS, p.tokens);
    const uint tid = gl_LocalInvocationID.x;
    for (uint t = first; t < last; ++t) {
        const float sum = workgroupSum(partialDot(r, p.xOff + t * p.xStride, tid), tid);
        if (tid == 0u) y[p.yOff + t * p.yStride + p.rowBase + r] = sum;
    }
}

#endif
