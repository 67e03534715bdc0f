// Matrix products of weights stored in their own format (F32, F16, BF16, Q4_0 ... Q6_K) with float
// activations, directly on the quantized blocks: no dequantized copy of a weight matrix is made.
#pragma once

#include "quant/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace lamp::cpu {

class ThreadPool;

// A weight matrix as it lies in the mapped file: `rows` rows of `cols` values, each row
// rowBytes(type, cols) bytes, rows contiguous. Blocks may be only 2-byte aligned.
struct WeightMatrix {
    TensorType type = TensorType::F32;
    const std::byte* data = nullptr;
    int64_t rows = 0;  // output features
    int64_t cols = 0;  // input features (the row length)
};

// y[t][r] = Σ_c W[r][c] · x[t][c] for t < nTokens, r < rows.
// x: [nTokens][cols] floats, y: [nTokens][rows] floats (row-major, no padding).
// nTokens == 1 is the decode case (matrix-vector); larger batches are prompt processing.
// Throws FormatError for a type it cannot multiply.
void matmul(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool);

} // namespace lamp::cpu
