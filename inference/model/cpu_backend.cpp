// The CPU backend: the architecture's own forward pass over the mapped weights, with a thread pool,
// a KV cache in host memory and reusable activation buffers per session.
#include "model/executor.h"

#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"
#include "model/model.h"

namespace lamp {
namespace {

class CpuExecutor final : public Executor {
public:
    CpuExecutor(const Model& model, KvCache kv, int threads)
        : arch_(model.architecture()), pool_(threads), kv_(std::move(kv)) {}

    void forward(const ForwardBatch& batch) override { arch_.forward(batch, kv_, pool_, ws_); }
    int64_t contextLength() const override { return kv_.contextLength(); }
    size_t kvBytes() const override { return kv_.bytes(); }
    KvType kvType() const override { return kv_.type(); }
    int threads() const override { return pool_.size(); }

private:
    const Architecture& arch_;
    cpu::ThreadPool pool_;
    KvCache kv_;
    Workspace ws_;
};

class CpuBackend final : public Backend {
public:
    std::unique_ptr<Executor> makeExecutor(const Model& model, int64_t contextLength, KvType kvType,
                                           int threads) const override {
        const ModelSpec& s = model.spec();
        KvCache kv(s.blockCount, contextLength, s.headCountKv, s.keyLength, s.valueLength, kvType);
        return std::make_unique<CpuExecutor>(model, std::move(kv), threads);
    }
    std::string name() const override { return "cpu"; }
    std::string device() const override { return "CPU (" + std::string(cpu::isaName(cpu::activeIsa())) + ")"; }
};

} // namespace

std::shared_ptr<const Backend> cpuBackend() {
    static const auto backend = std::make_shared<const CpuBackend>();
    return backend;
}

} // namespace lamp
