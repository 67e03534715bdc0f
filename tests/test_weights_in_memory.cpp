// The CPU backend's private copy of the weights (MappedFile::copyIntoMemory, chooseBackend): the
// bytes move out of the file mapping without moving in the address space, so every view taken
// before stays valid and reads the same bytes; the copy survives the file's deletion; a file that
// changed under us keeps the mapping and says why; a model gives bit-identical logits either way;
// --mmap (BackendRequest::keepMapped) keeps the mapping.
#include "engine/backend_choice.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "support/session_logits.h"
#include "support/shared_data.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <vector>

using namespace lamp;

namespace {

// A file of several 2 MiB chunks plus a ragged tail, every byte position-dependent.
std::filesystem::path writeModelFile(const QTemporaryDir& dir, std::vector<std::byte>& big) {
    GgufWriter w;
    w.set("general.name", std::string("copy me"));
    big.resize((size_t{5} << 20) + 4096 + 68);  // Q8_0 needs whole 34-byte blocks: 5 MiB + 4164 bytes
    big.resize(big.size() / 34 * 34);
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = std::byte((i * 131 + i / 4099) % 251);
    w.addTensor("big", TensorType::Q8_0, {32, static_cast<int64_t>(big.size() / 34)}, big);
    w.addTensor("small", TensorType::F32, {3}, std::vector<std::byte>(12, std::byte{7}));
    const std::filesystem::path path = dir.filePath("m.gguf").toStdString();
    w.write(path);
    return path;
}

} // namespace

class TestWeightsInMemory : public QObject {
    Q_OBJECT

private slots:
    void copyKeepsEveryViewAndByte() {
        QTemporaryDir dir;
        std::vector<std::byte> big;
        const auto path = writeModelFile(dir, big);
        const GgufFile file = GgufFile::open(path);
        QVERIFY(!file.inMemory());
        const TensorView before = file.tensor("big");
        const TensorView small = file.tensor("small");
        // Some mapped pages are resident before the copy (the app reads them ahead).
        QCOMPARE(before.data[4096], big[4096]);

        QCOMPARE(file.copyIntoMemory(), std::string());
        QVERIFY(file.inMemory());
        const TensorView after = file.tensor("big");
        QCOMPARE(static_cast<const void*>(after.data.data()), static_cast<const void*>(before.data.data()));
        QVERIFY(std::memcmp(before.data.data(), big.data(), big.size()) == 0);
        QCOMPARE(small.data[11], std::byte{7});
        QCOMPARE(file.getString("general.name").value(), std::string("copy me"));

        // The copy no longer depends on the file; a second call changes nothing.
        std::filesystem::remove(path);
        QCOMPARE(file.copyIntoMemory(), std::string());
        QVERIFY(std::memcmp(before.data.data(), big.data(), big.size()) == 0);
        qInfo("2 MiB pages: %llu of %llu bytes", static_cast<unsigned long long>(file.hugePageBytes()),
              static_cast<unsigned long long>(file.fileSize()));
    }

    void fileThatShrankStaysMapped() {
        QTemporaryDir dir;
        std::vector<std::byte> big;
        const auto path = writeModelFile(dir, big);
        const GgufFile file = GgufFile::open(path);
        // Another program truncates the file while it is open: the copy cannot be complete.
        std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
        const std::string why = file.copyIntoMemory();
        QVERIFY2(why.find("shorter") != std::string::npos, why.c_str());
        QVERIFY(!file.inMemory());
        QCOMPARE(file.hugePageBytes(), uint64_t{0});
        // The metadata at the front of the file is still readable through the mapping.
        QCOMPARE(file.getString("general.name").value(), std::string("copy me"));
    }

    void bytesGivenInMemoryNeedNoCopy() {
        const std::vector<std::byte> bytes = GgufWriter().toBytes();
        const GgufFile file = GgufFile::fromBytes(bytes);
        QVERIFY(file.inMemory());
        QCOMPARE(file.copyIntoMemory(), std::string());
    }

    void cpuChoiceCopiesUnlessAskedToMap() {
        LAMP_REQUIRE_SHARED(shared);
        const auto path = shared / "models" / "tiny-llama-q4_k_m.gguf";
        const std::vector<int32_t> tokens{1, 5, 17, 42, 99, 3, 64};

        const auto mapped = Model::load(path);
        BackendRequest keep;
        keep.kind = BackendKind::Cpu;
        keep.keepMapped = true;
        const BackendChoice kept = chooseBackend(*mapped, keep);
        QCOMPARE(QString::fromStdString(kept.weights), QString("mapped from the file (asked for)"));
        QVERIFY(!mapped->file().inMemory());
        const std::vector<float> fromMapping = test::promptAndNextLogits(*mapped, tokens);

        const auto copied = Model::load(path);
        BackendRequest cpu;
        cpu.kind = BackendKind::Cpu;
        const BackendChoice choice = chooseBackend(*copied, cpu);
        QVERIFY2(choice.weights.starts_with("in memory ("), choice.weights.c_str());
        QVERIFY(copied->file().inMemory());
        const std::vector<float> fromCopy = test::promptAndNextLogits(*copied, tokens);

        // The same bytes through the same kernels: the same logits, bit for bit.
        QCOMPARE(fromCopy.size(), fromMapping.size());
        QVERIFY(!fromCopy.empty());
        QVERIFY(std::memcmp(fromCopy.data(), fromMapping.data(), fromCopy.size() * sizeof(float)) == 0);
    }
};

QTEST_APPLESS_MAIN(TestWeightsInMemory)
#include "test_weights_in_memory.moc"
