// The throughput benchmark behind `lamplight-cli bench` (bench/throughput.h), on the tiny llama
// model the tests write themselves: -p 0 measures generation alone and -n 0 prompt processing
// alone; the KV cache it reports is the one the shape needs (computed here by hand), and the
// weight bytes a generated token reads are the file's matrices without the embedding table.
#include "support/tiny_models.h"

#include "bench/throughput.h"
#include "gguf/gguf_file.h"

#include <QTemporaryDir>
#include <QtTest>

#include <string>

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
        o.bandwidthBytes = size_t{8} << 20;
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
    }

    void promptAlone() {
        bench::ThroughputOptions o;
        o.modelPath = path_;
        o.promptTokens = 12;
        o.generateTokens = 0;
        o.threads = 1;
        o.repeats = 2;
        o.bandwidthBytes = size_t{8} << 20;
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
        o.bandwidthBytes = size_t{8} << 20;
        QCOMPARE(bench::runThroughput(o).weightBytesPerToken, expected);
    }

private:
    QTemporaryDir dir_;
    std::string path_;
};

QTEST_GUILESS_MAIN(TestCpuThroughput)
#include "test_cpu_throughput.moc"
