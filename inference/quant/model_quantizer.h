// Writes a quantized copy of a GGUF model: the library side of the `lamplight-quantize` tool.
//
// Every metadata pair is copied in order (general.file_type and general.quantization_version are
// set for the new file), and every tensor is converted, tensor by tensor while the output is
// written: its rows are dequantized to float and quantized to the new type, so memory holds one
// tensor's output at a time, never the whole model.
//
// Which type each tensor gets (see chooseTensorType):
//   - 1-D tensors (norms, biases, ...) are stored as F32 whatever the source type.
//   - `position_embd.weight` and `token_types.weight` (small, precision-sensitive embeddings) are
//     not quantized: they keep their source type if that is F32, F16 or BF16 (otherwise F32).
//   - Tensors with 2 or more dimensions (weight matrices, embeddings) get the target's type:
//       Q8_0   -> Q8_0 everywhere;
//       Q4_0   -> Q4_0 everywhere;
//       Q4_K_M -> Q4_K, except Q6_K for
//                 * `output.weight`, or `token_embd.weight` when there is no `output.weight`
//                   (the embedding is then tied to the output projection);
//                 * `blk.N.attn_v.weight`, `blk.N.attn_qkv.weight` (fused, contains V) and
//                   `blk.N.ffn_down.weight` in the layers where useMoreBits(N, layerCount).
//   - When the row length (dims[0]) is not a multiple of that type's block, the tensor falls back:
//       Q6_K -> Q8_0, Q4_K -> Q5_0 (both have 32-value blocks and at least as many bits), and when
//       even 32 does not divide the row, the tensor keeps its source type if that is F32, F16 or
//       BF16 (otherwise F32).
//   - A tensor whose chosen type equals its source type is copied byte for byte.
// On the tiny llama and qwen2 models in ../shared/models this reproduces the Q4_K_M mix of the
// files made by llama.cpp exactly (tests/test_model_quantizer.cpp checks it). Our Q4_0 puts Q4_0 on
// the output projection too (llama.cpp's default Q4_0 uses Q6_K there; its "pure" mode does not).
#pragma once

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/tensor_type.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

enum class QuantTarget {
    Q8_0,
    Q4_0,
    Q4_K_M,
};

// "q8_0", "Q4_0", "q4_k_m" (case-insensitive); nullopt for anything else.
std::optional<QuantTarget> quantTargetFromName(std::string_view name);
std::string_view quantTargetName(QuantTarget target);  // "Q4_K_M"
// The value of general.file_type in the llama.cpp numbering: Q4_0 = 2, Q8_0 = 7, Q4_K_M = 15.
uint32_t llamaFileType(QuantTarget target);

// The Q4_K_M "use more bits" layers of a model with layerCount blocks: the first eighth
// (layer < n/8), the last eighth (layer >= 7n/8) and every third layer in between
// ((layer - n/8) % 3 == 2), all with integer division. This is the convention other GGUF tools
// use, so files made here have the same mix as those made elsewhere.
bool useMoreBits(int layer, int layerCount);

// What happens to one tensor.
struct TensorPlan {
    std::string name;
    std::vector<int64_t> dims;  // as in the file: dims[0] is the row length
    TensorType oldType = TensorType::F32;
    TensorType newType = TensorType::F32;
    uint64_t oldBytes = 0;
    uint64_t newBytes = 0;
    std::string reason;  // why newType, e.g. "output projection", "1-D", a fallback's cause
};

struct QuantizePlan {
    QuantTarget target = QuantTarget::Q8_0;
    int layerCount = 0;              // blocks of the model (for the Q4_K_M rule)
    std::vector<TensorPlan> tensors; // in file order

    uint64_t oldBytes() const;  // sum of tensor data sizes
    uint64_t newBytes() const;
};

// The type rule above for one tensor. `hasOutput`: the model has `output.weight`.
TensorPlan chooseTensorType(const GgufTensorInfo& tensor, QuantTarget target, int layerCount,
                            bool hasOutput);

// Decides every tensor's new type. Throws FormatError when a tensor that needs converting has a
// source type this engine cannot read.
QuantizePlan planQuantization(const GgufFile& source, QuantTarget target);

struct QuantizeOptions {
    unsigned threads = 0;  // worker threads for converting rows; 0 = all hardware threads
    // Called just before each tensor is converted and written (index counts from 0).
    std::function<void(const TensorPlan& tensor, size_t index, size_t count)> onTensor;
};

// A writer holding the copied metadata and one lazily filled tensor per plan entry. `source` must
// outlive every write()/toBytes() of the returned writer.
GgufWriter makeQuantizedWriter(const GgufFile& source, const QuantizePlan& plan,
                               const QuantizeOptions& options = {});

// Plans, then writes the quantized copy to `output` (atomically: a temporary file renamed into
// place). Returns the plan that was carried out. Throws GgufError / FormatError.
QuantizePlan quantizeModel(const GgufFile& source, const std::filesystem::path& output,
                           QuantTarget target, const QuantizeOptions& options = {});

} // namespace lamp
