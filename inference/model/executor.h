// How a session runs the forward pass. A Backend is a model made ready for one kind of hardware
// (the CPU reads the mapped file as it is; the Vulkan backend uploads the weights to a GPU once)
// and is shared by that model's sessions; each session gets an Executor of its own holding its
// KV cache and activation buffers on that hardware.
#pragma once

#include "model/architecture.h"
#include "model/kv_cache.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace lamp {

class Model;

class Executor {
public:
    virtual ~Executor() = default;
    // Runs the batch (see ForwardBatch): appends its keys and values to the cache at startPos and
    // writes the logits. Throws lamp::Error subclasses; the positions before startPos stay valid.
    virtual void forward(const ForwardBatch& batch) = 0;
    virtual int64_t contextLength() const = 0;
    virtual size_t kvBytes() const = 0;
    virtual KvType kvType() const = 0;
    virtual int threads() const = 0;  // host threads the executor computes with
};

class Backend {
public:
    virtual ~Backend() = default;
    // A new executor for a session of `model` (the model this backend was made for) with a cache of
    // contextLength positions. Throws ModelError (or a backend's Error) when it cannot be made.
    virtual std::unique_ptr<Executor> makeExecutor(const Model& model, int64_t contextLength, KvType kvType,
                                                   int threads) const = 0;
    virtual std::string name() const = 0;    // "cpu", "vulkan"
    virtual std::string device() const = 0;  // what it runs on, for people: "llvmpipe (LLVM 15, 256 bits)"
};

// The CPU backend: the reference every other backend is tested against, and the fallback.
std::shared_ptr<const Backend> cpuBackend();

} // namespace lamp
