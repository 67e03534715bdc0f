// CPU matmul throughput per weight format and thread count.
//   decode (1 token): GB/s of weight bytes streamed, against this machine's read bandwidth measured
//   the same way (a streaming sum over a 1 GiB buffer on the same thread pool);
//   prompt processing (512 tokens by default): GFLOP/s (2 * rows * cols * tokens per product).
// The decode matrices are cycled through enough copies (>= 512 MiB) that the weights come from
// memory, not from the last-level cache, as in a real model.
//   bench_matmul [--types q8_0,q4_k,...] [--threads 1,2] [--isa all|NAME,NAME...]
//                (families: portable, avx2, avxvnni, avx512, avx512vnni, neon, neondot; the ones
//                this CPU lacks are refused)
//                [--rows 2048] [--cols 5632] [--pp-tokens 512] [--seconds 1.0] [--no-pp] [--no-tg]
//                [--in-cache]  decode from one copy of the matrix (with --rows 64 --cols 2048 it stays
//                            in L2): the kernel's compute ceiling in GB/s, to compare with the
//                            memory bandwidth (a kernel well above it leaves generation memory-bound)
//                [--sweep]   GFLOP/s of both kernel paths for batches of 1 .. 512 tokens, to place
//                            the switch-over from per-row dot products to the packed GEMM
//                [--interleave]  Q4_0/Q5_0 matrices in the CPU backend's interleaved layout
//                            (cpu/interleave.h), as generation reads them from the private copy
// The machine may be shared and noisy: each figure is the best of several rounds, and the read
// bandwidth is measured again before every decode figure, so the ratio compares like with like.
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"  // internal: the decode/GEMM switch-over, for --sweep
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "quant/quantize.h"
#include "quant/tensor_type.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace lamp;
using namespace lamp::cpu;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = s.find(',', start);
        const size_t end = comma == std::string_view::npos ? s.size() : comma;
        if (end > start)
            out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Read bandwidth: each thread sums its share of a 1 GiB buffer of 64-bit words.
double measureBandwidth(ThreadPool& pool, double minSeconds) {
    const size_t words = (size_t{1} << 30) / sizeof(uint64_t);
    static std::unique_ptr<uint64_t[]> buffer;
    if (!buffer) {
        buffer.reset(new uint64_t[words]);
        for (size_t i = 0; i < words; ++i)
            buffer[i] = i * 0x9e3779b97f4a7c15ull;
    }
    std::vector<uint64_t> sinks(static_cast<size_t>(pool.size()) * 8, 0);
    const int64_t chunk = 1 << 16;  // words per task
    const int64_t chunks = static_cast<int64_t>(words) / chunk;
    double best = 0;
    const auto start = Clock::now();
    do {
        const auto t0 = Clock::now();
        pool.run(chunks, [&](int64_t begin, int64_t end, int thread) {
            uint64_t s[4] = {0, 0, 0, 0};
            const uint64_t* p = buffer.get() + begin * chunk;
            const int64_t n = (end - begin) * chunk;
            for (int64_t i = 0; i < n; i += 4) {
                s[0] += p[i];
                s[1] += p[i + 1];
                s[2] += p[i + 2];
                s[3] += p[i + 3];
            }
            sinks[static_cast<size_t>(thread) * 8] += s[0] + s[1] + s[2] + s[3];
        });
        const double t = seconds(t0, Clock::now());
        best = std::max(best, static_cast<double>(words * sizeof(uint64_t)) / t / 1e9);
    } while (seconds(start, Clock::now()) < minSeconds);
    uint64_t total = 0;
    for (uint64_t v : sinks)
        total += v;
    if (total == 42)
        std::printf(" ");
    return best;
}

struct Matrices {
    std::vector<std::unique_ptr<std::byte[]>> copies;
    size_t bytes = 0;
    WeightLayout layout = WeightLayout::Rows;
};

bool interleaveArg = false;  // --interleave

Matrices makeMatrices(TensorType type, int64_t rows, int64_t cols, size_t minTotal) {
    Matrices m;
    m.bytes = rowBytes(type, cols) * static_cast<size_t>(rows);
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> src(static_cast<size_t>(cols));
    auto first = std::make_unique<std::byte[]>(m.bytes);
    for (int64_t r = 0; r < rows; ++r) {
        for (auto& v : src)
            v = normal(rng);
        quantizeRow(type, src.data(), first.get() + static_cast<size_t>(r) * rowBytes(type, cols), cols);
    }
    if (interleaveArg && canInterleave(type, rows, cols)) {
        interleaveRows(type, first.get(), rows, cols);
        m.layout = WeightLayout::Interleaved4;
    }
    const size_t count = std::max<size_t>(1, (minTotal + m.bytes - 1) / m.bytes);
    m.copies.push_back(std::move(first));
    for (size_t i = 1; i < count; ++i) {
        auto copy = std::make_unique<std::byte[]>(m.bytes);
        std::memcpy(copy.get(), m.copies[0].get(), m.bytes);
        m.copies.push_back(std::move(copy));
    }
    return m;
}

// Best-of GB/s for 1-token products cycling through the copies.
double decodeGBs(const Matrices& m, TensorType type, int64_t rows, int64_t cols, ThreadPool& pool,
                 double minSeconds) {
    std::vector<float> x(static_cast<size_t>(cols), 0.5f), y(static_cast<size_t>(rows));
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(i % 17) * 0.1f - 0.8f;
    for (const auto& c : m.copies)  // warm-up (page faults, thread wake-up)
        matmul(WeightMatrix{type, c.get(), rows, cols, m.layout}, x.data(), 1, y.data(), pool);
    double best = 0;
    const auto start = Clock::now();
    do {
        const auto t0 = Clock::now();
        for (const auto& c : m.copies)
            matmul(WeightMatrix{type, c.get(), rows, cols, m.layout}, x.data(), 1, y.data(), pool);
        const double t = seconds(t0, Clock::now());
        best = std::max(best, static_cast<double>(m.bytes * m.copies.size()) / t / 1e9);
    } while (seconds(start, Clock::now()) < minSeconds);
    return best;
}

double ppGflops(const Matrices& m, TensorType type, int64_t rows, int64_t cols, int64_t tokens,
                ThreadPool& pool, double minSeconds) {
    std::vector<float> x(static_cast<size_t>(cols * tokens)), y(static_cast<size_t>(rows * tokens));
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(i % 23) * 0.1f - 1.1f;
    const WeightMatrix w{type, m.copies[0].get(), rows, cols, m.layout};
    matmul(w, x.data(), tokens, y.data(), pool);
    double best = 0;
    const auto start = Clock::now();
    do {
        const auto t0 = Clock::now();
        matmul(w, x.data(), tokens, y.data(), pool);
        const double t = seconds(t0, Clock::now());
        best = std::max(best, 2.0 * static_cast<double>(rows * cols * tokens) / t / 1e9);
    } while (seconds(start, Clock::now()) < minSeconds);
    return best;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> typeNames = {"f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1",
                                          "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k"};
    std::vector<int> threadCounts = {1, 2};
    std::string isaArg;
    int64_t rows = 2048, cols = 5632, ppTokens = 512;
    double minSeconds = 1.0;
    bool pp = true, tg = true, sweep = false, inCache = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto next = [&]() -> std::string_view {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", argv[i]);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--types") typeNames = split(next());
        else if (a == "--threads") {
            threadCounts.clear();
            for (const auto& s : split(next()))
                threadCounts.push_back(std::stoi(s));
        } else if (a == "--isa") isaArg = next();
        else if (a == "--rows") rows = std::stoll(std::string(next()));
        else if (a == "--cols") cols = std::stoll(std::string(next()));
        else if (a == "--pp-tokens") ppTokens = std::stoll(std::string(next()));
        else if (a == "--seconds") minSeconds = std::stod(std::string(next()));
        else if (a == "--no-pp") pp = false;
        else if (a == "--no-tg") tg = false;
        else if (a == "--sweep") sweep = true;
        else if (a == "--in-cache") inCache = true;
        else if (a == "--interleave") interleaveArg = true;
        else {
            std::fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    std::vector<Isa> isas = {activeIsa()};
    if (isaArg == "all") {
        isas = supportedIsas();
    } else if (!isaArg.empty()) {
        isas.clear();
        for (const auto& name : split(isaArg)) {
            const auto isa = isaFromName(name);
            if (!isa || !isaSupported(*isa)) {
                std::string supported;
                for (Isa other : supportedIsas())
                    supported.append(" ").append(isaName(other));  // not " " + string: gcc 12 -O3 -Wrestrict
                std::fprintf(stderr, "instruction set %s is unknown or unsupported here (supported:%s)\n",
                             name.c_str(), supported.c_str());
                return 2;
            }
            isas.push_back(*isa);
        }
    }

    std::printf("matrix %lld x %lld, detected %s\n", static_cast<long long>(rows),
                static_cast<long long>(cols), std::string(isaName(detectedIsa())).c_str());
    if (sweep) {
        const int64_t batches[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 512};
        std::printf("GFLOP/s by batch size: vec-dot path / GEMM path\n%-6s %-10s %7s", "type", "isa",
                    "threads");
        for (int64_t b : batches)
            std::printf(" %11lld", static_cast<long long>(b));
        std::printf("\n");
        const int64_t saved = detail::gemmMinTokens();
        for (const auto& name : typeNames) {
            const auto type = tensorTypeFromName(name);
            if (!type)
                return 2;
            const Matrices m = makeMatrices(*type, rows, cols, 0);
            for (Isa isa : isas) {
                setIsa(isa);
                for (int threads : threadCounts) {
                    ThreadPool pool(threads);
                    std::printf("%-6s %-10s %7d", std::string(tensorTypeName(*type)).c_str(),
                                std::string(isaName(isa)).c_str(), threads);
                    for (int64_t b : batches) {
                        detail::setGemmMinTokens(int64_t{1} << 40);
                        const double vec = ppGflops(m, *type, rows, cols, b, pool, minSeconds / 4);
                        detail::setGemmMinTokens(1);
                        const double gemm = ppGflops(m, *type, rows, cols, b, pool, minSeconds / 4);
                        std::printf(" %5.0f/%-5.0f", vec, gemm);
                        std::fflush(stdout);
                    }
                    std::printf("\n");
                }
            }
        }
        detail::setGemmMinTokens(saved);
        return 0;
    }
    std::printf("%-6s %-10s %7s %9s %9s %7s %13s\n", "type", "isa", "threads", "bw GB/s", "tg GB/s",
                "of bw", "pp GFLOP/s");
    for (const auto& name : typeNames) {
        const auto type = tensorTypeFromName(name);
        if (!type) {
            std::fprintf(stderr, "unknown type %s\n", name.c_str());
            return 2;
        }
        const Matrices m = makeMatrices(*type, rows, cols, tg && !inCache ? size_t{512} << 20 : 0);
        for (Isa isa : isas) {
            setIsa(isa);
            for (int threads : threadCounts) {
                ThreadPool pool(threads);
                double bw = 0, gbs = 0;
                if (tg)
                    for (int round = 0; round < 3; ++round) {  // alternate, best of each
                        bw = std::max(bw, measureBandwidth(pool, minSeconds / 3));
                        gbs = std::max(gbs, decodeGBs(m, *type, rows, cols, pool, minSeconds / 3));
                    }
                std::printf("%-6s %-10s %7d", std::string(tensorTypeName(*type)).c_str(),
                            std::string(isaName(isa)).c_str(), threads);
                if (tg)
                    std::printf(" %9.1f %9.1f %6.0f%%", bw, gbs, 100.0 * gbs / bw);
                else
                    std::printf(" %9s %9s %7s", "-", "-", "-");
                if (pp)
                    std::printf(" %13.1f", ppGflops(m, *type, rows, cols, ppTokens, pool, minSeconds));
                std::printf("\n");
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
