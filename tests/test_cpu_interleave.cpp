// The four-row interleaved layout of Q4_0/Q5_0 matrices (cpu/interleave.h): the bytes go there and
// back unchanged; matmul on the interleaved layout gives the file layout's results bit for bit on
// every instruction-set family the CPU runs (the AVX-512 ones with their own kernels, the others by
// restoring the rows), on both kernel paths, at several thread counts; an embedding row reads the
// same; and a model whose CPU weights were interleaved by chooseBackend computes exactly what the
// mapped file computes.
#include "core/error.h"
#include "cpu/cpu_features.h"
#include "cpu/interleave.h"
#include "engine/backend_choice.h"
#include "model/model.h"
#include "model/weights.h"
#include "support/matmul_cases.h"
#include "support/session_logits.h"
#include "support/shared_data.h"

#include <QtTest>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace lamp;
using namespace lamp::cpu;
using namespace lamp::test;

namespace {

constexpr TensorType kInterleavedTypes[] = {TensorType::Q4_0, TensorType::Q5_0};

// The same matrix in both layouts.
struct BothLayouts {
    TestMatrix rows;
    std::vector<std::byte> interleavedBytes;
    WeightMatrix interleaved;
};

BothLayouts makeBoth(TensorType type, int64_t rows, int64_t cols, std::mt19937& rng) {
    BothLayouts b{makeMatrix(type, rows, cols, rng), {}, {}};
    b.interleavedBytes = b.rows.bytes;  // keeps makeMatrix's 2-byte offset: blocks 2-byte aligned
    b.interleaved = b.rows.view;
    b.interleaved.data = b.interleavedBytes.data() + 2;
    interleaveRows(type, b.interleavedBytes.data() + 2, rows, cols);
    b.interleaved.layout = WeightLayout::Interleaved4;
    return b;
}

std::vector<float> product(const WeightMatrix& w, const std::vector<float>& x, int64_t tokens, ThreadPool& pool) {
    std::vector<float> y(static_cast<size_t>(tokens * w.rows));
    matmul(w, x.data(), tokens, y.data(), pool);
    return y;
}

} // namespace

class TestCpuInterleave : public QObject {
    Q_OBJECT

private slots:
    void whichMatricesCanInterleave() {
        QVERIFY(canInterleave(TensorType::Q4_0, 4, 64));
        QVERIFY(canInterleave(TensorType::Q5_0, 896, 4864));
        QVERIFY(!canInterleave(TensorType::Q5_0, 6, 64));   // rows not a multiple of 4
        QVERIFY(!canInterleave(TensorType::Q4_0, 8, 96));   // an odd number of blocks per row
        QVERIFY(!canInterleave(TensorType::Q8_0, 8, 64));   // other formats keep the file's layout
        QVERIFY(!canInterleave(TensorType::Q4_K, 8, 256));
        QVERIFY(!canInterleave(TensorType::Q4_0, 0, 64));
        std::vector<std::byte> bytes(rowBytes(TensorType::Q4_0, 96) * 8);
        QVERIFY_THROWS_EXCEPTION(lamp::Error, interleaveRows(TensorType::Q4_0, bytes.data(), 8, 96));
    }

    void bytesGoThereAndBack() {
        std::mt19937 rng(7);
        for (TensorType type : kInterleavedTypes) {
            for (const auto& [rows, cols] : {std::pair<int64_t, int64_t>{4, 64}, {8, 896}, {20, 128}}) {
                const BothLayouts b = makeBoth(type, rows, cols, rng);
                const size_t stride = rowBytes(type, cols);
                // Every fifth bit and nibble moved: the layout differs wherever the rows had blocks.
                QVERIFY(std::memcmp(b.interleaved.data, b.rows.view.data, stride * static_cast<size_t>(rows)) != 0);
                std::vector<std::byte> back(stride * static_cast<size_t>(rows));
                deinterleaveRows(type, b.interleaved.data, cols, 0, rows, back.data());
                QVERIFY(std::memcmp(back.data(), b.rows.view.data, back.size()) == 0);
                // A range that starts and ends inside groups.
                const int64_t first = 3, count = rows - 4;
                std::vector<std::byte> part(stride * static_cast<size_t>(count));
                deinterleaveRows(type, b.interleaved.data, cols, first, count, part.data());
                QVERIFY(std::memcmp(part.data(), b.rows.view.data + stride * first, part.size()) == 0);
            }
        }
    }

    // The interleaved kernels are meant to be exact re-arrangements of the file layout's: any
    // difference in a single bit is a bug (a lane added in another order, a scale misplaced).
    void matmulGivesTheSameBitsOnEveryFamily() {
        IsaGuard guard;
        std::mt19937 rng(11);
        for (TensorType type : kInterleavedTypes) {
            for (const auto& [rows, cols] : {std::pair<int64_t, int64_t>{4, 64}, {36, 896}, {64, 192}}) {
                const BothLayouts b = makeBoth(type, rows, cols, rng);
                for (Isa isa : supportedIsas()) {
                    setIsa(isa);
                    for (Path path : kPaths) {
                        forcePath(path);
                        for (int threads : {1, 3}) {
                            ThreadPool pool(threads);
                            for (int64_t tokens : {int64_t{1}, int64_t{3}, int64_t{17}}) {
                                const std::vector<float> x = makeActivations(tokens, cols, rng);
                                const std::vector<float> want = product(b.rows.view, x, tokens, pool);
                                const std::vector<float> got = product(b.interleaved, x, tokens, pool);
                                const std::string what = std::string(tensorTypeName(type)) + " " +
                                                         std::to_string(rows) + "x" + std::to_string(cols) + " " +
                                                         std::string(isaName(isa)) + " " + pathName(path) + " threads " +
                                                         std::to_string(threads) + " tokens " +
                                                         std::to_string(tokens);
                                QVERIFY2(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0,
                                         what.c_str());
                            }
                        }
                    }
                }
            }
        }
    }

    void matmulRefusesALayoutTheShapeCannotHave() {
        std::mt19937 rng(3);
        TestMatrix m = makeMatrix(TensorType::Q4_0, 6, 64, rng);
        m.view.layout = WeightLayout::Interleaved4;
        ThreadPool pool(1);
        std::vector<float> x(64, 1.0f), y(6);
        QVERIFY_THROWS_EXCEPTION(lamp::FormatError, matmul(m.view, x.data(), 1, y.data(), pool));
    }

    void embeddingRowsReadTheSame() {
        std::mt19937 rng(5);
        for (TensorType type : kInterleavedTypes) {
            const BothLayouts b = makeBoth(type, 12, 128, rng);
            const std::vector<int32_t> tokens{0, 5, 11, 6, 3};
            std::vector<float> want(tokens.size() * 128), got(tokens.size() * 128);
            embedRows(b.rows.view, tokens, want.data());
            embedRows(b.interleaved, tokens, got.data());
            QVERIFY(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
        }
    }

    // chooseBackend interleaves the CPU's private copy (where the kernels pay) and the model then
    // computes bit for bit what the mapped file computes.
    void cpuChoiceInterleavesAndKeepsTheLogits() {
        LAMP_REQUIRE_SHARED(shared);
        const std::vector<int32_t> tokens{1, 5, 17, 42, 99, 3, 64, 200, 311, 7, 8, 9, 10, 11, 12, 13};
        for (const char* name : {"tiny-llama-q4_0.gguf", "tiny-llama-q5_0.gguf"}) {
            const auto path = shared / "models" / name;
            const auto mapped = Model::load(path);
            BackendRequest keep;
            keep.kind = BackendKind::Cpu;
            keep.keepMapped = true;
            chooseBackend(*mapped, keep);
            QCOMPARE(mapped->interleaveForCpu(), uint64_t{0});  // never into the file's mapping
            const std::vector<float> fromMapping = promptAndNextLogits(*mapped, tokens);

            const auto copied = Model::load(path);
            BackendRequest cpu;
            cpu.kind = BackendKind::Cpu;
            const BackendChoice choice = chooseBackend(*copied, cpu);
            if (interleavingPays()) {
                QVERIFY2(choice.weights.find("rows interleaved") != std::string::npos, choice.weights.c_str());
            } else {
                QVERIFY2(choice.weights.find("interleaved") == std::string::npos, choice.weights.c_str());
                QVERIFY(copied->interleaveForCpu() > 0);  // the layout works on every family anyway
            }
            const std::byte* q = copied->file().tensor("blk.0.attn_q.weight").data.data();
            QCOMPARE(copied->layoutOf(q), WeightLayout::Interleaved4);
            QCOMPARE(mapped->layoutOf(mapped->file().tensor("blk.0.attn_q.weight").data.data()), WeightLayout::Rows);
            const std::vector<float> fromInterleaved = promptAndNextLogits(*copied, tokens);
            QCOMPARE(fromInterleaved.size(), fromMapping.size());
            QVERIFY(!fromInterleaved.empty());
            QVERIFY2(std::memcmp(fromInterleaved.data(), fromMapping.data(), fromMapping.size() * sizeof(float)) == 0,
                     name);
            // A second choice changes nothing.
            const uint64_t bytes = copied->interleaveForCpu();
            QCOMPARE(chooseBackend(*copied, cpu).weights.find("interleaved") != std::string::npos, interleavingPays());
            QCOMPARE(copied->interleaveForCpu(), bytes);
        }
    }
};

QTEST_APPLESS_MAIN(TestCpuInterleave)
#include "test_cpu_interleave.moc"
