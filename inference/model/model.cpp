#include "model/model.h"

#include "core/log.h"
#include "cpu/matmul.h"
#include "model/architecture.h"
#include "model/model_error.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <map>

namespace lamp {

std::unique_ptr<Model> Model::load(const std::filesystem::path& path) {
    return load(GgufFile::open(path));
}

std::unique_ptr<Model> Model::load(GgufFile file) {
    return std::unique_ptr<Model>(new Model(std::move(file)));
}

Model::Model(GgufFile file) : file_(std::move(file)), spec_(ModelSpec::fromFile(file_)) {
    // Dispatch on general.architecture (ModelSpec has already refused the unknown ones).
    if (spec_.architecture == "llama")
        arch_ = makeLlama(file_, spec_);
    else if (spec_.architecture == "qwen2")
        arch_ = makeQwen2(file_, spec_);
    else if (spec_.architecture == "gpt2")
        arch_ = makeGpt2(file_, spec_);
    else
        throw ModelError(file_.name() + ": architecture '" + spec_.architecture + "' has no forward pass");

    if (file_.find("tokenizer.ggml.model") != nullptr) {
        tokenizer_ = makeTokenizer(file_);
        if (tokenizer_->vocab().size() > spec_.vocabSize)
            throw ModelError(file_.name() + ": the vocabulary has " + std::to_string(tokenizer_->vocab().size()) +
                             " tokens but token_embd.weight only " + std::to_string(spec_.vocabSize) + " rows");
    }
    log::get("engine")->info("{}: {} model, {} layers, width {}, {} heads ({} KV), vocab {}", file_.name(),
                             spec_.architecture, spec_.blockCount, spec_.embeddingLength, spec_.headCount,
                             spec_.headCountKv, spec_.vocabSize);
}

Model::~Model() = default;

int64_t Model::maxPositions() const { return arch_->maxPositions(); }

uint64_t Model::weightBytes() const {
    uint64_t total = 0;
    for (const auto& t : file_.tensors())
        total += t.nBytes;
    return total;
}

uint64_t Model::interleaveForCpu() const {
    const std::lock_guard lock(layoutMutex_);
    if (interleaveDone_ || !file_.inMemory())
        return interleavedBytes_;
    interleaveDone_ = true;
    // Matrices by their data: a tied output matrix and the embedding table are one tensor.
    std::map<const std::byte*, std::vector<cpu::WeightMatrix*>> byData;
    arch_->forEachMatrix([&](cpu::WeightMatrix& m) { byData[m.data].push_back(&m); });
    std::vector<cpu::WeightMatrix*> chosen;
    for (const auto& [data, views] : byData) {
        const cpu::WeightMatrix& m = *views.front();
        const bool sameShape = std::all_of(views.begin(), views.end(), [&](const cpu::WeightMatrix* v) {
            return v->type == m.type && v->rows == m.rows && v->cols == m.cols;
        });
        if (data != nullptr && sameShape && cpu::canInterleave(m.type, m.rows, m.cols))
            chosen.insert(chosen.end(), views.begin(), views.end());
    }
    if (chosen.empty())
        return 0;
    const bool edited = file_.editInMemory([&](std::span<std::byte> bytes) {
        for (cpu::WeightMatrix* m : chosen) {
            if (!interleaved_.empty() && interleaved_.back() == m->data)
                continue;  // another view of the matrix just interleaved
            const auto offset = static_cast<size_t>(m->data - bytes.data());
            cpu::interleaveRows(m->type, bytes.data() + offset, m->rows, m->cols);
            interleaved_.push_back(m->data);
            interleavedBytes_ += rowBytes(m->type, m->cols) * static_cast<uint64_t>(m->rows);
        }
    });
    if (!edited)
        return 0;
    for (cpu::WeightMatrix* m : chosen)
        m->layout = cpu::WeightLayout::Interleaved4;
    log::get("engine")->info("{}: {} bytes of Q4_0/Q5_0 weights interleaved for the CPU kernels", file_.name(),
                            interleavedBytes_);
    return interleavedBytes_;
}

cpu::WeightLayout Model::layoutOf(const std::byte* data) const {
    const std::lock_guard lock(layoutMutex_);
    return std::binary_search(interleaved_.begin(), interleaved_.end(), data) ? cpu::WeightLayout::Interleaved4
                                                                              : cpu::WeightLayout::Rows;
}

const Tokenizer& Model::tokenizer() const {
    if (!tokenizer_)
        throw ModelError(file_.name() + ": the file has no tokenizer (no tokenizer.ggml.* metadata)");
    return *tokenizer_;
}

const Vocab& Model::vocab() const { return tokenizer().vocab(); }

} // namespace lamp
