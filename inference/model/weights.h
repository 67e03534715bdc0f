// Binding weights by name: each tensor an architecture needs is looked up in the file and checked
// for presence, shape and format, with an error that names it. Matrices stay where they lie in the
// mapped file (in their own format); only small vectors (norm weights, biases) are decoded to float.
#pragma once

#include "cpu/matmul.h"
#include "model/model_spec.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class GgufFile;

class WeightLoader {
public:
    WeightLoader(const GgufFile& file, const ModelSpec& spec) : file_(file), spec_(spec) {}

    // "blk.3.attn_q.weight" for (3, "attn_q.weight").
    static std::string layerName(int64_t layer, std::string_view name);

    // A matrix of `rows` rows (outputs) of `cols` values (inputs), i.e. GGUF shape [cols, rows], in
    // a format the matrix product accepts.
    cpu::WeightMatrix matrix(const std::string& name, int64_t cols, int64_t rows) const;
    std::optional<cpu::WeightMatrix> optionalMatrix(const std::string& name, int64_t cols,
                                                    int64_t rows) const;
    // A vector of n values (any float or quantized format), decoded to float.
    std::vector<float> vector(const std::string& name, int64_t n) const;
    std::optional<std::vector<float>> optionalVector(const std::string& name, int64_t n) const;

private:
    [[noreturn]] void fail(const std::string& name, const std::string& problem) const;

    const GgufFile& file_;
    const ModelSpec& spec_;
};

// True for the formats cpu::matmul multiplies (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K ... Q6_K).
bool isMatmulType(TensorType type);

// out[t] = row tokens[t] of the embedding matrix `table`, decoded to float ([n][table.cols]).
// Throws ModelError for a token id outside the table.
void embedRows(const cpu::WeightMatrix& table, std::span<const int32_t> tokens, float* out);

} // namespace lamp
