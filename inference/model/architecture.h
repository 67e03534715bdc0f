// The interface every architecture implements (llama.cpp, qwen2.cpp, gpt2.cpp in this folder): its
// weights, bound by name at load, and a forward pass over a batch of tokens with a KV cache.
#pragma once

#include "model/model_spec.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace lamp::cpu {
class ThreadPool;
struct WeightMatrix;
}

namespace lamp {

class GgufFile;
class KvCache;

// One forward call: `tokens` sit at positions startPos, startPos + 1, ... of the sequence whose
// earlier positions the cache already holds.
struct ForwardBatch {
    std::span<const int32_t> tokens;
    int64_t startPos = 0;
    bool allLogits = false;  // logits for every token of the batch, else only for the last one
    float* logits = nullptr; // [allLogits ? tokens.size() : 1][vocabSize], or null for none
};

// Activation buffers, reused between calls (they grow to the largest batch seen). Owned by the
// session, so one model can serve several sessions at once.
struct Workspace {
    std::vector<float> x;     // [n][embd] the residual stream
    std::vector<float> xb;    // [n][embd] normalized input of a sublayer
    std::vector<float> q;     // [n][qWidth] queries (gpt2: [n][3·embd] fused q, k, v)
    std::vector<float> k;     // [n][kvWidth] keys
    std::vector<float> v;     // [n][vWidth] values
    std::vector<float> att;   // [n][headCount·valueLength] attention output
    std::vector<float> proj;  // [n][embd] output of a projection back to the residual width
    std::vector<float> ffnA;  // [n][ffn] gate (or up for gpt2)
    std::vector<float> ffnB;  // [n][ffn] up
    std::vector<float> rope;  // [n][nRot] cos and sin per position

    // Makes `buffer` hold at least `count` floats and returns its data.
    static float* ensure(std::vector<float>& buffer, int64_t count);
};

class Architecture {
public:
    virtual ~Architecture() = default;
    Architecture(const Architecture&) = delete;
    Architecture& operator=(const Architecture&) = delete;
    const ModelSpec& spec() const { return spec_; }
    // Positions the model can address at most (gpt2: the rows of its position table), or 0 for
    // no limit beyond memory.
    virtual int64_t maxPositions() const { return 0; }
    // Every weight matrix the forward pass reads (a tied output matrix once as each role), so the
    // model can change their layout (Model::interleaveForCpu).
    virtual void forEachMatrix(const std::function<void(cpu::WeightMatrix&)>& visit) = 0;

    // Runs the batch: appends its keys and values to the cache and writes the logits.
    virtual void forward(const ForwardBatch& batch, KvCache& kv, cpu::ThreadPool& pool,
                         Workspace& ws) const = 0;

protected:
    explicit Architecture(ModelSpec spec) : spec_(std::move(spec)) {}
    ModelSpec spec_;
};

// Binds the weights of `file` (which must outlive the result) and checks every tensor the
// architecture needs for presence, shape and format. Throws ModelError naming the tensor.
std::unique_ptr<Architecture> makeLlama(const GgufFile& file, const ModelSpec& spec);
std::unique_ptr<Architecture> makeQwen2(const GgufFile& file, const ModelSpec& spec);
std::unique_ptr<Architecture> makeGpt2(const GgufFile& file, const ModelSpec& spec);

} // namespace lamp
