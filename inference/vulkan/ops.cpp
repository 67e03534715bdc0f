// Recording the kernels of ops.h: push constants and workgroup counts for each shader.
#include "vulkan/ops.h"

#include "core/error.h"
#include "vulkan/dispatch_groups.h"
#include "vulkan/kernel_variants.h"
#include "vulkan/vulkan_error.h"

#include <algorithm>
#include <string>

namespace lamp::vulkan {
namespace {

using detail::elementwiseGroups;
using detail::Groups;
using detail::groupsFor;

constexpr uint32_t kMatVecTokens = 8;    // tokens per matrix-vector workgroup (MV_TOKENS, matvec.glsl)
constexpr uint32_t kMatMulRows = 64;     // weight rows per tiled matrix-matrix workgroup (MM_ROWS, matmul.glsl)
constexpr uint32_t kMatMulTokens = 32;   // tokens per tiled workgroup (MM_TOKENS)
constexpr uint32_t kMatMulK = 32;        // the row length must be a multiple of this (MM_K)
// From this many tokens on, batches go to the tiled kernels (fewer and the tile is mostly empty).
constexpr uint32_t kMatMulMinTokens = 16;

std::string_view matVecKernel(TensorType type) {
    switch (type) {
    case TensorType::F32: return "matvec_f32";
    case TensorType::F16: return "matvec_f16";
    case TensorType::BF16: return "matvec_bf16";
    case TensorType::Q8_0: return "matvec_q8_0";
    case TensorType::Q4_0: return "matvec_q4_0";
    case TensorType::Q4_1: return "matvec_q4_1";
    case TensorType::Q5_0: return "matvec_q5_0";
    case TensorType::Q5_1: return "matvec_q5_1";
    case TensorType::Q2_K: return "matvec_q2_k";
    case TensorType::Q3_K: return "matvec_q3_k";
    case TensorType::Q4_K: return "matvec_q4_k";
    case TensorType::Q5_K: return "matvec_q5_k";
    case TensorType::Q6_K: return "matvec_q6_k";
    default: return {};
    }
}

bool hasIntegerDotKernel(TensorType type) {
    switch (type) {
    case TensorType::Q8_0:
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1: return true;
    default: return false;
    }
}

} // namespace

bool canMatVec(TensorType type) { return !matVecKernel(type).empty(); }

DeviceMatrix uploadMatrix(Device& device, TensorType type, int64_t rows, int64_t cols, const void* data,
                          std::string_view label) {
    if (!canMatVec(type))
        throw FormatError("Vulkan: no matrix-vector kernel for " + std::string(tensorTypeName(type)) + " weights yet (" +
                          std::string(label) + ")");
    const uint64_t rowSize = rowBytes(type, cols);
    const uint64_t limit = device.maxBufferBytes();
    if (rowSize > limit)
        throw VulkanError("Vulkan: one row of " + std::string(label) + " is larger than a buffer may be on " +
                          device.info().name + ": choose CPU");
    DeviceMatrix m;
    m.type = type;
    m.rows = rows;
    m.cols = cols;
    const int64_t rowsPerPiece = static_cast<int64_t>(limit / rowSize);
    const auto* bytes = static_cast<const std::byte*>(data);
    for (int64_t first = 0; first < rows; first += rowsPerPiece) {
        DeviceMatrix::Piece piece;
        piece.firstRow = first;
        piece.rows = std::min(rowsPerPiece, rows - first);
        const uint64_t size = static_cast<uint64_t>(piece.rows) * rowSize;
        piece.buffer = device.createBuffer(size, std::string(label) + " rows " + std::to_string(first) + "+" +
                                                     std::to_string(piece.rows));
        device.upload(piece.buffer, 0, bytes + static_cast<uint64_t>(first) * rowSize, size);
        m.pieces.push_back(std::move(piece));
    }
    return m;
}

void recordAdd(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& b, uint32_t bOff, const Buffer& out,
               uint32_t outOff, uint32_t n) {
    struct {
        uint32_t n, aOff, bOff, outOff;
    } push{n, aOff, bOff, outOff};
    const Groups g = elementwiseGroups(n);
    rec.dispatch("add", {{&a, Access::Read}, {&b, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

void recordCopy(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n) {
    detail::recordUnary(rec, "copy", a, aOff, out, outOff, n);
}

void recordScale(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n, float s) {
    struct {
        uint32_t n, aOff, outOff;
        float s;
    } push{n, aOff, outOff, s};
    const Groups g = elementwiseGroups(n);
    rec.dispatch("scale", {{&a, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

void recordSilu(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n) {
    detail::recordUnary(rec, "silu", a, aOff, out, outOff, n);
}

void recordRmsNorm(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& w, uint32_t wOff, const Buffer& out,
                   uint32_t outOff, uint32_t n, uint32_t rows, float eps) {
    struct {
        uint32_t n, rows;
        float eps;
        uint32_t xOff, wOff, outOff;
    } push{n, rows, eps, xOff, wOff, outOff};
    const Groups g = groupsFor(rows);
    rec.dispatch("rms_norm", {{&x, Access::Read}, {&w, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

bool usesTiledMatMul(const DeviceMatrix& w, uint32_t tokens) {
    return tokens >= kMatMulMinTokens && w.cols % kMatMulK == 0 && canMatVec(w.type);
}

bool usesIntegerDot(const Recorder& rec, const DeviceMatrix& w, uint32_t tokens) {
    return rec.features().integerDotProduct && hasIntegerDotKernel(w.type) && !usesTiledMatMul(w, tokens);
}

uint64_t quantizedInputBytes(uint32_t cols, uint32_t tokens) {
    const uint64_t values = uint64_t{cols} * tokens;
    return values + values / 32 * sizeof(float);  // one byte per code, one float per 32 values
}

QuantizedInput recordQuantizeQ8(Recorder& rec, const Buffer& x, uint32_t xOff, uint32_t xStride, uint32_t cols,
                                uint32_t tokens, const Buffer& out) {
    if (cols % 32 != 0 || quantizedInputBytes(cols, tokens) > out.size())
        throw VulkanError("Vulkan: quantizing " + std::to_string(tokens) + " x " + std::to_string(cols) +
                          " activations needs a multiple of 32 values and " +
                          std::to_string(quantizedInputBytes(cols, tokens)) + " bytes in " + out.label());
    struct {
        uint32_t cols, tokens, xOff, xStride;
    } push{cols, tokens, xOff, xStride};
    const Groups g = groupsFor((uint64_t{tokens} * (cols / 32) + 63) / 64);
    rec.dispatch("quantize_q8", {{&x, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
    return {&out, cols, tokens};
}

void recordMatVec(Recorder& rec, const DeviceMatrix& w, const Buffer& x, uint32_t xOff, const Buffer& y, uint32_t yOff,
                  uint32_t tokens, const MatVecOptions& options) {
    const QuantizedInput* quantized = options.quantized;
    const std::string_view base = matVecKernel(w.type);
    if (base.empty())
        throw FormatError("Vulkan: no matrix-vector kernel for " + std::string(tensorTypeName(w.type)));
    const bool tiled = usesTiledMatMul(w, tokens);
    const bool integerDot = quantized != nullptr && quantized->buffer != nullptr && usesIntegerDot(rec, w, tokens);
    if (integerDot && (quantized->cols != w.cols || quantized->tokens != tokens))
        throw VulkanError("Vulkan: quantized activations of " + std::to_string(quantized->tokens) + " x " +
                          std::to_string(quantized->cols) + " given to a product of " + std::to_string(tokens) +
                          " x " + std::to_string(w.cols));
    std::string family(base);
    if (tiled)
        family.replace(0, 6, "matmul");  // matvec_q8_0 -> matmul_q8_0
    const std::string kernel = detail::kernelVariant(rec.features(), family, integerDot);
    const Buffer& input = integerDot ? *quantized->buffer : x;
    for (const auto& piece : w.pieces) {
        struct {
            uint32_t cols, rows, tokens, xOff, xStride, yOff, yStride, rowBase, accumulate;
        } push{static_cast<uint32_t>(w.cols), static_cast<uint32_t>(piece.rows), tokens,
               xOff, static_cast<uint32_t>(w.cols), yOff, static_cast<uint32_t>(w.rows),
               static_cast<uint32_t>(piece.firstRow), options.accumulate ? 1u : 0u};
        const uint64_t rowGroups = tiled ? (static_cast<uint64_t>(piece.rows) + kMatMulRows - 1) / kMatMulRows
                                         : static_cast<uint64_t>(piece.rows);
        const uint32_t tokenGroups = tiled ? (tokens + kMatMulTokens - 1) / kMatMulTokens
                                           : (tokens + kMatVecTokens - 1) / kMatVecTokens;
        const Groups g = groupsFor(rowGroups);
        // Pieces write disjoint rows of y: ReadWrite would force barriers between them, Write does
        // too (write-after-write); the hazard tracker is per buffer, so they serialise. Correct,
        // if not the fastest; per-range tracking is a later refinement.
        rec.dispatch(kernel,
                     {{&piece.buffer, Access::Read},
                      {&input, Access::Read},
                      {&y, options.accumulate ? Access::ReadWrite : Access::Write}},
                     push, g.x, g.y, tokenGroups);
    }
}

} // namespace lamp::vulkan
