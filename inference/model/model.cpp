#include "model/model.h"

#include "core/log.h"
#include "model/architecture.h"
#include "model/model_error.h"
#include "tokenizer/tokenizer.h"

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

const Tokenizer& Model::tokenizer() const {
    if (!tokenizer_)
        throw ModelError(file_.name() + ": the file has no tokenizer (no tokenizer.ggml.* metadata)");
    return *tokenizer_;
}

const Vocab& Model::vocab() const { return tokenizer().vocab(); }

} // namespace lamp
