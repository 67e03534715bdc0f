// The frame of every tiled matrix-matrix kernel, for prompt batches: y[t][rowBase + r] =
// Σ_k W[r][k] · x[t][k] over a tile of MM_ROWS weight rows × MM_TOKENS tokens per workgroup. The
// tile walks the row length MM_K values at a time: the weights are decoded once into shared
// memory (each weight value is read once per MM_TOKENS tokens, not once per token as in the
// matrix-vector kernels), the activations are staged beside them, and each of the 256
// invocations accumulates a 4 × 2 block of outputs in registers. The row length must be a multiple
// of MM_K (32: every quantized format's blocks are 32 or 256 values; the host sends other float
// matrices to the matrix-vector kernels). The including shader declares binding 0 (the weights)
// and then defines dequant16(), which decodes 16 consecutive values of a row.
// With LAMP_FLOAT16 (the *_f16 variants, for devices with fp16 arithmetic; not used for F32 and
// BF16 weights, whose values fp16 would round or overflow) the weight tile is kept in shared memory
// as fp16: half the shared memory and its traffic. Decoded quantized values are rounded to fp16
// (relative error ≤ 2⁻¹¹, far inside the matrix-product tolerance) and clamped to its range.
#ifndef LAMP_MATMUL_GLSL
#define LAMP_MATMUL_GLSL
#include "common.glsl"

layout(local_size_x = 256) in;
const uint MM_ROWS = 64u;
const uint MM_TOKENS = 32u;  // must match kMatMulTokens in inference/vulkan/ops.cpp
const uint MM_K = 32u;

layout(std430, binding = 1) readonly buffer X { float x[]; };  // [tokens][xStride] at xOff
layout(std430, binding = 2) buffer Y { float y[]; };            // [tokens][yStride] at yOff
layout(push_constant) uniform Push {
    uint cols;     // row length (values), a multiple of MM_K
    uint rows;     // rows in this weight piece
    uint tokens;
    uint xOff;
    uint xStride;
    uint yOff;
    uint yStride;
    uint rowBase;  // first row of this piece in the whole matrix
    uint accumulate;  // 1: y += the product (a residual connection fused in), 0: y = it
} p;

#ifdef LAMP_FLOAT16
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
shared float16_t mmW[MM_K][MM_ROWS + 1u];  // [k][row] (+1: no bank conflicts on the transposed store)
#define MM_STORE_W(v) float16_t(clamp((v), -65504.0, 65504.0))
#else
shared float mmW[MM_K][MM_ROWS + 1u];    // [k][row] (+1: no bank conflicts on the transposed store)
#define MM_STORE_W(v) (v)
#endif
shared float mmX[MM_K][MM_TOKENS + 1u];  // [k][token]

// Values k0 .. k0+15 of row r of this piece (k0 a multiple of 16).
void dequant16(uint r, uint k0, out float v[16]);

void main() {
    const uint r0 = flatWorkgroup() * MM_ROWS;
    const uint t0 = gl_WorkGroupID.z * MM_TOKENS;
    if (r0 >= p.rows || t0 >= p.tokens) return;  // uniform per workgroup
    const uint tid = gl_LocalInvocationID.x;
    const uint tr = tid % 16u, tt = tid / 16u;  // this invocation: rows tr + 16i, tokens tt + 16j
    float acc[4][2];
    for (uint i = 0u; i < 4u; ++i) acc[i][0] = acc[i][1] = 0.0;

    for (uint k0 = 0u; k0 < p.cols; k0 += MM_K) {
        // Weights: MM_ROWS rows × two 16-value groups, one group per invocation of the first 128.
        if (tid < 2u * MM_ROWS) {
            const uint row = tid / 2u, half_ = tid % 2u;
            float v[16];
            if (r0 + row < p.rows) {
                dequant16(r0 + row, k0 + 16u * half_, v);
            } else {
                for (uint i = 0u; i < 16u; ++i) v[i] = 0.0;
            }
            for (uint i = 0u; i < 16u; ++i) mmW[16u * half_ + i][row] = MM_STORE_W(v[i]);
        }
        // Activations: MM_TOKENS × MM_K floats, four per invocation.
        for (uint i = 0u; i < 4u; ++i) {
            const uint idx = tid * 4u + i;
            const uint t = idx / MM_K, k = idx % MM_K;
            mmX[k][t] = t0 + t < p.tokens ? x[p.xOff + (t0 + t) * p.xStride + k0 + k] : 0.0;
        }
        barrier();
        for (uint k = 0u; k < MM_K; ++k) {
            const float b0 = mmX[k][tt], b1 = mmX[k][tt + 16u];
            for (uint i = 0u; i < 4u; ++i) {
                const float a = float(mmW[k][tr + 16u * i]);
                acc[i][0] += a * b0;
                acc[i][1] += a * b1;
            }
        }
        barrier();
    }
    for (uint i = 0u; i < 4u; ++i) {
        const uint r = r0 + tr + 16u * i;
        if (r >= p.rows) continue;
        for (uint j = 0u; j < 2u; ++j) {
            const uint t = t0 + tt + 16u * j;
            const uint at = p.yOff + t * p.yStride + p.rowBase + r;
            if (t < p.tokens) y[at] = p.accumulate != 0u ? y[at] + acc[i][j] : acc[i][j];
        }
    }
}

#endif
