// What the model picker shows about one GGUF file, read from its metadata and tensor infos only (the
// weights are mapped, never read), plus how much memory it would need with a given context.
// Plain values and free functions, no QObject: ModelLibrary runs scanModelFile() on a pool thread.
#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>

namespace lamp {
struct ModelInfo;
}

namespace lamp::app {

// The sizes that the memory estimate needs, read once per file.
struct MemoryShape {
    int64_t weightBytes = 0;
    int64_t layers = 0;
    int64_t kvHeads = 0;
    int64_t keyLength = 0;
    int64_t valueLength = 0;
    int64_t embedding = 0;
    int64_t feedForward = 0;
    int64_t vocab = 0;
};
struct MemoryEstimate {
    int64_t kvCacheBytes = 0;
    int64_t workingBytes = 0;
    int64_t totalBytes = 0;
};

// One row of the picker. A file that cannot be used says why in `error` and keeps what was read
// before the problem (at least path, file name and size); its memory fields stay 0.
struct ModelEntry {
    QString path;
    QString fileName;        // "tinyllama-q4_k_m.gguf"
    QString canonicalPath;   // links resolved: what the loaded model's path is compared with
    QString name;            // general.name, else the file name without ".gguf"
    QString architecture;    // general.architecture ("llama", "qwen2", "gpt2", ...)
    qint64 parameterCount = 0;
    QString quantization;    // the tensor format holding most of the weight bytes: "Q4_K"
    QString quantizationMix; // every format with at least 1% of the bytes: "Q4_K 71%, Q6_K 21%, F32 8%"
    qint64 fileSize = 0;
    qint64 trainingContext = 0;  // <arch>.context_length, 0 when absent
    qint64 contextUsed = 0;      // the context the estimate is for (see resolveContext)
    qint64 weightBytes = 0;      // the tensors' bytes
    qint64 kvCacheBytes = 0;     // the KV cache for contextUsed tokens (F16, as the worker makes it)
    qint64 memoryBytes = 0;      // the estimate: weights + KV cache + working buffers
    MemoryShape shape;           // for estimating again with another context
    QString error;               // why the file cannot be used; "" when it reads

    bool ok() const { return error.isEmpty(); }
};

// The context a session gets for `requested` tokens (0: the training context, at most the engine's
// default limit), as the worker resolves it.
int64_t resolveContext(int64_t requested, int64_t trainingContext);

// Estimated bytes to run a model: its weights, the F16 KV cache for `context` positions and the
// buffers of one prompt batch (activations and logits). Layers/heads of 0 give no KV cache.
MemoryEstimate estimateMemory(const MemoryShape& shape, int64_t context);

// Reads `path` and describes it for `requestedContext` (0: as resolveContext). Never throws: a bad file
// gives an entry with `error` set.
ModelEntry scanModelFile(const QString& path, int64_t requestedContext);
// Fills contextUsed, kvCacheBytes and memoryBytes of a readable entry for `requestedContext`.
void estimateFor(ModelEntry& entry, int64_t requestedContext);

// "Q4_K", "Q4_K 71%, Q6_K 21%, F32 8%" from describeModel()'s per-format totals.
void describeQuantization(const lamp::ModelInfo& info, QString* dominant, QString* mix);

} // namespace lamp::app
