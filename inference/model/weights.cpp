#include "model/weights.h"

#include "gguf/gguf_file.h"
#include "model/architecture.h"
#include "model/model_error.h"
#include "quant/dequantize.h"

#include <algorithm>
#include <string>

namespace lamp {

float* Workspace::ensure(std::vector<float>& buffer, int64_t count) {
    if (static_cast<int64_t>(buffer.size()) < count)
        buffer.resize(static_cast<size_t>(count));
    return buffer.data();
}

bool isMatmulType(TensorType type) {
    switch (type) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16:
    case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
    case TensorType::Q8_0: case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K:
    case TensorType::Q5_K: case TensorType::Q6_K:
        return true;
    default:
        return false;
    }
}

std::string WeightLoader::layerName(int64_t layer, std::string_view name) {
    return "blk." + std::to_string(layer) + "." + std::string(name);
}

void WeightLoader::fail(const std::string& name, const std::string& problem) const {
    throw ModelError(file_.name() + ": tensor '" + name + "' " + problem);
}

namespace {

std::string shape(std::initializer_list<int64_t> dims) {
    std::string s = "[";
    for (int64_t d : dims)
        s += (s.size() > 1 ? ", " : "") + std::to_string(d);
    return s + "]";
}

} // namespace

std::optional<cpu::WeightMatrix> WeightLoader::optionalMatrix(const std::string& name, int64_t cols,
                                                              int64_t rows) const {
    const GgufTensorInfo* info = file_.findTensor(name);
    if (info == nullptr)
        return std::nullopt;
    if (info->nDims != 2 || info->dims[0] != cols || info->dims[1] != rows)
        fail(name, "has shape " + info->shapeString() + ", expected " + shape({cols, rows}) + " for this " +
                       spec_.architecture + " model");
    if (!isMatmulType(info->type))
        fail(name, "is stored as " + std::string(tensorTypeName(info->type)) +
                       ", which the engine cannot multiply (supported: F32, F16, BF16, Q4_0, Q4_1, "
                       "Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
    const TensorView view = file_.tensor(*info);
    return cpu::WeightMatrix{info->type, view.data.data(), rows, cols};
}

cpu::WeightMatrix WeightLoader::matrix(const std::string& name, int64_t cols, int64_t rows) const {
    auto m = optionalMatrix(name, cols, rows);
    if (!m)
        fail(name, "is missing (the " + spec_.architecture + " architecture needs it)");
    return *m;
}

std::optional<std::vector<float>> WeightLoader::optionalVector(const std::string& name, int64_t n) const {
    const GgufTensorInfo* info = file_.findTensor(name);
    if (info == nullptr)
        return std::nullopt;
    if (info->nDims != 1 || info->dims[0] != n)
        fail(name, "has shape " + info->shapeString() + ", expected " + shape({n}) + " for this " +
                       spec_.architecture + " model");
    if (!canDequantize(info->type))
        fail(name, "is stored as " + std::string(tensorTypeName(info->type)) +
                       ", which the engine cannot read");
    std::vector<float> out(static_cast<size_t>(n));
    try {
        dequantizeRow(info->type, file_.tensor(*info).data.data(), out.data(), n);
    } catch (const Error& e) {
        fail(name, std::string("cannot be decoded: ") + e.what());
    }
    return out;
}

std::vector<float> WeightLoader::vector(const std::string& name, int64_t n) const {
    auto v = optionalVector(name, n);
    if (!v)
        fail(name, "is missing (the " + spec_.architecture + " architecture needs it)");
    return std::move(*v);
}

void embedRows(const cpu::WeightMatrix& table, std::span<const int32_t> tokens, float* out) {
    const size_t stride = rowBytes(table.type, table.cols);
    thread_local std::vector<std::byte> restored;  // a row of an interleaved table, reused
    for (size_t t = 0; t < tokens.size(); ++t) {
        const int32_t id = tokens[t];
        if (id < 0 || id >= table.rows)
            throw ModelError("token id " + std::to_string(id) + " is outside the vocabulary of " +
                             std::to_string(table.rows) + " tokens");
        const std::byte* row = table.data + stride * static_cast<size_t>(id);
        if (table.layout == cpu::WeightLayout::Interleaved4) {  // a tied output matrix (cpu/interleave.h)
            restored.resize(stride);
            cpu::deinterleaveRows(table.type, table.data, table.cols, id, 1, restored.data());
            row = restored.data();
        }
        dequantizeRow(table.type, row, out + static_cast<int64_t>(t) * table.cols, table.cols);
    }
}

} // namespace lamp
