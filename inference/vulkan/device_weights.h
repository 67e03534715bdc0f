// A model's weights on a Vulkan device, uploaded once and shared by every session of the model.
// One layout serves the three architectures: what differs (LayerNorm with bias or RMSNorm, biases on
// projections, GELU or SwiGLU, learned positions or RoPE) is read off which tensors the file has,
// after the CPU architecture has already checked that the right ones are there.
#pragma once

#include "model/ops.h"
#include "vulkan/device.h"
#include "vulkan/ops.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lamp {
class Model;
}

namespace lamp::vulkan {

// Shapes as "rows × cols" of the matrix product; vectors are F32 buffers; an absent optional
// tensor is an empty Buffer / a DeviceMatrix without pieces.
struct DeviceLayer {
    Buffer attnNorm, attnNormBias;  // [embd] (bias: LayerNorm models)
    DeviceMatrix wq, wk, wv;        // [heads·dk × embd], [kvHeads·dk × embd], [kvHeads·dv × embd]
    Buffer bq, bk, bv;              // biases of q, k, v (qwen2, gpt2), or empty
    DeviceMatrix wo;                // [embd × heads·dv]
    Buffer bo;                      // [embd] (gpt2)
    Buffer ffnNorm, ffnNormBias;    // [embd]
    DeviceMatrix gate;              // [ffn × embd] SwiGLU models; no pieces for GELU ones
    DeviceMatrix up;                // [ffn × embd]
    Buffer bUp;                     // [ffn] (gpt2)
    DeviceMatrix down;              // [embd × ffn]
    Buffer bDown;                   // [embd] (gpt2)
};

struct DeviceWeights {
    bool layerNorm = false;         // LayerNorm with bias (gpt2), else RMSNorm
    bool ropeEnabled = false;       // RoPE (llama, qwen2), else learned positions (gpt2)
    ops::RopeParams rope;           // mode, nRot, base, scale (freqFactors folded into ropeTable)
    Buffer ropeTable;               // vulkan::ropeTable(rope) words

    DeviceMatrix tokenEmbd;         // [vocab × embd], on the device when embedOnDevice or tied
    bool embedOnDevice = false;     // canEmbed(token_embd type); else rows are decoded on the host
    DeviceMatrix positionEmbd;      // [positions × embd] (gpt2), when its type can be embedded
    bool positionsOnDevice = false;
    std::vector<DeviceLayer> layers;
    Buffer outputNorm, outputNormBias;
    DeviceMatrix output;            // [vocab × embd]; no pieces when tied to tokenEmbd
    const DeviceMatrix& outputMatrix() const { return output.pieces.empty() ? tokenEmbd : output; }

    uint64_t bytes = 0;             // device memory the weights take
};

// Bytes uploadWeights() will place on the device for `model` (what the memory check compares).
uint64_t deviceWeightBytes(const Model& model);

// Uploads every weight of `model`. `progress` (may be empty) gets the bytes uploaded so far and the
// total after each tensor. VulkanError (device memory exhausted, naming the tensor) or FormatError
// (a format without a kernel).
DeviceWeights uploadWeights(Device& device, const Model& model,
                            const std::function<void(uint64_t done, uint64_t total)>& progress = {});

} // namespace lamp::vulkan
