// The frame of every matrix-vector kernel: y[t][rowBase + r] = Σ_k W[r][k] · x[t][k] for the
// `rows` rows of one weight piece (large matrices are split by rows into pieces) and `tokens`
// activation rows. One workgroup of 128 invocations per (row, tile of MV_TOKENS tokens): the
// workgroup goes through its tokens one after another, so the row it multiplies is read from
// memory once per tile and from cache after that. Each invocation sums a strided part of the row
// in fp32 and the workgroup reduces: in shared memory (plain path), or with LAMP_SUBGROUP (the
// matvec_*_sg variants, for devices with subgroup arithmetic) by subgroupAdd and one shared-memory
// step across the subgroups.
// With LAMP_INTEGER_DOT (the matvec_*_dot variants of the 32-value formats, for devices with
// integer dot products) the activations come quantized to 8-bit blocks (quantize_q8.comp) and
// partialDot() multiplies codes four at a time with a packed dot product (OpSDot); the float
// scales are applied once per 8 values.
// The including shader declares binding 0 (the weights) and then defines partialDot(), whose
// second argument is the offset of the token's activations, or with LAMP_INTEGER_DOT the token.
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

#ifdef LAMP_INTEGER_DOT
#extension GL_EXT_spirv_intrinsics : require
// The quantized activations (see quantize_q8.comp): [tokens][cols / 4] words of four int8 codes,
// then [tokens][cols / 32] block scales d. Two views of the one buffer.
layout(std430, binding = 1) readonly buffer XQ { uint xq[]; };
layout(std430, binding = 1) readonly buffer XS { float xs[]; };
// OpSDot (SPV_KHR_integer_dot_product) on two words of four packed signed bytes; capabilities
// DotProduct (6019) and DotProductInput4x8BitPacked (6018); operand 0 = PackedVectorFormat4x8Bit.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int packedDot4x8(uint a, uint b, spirv_literal int packedFormat);
#define DOT4(a, b) packedDot4x8((a), (b), 0)
#else
layout(std430, binding = 1) readonly buffer X { float x[]; };  // [tokens][xStride] at xOff
#endif
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
    uint accumulate;  // 1: y += the product (a residual connection fused in), 0: y = it
} p;

shared float mvPartial[MV_THREADS];

float partialDot(uint r, uint xBase, uint tid);

#ifdef LAMP_INTEGER_DOT
// Word `word` of token t's codes; the scale of its 32-value block `block`.
uint xCodes(uint t, uint word) { return xq[t * (p.cols / 4u) + word]; }
float xScale(uint t, uint block) { return xs[p.tokens * (p.cols / 4u) + t * (p.cols / 32u) + block]; }
// Σ of the four signed codes packed in a word.
int sum4(uint codes) { return DOT4(codes, 0x01010101u); }
#endif

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
#ifdef LAMP_INTEGER_DOT
        const float sum = workgroupSum(partialDot(r, t, tid), tid);
#else
        const float sum = workgroupSum(partialDot(r, p.xOff + t * p.xStride, tid), tid);
#endif
        if (tid == 0u) {
            const uint at = p.yOff + t * p.yStride + p.rowBase + r;
            y[at] = p.accumulate != 0u ? y[at] + sum : sum;
        }
    }
}

#endif
