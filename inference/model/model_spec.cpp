#include "model/model_spec.h"

#include "gguf/gguf_file.h"
#include "model/model_error.h"

#include <cmath>
#include <optional>
#include <utility>

namespace lamp {

const std::vector<std::string>& supportedArchitectures() {
    static const std::vector<std::string> names{"llama", "qwen2", "gpt2"};
    return names;
}

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Reads `<arch>.<key>` values with messages that name the file and the full key.
class Reader {
public:
    Reader(const GgufFile& file, std::string arch) : file_(file), arch_(std::move(arch)) {}

    std::string key(std::string_view k) const { return arch_ + "." + std::string(k); }

    std::optional<int64_t> optInt(std::string_view k) const {
        try {
            return file_.getInt(key(k));
        } catch (const Error& e) {
            throw ModelError(std::string(e.what()));
        }
    }
    std::optional<double> optFloat(std::string_view k) const {
        try {
            return file_.getFloat(key(k));
        } catch (const Error& e) {
            throw ModelError(std::string(e.what()));
        }
    }
    std::optional<std::string> optString(std::string_view k) const {
        try {
            return file_.getString(key(k));
        } catch (const Error& e) {
            throw ModelError(std::string(e.what()));
        }
    }
    int64_t requireInt(std::string_view k) const {
        auto v = optInt(k);
        if (!v)
            throw ModelError(file_.name() + ": missing metadata key '" + key(k) + "' (needed by the " +
                             arch_ + " architecture)");
        return *v;
    }
    float requireFloat(std::string_view k) const {
        auto v = optFloat(k);
        if (!v)
            throw ModelError(file_.name() + ": missing metadata key '" + key(k) + "' (needed by the " +
                             arch_ + " architecture)");
        return static_cast<float>(*v);
    }
    // A positive count no larger than `max` (sizes beyond it would be absurd for any real model).
    void checkRange(std::string_view k, int64_t v, int64_t max) const {
        if (v <= 0 || v > max)
            throw ModelError(file_.name() + ": metadata '" + key(k) + "' = " + std::to_string(v) +
                             " is out of range (expected 1.." + std::to_string(max) + ")");
    }
    [[noreturn]] void fail(const std::string& what) const { throw ModelError(file_.name() + ": " + what); }

private:
    const GgufFile& file_;
    std::string arch_;
};

} // namespace

ModelSpec ModelSpec::fromFile(const GgufFile& file) {
    ModelSpec s;
    s.fileName = file.name();
    std::optional<std::string> arch;
    try {
        arch = file.getString("general.architecture");
    } catch (const Error& e) {
        throw ModelError(e.what());
    }
    if (!arch)
        throw ModelError(file.name() + ": missing metadata key 'general.architecture'; is this a "
                                       "model file? (supported architectures: " +
                         joined(supportedArchitectures()) + ")");
    s.architecture = *arch;
    bool known = false;
    for (const auto& a : supportedArchitectures())
        known = known || a == s.architecture;
    if (!known)
        throw ModelError(file.name() + ": architecture '" + s.architecture +
                         "' is not supported (supported: " + joined(supportedArchitectures()) + ")");

    const Reader r(file, s.architecture);
    constexpr int64_t kMaxWidth = int64_t{1} << 20, kMaxContext = int64_t{1} << 24;
    s.contextLength = r.requireInt("context_length");
    r.checkRange("context_length", s.contextLength, kMaxContext);
    s.embeddingLength = r.requireInt("embedding_length");
    r.checkRange("embedding_length", s.embeddingLength, kMaxWidth);
    s.blockCount = r.requireInt("block_count");
    r.checkRange("block_count", s.blockCount, 4096);
    s.feedForwardLength = r.requireInt("feed_forward_length");
    r.checkRange("feed_forward_length", s.feedForwardLength, kMaxWidth);
    s.headCount = r.requireInt("attention.head_count");
    r.checkRange("attention.head_count", s.headCount, 65536);
    s.headCountKv = r.optInt("attention.head_count_kv").value_or(s.headCount);
    r.checkRange("attention.head_count_kv", s.headCountKv, s.headCount);
    if (s.headCount % s.headCountKv != 0)
        r.fail("attention.head_count (" + std::to_string(s.headCount) +
               ") is not a multiple of attention.head_count_kv (" + std::to_string(s.headCountKv) + ")");
    if (auto k = r.optInt("attention.key_length")) {
        s.keyLength = *k;
    } else {
        if (s.embeddingLength % s.headCount != 0)
            r.fail("embedding_length (" + std::to_string(s.embeddingLength) +
                   ") is not a multiple of attention.head_count (" + std::to_string(s.headCount) + ")");
        s.keyLength = s.embeddingLength / s.headCount;
    }
    r.checkRange("attention.key_length", s.keyLength, 65536);
    s.valueLength = r.optInt("attention.value_length").value_or(s.keyLength);
    r.checkRange("attention.value_length", s.valueLength, 65536);

    if (s.architecture == "gpt2") {
        s.positions = PositionEncoding::Learned;
        s.normEpsilon = r.requireFloat("attention.layer_norm_epsilon");
        if (s.keyLength != s.valueLength)
            r.fail("gpt2 needs attention.key_length == attention.value_length");
    } else {
        s.positions = s.architecture == "qwen2" ? PositionEncoding::RopeNeox : PositionEncoding::RopeNormal;
        s.normEpsilon = r.requireFloat("attention.layer_norm_rms_epsilon");
        s.ropeDimensionCount = r.optInt("rope.dimension_count").value_or(s.keyLength);
        r.checkRange("rope.dimension_count", s.ropeDimensionCount, s.keyLength);
        if (s.ropeDimensionCount % 2 != 0)
            r.fail("metadata '" + r.key("rope.dimension_count") + "' = " +
                   std::to_string(s.ropeDimensionCount) + " must be even");
        s.ropeFreqBase = static_cast<float>(r.optFloat("rope.freq_base").value_or(10000.0));
        if (!(s.ropeFreqBase > 1.0f) || !std::isfinite(s.ropeFreqBase))
            r.fail("metadata '" + r.key("rope.freq_base") + "' must be a finite number above 1");

        // Rope scaling: "linear" (the default type) divides positions by rope.scaling.factor (or the
        // older rope.scale_linear); "none" leaves them. Other kinds (yarn, longrope) are refused.
        const std::string type = r.optString("rope.scaling.type").value_or("linear");
        std::optional<double> factor = r.optFloat("rope.scaling.factor");
        if (!factor || *factor == 0.0)
            factor = r.optFloat("rope.scale_linear");
        if (type == "linear") {
            if (factor && *factor != 0.0) {
                if (!(*factor > 0.0) || !std::isfinite(*factor))
                    r.fail("metadata '" + r.key("rope.scaling.factor") + "' must be a positive number");
                s.ropeFreqScale = static_cast<float>(1.0 / *factor);
            }
        } else if (type != "none") {
            r.fail("rope scaling '" + type + "' (" + r.key("rope.scaling.type") +
                   ") is not supported; supported: none, linear");
        }
    }
    if (!(s.normEpsilon > 0.0f) || !(s.normEpsilon < 1.0f))
        r.fail("the normalization epsilon " + std::to_string(s.normEpsilon) + " is out of range (0, 1)");

    const GgufTensorInfo* embd = file.findTensor("token_embd.weight");
    if (embd == nullptr)
        r.fail("tensor 'token_embd.weight' is missing (the " + s.architecture + " architecture needs it)");
    if (embd->nDims != 2 || embd->dims[0] != s.embeddingLength)
        r.fail("tensor 'token_embd.weight' has shape " + embd->shapeString() + ", expected [" +
               std::to_string(s.embeddingLength) + ", n_vocab]");
    s.vocabSize = embd->dims[1];
    return s;
}

} // namespace lamp
