// The CPU backend's thread pool and matrix products.
// matmul is checked against an independent reference: the weights decoded by the plain reference
// decoder (dequantizeRow) and multiplied with the float activations in double precision. Every
// weight format, every instruction-set path this CPU supports, one and several threads, decode
// (1 token) and batch shapes, rows that are not a multiple of any tile, and sentinels around the
// output to catch writes out of bounds. Error is measured as NMSE = Σ(ours − ref)² / Σref².
#include "core/error.h"
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"  // internal: kernel tables, the decode/GEMM switch-over
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "quant/half.h"
#include "quant/tensor_type.h"
#include "support/matmul_cases.h"  // the formats, shapes, reference and measurement

#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <time.h>

using namespace lamp;
using namespace lamp::cpu;
using namespace lamp::test;

class TestCpuMatmul : public QObject {
    Q_OBJECT

private slots:
    void isaNames() {
        IsaGuard guard;
        for (Isa isa : allIsas()) {
            QCOMPARE(isaFromName(isaName(isa)), std::optional<Isa>(isa));
            // A family the CPU lacks is refused; one it has can be forced.
            if (isaSupported(isa)) {
                setIsa(isa);
                QCOMPARE(activeIsa(), isa);
            } else {
                QVERIFY_THROWS_EXCEPTION(lamp::Error, setIsa(isa));
            }
        }
        QCOMPARE(isaFromName("AVX2"), std::optional<Isa>(Isa::Avx2));
        QCOMPARE(isaFromName("AvxVnni"), std::optional<Isa>(Isa::AvxVnni));
        QCOMPARE(isaFromName("AVX512VNNI"), std::optional<Isa>(Isa::Avx512Vnni));
        QVERIFY(!isaFromName("sse9"));
        QVERIFY(!isaFromName("avx512vnn"));
        QVERIFY(isaSupported(Isa::Portable));
        QVERIFY(isaSupported(detectedIsa()));
        QVERIFY(isaSupported(activeIsa()));
        // supportedIsas() lists exactly the supported families, narrowest (portable) first.
        std::vector<Isa> expected;
        for (Isa isa : allIsas())
            if (isaSupported(isa))
                expected.push_back(isa);
        QVERIFY(supportedIsas() == expected);
        QCOMPARE(supportedIsas().front(), Isa::Portable);
        std::string names;
        for (Isa isa : supportedIsas())
            names += " " + std::string(isaName(isa));
        qInfo("detected %s, active %s, supported:%s", std::string(isaName(detectedIsa())).c_str(),
              std::string(isaName(activeIsa())).c_str(), names.c_str());
    }

    // The kernels' branch-free fp16 conversion against the reference one, on every input.
    void fp16ConversionExact() {
        for (uint32_t h = 0; h < 65536; ++h) {
            const float fast = detail::fp16ToFp32Fast(static_cast<uint16_t>(h));
            const float ref = fp16ToFp32Portable(static_cast<uint16_t>(h));
            if (std::isnan(ref))
                QVERIFY2(std::isnan(fast), std::to_string(h).c_str());
            else
                QVERIFY2(std::memcmp(&fast, &ref, 4) == 0, std::to_string(h).c_str());
        }
    }

    // ---- thread pool ------------------------------------------------------------------------

    void poolSize() {
        ThreadPool one(1);
        QCOMPARE(one.size(), 1);
        ThreadPool three(3);
        QCOMPARE(three.size(), 3);
        ThreadPool all;
        QCOMPARE(all.size(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    }

    void poolCoversEveryIndexOnce() {
        for (int threads : {1, 2, 3, 8}) {
            ThreadPool pool(threads);
            for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{5}, int64_t{1000},
                              int64_t{100003}}) {
                for (int64_t grain : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{4096}}) {
                    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
                    std::vector<std::atomic<int>> busy(static_cast<size_t>(threads));
                    std::atomic<bool> badIndex{false}, shared{false};
                    auto body = [&](int64_t begin, int64_t end, int thread) {
                        if (thread < 0 || thread >= threads || begin < 0 || end > n || begin >= end) {
                            badIndex = true;
                            return;
                        }
                        if (busy[static_cast<size_t>(thread)].fetch_add(1) != 0)
                            shared = true;
                        for (int64_t i = begin; i < end; ++i)
                            hits[static_cast<size_t>(i)].fetch_add(1, std::memory_order_relaxed);
                        busy[static_cast<size_t>(thread)].fetch_sub(1);
                    };
                    if (grain == 0)
                        pool.run(n, body);
                    else
                        pool.run(n, grain, body);
                    QVERIFY(!badIndex);
                    QVERIFY2(!shared, "two threads ran with the same threadIndex at once");
                    for (int64_t i = 0; i < n; ++i)
                        QCOMPARE(hits[static_cast<size_t>(i)].load(), 1);
                }
            }
        }
    }

    void poolUsesSeveralThreads() {
        ThreadPool pool(3);
        std::vector<std::atomic<int>> seen(3);
        // Chunks that take a while, so the workers get some.
        pool.run(64, 1, [&](int64_t, int64_t, int thread) {
            seen[static_cast<size_t>(thread)] = 1;
            const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
            while (std::chrono::steady_clock::now() < until) {
            }
        });
        int used = 0;
        for (auto& s : seen)
            used += s.load();
        QVERIFY2(used >= 2, "the workers never took part");
    }

    void poolThreadsStreamTheirOwnRange() {
        // Each thread starts at the front of its own contiguous range and walks it in order (a
        // matrix-vector product then streams one long run of rows per thread); a thread that stalls
        // has the rest of its range taken by the others from the back. Every chunk runs once.
        constexpr int kThreads = 3;
        constexpr int64_t kChunks = 96, kGrain = 4, kN = kChunks * kGrain - 1;  // a short last chunk
        ThreadPool pool(kThreads);
        for (const bool stall : {false, true}) {
            std::mutex mutex;
            std::vector<std::vector<int64_t>> ran(kThreads);  // chunk numbers in the order each thread ran them
            std::atomic<bool> wholeChunks{true};
            pool.run(kN, kGrain, [&](int64_t begin, int64_t end, int thread) {
                if (begin % kGrain != 0 || (end - begin != kGrain && end != kN))
                    wholeChunks = false;
                {
                    std::lock_guard lock(mutex);
                    ran[static_cast<size_t>(thread)].push_back(begin / kGrain);
                }
                if (stall && thread == 1)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
            });
            QVERIFY(wholeChunks);
            std::vector<int> count(kChunks, 0);
            for (int t = 0; t < kThreads; ++t) {
                const std::vector<int64_t>& mine = ran[static_cast<size_t>(t)];
                const int64_t front = kChunks * t / kThreads, back = kChunks * (t + 1) / kThreads;
                size_t i = 0;
                // Its own range from the front, in order...
                for (; i < mine.size() && mine[i] >= front && mine[i] < back; ++i)
                    QCOMPARE(mine[i], front + static_cast<int64_t>(i));
                // ...then other ranges' chunks, each range from its back.
                for (; i < mine.size(); ++i)
                    QVERIFY2(mine[i] < front || mine[i] >= back, "a thread came back to its own range");
                for (const int64_t c : mine)
                    ++count[static_cast<size_t>(c)];
            }
            for (int64_t c = 0; c < kChunks; ++c)
                QCOMPARE(count[static_cast<size_t>(c)], 1);
            if (stall)
                QVERIFY2(ran[1].size() <= 1, "the others left a stalled thread's range to it");
        }
    }

    void poolPropagatesExceptions() {
        ThreadPool pool(3);
        for (int round = 0; round < 20; ++round) {
            const int64_t bad = round * 37 % 1000;
            bool caught = false;
            try {
                pool.run(1000, 10, [&](int64_t begin, int64_t end, int) {
                    if (bad >= begin && bad < end)
                        throw std::runtime_error("chunk " + std::to_string(begin) + " failed");
                });
            } catch (const std::runtime_error& e) {
                caught = true;
                QVERIFY(std::string(e.what()).find("failed") != std::string::npos);
            }
            QVERIFY(caught);
            // The pool keeps working afterwards.
            std::atomic<int64_t> sum{0};
            pool.run(1000, [&](int64_t begin, int64_t end, int) {
                for (int64_t i = begin; i < end; ++i)
                    sum += i;
            });
            QCOMPARE(sum.load(), int64_t{999 * 1000 / 2});
        }
        ThreadPool single(1);
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 single.run(5, [](int64_t, int64_t, int) { throw std::logic_error("x"); }));
    }

    void poolManySmallRuns() {
        // Back-to-back runs (spinning workers) and runs after pauses (sleeping workers).
        ThreadPool pool(4);
        int64_t expected = 0;
        std::atomic<int64_t> total{0};
        for (int i = 0; i < 20000; ++i) {
            const int64_t n = 1 + i % 9;
            pool.run(n, 1, [&](int64_t begin, int64_t end, int) { total += end - begin; });
            expected += n;
            if (i % 2000 == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        QCOMPARE(total.load(), expected);
    }

    void poolDestroyWhileIdle() {
        for (int i = 0; i < 50; ++i) {
            ThreadPool pool(3);
            if (i % 2 == 0)
                pool.run(10, [](int64_t, int64_t, int) {});
        }
    }

    void poolWorkersSleepWhenIdle() {
        // Workers spin for a fraction of a millisecond after a job, then sleep: an idle pool must
        // not burn a core (the app keeps its pool while the user reads). Spinning workers would
        // use about as much CPU as the pause lasts, times three; sleeping ones almost none.
        ThreadPool pool(4);
        pool.run(64, 1, [](int64_t, int64_t, int) {});
        const auto cpuNow = [] {
            timespec ts{};
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
            return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
        };
        const double before = cpuNow();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const double used = cpuNow() - before;
        QVERIFY2(used < 0.1, ("an idle pool used " + std::to_string(used) +
                              " s of CPU in 0.3 s: its workers do not go to sleep").c_str());
    }

    // ---- kernel choice ------------------------------------------------------------------------

    void everyIsaHasItsOwnKernels() {
        // Forcing an instruction set must run that set's code, or the tests below would check the
        // same kernels several times over. Integer kernels differ between every two families (each
        // is compiled for its own instructions); float kernels need no VNNI, so families of one
        // vector width share them.
        const auto floatWidth = [](Isa isa) {
            switch (isa) {
            case Isa::Avx2:
            case Isa::AvxVnni: return 256;
            case Isa::Avx512:
            case Isa::Avx512Vnni: return 512;
            default: return static_cast<int>(isa) + 1000;  // its own
            }
        };
        const std::vector<Isa> isas = supportedIsas();
        for (TensorType type : kMatmulTypes)
            for (size_t i = 0; i < isas.size(); ++i)
                for (size_t j = i + 1; j < isas.size(); ++j) {
                    const bool shared = isFloatType(type) && floatWidth(isas[i]) == floatWidth(isas[j]);
                    const bool same = detail::vecDotKernel(type, isas[i]) == detail::vecDotKernel(type, isas[j]);
                    QVERIFY2(same == shared,
                             (std::string(tensorTypeName(type)) + ": " + std::string(isaName(isas[i])) +
                              " and " + std::string(isaName(isas[j])) +
                              (shared ? " should share a vec-dot kernel" : " share a vec-dot kernel")).c_str());
                }
        for (size_t i = 0; i < isas.size(); ++i)
            for (size_t j = i + 1; j < isas.size(); ++j) {
                const std::string pair = std::string(isaName(isas[i])) + " " + std::string(isaName(isas[j]));
                QVERIFY2(detail::gemmQ8Kernel(isas[i]) != detail::gemmQ8Kernel(isas[j]), pair.c_str());
                QVERIFY2((detail::gemmF32Kernel(isas[i]) == detail::gemmF32Kernel(isas[j])) ==
                             (floatWidth(isas[i]) == floatWidth(isas[j])),
                         pair.c_str());
            }
    }

    // Each x86 family's table is the one vecDotKernel returns when the family is forced; in
    // particular the AVX-512 family without VNNI never gets the VNNI kernels (vec_dot_avx512_k4/k6,
    // vpdpbusd), which would fault on a Skylake-X. Only pointers are compared, so this runs on any
    // x86 CPU, whichever families it has.
    void familyTables() {
        if (detail::vecDotAvx2(TensorType::F32) == nullptr)
            QSKIP("not an x86 build: no x86 kernel tables");
        for (TensorType type : kMatmulTypes) {
            const std::string name(tensorTypeName(type));
            const bool kQuant = tensorTypeInfo(type).blockSize == 256;
            const auto own = [&](detail::VecDotFn a, detail::VecDotFn b) { return a ? a : b; };
            // AVX2 and AVX-VNNI: their own integer kernels, AVX2's float ones.
            QVERIFY2(detail::vecDotKernel(type, Isa::Avx2) ==
                         own(detail::vecDotAvx2(type), detail::vecDotAvx2K(type)), name.c_str());
            const detail::VecDotFn vnni256 =
                isFloatType(type) ? detail::vecDotAvx2(type)
                                  : own(detail::vecDotAvxVnni(type), detail::vecDotAvxVnniK(type));
            QVERIFY2(vnni256 != nullptr && detail::vecDotKernel(type, Isa::AvxVnni) == vnni256, name.c_str());
            // AVX-512: every type has a kernel of its own, without VNNI.
            const detail::VecDotFn plain512 = detail::vecDotAvx512(type);
            QVERIFY2(plain512 != nullptr && detail::vecDotKernel(type, Isa::Avx512) == plain512, name.c_str());
            for (auto vnniOnly : {detail::vecDotAvx512Vnni, detail::vecDotAvx512VnniK,
                                  detail::vecDotAvx512K4, detail::vecDotAvx512K6})
                if (const detail::VecDotFn fn = vnniOnly(type))
                    QVERIFY2(plain512 != fn, (name + ": avx512 uses a VNNI kernel").c_str());
            if (kQuant)
                QVERIFY2(detail::actFormat(type, Isa::Avx512) == detail::ActFormat::Q8K, name.c_str());
            // AVX-512 VNNI: its own integer kernels (the wide Q4_K/Q5_K/Q6_K ones where they exist),
            // the plain AVX-512 float ones.
            const detail::VecDotFn vnni512 = detail::vecDotKernel(type, Isa::Avx512Vnni);
            if (isFloatType(type))
                QVERIFY2(vnni512 == plain512, name.c_str());
            else
                QVERIFY2(vnni512 == detail::vecDotAvx512Vnni(type), name.c_str());
            if (const detail::VecDotFn wide = own(detail::vecDotAvx512K4(type), detail::vecDotAvx512K6(type)))
                QVERIFY2(vnni512 == wide, name.c_str());
        }
        // Q8_0 weights are packed signed for the GEMM kernels that multiply with maddubs.
        QVERIFY(detail::gemmQ8SignedCodes(Isa::Avx2));
        QVERIFY(detail::gemmQ8SignedCodes(Isa::Avx512));
        QVERIFY(!detail::gemmQ8SignedCodes(Isa::AvxVnni));
        QVERIFY(!detail::gemmQ8SignedCodes(Isa::Avx512Vnni));
    }

    void pairedActivationsMatchSingleBlocks() {
        // The AVX-512 kernels read activations two blocks at a time (BlockQ8A2); the pairs must
        // hold exactly the codes and scales of the one-block format, zeros after an odd count.
        std::mt19937 rng(7);
        for (int64_t blocks : {1, 2, 3, 28, 33}) {
            const int64_t n = 32 * blocks;
            const std::vector<float> x = makeActivations(1, n, rng);
            for (Isa isa : supportedIsas()) {
                std::vector<detail::BlockQ8A> single(static_cast<size_t>(blocks));
                std::vector<detail::BlockQ8A2> pairs(static_cast<size_t>((blocks + 1) / 2));
                std::memset(pairs.data(), 0x5a, pairs.size() * sizeof(detail::BlockQ8A2));
                detail::quantizeQ8A(x.data(), single.data(), n, isa);
                detail::quantizeQ8A2(x.data(), pairs.data(), n, isa);
                for (int64_t b = 0; b < blocks; ++b) {
                    const detail::BlockQ8A& one = single[static_cast<size_t>(b)];
                    const detail::BlockQ8A2& pair = pairs[static_cast<size_t>(b / 2)];
                    const int k = static_cast<int>(b % 2);
                    QCOMPARE(pair.d[k], one.d);
                    QCOMPARE(pair.dsum[k], one.d * static_cast<float>(one.sum));
                    QVERIFY(std::memcmp(pair.qs + 32 * k, one.qs, 32) == 0);
                }
                if (blocks % 2 != 0) {
                    const detail::BlockQ8A2& last = pairs.back();
                    QCOMPARE(last.d[1], 0.0f);
                    QCOMPARE(last.dsum[1], 0.0f);
                    for (int i = 32; i < 64; ++i)
                        QCOMPARE(static_cast<int>(last.qs[i]), 0);
                }
            }
        }
    }

    // ---- matmul -----------------------------------------------------------------------------

    void matmulMatchesReference() {
        IsaGuard guard;
        std::mt19937 rng(20240611);
        ThreadPool one(1), three(3);
        std::map<std::string, double> worst;  // "TYPE path isa" -> largest NMSE seen
        for (TensorType type : kMatmulTypes) {
            for (const MatmulShape& shape : matmulShapesFor(type)) {
                const TestMatrix m = makeMatrix(type, shape.rows, shape.cols, rng);
                for (int64_t nTokens : {1, 2, 7, 33}) {
                    const std::vector<float> x = makeActivations(nTokens, shape.cols, rng);
                    const std::vector<double> ref = referenceProduct(m, x, nTokens);
                    for (Path path : kPaths) {
                        forcePath(path);
                        for (Isa isa : supportedIsas()) {
                            setIsa(isa);
                            for (ThreadPool* pool : {&one, &three}) {
                                const MatmulResult res = runMatmulCase(m, x, ref, nTokens, *pool);
                                const std::string key = std::string(tensorTypeName(type)) + " " +
                                                        pathName(path) + " " +
                                                        std::string(isaName(isa));
                                const std::string where =
                                    key + " rows " + std::to_string(shape.rows) + " cols " +
                                    std::to_string(shape.cols) + " tokens " +
                                    std::to_string(nTokens) + " threads " +
                                    std::to_string(pool->size());
                                QVERIFY2(res.sentinelsIntact, ("wrote outside y: " + where).c_str());
                                QVERIFY2(std::isfinite(res.nmse) && res.nmse < nmseLimit(type),
                                         ("NMSE " + std::to_string(res.nmse) + ": " + where).c_str());
                                double& w = worst[key];
                                w = std::max(w, res.nmse);
                            }
                        }
                    }
                }
            }
        }
        for (const auto& [key, value] : worst)
            qInfo("worst NMSE %-24s %.3g", key.c_str(), value);
    }

    // Larger batches go through the tiled matrix-matrix path: check it with a shape big enough to
    // span several tiles in both directions.
    void matmulLargeBatch() {
        IsaGuard guard;
        std::mt19937 rng(7);
        ThreadPool pool(2);
        for (TensorType type : kMatmulTypes) {
            const TestMatrix m = makeMatrix(type, 77, 512, rng);
            const std::vector<float> x = makeActivations(100, 512, rng);
            const std::vector<double> ref = referenceProduct(m, x, 100);
            for (Isa isa : supportedIsas()) {
                setIsa(isa);
                const MatmulResult res = runMatmulCase(m, x, ref, 100, pool);
                const std::string where =
                    std::string(tensorTypeName(type)) + " " + std::string(isaName(isa));
                QVERIFY2(res.sentinelsIntact, ("wrote outside y: " + where).c_str());
                QVERIFY2(res.nmse < nmseLimit(type),
                         ("NMSE " + std::to_string(res.nmse) + ": " + where).c_str());
            }
        }
    }

    // The SIMD paths compute the same integer sums as the portable path on the same 8-bit
    // activations, so they must agree with it far more tightly than with the float reference: this
    // catches a kernel that is slightly wrong in a rare case (one group, one edge) which the 5e-4
    // reference bound could hide.
    void matmulPathsAgreeWithPortable() {
        IsaGuard guard;
        std::mt19937 rng(4242);
        ThreadPool pool(2);
        for (TensorType type : kMatmulTypes) {
            for (const MatmulShape& shape : matmulShapesFor(type)) {
                const TestMatrix m = makeMatrix(type, shape.rows, shape.cols, rng);
                for (int64_t nTokens : {1, 3, 8, 33}) {
                    const std::vector<float> x = makeActivations(nTokens, shape.cols, rng);
                    const size_t count = static_cast<size_t>(nTokens * shape.rows);
                    for (Path path : kPaths) {
                        forcePath(path);
                        std::vector<float> ref(count);
                        setIsa(Isa::Portable);
                        matmul(m.view, x.data(), nTokens, ref.data(), pool);
                        for (Isa isa : supportedIsas()) {
                            setIsa(isa);
                            std::vector<float> y(count);
                            matmul(m.view, x.data(), nTokens, y.data(), pool);
                            const double nmse = nmseBetween(y, ref);
                            QVERIFY2(nmse < 1e-9,
                                     (std::string(tensorTypeName(type)) + " " + pathName(path) + " " +
                                      std::string(isaName(isa)) + " tokens " +
                                      std::to_string(nTokens) + " cols " +
                                      std::to_string(shape.cols) + ": NMSE against portable " +
                                      std::to_string(nmse)).c_str());
                        }
                    }
                }
            }
        }
    }

    // Q8_0 codes at the ends of their range with activations at full scale: where a family
    // emulates vpdpbusd with maddubs (s16 pair sums, saturating at 32767), codes that were not
    // kept within its range would saturate here. The activations are ±1 (codes ±127, exact), so
    // every path computes the integer sums exactly and must match the reference to float rounding.
    void matmulExtremeCodes() {
        IsaGuard guard;
        std::mt19937 rng(31337);
        ThreadPool pool(2);
        const ExtremeCodesCase c = makeExtremeCodesCase(rng);
        for (Path path : kPaths) {
            forcePath(path);
            for (Isa isa : supportedIsas()) {
                setIsa(isa);
                const MatmulResult res = runMatmulCase(c.m, c.x, c.ref, c.nTokens, pool);
                const std::string where = std::string(pathName(path)) + " " + std::string(isaName(isa));
                QVERIFY2(res.sentinelsIntact, ("wrote outside y: " + where).c_str());
                QVERIFY2(res.nmse < 1e-10, ("NMSE " + std::to_string(res.nmse) + ": " + where).c_str());
            }
        }
    }

    // Every path gives the same answer whatever the thread count (rows are independent).
    void matmulIndependentOfThreads() {
        IsaGuard guard;
        std::mt19937 rng(99);
        ThreadPool one(1), four(4);
        for (TensorType type : {TensorType::Q4_K, TensorType::Q8_0, TensorType::F16}) {
            const TestMatrix m = makeMatrix(type, 101, 512, rng);
            const std::vector<float> x = makeActivations(9, 512, rng);
            for (Isa isa : supportedIsas()) {
                setIsa(isa);
                std::vector<float> a(101 * 9), b(101 * 9);
                matmul(m.view, x.data(), 9, a.data(), one);
                matmul(m.view, x.data(), 9, b.data(), four);
                QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
            }
        }
    }

    void matmulEdgeCases() {
        IsaGuard guard;
        ThreadPool pool(2);
        std::vector<float> y(8, kSentinel);
        // No rows or no tokens: nothing is written.
        matmul(WeightMatrix{TensorType::Q4_0, nullptr, 0, 64}, nullptr, 3, y.data(), pool);
        matmul(WeightMatrix{TensorType::Q4_0, nullptr, 4, 64}, nullptr, 0, y.data(), pool);
        for (float v : y)
            QCOMPARE(v, kSentinel);
        // Empty rows: zeros.
        matmul(WeightMatrix{TensorType::F16, nullptr, 4, 0}, nullptr, 2, y.data(), pool);
        for (int i = 0; i < 8; ++i)
            QCOMPARE(y[static_cast<size_t>(i)], 0.0f);
        // Float formats take any row length; odd ones exercise the kernels' scalar tails.
        std::mt19937 rng(5);
        for (int64_t cols : {1, 7, 17, 33, 77}) {
            for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
                const TestMatrix m = makeMatrix(type, 9, cols, rng);
                for (int64_t nTokens : {1, 13}) {
                    const std::vector<float> x = makeActivations(nTokens, cols, rng);
                    const std::vector<double> ref = referenceProduct(m, x, nTokens);
                    for (Isa isa : supportedIsas()) {
                        setIsa(isa);
                        const MatmulResult res = runMatmulCase(m, x, ref, nTokens, pool);
                        QVERIFY(res.sentinelsIntact);
                        QVERIFY2(res.nmse < 1e-10, std::to_string(res.nmse).c_str());
                    }
                }
            }
        }
        // Missing data is an error, not a crash.
        std::vector<float> x(64);
        QVERIFY_THROWS_EXCEPTION(lamp::Error,
                                 matmul(WeightMatrix{TensorType::Q8_0, nullptr, 2, 64}, x.data(), 1,
                                        y.data(), pool));
    }

    void matmulRejectsUnsupportedTypes() {
        ThreadPool pool(1);
        std::vector<std::byte> data(4096);
        std::vector<float> x(256), y(4);
        for (TensorType type : {TensorType::Q8_1, TensorType::Q8_K}) {
            const WeightMatrix w{type, data.data(), 1, 256};
            QVERIFY_THROWS_EXCEPTION(lamp::FormatError, matmul(w, x.data(), 1, y.data(), pool));
        }
        const WeightMatrix w{TensorType::Q4_K, data.data(), 1, 100};  // not a multiple of 256
        QVERIFY_THROWS_EXCEPTION(lamp::FormatError, matmul(w, x.data(), 1, y.data(), pool));
    }

    // matmulShared (q, k, v or gate, up in one pass over the threads) gives each matrix exactly
    // matmul's bits: formats with different kernels and activation formats side by side, row
    // counts that are not multiples of the decode step, an interleaved matrix, more matrices than
    // one pass takes, every family, both paths, several thread and token counts.
    void sharedInputGivesEachProductsBits() {
        IsaGuard guard;
        std::mt19937 rng(21);
        const int64_t cols = 256;
        std::vector<TestMatrix> ms;
        for (const auto& [type, rows] : {std::pair{TensorType::Q4_K, int64_t{36}}, {TensorType::Q8_0, int64_t{20}},
                                         {TensorType::Q5_0, int64_t{8}}, {TensorType::F16, int64_t{5}},
                                         {TensorType::Q6_K, int64_t{17}}, {TensorType::Q4_0, int64_t{48}}})
            ms.push_back(makeMatrix(type, rows, cols, rng));
        std::vector<std::byte> interleaved(ms[2].bytes);  // the Q5_0 one, interleaved (cpu/interleave.h)
        interleaveRows(TensorType::Q5_0, interleaved.data() + 2, 8, cols);
        ms[2].view.data = interleaved.data() + 2;
        ms[2].view.layout = WeightLayout::Interleaved4;
        std::vector<const WeightMatrix*> ws;
        for (const TestMatrix& m : ms)
            ws.push_back(&m.view);
        for (Isa isa : supportedIsas()) {
            setIsa(isa);
            for (Path path : kPaths) {
                forcePath(path);
                for (int threads : {1, 2, 3}) {
                    ThreadPool pool(threads);
                    for (int64_t tokens : {int64_t{1}, int64_t{4}}) {
                        const std::vector<float> x = makeActivations(tokens, cols, rng);
                        std::vector<std::vector<float>> want(ms.size()), got(ms.size());
                        std::vector<float*> outs;
                        for (size_t i = 0; i < ms.size(); ++i) {
                            want[i].resize(static_cast<size_t>(tokens * ms[i].view.rows));
                            got[i].assign(want[i].size(), kSentinel);
                            matmul(ms[i].view, x.data(), tokens, want[i].data(), pool);
                            outs.push_back(got[i].data());
                        }
                        matmulShared(ws, x.data(), tokens, outs, pool);
                        for (size_t i = 0; i < ms.size(); ++i) {
                            const std::string what = std::string(tensorTypeName(ms[i].view.type)) + " " +
                                                     std::string(isaName(isa)) + " " + pathName(path) + " threads " +
                                                     std::to_string(threads) + " tokens " + std::to_string(tokens);
                            QVERIFY2(std::memcmp(got[i].data(), want[i].data(), want[i].size() * sizeof(float)) == 0,
                                     what.c_str());
                        }
                    }
                }
            }
        }
        ThreadPool pool(1);
        std::vector<float> x(512), y(64);
        TestMatrix wider = makeMatrix(TensorType::Q8_0, 2, 512, rng);
        const WeightMatrix* mixed[] = {&ms[1].view, &wider.view};
        float* const outs[] = {y.data(), y.data() + 32};
        QVERIFY_THROWS_EXCEPTION(lamp::FormatError, matmulShared(mixed, x.data(), 1, outs, pool));
    }
};

QTEST_APPLESS_MAIN(TestCpuMatmul)
#include "test_cpu_matmul.moc"
