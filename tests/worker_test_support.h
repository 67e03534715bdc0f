// What the worker tests share (test_generation_worker.cpp, test_worker_app.cpp): a wider test model
// whose answers take long enough to stop, switch or measure in the middle, a recorder of what the
// GUI thread receives, and waiting on the event loop.
#pragma once

#include "support/tiny_models.h"
#include "worker/generation_controller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

namespace lamp::test {

using namespace lamp::app;

// Uniform in [-a, a) from a 64-bit LCG: fast enough for tens of millions of weights.
inline std::vector<std::byte> randomF32(uint64_t& state, size_t n, float a) {
    std::vector<std::byte> out(n * sizeof(float));
    for (size_t i = 0; i < n; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const float u = static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24);
        const float v = (2.0f * u - 1.0f) * a;
        std::memcpy(out.data() + i * sizeof(float), &v, sizeof v);
    }
    return out;
}

inline std::vector<std::byte> onesF32(size_t n) {
    const std::vector<float> values(n, 1.0f);
    std::vector<std::byte> out(n * sizeof(float));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

// A llama model of the tiny vocabulary, `width` wide and `layers` deep, that never ends its answer.
inline GgufWriter widerModel(int64_t width, int64_t layers, int64_t ffn) {
    const int64_t heads = width / 64, kvHeads = std::max<int64_t>(1, heads / 2), headDim = 64;
    const int64_t kvWidth = kvHeads * headDim;
    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    w.set("general.name", std::string("Lamplight wider test model"));
    w.set("general.file_type", uint32_t{0});
    w.set("llama.context_length", uint32_t{4096});
    w.set("llama.embedding_length", static_cast<uint32_t>(width));
    w.set("llama.block_count", static_cast<uint32_t>(layers));
    w.set("llama.feed_forward_length", static_cast<uint32_t>(ffn));
    w.set("llama.attention.head_count", static_cast<uint32_t>(heads));
    w.set("llama.attention.head_count_kv", static_cast<uint32_t>(kvHeads));
    w.set("llama.rope.dimension_count", static_cast<uint32_t>(headDim));
    w.set("llama.rope.freq_base", 10000.0f);
    w.set("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    const int64_t vocab = addTinySpmVocab(w);
    w.set("tokenizer.chat_template",
          std::string("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
                      "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"));
    uint64_t state = 12345;
    const float scale = 1.0f / std::sqrt(static_cast<float>(width));
    const auto matrix = [&](const std::string& name, int64_t cols, int64_t rows, float a) {
        w.addTensor(name, TensorType::F32, {cols, rows}, randomF32(state, static_cast<size_t>(cols * rows), a));
    };
    matrix("token_embd.weight", width, vocab, 1.0f);
    for (int64_t l = 0; l < layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        w.addTensor(p + "attn_norm.weight", TensorType::F32, {width}, onesF32(width));
        matrix(p + "attn_q.weight", width, width, scale);
        matrix(p + "attn_k.weight", width, kvWidth, scale);
        matrix(p + "attn_v.weight", width, kvWidth, scale);
        matrix(p + "attn_output.weight", width, width, scale);
        w.addTensor(p + "ffn_norm.weight", TensorType::F32, {width}, onesF32(width));
        matrix(p + "ffn_gate.weight", width, ffn, scale);
        matrix(p + "ffn_up.weight", width, ffn, scale);
        matrix(p + "ffn_down.weight", ffn, width, 1.0f / std::sqrt(static_cast<float>(ffn)));
    }
    w.addTensor("output_norm.weight", TensorType::F32, {width}, onesF32(width));
    std::vector<std::byte> output = randomF32(state, static_cast<size_t>(width * vocab), 0.5f);
    std::memset(output.data() + 2 * width * sizeof(float), 0, static_cast<size_t>(width) * sizeof(float));  // </s>
    w.addTensor("output.weight", TensorType::F32, {width, vocab}, std::move(output));
    return w;
}

inline QList<ChatTurn> ask(const QString& text) {
    return {ChatTurn{QStringLiteral("user"), text}};
}

inline GenerationSettings settingsFor(int32_t maxTokens, uint64_t seed = 42) {
    GenerationSettings s;
    s.maxTokens = maxTokens;
    s.contextLength = 2048;
    s.sampling.seed = seed;
    return s;
}

// The deltas and the result of each request, as the GUI thread receives them.
struct Recorder {
    QHash<quint64, QString> text;
    QHash<quint64, int> updates;
    QHash<quint64, GenerationResult> results;
    QList<quint64> finishedOrder;

    explicit Recorder(GenerationController& c) {
        QObject::connect(&c, &GenerationController::textDelta, &c, [this](const QString&, quint64 id, const QString& d) {
            text[id] += d;
            ++updates[id];
        });
        QObject::connect(&c, &GenerationController::generationFinished, &c, [this](const GenerationResult& r) {
            results.insert(r.requestId, r);
            finishedOrder.append(r.requestId);
        });
    }
    bool finished(quint64 id) const { return results.contains(id); }
};

inline bool waitFor(const std::function<bool()>& done, int timeoutMs = 60000) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QTest::qWait(1);
    }
    return true;
}

inline bool loadInto(GenerationController& c, const QString& path, const ModelLoadOptions& options = {}) {
    c.loadModel(path, options);
    return waitFor([&] { return !c.loading(); }) && c.modelLoaded() && c.modelPath() == path;
}

} // namespace lamp::test
