// A loaded model: the mapped GGUF file, its hyperparameters, its weights bound by name for the
// architecture it names, and its tokenizer. Immutable after loading, so several sessions (each with
// its own KV cache, see session.h) may use one model at the same time from different threads; the
// one exception, chooseBackend's placement of the weights for the CPU (a private copy, some matrices
// interleaved: interleaveForCpu), comes before any session runs.
#pragma once

#include "cpu/interleave.h"
#include "gguf/gguf_file.h"
#include "model/model_spec.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace lamp {

class Architecture;
class Tokenizer;
class Vocab;

class Model {
public:
    // Opens, maps and checks a model file: its architecture must be one of supportedArchitectures()
    // and every tensor that architecture needs must be present with the right shape and a supported
    // format. Throws GgufError (a malformed file), ModelError (a model this engine cannot run,
    // naming the key or tensor) or TokenizerError (an unusable vocabulary).
    static std::unique_ptr<Model> load(const std::filesystem::path& path);
    static std::unique_ptr<Model> load(GgufFile file);

    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const GgufFile& file() const { return file_; }
    const ModelSpec& spec() const { return spec_; }
    const std::string& architectureName() const { return spec_.architecture; }
    int64_t vocabSize() const { return spec_.vocabSize; }      // logits per position
    int64_t trainingContext() const { return spec_.contextLength; }
    // The most positions a session of this model can hold: gpt2's position table, else unlimited (0).
    int64_t maxPositions() const;
    // Bytes of all tensor data (mapped from the file, not copied).
    uint64_t weightBytes() const;

    // The tokenizer of the file's own vocabulary. Files without tokenizer metadata (some test
    // models) have none: hasTokenizer() is false and tokenizer() throws ModelError.
    bool hasTokenizer() const { return tokenizer_ != nullptr; }
    const Tokenizer& tokenizer() const;
    const Vocab& vocab() const;

    // The forward pass (used by Session).
    const Architecture& architecture() const { return *arch_; }

    // Puts the Q4_0/Q5_0 matrices that can take it into the CPU's interleaved layout
    // (cpu/interleave.h), in place, once the weights live in private memory (GgufFile::
    // copyIntoMemory): the CPU's decode kernels read that layout twice as fast on AVX-512 and give
    // the same results bit for bit. Called by chooseBackend for the CPU backend, before sessions
    // run (like copyIntoMemory, it changes bytes other threads must not be reading); later calls
    // change nothing. Returns the bytes in the interleaved layout (0 while the file is mapped).
    uint64_t interleaveForCpu() const;
    // The layout of the matrix whose data starts at `data` (what the weights' other readers, the
    // Vulkan upload, must undo).
    cpu::WeightLayout layoutOf(const std::byte* data) const;

private:
    explicit Model(GgufFile file);

    GgufFile file_;
    ModelSpec spec_;
    std::unique_ptr<Architecture> arch_;
    std::unique_ptr<Tokenizer> tokenizer_;
    mutable std::mutex layoutMutex_;
    mutable bool interleaveDone_ = false;
    mutable uint64_t interleavedBytes_ = 0;
    mutable std::vector<const std::byte*> interleaved_;  // data of the interleaved matrices, sorted
};

} // namespace lamp
