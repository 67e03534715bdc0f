// A summary of a model file for people: what `lamplight-cli info` prints and the model picker shows.
// Read from metadata and tensor infos only; no weights are touched.
#pragma once

#include "gguf/gguf_file.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lamp {

struct ModelInfo {
    struct FormatTotals {
        uint64_t tensors = 0;
        uint64_t bytes = 0;
        uint64_t elements = 0;
    };
    struct SpecialToken {
        std::string role;  // "bos", "eos", "eot", "unknown", "padding", "separator"
        int64_t id = -1;
        std::string text;  // the token's text, empty when the id is out of range
    };

    std::string path;
    uint32_t ggufVersion = 0;
    std::string name;          // general.name, may be empty
    std::string architecture;  // general.architecture, "" when absent
    uint64_t parameterCount = 0;  // sum of tensor elements
    uint64_t fileSize = 0;
    std::optional<uint64_t> contextLength;
    std::optional<uint64_t> embeddingLength;
    std::optional<uint64_t> blockCount;
    std::optional<uint64_t> headCount;
    std::optional<uint64_t> headCountKv;
    std::map<std::string, FormatTotals> formats;  // by tensor type name
    std::string vocabType;    // tokenizer.ggml.model, "" when absent
    std::string preTokenizer; // tokenizer.ggml.pre, "" when absent
    uint64_t vocabSize = 0;
    std::vector<SpecialToken> specialTokens;
    bool hasChatTemplate = false;
    size_t metadataCount = 0;
    size_t tensorCount = 0;
};

ModelInfo describeModel(const GgufFile& file);

// "1.10B", "260.1K": parameter counts as people read them.
std::string humanCount(uint64_t n);
// "637.8 MiB"
std::string humanBytes(uint64_t n);

} // namespace lamp
