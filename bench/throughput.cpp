#include "bench/throughput.h"

#include "cpu/thread_pool.h"
#include "engine/backend_choice.h"
#include "model/model.h"
#include "model/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <sys/resource.h>

#if defined(__x86_64__)
#if defined(__GNUC__) && !defined(__clang__)
// gcc 12's AVX-512 headers initialise "undefined" vectors from themselves (gcc PR 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#endif

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

double median(const std::vector<double>& sorted) {
    const size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// Every weight matrix is read whole once per generated token; embedding tables only for one row,
// unless the output projection is tied to the token embeddings.
bool readWholePerToken(const GgufFile& file, const GgufTensorInfo& t) {
    const bool tied = file.findTensor("output.weight") == nullptr;
    const bool embedding = t.name == "token_embd.weight" || t.name == "position_embd.weight";
    return t.nDims >= 2 && (!embedding || (tied && t.name == "token_embd.weight"));
}

uint64_t weightBytesPerToken(const GgufFile& file) {
    uint64_t bytes = 0;
    for (const auto& t : file.tensors()) {
        if (readWholePerToken(file, t))
            bytes += t.nBytes;
        else if (t.nDims >= 2)
            bytes += t.nBytes / static_cast<uint64_t>(t.rows());  // one row
        else
            bytes += t.nBytes;  // norms and biases
    }
    return bytes;
}

// Token ids to feed: spread over the vocabulary, deterministic, never special in practice.
// The sum of the 64-bit words of `bytes` (a trailing partial word is ignored). 512-bit loads where
// the CPU has them, as the decode kernels use; the portable loop keeps eight sums in flight.
#if defined(__x86_64__)
__attribute__((target("avx512f"))) uint64_t sumWordsAvx512(std::span<const std::byte> bytes) {
    const std::byte* p = bytes.data();
    const size_t n = bytes.size();
    __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
    size_t i = 0;
    for (; i + 256 <= n; i += 256) {
        a = _mm512_add_epi64(a, _mm512_loadu_si512(p + i));
        b = _mm512_add_epi64(b, _mm512_loadu_si512(p + i + 64));
        c = _mm512_add_epi64(c, _mm512_loadu_si512(p + i + 128));
        d = _mm512_add_epi64(d, _mm512_loadu_si512(p + i + 192));
    }
    const __m512i all = _mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(c, d));
    uint64_t sum = static_cast<uint64_t>(_mm512_reduce_add_epi64(all));
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        sum += w;
    }
    return sum;
}
#endif

uint64_t sumWordsPortable(std::span<const std::byte> bytes) {
    const std::byte* p = bytes.data();
    const size_t n = bytes.size();
    uint64_t s[8] = {};
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        for (size_t k = 0; k < 8; ++k) {
            uint64_t w;
            std::memcpy(&w, p + i + 8 * k, 8);
            s[k] += w;
        }
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        s[0] += w;
    }
    return std::accumulate(s, s + 8, uint64_t{0});
}

uint64_t sumWords(std::span<const std::byte> bytes) {
#if defined(__x86_64__)
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    if (avx512)
        return sumWordsAvx512(bytes);
#endif
    return sumWordsPortable(bytes);
}

} // namespace

uint64_t lastLevelCacheBytes() {
    // cpu0/cache/index0.. are consecutive; the data or unified cache of the highest level wins.
    uint64_t best = 0;
    int bestLevel = 0;
    for (int i = 0; i < 16; ++i) {
        const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
        std::ifstream levelFile(dir + "level"), typeFile(dir + "type"), sizeFile(dir + "size");
        if (!levelFile || !sizeFile)
            break;
        int level = 0;
        std::string type, size;
        levelFile >> level;
        typeFile >> type;
        sizeFile >> size;  // "32768K"
        if (type == "Instruction" || size.empty())
            continue;
        char* unit = nullptr;
        uint64_t bytes = std::strtoull(size.c_str(), &unit, 10);
        if (*unit == 'K')
            bytes <<= 10;
        else if (*unit == 'M')
            bytes <<= 20;
        else if (*unit == 'G')
            bytes <<= 30;
        if (level > bestLevel || (level == bestLevel && bytes > best)) {
            bestLevel = level;
            best = bytes;
        }
    }
    return best;
}

BandwidthReading measureReadBandwidth(cpu::ThreadPool& pool, std::span<const std::span<const std::byte>> regions,
                                      int passes) {
    // Pieces of at most 256 KiB in region order: the pool hands each thread a few runs of
    // consecutive pieces, so every thread streams long contiguous stretches, as a matrix-vector
    // product over a share of the rows does.
    constexpr size_t kPiece = size_t{256} << 10;
    std::vector<std::span<const std::byte>> pieces;
    uint64_t bytes = 0;
    for (const auto& region : regions) {
        for (size_t at = 0; at < region.size(); at += kPiece)
            pieces.push_back(region.subspan(at, std::min(kPiece, region.size() - at)));
        bytes += region.size();
    }
    BandwidthReading reading;
    reading.bytes = bytes;
    if (pieces.empty() || passes < 1)
        return reading;
    std::vector<uint64_t> sinks(static_cast<size_t>(pool.size()) * 8, 0);  // a cache line each
    const auto pass = [&] {
        pool.run(static_cast<int64_t>(pieces.size()), [&](int64_t begin, int64_t end, int thread) {
            uint64_t sum = 0;
            for (int64_t k = begin; k < end; ++k)
                sum += sumWords(pieces[static_cast<size_t>(k)]);
            sinks[static_cast<size_t>(thread) * 8] += sum;
        });
    };
    pass();  // untimed: maps any page not yet mapped, wakes the workers
    for (int i = 0; i < passes; ++i) {
        const auto start = Clock::now();
        pass();
        reading.samples.push_back(static_cast<double>(bytes) / secondsSince(start));
    }
    volatile uint64_t keep = std::accumulate(sinks.begin(), sinks.end(), uint64_t{0});
    (void)keep;
    std::vector<double> sorted = reading.samples;
    std::sort(sorted.begin(), sorted.end());
    reading.passes = passes;
    reading.minBytesPerSecond = sorted.front();
    reading.maxBytesPerSecond = sorted.back();
    reading.medianBytesPerSecond = median(sorted);
    return reading;
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
    if (options.batchSize > 0)
        so.batchSize = options.batchSize;
    so.contextLength = std::max<int64_t>(options.promptTokens, options.generateTokens + 1);
    if (model->maxPositions() > 0)
        so.contextLength = std::min(so.contextLength, model->maxPositions());
    BackendRequest request = BackendRequest::parse(options.backend);
    request.contextLength = so.contextLength;
    request.keepMapped = options.keepMapped;
    const BackendChoice choice = chooseBackend(*model, request);
    r.backend = choice.summary();
    r.backendReason = choice.reason;
    r.weights = choice.weights;
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
        const auto generate = [&] {
            session.clear();
            session.evaluate(std::span<const int32_t>(tokens.data(), 1));
            const auto start = Clock::now();
            for (int64_t k = 1; k <= n; ++k)
                session.append(tokens[static_cast<size_t>(k)]);
            return static_cast<double>(n) / secondsSince(start);
        };
        generate();  // warms up: maps the weights, fills the caches, wakes the workers
        // The bandwidth probe reads the very pages generation streams (the matrices read whole
        // per token, already mapped by the warm-up), so the page size, the placement in memory and
        // the bytes are those of the weights, and it adds nothing to the resident memory; a
        // separate anonymous buffer would differ in all three (and may get huge pages). Its
        // thread count is the session's, its pool the same kind (the session's own is private).
        // It runs right before and right after the timed runs, several passes each, because on a
        // shared or virtual machine the bandwidth one gets changes from second to second: with
        // another process on one of two cores, two threads read about half as fast.
        std::vector<std::span<const std::byte>> regions;
        for (const auto& t : model->file().tensors())
            if (readWholePerToken(model->file(), t))
                regions.push_back(model->file().tensor(t).data);
        std::unique_ptr<cpu::ThreadPool> probePool;
        if (!r.onGpu) {
            probePool = std::make_unique<cpu::ThreadPool>(r.threads);
            r.lastLevelCacheBytes = lastLevelCacheBytes();
            r.bandwidthReadings.push_back(measureReadBandwidth(*probePool, regions, options.bandwidthPasses));
        }
        for (int i = 1; i <= repeats; ++i) {
            r.tgRuns.push_back(generate());
            if (probePool) {
                // Every run between two readings: the bandwidth it had is theirs.
                r.bandwidthReadings.push_back(measureReadBandwidth(*probePool, regions, options.bandwidthPasses));
                std::fprintf(stderr, "tg%lld run %d: %.1f tokens/s, %.1f GB/s around it\n", static_cast<long long>(n),
                             i, r.tgRuns.back(), r.bandwidthAround(r.tgRuns.size() - 1) / 1e9);
            } else {
                std::fprintf(stderr, "tg%lld run %d: %.1f tokens/s\n", static_cast<long long>(n), i, r.tgRuns.back());
            }
        }
        meanAndStddev(r.tgRuns, r.tgTokensPerSecond, r.tgStddev);
        if (probePool) {
            double shares = 0, bandwidth = 0;
            for (size_t i = 0; i < r.tgRuns.size(); ++i) {
                shares += static_cast<double>(r.weightBytesPerToken) * r.tgRuns[i] / r.bandwidthAround(i);
                bandwidth += r.bandwidthAround(i);
            }
            r.tgBandwidthFraction = shares / static_cast<double>(r.tgRuns.size());
            r.bandwidthBytesPerSecond = bandwidth / static_cast<double>(r.tgRuns.size());
            // Weights that fit in the last-level cache a few times over are partly read from it,
            // by generation and probe alike: the share is then one of the cache's bandwidth.
            const uint64_t probed = r.bandwidthReadings.front().bytes;
            r.bandwidthFromCache = r.lastLevelCacheBytes > 0 && probed < 8 * r.lastLevelCacheBytes;
            if (r.bandwidthFromCache)
                std::fprintf(stderr,
                             "warning: the weights (%llu bytes) are not much larger than the last-level cache "
                             "(%llu bytes): the bandwidth measured is partly the cache's; use a larger model\n",
                             static_cast<unsigned long long>(probed),
                             static_cast<unsigned long long>(r.lastLevelCacheBytes));
        }
    }
    r.peakRssBytes = peakRss();
    // Generation reads every weight once per token from the memory of whatever runs it: main
    // memory for the CPU (measured above), the device's own for a GPU (given).
    if (r.onGpu) {
        r.bandwidthBytesPerSecond = options.deviceBandwidthGBs * 1e9;
        if (r.bandwidthBytesPerSecond > 0)
            r.tgBandwidthFraction =
                static_cast<double>(r.weightBytesPerToken) * r.tgTokensPerSecond / r.bandwidthBytesPerSecond;
    }
    return r;
}

std::vector<int32_t> benchTokens(int64_t n, int64_t vocab) {
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        ids[static_cast<size_t>(i)] = static_cast<int32_t>((1000 + i * 7919) % vocab);
    return ids;
}

} // namespace lamp::bench
