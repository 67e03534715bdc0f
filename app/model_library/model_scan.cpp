#include "model_library/model_scan.h"

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "gguf/model_info.h"
#include "model/kv_cache.h"
#include "model/model_error.h"
#include "model/model_spec.h"
#include "model/session.h"

#include <QFileInfo>

#include <algorithm>
#include <utility>
#include <vector>

namespace lamp::app {

namespace {

// Prompt tokens per forward call: the session's default, which the worker uses too.
constexpr int64_t kPromptBatch = SessionOptions::kDefaultBatchSize;

QString baseName(const QString& path) {
    QString name = QFileInfo(path).fileName();
    if (name.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
        name.chop(5);
    return name;
}

} // namespace

int64_t resolveContext(int64_t requested, int64_t trainingContext) {
    if (requested > 0)
        return requested;
    return trainingContext > 0 ? std::min(trainingContext, SessionOptions::kDefaultContextLimit)
                               : SessionOptions::kDefaultContextLimit;
}

MemoryEstimate estimateMemory(const MemoryShape& shape, int64_t context) {
    MemoryEstimate e;
    if (shape.layers > 0 && shape.kvHeads > 0 && context > 0)
        e.kvCacheBytes = static_cast<int64_t>(KvCache::bytesFor(shape.layers, context, shape.kvHeads,
                                                                shape.keyLength, shape.valueLength, KvType::F16));
    // One prompt batch in flight: the residual stream and its normed copy, Q/K/V and the attention
    // output (about 6 × embedding floats per token), the FFN's gate/up/activation (3 × feedForward),
    // plus logits and sampler probabilities for one position. Rough, but the right order: weights and
    // KV cache dominate for every real model.
    const int64_t batch = std::min(kPromptBatch, std::max<int64_t>(context, 1));
    e.workingBytes = batch * (6 * shape.embedding + 3 * shape.feedForward) * 4 + 2 * shape.vocab * 4;
    e.totalBytes = shape.weightBytes + e.kvCacheBytes + e.workingBytes;
    return e;
}

void describeQuantization(const lamp::ModelInfo& info, QString* dominant, QString* mix) {
    uint64_t total = 0;
    std::vector<std::pair<std::string, uint64_t>> byBytes;
    for (const auto& [format, totals] : info.formats) {
        total += totals.bytes;
        byBytes.emplace_back(format, totals.bytes);
    }
    std::stable_sort(byBytes.begin(), byBytes.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    dominant->clear();
    mix->clear();
    if (byBytes.empty() || total == 0)
        return;
    *dominant = QString::fromStdString(byBytes.front().first);
    QStringList parts;
    for (const auto& [format, bytes] : byBytes) {
        const double share = 100.0 * static_cast<double>(bytes) / static_cast<double>(total);
        if (share < 1.0)
            continue;
        parts << QStringLiteral("%1 %2%").arg(QString::fromStdString(format)).arg(qRound(share));
    }
    *mix = parts.join(QStringLiteral(", "));
}

void estimateFor(ModelEntry& entry, int64_t requestedContext) {
    if (!entry.ok())
        return;
    entry.contextUsed = resolveContext(requestedContext, entry.trainingContext);
    const MemoryEstimate estimate = estimateMemory(entry.shape, entry.contextUsed);
    entry.kvCacheBytes = estimate.kvCacheBytes;
    entry.memoryBytes = estimate.totalBytes;
}

ModelEntry scanModelFile(const QString& path, int64_t requestedContext) {
    ModelEntry entry;
    entry.path = path;
    const QFileInfo fileInfo(path);
    entry.fileName = fileInfo.fileName();
    entry.canonicalPath = fileInfo.canonicalFilePath();
    entry.name = baseName(path);
    entry.fileSize = fileInfo.size();
    try {
        const GgufFile file = GgufFile::open(path.toStdString());
        const lamp::ModelInfo info = describeModel(file);
        if (!info.name.empty())
            entry.name = QString::fromStdString(info.name);
        entry.architecture = QString::fromStdString(info.architecture);
        entry.parameterCount = static_cast<qint64>(info.parameterCount);
        entry.fileSize = static_cast<qint64>(info.fileSize);
        entry.trainingContext = static_cast<qint64>(info.contextLength.value_or(0));
        describeQuantization(info, &entry.quantization, &entry.quantizationMix);
        for (const auto& [format, totals] : info.formats)
            entry.weightBytes += static_cast<qint64>(totals.bytes);

        if (info.tensorCount == 0)
            throw ModelError(path.toStdString() +
                             ": the file has no tensors (a vocabulary-only file, not a model): choose a model file");
        // The hyperparameters as the engine reads them: an architecture it does not run, or a value out
        // of range, is the reason shown in the list (the same words a load would fail with).
        const ModelSpec spec = ModelSpec::fromFile(file);
        entry.shape.weightBytes = entry.weightBytes;
        entry.shape.layers = spec.blockCount;
        entry.shape.kvHeads = spec.headCountKv;
        entry.shape.keyLength = spec.keyLength;
        entry.shape.valueLength = spec.valueLength;
        entry.shape.embedding = spec.embeddingLength;
        entry.shape.feedForward = spec.feedForwardLength;
        entry.shape.vocab = static_cast<int64_t>(info.vocabSize);
        entry.trainingContext = spec.contextLength;
        estimateFor(entry, requestedContext);
    } catch (const GgufError& e) {
        entry.error = QString::fromStdString(e.what()) +
                      QStringLiteral(" — the file is damaged, incomplete or not a GGUF model: download it again "
                                     "or remove it from the models folder.");
    } catch (const std::exception& e) {
        entry.error = QString::fromStdString(e.what());
    }
    return entry;
}

} // namespace lamp::app
