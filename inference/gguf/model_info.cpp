#include "gguf/model_info.h"

#include <array>
#include <cstdio>

namespace lamp {

ModelInfo describeModel(const GgufFile& file) {
    ModelInfo info;
    info.path = file.name();
    info.ggufVersion = file.version();
    info.fileSize = file.fileSize();
    info.metadataCount = file.metadata().size();
    info.tensorCount = file.tensors().size();
    info.name = file.getString("general.name").value_or("");
    info.architecture = file.getString("general.architecture").value_or("");

    const std::string prefix = info.architecture + ".";
    info.contextLength = file.getUInt(prefix + "context_length");
    info.embeddingLength = file.getUInt(prefix + "embedding_length");
    info.blockCount = file.getUInt(prefix + "block_count");
    info.headCount = file.getUInt(prefix + "attention.head_count");
    info.headCountKv = file.getUInt(prefix + "attention.head_count_kv");

    for (const auto& t : file.tensors()) {
        auto& totals = info.formats[std::string(tensorTypeName(t.type))];
        ++totals.tensors;
        totals.bytes += t.nBytes;
        totals.elements += t.nElements;
        info.parameterCount += t.nElements;
    }

    info.vocabType = file.getString("tokenizer.ggml.model").value_or("");
    info.preTokenizer = file.getString("tokenizer.ggml.pre").value_or("");
    const GgufArray* tokens = file.getArray("tokenizer.ggml.tokens");
    info.vocabSize = tokens != nullptr ? tokens->items.size() : 0;
    static constexpr std::array<std::pair<const char*, const char*>, 6> kRoles{{
        {"bos", "tokenizer.ggml.bos_token_id"},
        {"eos", "tokenizer.ggml.eos_token_id"},
        {"eot", "tokenizer.ggml.eot_token_id"},
        {"unknown", "tokenizer.ggml.unknown_token_id"},
        {"padding", "tokenizer.ggml.padding_token_id"},
        {"separator", "tokenizer.ggml.seperator_token_id"},  // sic: the key is spelled so in GGUF
    }};
    for (const auto& [role, key] : kRoles) {
        const auto id = file.getInt(key);
        // Converters write -1 (or its u32 form) for "this model has no such token".
        if (!id || *id < 0 || *id == 0xFFFFFFFF)
            continue;
        ModelInfo::SpecialToken s{role, *id, {}};
        if (tokens != nullptr && *id >= 0 && static_cast<uint64_t>(*id) < tokens->items.size() &&
            tokens->items[static_cast<size_t>(*id)].isString())
            s.text = tokens->items[static_cast<size_t>(*id)].asString();
        info.specialTokens.push_back(std::move(s));
    }
    info.hasChatTemplate = file.find("tokenizer.chat_template") != nullptr;
    return info;
}

namespace {
// n divided by `base` until it is below `base`, with the unit reached: "1.10B", "637.8 MiB".
template <size_t N>
std::string scaled(uint64_t n, double base, const std::array<const char*, N>& units, const char* separator,
                   const char* decimals) {
    double v = static_cast<double>(n);
    size_t unit = 0;
    while (v >= base && unit + 1 < N) {
        v /= base;
        ++unit;
    }
    char format[16];
    std::snprintf(format, sizeof format, "%%.%sf%s%%s", unit == 0 ? "0" : decimals, separator);
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v, units[unit]);
    return buf;
}
} // namespace

std::string humanCount(uint64_t n) {
    static constexpr std::array<const char*, 5> kUnits{"", "K", "M", "B", "T"};
    return scaled(n, 1000.0, kUnits, "", "2");
}

std::string humanBytes(uint64_t n) {
    static constexpr std::array<const char*, 5> kUnits{"B", "KiB", "MiB", "GiB", "TiB"};
    return scaled(n, 1024.0, kUnits, " ", "1");
}

} // namespace lamp
