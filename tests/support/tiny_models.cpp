#include "support/tiny_models.h"

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace lamp::test {
namespace {

// Token types as tokenizer.ggml.token_type numbers them.
constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6;

std::vector<std::byte> randomF32(std::mt19937& rng, size_t n, float stddev) {
    std::normal_distribution<float> dist(0.0f, stddev);
    std::vector<float> values(n);
    for (auto& v : values)
        v = dist(rng);
    std::vector<std::byte> out(n * sizeof(float));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

std::vector<std::byte> onesF32(size_t n) {
    const std::vector<float> values(n, 1.0f);
    std::vector<std::byte> out(n * sizeof(float));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

} // namespace

int64_t addTinySpmVocab(GgufWriter& writer) {
    std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
    std::vector<float> scores{0, 0, 0};
    std::vector<int32_t> types{kUnknown, kControl, kControl};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        tokens.emplace_back(name);
        scores.push_back(0);
        types.push_back(kByte);
    }
    // Pieces in merge order: a higher score merges first.
    const std::vector<std::string> pieces{
        "▁", "e", "t", "a", "o", "h", "l", "n", "i", "s", "r", "g", "p", "m", "L",
        "he", "▁t", "▁the", "▁a", "in", "ll", "ig", "ht", "igh", "ight", "am", "mp", "amp",
        "▁L", "▁Lamp", "▁Lampl", "▁Lamplight", "▁lamp", "▁light", "on", "▁on", "▁is"};
    float score = -1.0f;
    for (const auto& p : pieces) {
        tokens.push_back(p);
        scores.push_back(score);
        types.push_back(kNormal);
        score -= 1.0f;
    }
    writer.set("tokenizer.ggml.model", std::string("llama"));
    writer.set("tokenizer.ggml.tokens", GgufValue::stringArray(tokens));
    writer.set("tokenizer.ggml.scores", GgufValue::array(GgufType::F32, scores));
    writer.set("tokenizer.ggml.token_type", GgufValue::array(GgufType::I32, types));
    writer.set("tokenizer.ggml.bos_token_id", uint32_t{1});
    writer.set("tokenizer.ggml.eos_token_id", uint32_t{2});
    writer.set("tokenizer.ggml.unknown_token_id", uint32_t{0});
    writer.set("tokenizer.ggml.add_bos_token", true);
    writer.set("tokenizer.ggml.add_eos_token", false);
    return static_cast<int64_t>(tokens.size());
}

GgufWriter tinyLlamaModel(unsigned seed) {
    // Shape: width 64, 2 layers, 4 heads of 16, 2 KV heads, FFN 128.
    constexpr int64_t width = 64, layers = 2, heads = 4, kvHeads = 2, ffn = 128;
    constexpr int64_t headDim = width / heads, kvWidth = kvHeads * headDim;
    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    w.set("general.name", std::string("Lamplight tiny demo"));
    w.set("general.file_type", uint32_t{0});
    w.set("llama.context_length", uint32_t{256});
    w.set("llama.embedding_length", uint32_t{width});
    w.set("llama.block_count", uint32_t{layers});
    w.set("llama.feed_forward_length", uint32_t{ffn});
    w.set("llama.attention.head_count", uint32_t{heads});
    w.set("llama.attention.head_count_kv", uint32_t{kvHeads});
    w.set("llama.rope.dimension_count", uint32_t{headDim});
    w.set("llama.rope.freq_base", 10000.0f);
    w.set("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    const int64_t vocab = addTinySpmVocab(w);
    w.set("tokenizer.chat_template",
          std::string("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
                      "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"));

    std::mt19937 rng(seed);
    const auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
        w.addTensor(name, TensorType::F32, {cols, rows}, randomF32(rng, static_cast<size_t>(cols * rows), 0.1f));
    };
    matrix("token_embd.weight", width, vocab);
    for (int64_t l = 0; l < layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        w.addTensor(p + "attn_norm.weight", TensorType::F32, {width}, onesF32(width));
        matrix(p + "attn_q.weight", width, width);
        matrix(p + "attn_k.weight", width, kvWidth);
        matrix(p + "attn_v.weight", width, kvWidth);
        matrix(p + "attn_output.weight", width, width);
        w.addTensor(p + "ffn_norm.weight", TensorType::F32, {width}, onesF32(width));
        matrix(p + "ffn_gate.weight", width, ffn);
        matrix(p + "ffn_up.weight", width, ffn);
        matrix(p + "ffn_down.weight", ffn, width);
    }
    w.addTensor("output_norm.weight", TensorType::F32, {width}, onesF32(width));
    matrix("output.weight", width, vocab);
    return w;
}

} // namespace lamp::test
