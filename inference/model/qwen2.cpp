// The qwen2 architecture (Qwen1.5, Qwen2, Qwen2.5): llama's blocks (RMSNorm, grouped-query
// attention, SwiGLU) with biases on the q, k and v projections and RoPE on pairs half the rotated
// width apart (NEOX mode); the output matrix is usually tied to the token embedding.
#include "model/architecture.h"
#include "model/attention.h"
#include "model/kv_cache.h"
#include "model/model_error.h"
#include "model/steps.h"
#include "model/weights.h"

#include "gguf/gguf_file.h"

#include <cmath>
#include <functional>

namespace lamp {

namespace {

// Shapes as "rows × cols" of the matrix product (GGUF writes them the other way round).
struct Qwen2Layer {
    std::vector<float> attnNorm;  // [embd] RMSNorm weight before attention
    cpu::WeightMatrix wq;         // [heads·dk × embd] queries
    std::vector<float> bq;        // [heads·dk]
    cpu::WeightMatrix wk;         // [kvHeads·dk × embd] keys
    std::vector<float> bk;        // [kvHeads·dk]
    cpu::WeightMatrix wv;         // [kvHeads·dv × embd] values
    std::vector<float> bv;        // [kvHeads·dv]
    cpu::WeightMatrix wo;         // [embd × heads·dv] attention output
    std::vector<float> ffnNorm;   // [embd] RMSNorm weight before the feed-forward
    cpu::WeightMatrix gate;       // [ffn × embd]
    cpu::WeightMatrix up;         // [ffn × embd]
    cpu::WeightMatrix down;       // [embd × ffn]
};

struct Qwen2Weights {
    cpu::WeightMatrix tokenEmbd;     // [vocab × embd] one row per token
    std::vector<Qwen2Layer> layers;  // [blockCount]
    std::vector<float> outputNorm;   // [embd]
    cpu::WeightMatrix output;        // [vocab × embd] (token_embd when the file has no output.weight)
};

class Qwen2 final : public Architecture {
public:
    Qwen2(const GgufFile& file, const ModelSpec& spec) : Architecture(spec) {
        const WeightLoader load(file, spec);
        const int64_t embd = spec.embeddingLength, ffn = spec.feedForwardLength;
        w_.tokenEmbd = load.matrix("token_embd.weight", embd, spec.vocabSize);
        for (int64_t l = 0; l < spec.blockCount; ++l) {
            const auto name = [l](const char* n) { return WeightLoader::layerName(l, n); };
            Qwen2Layer& L = w_.layers.emplace_back();
            L.attnNorm = load.vector(name("attn_norm.weight"), embd);
            L.wq = load.matrix(name("attn_q.weight"), embd, spec.qWidth());
            L.wk = load.matrix(name("attn_k.weight"), embd, spec.kvWidth());
            L.wv = load.matrix(name("attn_v.weight"), embd, spec.vWidth());
            L.bq = load.vector(name("attn_q.bias"), spec.qWidth());
            L.bk = load.vector(name("attn_k.bias"), spec.kvWidth());
            L.bv = load.vector(name("attn_v.bias"), spec.vWidth());
            L.wo = load.matrix(name("attn_output.weight"), spec.headCount * spec.valueLength, embd);
            L.ffnNorm = load.vector(name("ffn_norm.weight"), embd);
            L.gate = load.matrix(name("ffn_gate.weight"), embd, ffn);
            L.up = load.matrix(name("ffn_up.weight"), embd, ffn);
            L.down = load.matrix(name("ffn_down.weight"), ffn, embd);
        }
        w_.outputNorm = load.vector("output_norm.weight", embd);
        w_.output = load.optionalMatrix("output.weight", embd, spec.vocabSize).value_or(w_.tokenEmbd);

        rope_.mode = ops::RopeMode::Neox;
        rope_.nRot = spec.ropeDimensionCount;
        rope_.freqBase = spec.ropeFreqBase;
        rope_.freqScale = spec.ropeFreqScale;
    }

    void forEachMatrix(const std::function<void(cpu::WeightMatrix&)>& visit) override {
        visit(w_.tokenEmbd);
        for (Qwen2Layer& L : w_.layers)
            for (cpu::WeightMatrix* m : {&L.wq, &L.wk, &L.wv, &L.wo, &L.gate, &L.up, &L.down})
                visit(*m);
        visit(w_.output);
    }

    void forward(const ForwardBatch& b, KvCache& kv, cpu::ThreadPool& pool, Workspace& ws) const override {
        const ModelSpec& s = spec_;
        const int64_t n = static_cast<int64_t>(b.tokens.size());
        const int64_t embd = s.embeddingLength, ffn = s.feedForwardLength;
        const int64_t attWidth = s.headCount * s.valueLength;
        float* x = Workspace::ensure(ws.x, n * embd);
        float* xb = Workspace::ensure(ws.xb, n * embd);
        float* q = Workspace::ensure(ws.q, n * s.qWidth());
        float* k = Workspace::ensure(ws.k, n * s.kvWidth());
        float* v = Workspace::ensure(ws.v, n * s.vWidth());
        float* att = Workspace::ensure(ws.att, n * attWidth);
        float* proj = Workspace::ensure(ws.proj, n * embd);
        float* gate = Workspace::ensure(ws.ffnA, n * ffn);
        float* up = Workspace::ensure(ws.ffnB, n * ffn);
        float* angles = Workspace::ensure(ws.rope, n * rope_.nRot);

        // 1. Token embeddings: x[t] = token_embd[tokens[t]].
        embedRows(w_.tokenEmbd, b.tokens, x);
        // 2. The rotation angles of every position in the batch (shared by all layers).
        steps::ropeTable(rope_, b.startPos, n, angles);

        for (int64_t l = 0; l < s.blockCount; ++l) {
            const Qwen2Layer& L = w_.layers[static_cast<size_t>(l)];
            // 3. Attention: normalize, project to q, k, v (with biases), rotate q and k by position.
            steps::rmsNorm(pool, x, L.attnNorm.data(), xb, n, embd, s.normEpsilon);
            steps::linearShared(pool, xb, n,
                                {{L.wq, q, L.bq.data()}, {L.wk, k, L.bk.data()}, {L.wv, v, L.bv.data()}});
            steps::rope(pool, rope_, angles, q, n, s.headCount, s.keyLength);
            steps::rope(pool, rope_, angles, k, n, s.headCountKv, s.keyLength);
            // 4. Append this batch's keys and values to the cache, attend over everything cached.
            kv.storeKeys(l, b.startPos, n, k);
            kv.storeValues(l, b.startPos, n, v);
            attention({&kv, l, q, n, b.startPos, s.headCount, 1.0f / std::sqrt(static_cast<float>(s.keyLength)), att},
                      pool);
            // 5. Output projection, residual add.
            steps::linear(pool, L.wo, att, n, proj);
            steps::add(pool, x, proj, n * embd);
            // 6. Feed-forward: normalize, down(silu(gate(x)) ⊙ up(x)), residual add.
            steps::rmsNorm(pool, x, L.ffnNorm.data(), xb, n, embd, s.normEpsilon);
            steps::linearShared(pool, xb, n, {{L.gate, gate}, {L.up, up}});
            steps::swiglu(pool, gate, up, n * ffn);
            steps::linear(pool, L.down, gate, n, proj);
            steps::add(pool, x, proj, n * embd);
        }
        // 7. Final norm and logits, for every token or just the last one (none: nothing to do).
        if (b.logits == nullptr)
            return;
        const int64_t first = b.allLogits ? 0 : n - 1, rows = n - first;
        steps::rmsNorm(pool, x + first * embd, w_.outputNorm.data(), xb, rows, embd, s.normEpsilon);
        steps::linear(pool, w_.output, xb, rows, b.logits);
    }

private:
    Qwen2Weights w_;
    ops::RopeParams rope_;
};

} // namespace

std::unique_ptr<Architecture> makeQwen2(const GgufFile& file, const ModelSpec& spec) {
    return std::make_unique<Qwen2>(file, spec);
}

} // namespace lamp
