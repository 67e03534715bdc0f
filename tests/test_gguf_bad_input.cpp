// Malformed GGUF files: each is a GgufError that names the file and the problem — never a crash,
// a hang or a huge allocation. Files are built byte by byte so each field can be broken on purpose.
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <string>

using namespace lamp;

namespace {

// Little-endian GGUF bytes, field by field.
struct Raw {
    std::vector<std::byte> b;
    template <typename T>
    Raw& put(T v) {
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        b.insert(b.end(), p, p + sizeof v);
        return *this;
    }
    Raw& u32(uint32_t v) { return put(v); }
    Raw& u64(uint64_t v) { return put(v); }
    Raw& str(const std::string& s) {
        u64(s.size());
        const auto* p = reinterpret_cast<const std::byte*>(s.data());
        b.insert(b.end(), p, p + s.size());
        return *this;
    }
    Raw& header(uint64_t tensors, uint64_t kvs, uint32_t version = 3) {
        return u32(0x46554747).u32(version).u64(tensors).u64(kvs);
    }
    Raw& kvU32(const std::string& key, uint32_t v) { return str(key).u32(4).u32(v); }
    // n_dims, dims, type, offset
    Raw& tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(dims.size()));
        for (auto d : dims)
            u64(d);
        return u32(type).u64(offset);
    }
    Raw& padTo(size_t alignment) {
        while (b.size() % alignment != 0)
            b.push_back(std::byte{0});
        return *this;
    }
    Raw& zeros(size_t n) {
        b.insert(b.end(), n, std::byte{0});
        return *this;
    }
};

// Expects GgufError whose message names the file and contains `phrase`.
void expectError(const std::vector<std::byte>& bytes, const std::string& phrase) {
    try {
        (void)GgufFile::fromBytes(bytes, "bad-model.gguf");
    } catch (const GgufError& e) {
        const std::string msg = e.what();
        QVERIFY2(msg.find("bad-model.gguf") != std::string::npos, e.what());
        QVERIFY2(msg.find(phrase) != std::string::npos, (msg + "  [expected: " + phrase + "]").c_str());
        return;
    }
    QFAIL(("no error; expected: " + phrase).c_str());
}

std::vector<std::byte> validModel() {
    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    w.set("tokenizer.ggml.tokens", GgufValue::stringArray({"a", "b", "c"}));
    w.set("nested", GgufValue(GgufArray{GgufType::Array, {GgufValue::stringArray({"x"})}}));
    std::vector<std::byte> data(64 * 4);
    w.addTensor("w", TensorType::F32, {8, 8}, data);
    w.addTensor("q", TensorType::Q4_0, {32, 2}, std::vector<std::byte>(36));
    return w.toBytes();
}

} // namespace

class GgufBadInputTest : public QObject {
    Q_OBJECT

private slots:
    void everyTruncationIsAnError() {
        const auto full = validModel();
        QVERIFY(GgufFile::fromBytes(full, "bad-model.gguf").tensors().size() == 2);
        // Cut anywhere before the last tensor's bytes end: always a clear error.
        const auto f = GgufFile::fromBytes(full, "ok.gguf");
        const uint64_t needed = f.dataOffset() + f.tensors().back().offset + f.tensors().back().nBytes;
        for (size_t n = 0; n < needed; ++n) {
            const std::vector<std::byte> cut(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
            try {
                (void)GgufFile::fromBytes(cut, "bad-model.gguf");
                QFAIL(("truncation at " + std::to_string(n) + " bytes was accepted").c_str());
            } catch (const GgufError& e) {
                QVERIFY2(std::string(e.what()).find("bad-model.gguf") != std::string::npos, e.what());
            }
        }
    }

    void truncatedNamesTheProblem() {
        auto bytes = validModel();
        bytes.resize(bytes.size() - 40);  // the last tensor has 36 bytes, padded to 64
        expectError(bytes, "truncated");
        expectError(Raw().u32(0x46554747).u32(3).b, "truncated");
        expectError({}, "empty");
    }

    void wrongMagic() {
        auto bytes = validModel();
        bytes[0] = std::byte{'X'};
        expectError(bytes, "not a GGUF file");
        expectError(Raw().u32(0x4c4d4747).u32(3).u64(0).u64(0).b, "not a GGUF file");  // old GGML magic
    }

    void unsupportedVersion() {
        expectError(Raw().header(0, 0, 1).b, "version 1 is obsolete");
        expectError(Raw().header(0, 0, 4).b, "unsupported GGUF version 4");
        expectError(Raw().header(0, 0, 0x03000000).b, "big-endian");
        QCOMPARE(GgufFile::fromBytes(Raw().header(0, 0, 2).b, "v2.gguf").version(), 2u);
    }

    void stringLengthBeyondTheFile() {
        expectError(Raw().header(0, 1).u64(1000).zeros(20).b, "claims 1000 bytes");                 // key
        expectError(Raw().header(0, 1).str("k").u32(8).u64(uint64_t(1) << 62).b, "claims");     // value
        expectError(Raw().header(1, 0).u64(~uint64_t{0}).b, "claims");                          // tensor name
    }

    void arrayCountBeyondTheFile() {
        expectError(Raw().header(0, 1).str("k").u32(9).u32(4).u64(uint64_t(1) << 60).u32(1).b,
                    "array claims");
        // Strings: each needs at least 8 bytes, so 100 cannot fit in 40 remaining bytes.
        expectError(Raw().header(0, 1).str("k").u32(9).u32(8).u64(100).zeros(40).b, "array claims");
        expectError(Raw().header(0, uint64_t(1) << 40).b, "metadata count claims");
        expectError(Raw().header(uint64_t(1) << 40, 0).b, "tensor count claims");
    }

    void deepNestingIsRefused() {
        Raw r;
        r.header(0, 1).str("deep").u32(9);
        for (int i = 0; i < 40; ++i)
            r.u32(9).u64(1);  // array of arrays of arrays ...
        r.u32(4).u64(0);
        expectError(r.b, "nested deeper");
    }

    void unknownValueTypes() {
        expectError(Raw().header(0, 1).str("k").u32(13).u32(0).b, "unknown value type 13");
        expectError(Raw().header(0, 1).str("k").u32(9).u32(77).u64(0).b, "unknown array element type 77");
        expectError(Raw().header(0, 1).str("flag").u32(7).put(uint8_t{2}).b, "neither 0 nor 1");
    }

    void tensorDataPastTheEnd() {
        Raw r;
        r.header(1, 0).tensor("w", {8, 8}, 0, 0).padTo(32).zeros(100);  // needs 256 bytes
        expectError(r.b, "tensor 'w' [8, 8] F32 needs bytes 0+256");
        Raw r2;
        r2.header(1, 0).tensor("w", {8}, 0, uint64_t(1) << 63).padTo(32).zeros(32);
        expectError(r2.b, "tensor 'w'");
    }

    void overflowingDimensionProduct() {
        expectError(Raw().header(1, 0).tensor("big", {uint64_t(1) << 32, uint64_t(1) << 32, 16}, 0, 0).b,
                    "overflows 64 bits");
        expectError(Raw().header(1, 0).tensor("neg", {~uint64_t{0}}, 0, 0).b, "overflows 64 bits");
        // The element count fits, the byte count does not.
        expectError(Raw().header(1, 0).tensor("bytes", {uint64_t(1) << 62, 2}, 0, 0).b, "overflows 64 bits");
        expectError(Raw().header(1, 0).tensor("five", {1, 1, 1, 1, 1}, 0, 0).b, "5 dimensions");
    }

    void unknownTensorType() {
        expectError(Raw().header(1, 0).tensor("w", {32}, 99, 0).padTo(32).zeros(128).b, "unknown tensor type 99");
    }

    void blockSizeDivisibility() {
        expectError(Raw().header(1, 0).tensor("q", {40, 2}, 2, 0).padTo(32).zeros(128).b,
                    "not a multiple of the Q4_0 block size 32");
        expectError(Raw().header(1, 0).tensor("k", {128}, 12, 0).padTo(32).zeros(256).b,
                    "not a multiple of the Q4_K block size 256");
    }

    void duplicates() {
        expectError(Raw().header(0, 2).kvU32("a.b", 1).kvU32("a.b", 2).b, "duplicate metadata key 'a.b'");
        expectError(Raw().header(2, 0).tensor("w", {8}, 0, 0).tensor("w", {8}, 0, 32).padTo(32).zeros(64).b,
                    "duplicate tensor name 'w'");
    }

    void misalignedOffsets() {
        expectError(Raw().header(1, 0).tensor("w", {8}, 0, 4).padTo(32).zeros(64).b,
                    "not a multiple of the alignment 32");
        expectError(Raw().header(1, 1).kvU32("general.alignment", 64).tensor("w", {8}, 0, 32).padTo(64).zeros(128).b,
                    "not a multiple of the alignment 64");
        expectError(Raw().header(0, 1).kvU32("general.alignment", 48).b, "not a power of two");
        expectError(Raw().header(0, 1).kvU32("general.alignment", 0).b, "not a power of two");
        expectError(Raw().header(0, 1).str("general.alignment").u32(8).str("32").b, "general.alignment is a string");
        // With alignment 8 the same offset is fine.
        const auto ok = Raw().header(1, 1).kvU32("general.alignment", 8).tensor("w", {2}, 0, 8).padTo(8).zeros(16).b;
        QCOMPARE(GgufFile::fromBytes(ok, "ok.gguf").tensors()[0].offset, uint64_t{8});
    }

    void overlappingTensors() {
        expectError(Raw().header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {16}, 0, 32).padTo(32).zeros(128).b,
                    "overlap");
    }

    void fileSystemErrors() {
        QTemporaryDir dir;
        for (const auto& p : {dir.filePath("missing.gguf"), dir.path()}) {
            try {
                (void)GgufFile::open(p.toStdString());
                QFAIL("expected GgufError");
            } catch (const GgufError& e) {
                QVERIFY2(std::string(e.what()).find(p.toStdString()) != std::string::npos, e.what());
            }
        }
        QFile empty(dir.filePath("empty.gguf"));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        QVERIFY_THROWS_EXCEPTION(GgufError, GgufFile::open(dir.filePath("empty.gguf").toStdString()));
    }

    // Random corruption of a valid file: any outcome but a crash is fine (the fuzzer goes further).
    void randomCorruptionNeverCrashes() {
        const auto full = validModel();
        uint32_t state = 12345;
        auto next = [&] { return state = state * 1664525u + 1013904223u; };
        for (int round = 0; round < 3000; ++round) {
            auto bytes = full;
            const int flips = 1 + static_cast<int>(next() % 4);
            for (int i = 0; i < flips; ++i)
                bytes[next() % bytes.size()] = std::byte(next() >> 24);
            try {
                const auto f = GgufFile::fromBytes(bytes, "fuzzed.gguf");
                for (const auto& t : f.tensors())
                    QVERIFY(f.tensor(t).data.size() == t.nBytes);
            } catch (const GgufError&) {
            } catch (const FormatError&) {
            }
        }
    }
};

QTEST_APPLESS_MAIN(GgufBadInputTest)
#include "test_gguf_bad_input.moc"
