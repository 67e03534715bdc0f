// The Vulkan kernels, recorded into a Recorder. Every operation works on float buffers addressed
// by element offsets (so one buffer can hold several tensors, and tests can put guard regions
// around outputs); weights are DeviceMatrix objects, split by rows into pieces that each fit in
// one buffer (Device::maxBufferBytes()).
#pragma once

#include "quant/tensor_type.h"
#include "vulkan/device.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace lamp::vulkan {

// A [rows][cols] weight matrix of any type recordMatVec() accepts, resident on the device.
struct DeviceMatrix {
    struct Piece {
        Buffer buffer;      // rows [firstRow, firstRow + rows) in the file's layout
        int64_t firstRow = 0;
        int64_t rows = 0;
    };
    TensorType type = TensorType::F32;
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<Piece> pieces;
};

// True for the weight types recordMatVec() accepts now: every type the CPU reads from a model
// file: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.
bool canMatVec(TensorType type);

// Uploads `rows` rows of `cols` values of `type` (rowBytes(type, cols) each, as GGUF stores them).
// FormatError for a type without a kernel; VulkanError when a single row does not fit a buffer or
// memory runs out.
DeviceMatrix uploadMatrix(Device& device, TensorType type, int64_t rows, int64_t cols, const void* data,
                          std::string_view label);

// out[i] = a[i] + b[i]                     (i < n; out may alias a or b)
void recordAdd(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& b, uint32_t bOff, const Buffer& out,
               uint32_t outOff, uint32_t n);
// out[i] = a[i]                            (i < n; out must not overlap a)
void recordCopy(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n);
// out[i] = a[i] · s
void recordScale(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n, float s);
// out[i] = a[i] / (1 + e^−a[i])
void recordSilu(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n);
// out[r] = x[r] / sqrt(mean(x[r]²) + eps) ⊙ w   (x, out: [rows][n]; w: [n])
void recordRmsNorm(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& w, uint32_t wOff, const Buffer& out,
                   uint32_t outOff, uint32_t n, uint32_t rows, float eps);
// y[t][r] = Σ_k W[r][k] · x[t][k]          (x: [tokens][cols] at xOff; y: [tokens][rows] at yOff)
// Decode-sized batches run the matrix-vector kernels (a few tokens per workgroup); prompt batches
// (usesTiledMatMul) the tiled matrix-matrix kernels, which decode each weight tile once into
// shared memory for 32 tokens.
bool usesTiledMatMul(const DeviceMatrix& w, uint32_t tokens);

// Activations quantized to 8-bit blocks for the integer-dot matrix-vector kernels: on devices with
// integer dot products, a decode-sized batch is quantized once (recordQuantizeQ8) and every
// matrix of a 32-value format (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) that multiplies it reads the codes
// four at a time with packed dot products — a quarter of the activation traffic and integer
// arithmetic, as the CPU's decode kernels do. Other formats keep reading the float activations.
struct QuantizedInput {
    const Buffer* buffer = nullptr;  // codes then scales (see quantize_q8.comp)
    uint32_t cols = 0;
    uint32_t tokens = 0;
};
// True when recordMatVec uses quantized activations (when given them) for `w` and a batch of
// `tokens` on this device: integer dot products enabled, a format above, a decode-sized batch.
bool usesIntegerDot(const Recorder& rec, const DeviceMatrix& w, uint32_t tokens);
// Bytes a QuantizedInput of [tokens][cols] needs (cols a multiple of 32).
uint64_t quantizedInputBytes(uint32_t cols, uint32_t tokens);
// Quantizes x[t][0..cols) (rows xStride apart from xOff) into `out`; the result names it.
QuantizedInput recordQuantizeQ8(Recorder& rec, const Buffer& x, uint32_t xOff, uint32_t xStride, uint32_t cols,
                                uint32_t tokens, const Buffer& out);

struct MatVecOptions {
    // The same activations as x, made by recordQuantizeQ8 from them: matrices of the formats
    // above then use the integer-dot kernels.
    const QuantizedInput* quantized = nullptr;
    // y += W·x instead of y = W·x: a residual connection without an add of its own (one pass
    // over y instead of three, one dispatch and barrier less).
    bool accumulate = false;
};
void recordMatVec(Recorder& rec, const DeviceMatrix& w, const Buffer& x, uint32_t xOff, const Buffer& y, uint32_t yOff,
                  uint32_t tokens, const MatVecOptions& options = {});

} // namespace lamp::vulkan
