// Hyperparameters of a decoder-only Transformer, read from a GGUF file's `<arch>.*` metadata and
// checked for consistency before any tensor is touched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class GgufFile;

// How positions enter the model.
enum class PositionEncoding : uint8_t {
    RopeNormal,  // RoPE on adjacent pairs (x[2i], x[2i+1]): llama
    RopeNeox,    // RoPE on pairs half the rotated width apart (x[i], x[i + n/2]): qwen2
    Learned,     // a learned position embedding added to the token embedding: gpt2
};

struct ModelSpec {
    std::string fileName;      // for messages
    std::string architecture;  // general.architecture: "llama", "qwen2", "gpt2"

    int64_t contextLength = 0;      // <arch>.context_length: the context the model was trained for
    int64_t embeddingLength = 0;    // <arch>.embedding_length: the residual width (n_embd)
    int64_t blockCount = 0;         // <arch>.block_count: layers
    int64_t feedForwardLength = 0;  // <arch>.feed_forward_length: FFN hidden width
    int64_t headCount = 0;          // <arch>.attention.head_count: query heads
    int64_t headCountKv = 0;        // <arch>.attention.head_count_kv: key/value heads (GQA), default headCount
    int64_t keyLength = 0;          // <arch>.attention.key_length: per-head width of Q and K (default n_embd / heads)
    int64_t valueLength = 0;        // <arch>.attention.value_length: per-head width of V (default as keyLength)
    int64_t vocabSize = 0;          // rows of token_embd.weight (the logits per position)

    PositionEncoding positions = PositionEncoding::RopeNormal;
    int64_t ropeDimensionCount = 0;  // <arch>.rope.dimension_count: rotated width per head (default keyLength)
    float ropeFreqBase = 10000.0f;   // <arch>.rope.freq_base: θ_i = pos · base^(−2i/n_rot)
    float ropeFreqScale = 1.0f;      // 1 / <arch>.rope.scaling.factor for linear scaling, else 1
    float normEpsilon = 1e-5f;       // layer_norm_rms_epsilon (RMSNorm) or layer_norm_epsilon (LayerNorm)

    int64_t qWidth() const { return headCount * keyLength; }     // width of all query heads
    int64_t kvWidth() const { return headCountKv * keyLength; }  // width of all key heads
    int64_t vWidth() const { return headCountKv * valueLength; } // width of all value heads
    int64_t groupSize() const { return headCount / headCountKv; } // query heads per KV head

    // Reads and validates the hyperparameters of `file` for its architecture. Throws ModelError naming
    // the file and the key (unknown architecture, a missing key, a value out of range, rope scaling
    // of a kind the engine does not implement).
    static ModelSpec fromFile(const GgufFile& file);
};

// The architectures this engine runs, as general.architecture spells them.
const std::vector<std::string>& supportedArchitectures();

} // namespace lamp
