#include "bench/throughput.h"

#include "cpu/thread_pool.h"
#include "engine/backend_choice.h"
#include "model/model.h"
#include "model/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <vector>

#include <sys/resource.h>

namespace lamp::bench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void meanAndStddev(const std::vector<double>& xs, double& mean, double& stddev) {
    mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
    double var = 0;
    for (const double x : xs)
        var += (x - mean) * (x - mean);
    stddev = xs.size() > 1 ? std::sqrt(var / static_cast<double>(xs.size() - 1)) : 0.0;
}

uint64_t peakRss() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// Every weight matrix is read once per generated token; embedding tables only for one row, unless
// the output projection is tied to the token embeddings.
uint64_t weightBytesPerToken(const GgufFile& file) {
    uint64_t bytes = 0;
    const bool tied = file.findTensor("output.weight") == nullptr;
    for (const auto& t : file.tensors()) {
        const bool embedding = t.name == "token_embd.weight" || t.name == "position_embd.weight";
        if (t.nDims >= 2 && (!embedding || (tied && t.name == "token_embd.weight")))
            bytes += t.nBytes;
        else if (t.nDims >= 2)
            bytes += t.nBytes / static_cast<uint64_t>(t.rows());  // one row
        else
            bytes += t.nBytes;  // norms and biases
    }
    return bytes;
}

// Token ids to feed: spread over the vocabulary, deterministic, never special in practice.
std::vector<int32_t> benchTokens(int64_t n, int64_t vocab) {
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        ids[static_cast<size_t>(i)] = static_cast<int32_t>((1000 + i * 7919) % vocab);
    return ids;
}

} // namespace

double measureReadBandwidth(int threads, size_t bytes) {
    cpu::ThreadPool pool(threads);
    const size_t n = bytes / sizeof(uint64_t);
    std::vector<uint64_t> buffer(n);
    // Touch every page in parallel so the pages are resident (and spread like the model's).
    pool.run(static_cast<int64_t>(n), [&](int64_t begin, int64_t end, int) {
        for (int64_t i = begin; i < end; ++i)
            buffer[static_cast<size_t>(i)] = static_cast<uint64_t>(i);
    });
    const int workers = pool.size();
    std::vector<uint64_t> sums(static_cast<size_t>(workers) * 8);
    double best = 0;
    for (int pass = 0; pass < 5; ++pass) {
        const auto start = Clock::now();
        pool.run(static_cast<int64_t>(n), [&](int64_t begin, int64_t end, int thread) {
            // Four independent accumulators keep the loads in flight; the compiler vectorises it.
            uint64_t a = 0, b = 0, c = 0, d = 0;
            int64_t i = begin;
            for (; i + 4 <= end; i += 4) {
                a += buffer[static_cast<size_t>(i)];
                b += buffer[static_cast<size_t>(i + 1)];
                c += buffer[static_cast<size_t>(i + 2)];
                d += buffer[static_cast<size_t>(i + 3)];
            }
            for (; i < end; ++i)
                a += buffer[static_cast<size_t>(i)];
            sums[static_cast<size_t>(thread) * 8] += a + b + c + d;
        });
        best = std::max(best, static_cast<double>(bytes) / secondsSince(start));
    }
    volatile uint64_t keep = std::accumulate(sums.begin(), sums.end(), uint64_t{0});
    (void)keep;
    return best;
}

ThroughputResult runThroughput(const ThroughputOptions& options) {
    ThroughputResult r;
    auto model = Model::load(options.modelPath);
    r.model = options.modelPath;
    r.modelBytes = model->file().fileSize();
    for (const auto& t : model->file().tensors())
        r.parameters += t.nElements;
    r.weightBytesPerToken = weightBytesPerToken(model->file());

    SessionOptions so;
    so.threads = options.threads;
    so.contextLength = std::max<int64_t>(options.promptTokens, options.generateTokens + 1);
    if (model->maxPositions() > 0)
        so.contextLength = std::min(so.contextLength, model->maxPositions());
    BackendRequest request = BackendRequest::parse(options.backend);
    request.contextLength = so.contextLength;
    const BackendChoice choice = chooseBackend(*model, request);
    r.backend = choice.summary();
    r.backendReason = choice.reason;
    r.onGpu = choice.backend->name() != "cpu";
    so.backend = choice.backend;
    std::fprintf(stderr, "backend: %s (%s)\n", r.backend.c_str(), r.backendReason.c_str());
    Session session(*model, so);
    r.threads = session.threads();
    r.kvCacheBytes = session.kvBytes();
    const int repeats = std::max(options.repeats, 1);

    if (options.promptTokens > 0) {
        const auto prompt = benchTokens(std::min(options.promptTokens, session.contextLength()), model->vocabSize());
        session.evaluate(prompt);  // warm-up: pages of the weights, caches
        std::vector<double> rates;
        for (int i = 0; i < repeats; ++i) {
            session.clear();
            const auto start = Clock::now();
            session.evaluate(prompt);
            rates.push_back(static_cast<double>(prompt.size()) / secondsSince(start));
            std::fprintf(stderr, "pp%zu run %d: %.1f tokens/s\n", prompt.size(), i + 1, rates.back());
        }
        meanAndStddev(rates, r.ppTokensPerSecond, r.ppStddev);
    }
    if (options.generateTokens > 0) {
        const int64_t n = std::min(options.generateTokens, session.contextLength() - 1);
        const auto tokens = benchTokens(n + 1, model->vocabSize());
        std::vector<double> rates;
        for (int i = 0; i <= repeats; ++i) {  // run 0 warms up
            session.clear();
            session.evaluate(std::span<const int32_t>(tokens.data(), 1));
            const auto start = Clock::now();
            for (int64_t k = 1; k <= n; ++k)
                session.append(tokens[static_cast<size_t>(k)]);
            const double rate = static_cast<double>(n) / secondsSince(start);
            if (i > 0) {
                rates.push_back(rate);
                std::fprintf(stderr, "tg%lld run %d: %.1f tokens/s\n", static_cast<long long>(n), i, rate);
            }
        }
        meanAndStddev(rates, r.tgTokensPerSecond, r.tgStddev);
    }
    r.peakRssBytes = peakRss();
    // Generation reads every weight once per token from the memory of whatever runs it: main
    // memory for the CPU (measured now), the device's own for a GPU (given).
    r.bandwidthBytesPerSecond = r.onGpu ? options.deviceBandwidthGBs * 1e9
                                        : measureReadBandwidth(r.threads, options.bandwidthBytes);
    if (r.bandwidthBytesPerSecond > 0)
        r.tgBandwidthFraction = static_cast<double>(r.weightBytesPerToken) * r.tgTokensPerSecond / r.bandwidthBytesPerSecond;
    return r;
}

} // namespace lamp::bench
