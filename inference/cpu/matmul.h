// Matrix products of weights stored in their own format (F32, F16, BF16, Q4_0 ... Q6_K) with float
// activations, directly on the quantized blocks: no dequantized copy of a weight matrix is made.
//
// How (details in kernels.h): for quantized weights the activations are quantized once per call to
// 8-bit blocks and the products are integer dot products on the blocks. Few tokens (decode) run
// per-row dot products on the rows where they lie; from 12 tokens on, tiles of 16 weight rows are
// unpacked into one 8-bit layout and multiplied with every token by a register-tiled GEMM kernel.
// The kernels come in three families chosen at run time (cpu_features.h: portable, AVX2, AVX-512
// VNNI; LAMPLIGHT_CPU_ISA overrides). Error against exact float arithmetic: NMSE about 1e-4 for
// the quantized formats (the 8-bit activations), about 1e-13 for F32/F16/BF16 (float activations).
#pragma once

#include "cpu/interleave.h"
#include "quant/tensor_type.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace lamp::cpu {

class ThreadPool;

// A weight matrix as it lies in the mapped file: `rows` rows of `cols` values, each row
// rowBytes(type, cols) bytes, rows contiguous. Blocks may be only 2-byte aligned. The CPU backend
// may rearrange a Q4_0/Q5_0 matrix in its private copy (layout Interleaved4, cpu/interleave.h):
// same bytes per group of four rows, faster decode kernels, the same results bit for bit.
struct WeightMatrix {
    TensorType type = TensorType::F32;
    const std::byte* data = nullptr;
    int64_t rows = 0;  // output features
    int64_t cols = 0;  // input features (the row length)
    WeightLayout layout = WeightLayout::Rows;
};

// y[t][r] = Σ_c W[r][c] · x[t][c] for t < nTokens, r < rows.
// x: [nTokens][cols] floats, y: [nTokens][rows] floats (row-major, no padding); y must not overlap
// x. nTokens == 1 is the decode case (matrix-vector); larger batches are prompt processing. Rows
// are split over the pool's threads; the result does not depend on the thread count. Scratch
// buffers are per thread and reused, so calls from different threads (with different pools) do
// not interfere.
// Throws FormatError for a type it cannot multiply (Q8_1, Q8_K, unknown) or a row length that is
// not a multiple of the type's block size.
void matmul(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool);

// ys[i] = ws[i] · x for matrices with the same row length (the q, k and v projections; gate and
// up), bit for bit what matmul computes for each, but decode splits the rows of all of them over
// the threads in one pass: one wait for the threads instead of one per matrix, and small matrices
// (the k and v projections of grouped-query models) no longer leave threads idle at their ends.
// ys[i] is [nTokens][ws[i]->rows]. Throws as matmul does, and FormatError for different row lengths.
void matmulShared(std::span<const WeightMatrix* const> ws, const float* x, int64_t nTokens,
                  std::span<float* const> ys, ThreadPool& pool);

} // namespace lamp::cpu
