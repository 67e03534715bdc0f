// The gpt2 architecture (GPT-2 and models converted to its layout): learned position embeddings,
// pre-norm blocks with LayerNorm (weight and bias), one fused q/k/v projection, GELU feed-forward,
// biases on every projection, and the output tied to the token embedding unless the file has its own.
#include "model/architecture.h"
#include "model/attention.h"
#include "model/kv_cache.h"
#include "model/model_error.h"
#include "model/steps.h"
#include "model/weights.h"

#include "gguf/gguf_file.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>

namespace lamp {

namespace {

// Shapes as "rows × cols" of the matrix product (GGUF writes them the other way round).
struct Gpt2Layer {
    std::vector<float> attnNorm, attnNormBias;  // [embd] LayerNorm before attention
    cpu::WeightMatrix wqkv;                     // [(heads + 2·kvHeads)·dk × embd] fused q, k, v
    std::vector<float> bqkv;                    // [(heads + 2·kvHeads)·dk]
    cpu::WeightMatrix wo;                       // [embd × heads·dk] attention output
    std::vector<float> bo;                      // [embd]
    std::vector<float> ffnNorm, ffnNormBias;    // [embd] LayerNorm before the feed-forward
    cpu::WeightMatrix up;                       // [ffn × embd]
    std::vector<float> bUp;                     // [ffn]
    cpu::WeightMatrix down;                     // [embd × ffn]
    std::vector<float> bDown;                   // [embd]
};

struct Gpt2Weights {
    cpu::WeightMatrix tokenEmbd;                    // [vocab × embd] one row per token
    cpu::WeightMatrix positionEmbd;                 // [maxPositions × embd] one row per position
    std::vector<Gpt2Layer> layers;                  // [blockCount]
    std::vector<float> outputNorm, outputNormBias;  // [embd]
    cpu::WeightMatrix output;                       // [vocab × embd] (token_embd when absent)
};

class Gpt2 final : public Architecture {
public:
    Gpt2(const GgufFile& file, const ModelSpec& spec) : Architecture(spec) {
        const WeightLoader load(file, spec);
        const int64_t embd = spec.embeddingLength, ffn = spec.feedForwardLength;
        const int64_t qkv = spec.qWidth() + spec.kvWidth() + spec.vWidth();
        w_.tokenEmbd = load.matrix("token_embd.weight", embd, spec.vocabSize);
        // position_embd: [embd, maxPositions]; its row count is the longest context the model can take.
        const GgufTensorInfo* pos = file.findTensor("position_embd.weight");
        if (pos != nullptr && (pos->nDims != 2 || pos->dims[0] != embd))
            throw ModelError(file.name() + ": tensor 'position_embd.weight' has shape " + pos->shapeString() +
                             ", expected [" + std::to_string(embd) + ", n_positions]");
        w_.positionEmbd = load.matrix("position_embd.weight", embd, pos != nullptr ? pos->dims[1] : 1);
        for (int64_t l = 0; l < spec.blockCount; ++l) {
            const auto name = [l](const char* n) { return WeightLoader::layerName(l, n); };
            Gpt2Layer& L = w_.layers.emplace_back();
            L.attnNorm = load.vector(name("attn_norm.weight"), embd);
            L.attnNormBias = load.vector(name("attn_norm.bias"), embd);
            L.wqkv = load.matrix(name("attn_qkv.weight"), embd, qkv);
            L.bqkv = load.vector(name("attn_qkv.bias"), qkv);
            L.wo = load.matrix(name("attn_output.weight"), spec.headCount * spec.valueLength, embd);
            L.bo = load.vector(name("attn_output.bias"), embd);
            L.ffnNorm = load.vector(name("ffn_norm.weight"), embd);
            L.ffnNormBias = load.vector(name("ffn_norm.bias"), embd);
            L.up = load.matrix(name("ffn_up.weight"), embd, ffn);
            L.bUp = load.vector(name("ffn_up.bias"), ffn);
            L.down = load.matrix(name("ffn_down.weight"), ffn, embd);
            L.bDown = load.vector(name("ffn_down.bias"), embd);
        }
        w_.outputNorm = load.vector("output_norm.weight", embd);
        w_.outputNormBias = load.vector("output_norm.bias", embd);
        w_.output = load.optionalMatrix("output.weight", embd, spec.vocabSize).value_or(w_.tokenEmbd);
    }

    int64_t maxPositions() const override { return w_.positionEmbd.rows; }

    void forEachMatrix(const std::function<void(cpu::WeightMatrix&)>& visit) override {
        visit(w_.tokenEmbd);
        visit(w_.positionEmbd);
        for (Gpt2Layer& L : w_.layers)
            for (cpu::WeightMatrix* m : {&L.wqkv, &L.wo, &L.up, &L.down})
                visit(*m);
        visit(w_.output);
    }

    void forward(const ForwardBatch& b, KvCache& kv, cpu::ThreadPool& pool, Workspace& ws) const override {
        const ModelSpec& s = spec_;
        const int64_t n = static_cast<int64_t>(b.tokens.size());
        const int64_t embd = s.embeddingLength, ffn = s.feedForwardLength;
        const int64_t qw = s.qWidth(), kw = s.kvWidth(), vw = s.vWidth(), qkvWidth = qw + kw + vw;
        const int64_t attWidth = s.headCount * s.valueLength;
        if (b.startPos + n > maxPositions())
            throw ModelError(s.fileName + ": position " + std::to_string(b.startPos + n - 1) +
                             " is past the " + std::to_string(maxPositions()) +
                             " positions this gpt2 model has embeddings for");
        float* x = Workspace::ensure(ws.x, n * embd);
        float* xb = Workspace::ensure(ws.xb, n * embd);
        float* qkv = Workspace::ensure(ws.ffnA, n * std::max(qkvWidth, ffn));
        float* q = Workspace::ensure(ws.q, n * qw);
        float* k = Workspace::ensure(ws.k, n * kw);
        float* v = Workspace::ensure(ws.v, n * vw);
        float* att = Workspace::ensure(ws.att, n * attWidth);
        float* proj = Workspace::ensure(ws.proj, n * embd);
        float* hidden = qkv;  // the feed-forward reuses the fused q/k/v buffer

        // 1. Token embeddings plus the learned embeddings of their positions.
        embedRows(w_.tokenEmbd, b.tokens, x);
        std::vector<int32_t> positions(static_cast<size_t>(n));
        std::iota(positions.begin(), positions.end(), static_cast<int32_t>(b.startPos));
        embedRows(w_.positionEmbd, positions, xb);
        steps::add(pool, x, xb, n * embd);

        for (int64_t l = 0; l < s.blockCount; ++l) {
            const Gpt2Layer& L = w_.layers[static_cast<size_t>(l)];
            // 2. Attention: LayerNorm, one fused projection to q|k|v (with bias), split it.
            steps::layerNorm(pool, x, L.attnNorm.data(), L.attnNormBias.data(), xb, n, embd, s.normEpsilon);
            steps::linear(pool, L.wqkv, xb, n, qkv, L.bqkv.data());
            for (int64_t t = 0; t < n; ++t) {
                const float* row = qkv + t * qkvWidth;
                std::memcpy(q + t * qw, row, static_cast<size_t>(qw) * sizeof(float));
                std::memcpy(k + t * kw, row + qw, static_cast<size_t>(kw) * sizeof(float));
                std::memcpy(v + t * vw, row + qw + kw, static_cast<size_t>(vw) * sizeof(float));
            }
            // 3. Append keys and values to the cache, attend over everything cached (no RoPE).
            kv.storeKeys(l, b.startPos, n, k);
            kv.storeValues(l, b.startPos, n, v);
            attention({&kv, l, q, n, b.startPos, s.headCount, 1.0f / std::sqrt(static_cast<float>(s.keyLength)), att},
                      pool);
            // 4. Output projection with bias, residual add.
            steps::linear(pool, L.wo, att, n, proj, L.bo.data());
            steps::add(pool, x, proj, n * embd);
            // 5. Feed-forward: LayerNorm, down(gelu(up(x) + b) ) + b, residual add.
            steps::layerNorm(pool, x, L.ffnNorm.data(), L.ffnNormBias.data(), xb, n, embd, s.normEpsilon);
            steps::linear(pool, L.up, xb, n, hidden, L.bUp.data());
            steps::gelu(pool, hidden, n * ffn);
            steps::linear(pool, L.down, hidden, n, proj, L.bDown.data());
            steps::add(pool, x, proj, n * embd);
        }
        // 6. Final LayerNorm and logits, for every token or just the last one (none: nothing to do).
        if (b.logits == nullptr)
            return;
        const int64_t first = b.allLogits ? 0 : n - 1, rows = n - first;
        steps::layerNorm(pool, x + first * embd, w_.outputNorm.data(), w_.outputNormBias.data(), xb, rows,
                         embd, s.normEpsilon);
        steps::linear(pool, w_.output, xb, rows, b.logits);
    }

private:
    Gpt2Weights w_;
};

} // namespace

std::unique_ptr<Architecture> makeGpt2(const GgufFile& file, const ModelSpec& spec) {
    return std::make_unique<Gpt2>(file, spec);
}

} // namespace lamp
