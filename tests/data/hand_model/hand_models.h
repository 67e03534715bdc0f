// The hand models of test_model_hand.cpp (and test_session.cpp): tiny llama, qwen2 and gpt2 files
// whose weights come from a 64-bit LCG per tensor, exactly as make.py generates them, so the numpy
// forward pass in make.py computes the expected logits independently of the engine.
#pragma once

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace hand_model {

inline constexpr int64_t kVocab = 16, kEmbd = 8, kLayers = 2, kFfn = 12, kHeadDim = 4;
inline constexpr int64_t kGpt2Positions = 16;

// Changes that make a broken file for the load-error tests.
struct Damage {
    std::string omit;      // leave out the tensor with this name
    std::string misshape;  // give the tensor with this name one row (or value) too many
};

class Builder {
public:
    explicit Builder(Damage damage = {}) : damage_(std::move(damage)) {}

    lamp::GgufWriter& writer() { return w_; }

    // A tensor of `rows` rows of `cols` values (GGUF dims [cols, rows], or [cols] when rows is 0):
    // offset + scale·u, u uniform in [−1, 1), from the LCG seeded by 1000 + its index.
    void add(const std::string& name, int64_t cols, int64_t rows, double scale, double offset) {
        const uint64_t seed = 1000 + index_++;
        const int64_t count = cols * (rows == 0 ? 1 : rows);
        std::vector<float> v(static_cast<size_t>(count));
        uint64_t state = seed;
        for (auto& x : v) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const double u = static_cast<double>((state >> 40) & 0xFFFFFF) / 16777216.0;
            x = static_cast<float>(offset + (u - 0.5) * 2.0 * scale);
        }
        if (name == damage_.omit)
            return;
        std::vector<int64_t> dims{cols};
        if (rows != 0)
            dims.push_back(rows);
        if (name == damage_.misshape) {
            dims.back() += 1;
            v.resize(v.size() + static_cast<size_t>(rows == 0 ? 1 : cols), 0.0f);
        }
        std::vector<std::byte> bytes(v.size() * sizeof(float));
        std::memcpy(bytes.data(), v.data(), bytes.size());
        w_.addTensor(name, lamp::TensorType::F32, dims, std::move(bytes));
    }
    void matrix(const std::string& name, int64_t rows, int64_t cols) { add(name, cols, rows, 0.5, 0.0); }
    void norm(const std::string& name, int64_t n) { add(name, n, 0, 0.2, 1.0); }
    void bias(const std::string& name, int64_t n) { add(name, n, 0, 0.1, 0.0); }

    lamp::GgufFile file(const std::string& name) const { return lamp::GgufFile::fromBytes(w_.toBytes(), name); }

private:
    lamp::GgufWriter w_;
    Damage damage_;
    uint64_t index_ = 0;
};

inline std::string blk(int64_t l, const char* name) { return "blk." + std::to_string(l) + "." + name; }

// llama: 2 heads of 4 sharing 1 KV head, linear rope scaling ×2, rope_freqs, separate output.
// qwen2: the same shape with q/k/v biases, NEOX rope with base 1e6, tied output.
inline lamp::GgufFile llamaLike(bool qwen, const Damage& damage = {}) {
    const std::string arch = qwen ? "qwen2" : "llama";
    constexpr int64_t heads = 2, kvHeads = 1;
    Builder b(damage);
    auto& w = b.writer();
    w.set("general.architecture", arch);
    w.set(arch + ".context_length", uint32_t{64});
    w.set(arch + ".embedding_length", uint32_t{kEmbd});
    w.set(arch + ".block_count", uint32_t{kLayers});
    w.set(arch + ".feed_forward_length", uint32_t{kFfn});
    w.set(arch + ".attention.head_count", uint32_t{heads});
    w.set(arch + ".attention.head_count_kv", uint32_t{kvHeads});
    w.set(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
    w.set(arch + ".rope.dimension_count", uint32_t{kHeadDim});
    w.set(arch + ".rope.freq_base", qwen ? 1e6f : 10000.0f);
    if (!qwen) {
        w.set(arch + ".rope.scaling.type", std::string("linear"));
        w.set(arch + ".rope.scaling.factor", 2.0f);
    }
    b.matrix("token_embd.weight", kVocab, kEmbd);
    for (int64_t l = 0; l < kLayers; ++l) {
        b.norm(blk(l, "attn_norm.weight"), kEmbd);
        b.matrix(blk(l, "attn_q.weight"), heads * kHeadDim, kEmbd);
        b.matrix(blk(l, "attn_k.weight"), kvHeads * kHeadDim, kEmbd);
        b.matrix(blk(l, "attn_v.weight"), kvHeads * kHeadDim, kEmbd);
        if (qwen) {
            b.bias(blk(l, "attn_q.bias"), heads * kHeadDim);
            b.bias(blk(l, "attn_k.bias"), kvHeads * kHeadDim);
            b.bias(blk(l, "attn_v.bias"), kvHeads * kHeadDim);
        }
        b.matrix(blk(l, "attn_output.weight"), kEmbd, heads * kHeadDim);
        b.norm(blk(l, "ffn_norm.weight"), kEmbd);
        b.matrix(blk(l, "ffn_gate.weight"), kFfn, kEmbd);
        b.matrix(blk(l, "ffn_up.weight"), kFfn, kEmbd);
        b.matrix(blk(l, "ffn_down.weight"), kEmbd, kFfn);
    }
    b.norm("output_norm.weight", kEmbd);
    if (!qwen) {
        b.matrix("output.weight", kVocab, kEmbd);
        b.add("rope_freqs.weight", kHeadDim / 2, 0, 0.5, 2.0);  // divisors in [1.5, 2.5)
    }
    return b.file(arch + "-hand.gguf");
}

// gpt2: 2 heads of 4, 16 learned positions, LayerNorm with bias, fused q/k/v, tied output.
inline lamp::GgufFile gpt2(const Damage& damage = {}) {
    constexpr int64_t heads = 2;
    Builder b(damage);
    auto& w = b.writer();
    w.set("general.architecture", std::string("gpt2"));
    w.set("gpt2.context_length", uint32_t{kGpt2Positions});
    w.set("gpt2.embedding_length", uint32_t{kEmbd});
    w.set("gpt2.block_count", uint32_t{kLayers});
    w.set("gpt2.feed_forward_length", uint32_t{kFfn});
    w.set("gpt2.attention.head_count", uint32_t{heads});
    w.set("gpt2.attention.layer_norm_epsilon", 1e-5f);
    b.matrix("token_embd.weight", kVocab, kEmbd);
    b.matrix("position_embd.weight", kGpt2Positions, kEmbd);
    for (int64_t l = 0; l < kLayers; ++l) {
        b.norm(blk(l, "attn_norm.weight"), kEmbd);
        b.bias(blk(l, "attn_norm.bias"), kEmbd);
        b.matrix(blk(l, "attn_qkv.weight"), 3 * kEmbd, kEmbd);
        b.bias(blk(l, "attn_qkv.bias"), 3 * kEmbd);
        b.matrix(blk(l, "attn_output.weight"), kEmbd, kEmbd);
        b.bias(blk(l, "attn_output.bias"), kEmbd);
        b.norm(blk(l, "ffn_norm.weight"), kEmbd);
        b.bias(blk(l, "ffn_norm.bias"), kEmbd);
        b.matrix(blk(l, "ffn_up.weight"), kFfn, kEmbd);
        b.bias(blk(l, "ffn_up.bias"), kFfn);
        b.matrix(blk(l, "ffn_down.weight"), kEmbd, kFfn);
        b.bias(blk(l, "ffn_down.bias"), kEmbd);
    }
    b.norm("output_norm.weight", kEmbd);
    b.bias("output_norm.bias", kEmbd);
    return b.file("gpt2-hand.gguf");
}

} // namespace hand_model
