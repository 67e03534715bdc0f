// The throughput benchmark behind `lamplight-cli bench` (bench/throughput.h), on the tiny llama
// model the tests write themselves: -p 0 measures generation alone and -n 0 prompt processing
// alone; the KV cache it reports is the one the shape needs (computed here by hand), and the
// weight bytes a generated token reads are the file's matrices without the embedding table; the
// bandwidth probe reads those matrices before and after generation and reports min/median/max.
#include "support/tiny_models.h"

#include "bench/throughput.h"
#include "cpu/thread_pool.h"
#include "gguf/gguf_file.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

using namespace lamp;

class TestCpuThroughput : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        path_ = (dir_.path() + "/tiny.gguf").toStdString();
        test::tinyLlamaModel().write(path_);
    }

    void generationAlone() {
        bench::ThroughputOptions o;
        o.modelPath = path_;
        o.promptTokens = 0;
        o.generateTokens = 6;
        o.threads = 2;
        o.repeats = 1;
        o.bandwidthPasses = 3;
        const bench::ThroughputResult r = bench::runThroughput(o);
        QCOMPARE(r.ppTokensPerSecond, 0.0);
        QVERIFY(r.tgTokensPerSecond > 0);
        QCOMPARE(r.threads, 2);
        QVERIFY(r.bandwidthBytesPerSecond > 0);
        QVERIFY(r.tgBandwidthFraction > 0);
        // The context is the 7 positions generation needs: 2 layers x 7 positions x 2 KV heads x
        // (16 key + 16 value) values x 2 bytes (f16).
        QCOMPARE(r.kvCacheBytes, uint64_t{2 * 7 * 2 * (16 + 16) * 2});
        QVERIFY(r.peakRssBytes > 0);
        QCOMPARE(r.memoryLimitBytes(), (r.modelBytes + r.kvCacheBytes) * 11 / 10);
        // The probe reads, before and after the timed runs, the matrices a token reads whole:
        // every one but the embedding table (the tiny model has its own output matrix).
        const GgufFile file = GgufFile::open(path_);
        uint64_t wholeBytes = 0;
        for (const auto& t : file.tensors())
            if (t.nDims >= 2 && t.name != "token_embd.weight")
                wholeBytes += t.nBytes;
        QVERIFY(!r.bandwidthReadings.empty());
        for (const bench::BandwidthReading* b : {&r.bandwidthReadings.front(), &r.bandwidthReadings.back()}) {
            QCOMPARE(b->passes, 3);
            QCOMPARE(b->samples.size(), size_t{3});
            QCOMPARE(b->bytes, wholeBytes);
            QVERIFY(b->minBytesPerSecond > 0);
            QVERIFY(b->minBytesPerSecond <= b->medianBytesPerSecond);
            QVERIFY(b->medianBytesPerSecond <= b->maxBytesPerSecond);
        }
        // A reading before the first run and after every run; each run's share is of the mean of
        // the medians of the readings around it, and the result's share the mean of those.
        QCOMPARE(r.bandwidthReadings.size(), r.tgRuns.size() + 1);
        double shares = 0, bandwidth = 0;
        for (size_t i = 0; i < r.tgRuns.size(); ++i) {
            const double around = (r.bandwidthReadings[i].medianBytesPerSecond +
                                   r.bandwidthReadings[i + 1].medianBytesPerSecond) / 2;
            QCOMPARE(r.bandwidthAround(i), around);
            shares += static_cast<double>(r.weightBytesPerToken) * r.tgRuns[i] / around;
            bandwidth += around;
        }
        const auto runs = static_cast<double>(r.tgRuns.size());
        QVERIFY(std::abs(r.tgBandwidthFraction - shares / runs) <= 1e-12 * shares);
        QVERIFY(std::abs(r.bandwidthBytesPerSecond - bandwidth / runs) <= 1e-9 * bandwidth);
        // A few KiB of weights sit in any last-level cache: the result says so.
        if (r.lastLevelCacheBytes > 0)
            QVERIFY(r.bandwidthFromCache);
    }

    void bandwidthReadingStatistics() {
        // Three regions of odd sizes (pieces and a partial word at the end): every byte counted.
        std::vector<std::byte> a(3 << 20), b(1000), c(777);
        const std::vector<std::span<const std::byte>> regions{a, b, c};
        cpu::ThreadPool pool(2);
        const bench::BandwidthReading r = bench::measureReadBandwidth(pool, regions, 5);
        QCOMPARE(r.bytes, uint64_t{(3 << 20) + 1000 + 777});
        QCOMPARE(r.passes, 5);
        QCOMPARE(r.samples.size(), size_t{5});
        std::vector<double> sorted = r.samples;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(r.minBytesPerSecond, sorted.front());
        QCOMPARE(r.medianBytesPerSecond, sorted[2]);
        QCOMPARE(r.maxBytesPerSecond, sorted.back());
        // Nothing to read: an empty reading, not a division by zero.
        QCOMPARE(bench::measureReadBandwidth(pool, {}, 5).passes, 0);
    }

    void lastLevelCacheFromSysfs() {
        if (access("/sys/devices/system/cpu/cpu0/cache/index0/size", R_OK) != 0)
            QSKIP("no cache information in sysfs on this system");
        // The last level is at least as large as the first-level data cache the C library reads
        // from CPUID (the two sources disagree on the L3 of some virtual machines: sysfs is the
        // guest's view, which is why the benchmark reads it).
        const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
        const uint64_t llc = bench::lastLevelCacheBytes();
        QVERIFY2(llc > 0, "sysfs lists caches but no size was read");
        if (l1 > 0)
            QVERIFY(llc >= static_cast<uint64_t>(l1));
    }

    void promptAlone() {
        bench::ThroughputOptions o;
        o.modelPath = path_;
        o.promptTokens = 12;
        o.generateTokens = 0;
        o.threads = 1;
        o.repeats = 2;
        o.bandwidthPasses = 3;
        const bench::ThroughputResult r = bench::runThroughput(o);
        QVERIFY(r.ppTokensPerSecond > 0);
        QCOMPARE(r.tgTokensPerSecond, 0.0);
        QCOMPARE(r.tgBandwidthFraction, 0.0);
        QCOMPARE(r.kvCacheBytes, uint64_t{2 * 12 * 2 * (16 + 16) * 2});
    }

    void weightBytesPerToken() {
        // Every tensor once, except the embedding table, of which a token reads one row.
        const GgufFile file = GgufFile::open(path_);
        uint64_t expected = 0;
        for (const auto& t : file.tensors())
            expected += t.name == "token_embd.weight" ? t.nBytes / static_cast<uint64_t>(t.rows()) : t.nBytes;
        QVERIFY2(file.findTensor("output.weight") != nullptr, "the tiny model has its own output matrix");
        bench::ThroughputOptions o;
        o.modelPath = path_;
        o.promptTokens = 0;
        o.generateTokens = 2;
        o.repeats = 1;
        o.bandwidthPasses = 3;
        QCOMPARE(bench::runThroughput(o).weightBytesPerToken, expected);
    }

private:
    QTemporaryDir dir_;
    std::string path_;
};

QTEST_GUILESS_MAIN(TestCpuThroughput)
#include "test_cpu_throughput.moc"
