// Generating a token must not allocate: the matrix products (both kernel paths, every instruction
// set, a pool of several threads) and attention over a long cache (the path that splits positions
// over threads) run here after a warm-up while every operator new of the process is counted; so
// does a whole decode step of a session (Session::append: the forward pass of every layer).
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"  // internal: forcing the decode or the GEMM path
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "model/attention.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/session.h"
#include "quant/quantize.h"
#include "support/tiny_models.h"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

namespace {
std::atomic<long> allocations{0};
}

// Counting replacements of the global allocation functions (the others forward to these).
void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace lamp;
using namespace lamp::cpu;

class TestCpuNoAlloc : public QObject {
    Q_OBJECT

private slots:
    void matmulDoesNotAllocate() {
        const Isa saved = activeIsa();
        const int64_t savedMin = detail::gemmMinTokens();
        const int64_t rows = 96, cols = 512;
        std::mt19937 rng(3);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> src(static_cast<size_t>(cols)), x(static_cast<size_t>(4 * cols)),
            y(static_cast<size_t>(4 * rows));
        for (auto& v : x)
            v = normal(rng);
        ThreadPool pool(3);
        for (TensorType type : {TensorType::F16, TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K,
                                TensorType::Q6_K}) {
            std::vector<std::byte> w(rowBytes(type, cols) * static_cast<size_t>(rows));
            for (int64_t r = 0; r < rows; ++r) {
                for (auto& v : src)
                    v = normal(rng);
                quantizeRow(type, src.data(), w.data() + static_cast<size_t>(r) * rowBytes(type, cols), cols);
            }
            const WeightMatrix m{type, w.data(), rows, cols};
            for (Isa isa : supportedIsas()) {
                setIsa(isa);
                for (int64_t minTokens : {int64_t{1} << 40, int64_t{1}}) {  // vec-dot, then GEMM
                    detail::setGemmMinTokens(minTokens);
                    // Warm-up: every thread's scratch buffers reach their size (many runs, so
                    // each worker has taken chunks of both shapes).
                    for (int i = 0; i < 50; ++i)
                        for (int64_t tokens : {1, 4})
                            matmul(m, x.data(), tokens, y.data(), pool);
                    const long before = allocations.load();
                    for (int i = 0; i < 20; ++i)
                        for (int64_t tokens : {1, 4})
                            matmul(m, x.data(), tokens, y.data(), pool);
                    // (Read before QVERIFY2 builds its message, which allocates.)
                    const long used = allocations.load() - before;
                    QVERIFY2(used == 0, (std::string(tensorTypeName(type)) + " on " +
                                         std::string(isaName(isa)) + ": matmul allocated " +
                                         std::to_string(used) + " times after its warm-up").c_str());
                }
            }
        }
        setIsa(saved);
        detail::setGemmMinTokens(savedMin);
    }

    void decodeStepDoesNotAllocate() {
        const auto model = Model::load(GgufFile::fromBytes(test::tinyLlamaModel().toBytes(), "tiny-llama.gguf"));
        SessionOptions options;
        options.contextLength = 96;
        options.threads = 2;
        Session session(*model, options);
        const std::vector<int32_t> prompt{1, 5, 9, 13, 17, 21, 25, 29};
        session.evaluate(prompt);
        for (int32_t t = 30; t < 34; ++t)  // warm-up: workspace, scratch and logits reach their size
            session.append(t);
        const long before = allocations.load();
        for (int32_t t = 34; t < 60; ++t)
            session.append(t);
        QCOMPARE(allocations.load() - before, 0L);
        QCOMPARE(session.size(), int64_t{8 + 4 + 26});
    }

    void attentionDoesNotAllocate() {
        // One KV head and 2 threads from position 700 on: attention splits the positions over the
        // threads (the path that combines partial results).
        const int64_t heads = 4, kvHeads = 1, dim = 64, ctx = 1024;
        KvCache kv(1, ctx, kvHeads, dim, dim, KvType::F16);
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> row(static_cast<size_t>(kvHeads * dim));
        for (int64_t pos = 0; pos < ctx; ++pos) {
            for (auto& v : row)
                v = normal(rng);
            kv.storeKeys(0, pos, 1, row.data());
            kv.storeValues(0, pos, 1, row.data());
        }
        std::vector<float> q(static_cast<size_t>(heads * dim)), out(q.size());
        for (auto& v : q)
            v = normal(rng);
        ThreadPool pool(2);
        const auto step = [&](int64_t pos) {
            attention({&kv, 0, q.data(), 1, pos, heads, 0.125f, out.data()}, pool);
        };
        for (int i = 0; i < 50; ++i)  // warm-up at the longest context, on every thread
            step(ctx - 1);
        const long before = allocations.load();
        for (int64_t pos = 700; pos < 720; ++pos)
            step(pos);
        const long used = allocations.load() - before;
        QVERIFY2(used == 0, ("attention allocated " + std::to_string(used) +
                             " times over 20 tokens after its warm-up").c_str());
        for (float v : out)
            QVERIFY(std::isfinite(v));
    }
};

QTEST_GUILESS_MAIN(TestCpuNoAlloc)
#include "test_cpu_no_alloc.moc"
