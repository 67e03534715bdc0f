// Parity of the Vulkan matrix-vector kernels (the decode path) with the CPU reference for every
// weight format the CPU reads beyond F32/F16/Q8_0 (those are in test_vulkan_ops.cpp): BF16, Q4_0,
// Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K. Table-driven: random weights quantized with
// quantizeRow, a double-precision reference over dequantizeRow's values, awkward shapes (row
// counts that are not multiples of the workgroup, 32-value formats with an odd number of blocks
// per row, several 256-value super-blocks), 1 and 3 tokens; NMSE = Σ(gpu − ref)² / Σref² ≤ 5e-4,
// any NaN failing, guard regions around every output, and the Khronos validation layer on,
// failing on any message. Runs with the device's optional features, with all of them off, and
// with a tiny per-buffer limit that splits every matrix into many row pieces. Runs on lavapipe;
// skips without Vulkan (fails in CI).
#include "quant/dequantize.h"
#include "quant/quantize.h"
#include "quant/tensor_type.h"
#include "support/shared_data.h"
#include "support/vulkan_harness.h"
#include "vulkan/device.h"
#include "vulkan/instance.h"
#include "vulkan/ops.h"
#include "vulkan/vulkan_error.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

using namespace lamp;
using namespace lamp::vulkan;
using namespace lamp::test;

namespace {


const TensorType kFormats[] = {TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0,
                               TensorType::Q5_1, TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K,
                               TensorType::Q5_K, TensorType::Q6_K};

struct Shape {
    int64_t rows, cols;
};
// 32-value formats: an odd number of blocks per row (1, 3, 5, 11, 127); rows around the
// 128-invocation workgroup and awkward counts.
const Shape kShapes32[] = {{1, 32}, {7, 96}, {33, 160}, {130, 352}, {5, 4064}, {129, 32}};
// K-quants: 1, 2, 3, 5 and 17 super-blocks per row.
const Shape kShapesK[] = {{1, 256}, {7, 512}, {33, 768}, {130, 1280}, {5, 4352}, {129, 256}};
// BF16 takes any row length.
const Shape kShapesBf16[] = {{1, 1}, {7, 33}, {33, 97}, {130, 320}, {5, 4099}, {129, 256}};

} // namespace

class TestVulkanMatVecFormats : public test::VulkanTestBase {
    Q_OBJECT

    // 37 tokens: the tiled matrix-matrix kernels, one full tile of 32 tokens and a ragged one.
    static constexpr uint32_t kMaxTokens = 37;

    // Every format x its shapes x 1, 3 (matrix-vector) and 37 tokens (tiled). maxBytes skips shapes whose weight row,
    // activations or output would not fit the (lowered) buffer limit; expectSplit checks that the
    // matrices larger than one buffer really were split.
    void matVec(uint64_t maxBytes, bool expectSplit) {
        Device& dev = *device_;
        for (const TensorType type : kFormats) {
            QVERIFY2(canMatVec(type), tensorTypeName(type).data());
            const uint32_t block = tensorTypeInfo(type).blockSize;
            std::span<const Shape> shapes = type == TensorType::BF16 ? std::span<const Shape>(kShapesBf16)
                                            : block == 256           ? std::span<const Shape>(kShapesK)
                                                                     : std::span<const Shape>(kShapes32);
            const std::string name = "matvec_" + std::string(tensorTypeName(type));
            for (const Shape s : shapes) {
                QVERIFY(s.cols % block == 0);
                const size_t rb = rowBytes(type, s.cols);
                const uint64_t xBytes = uint64_t{4} * kMaxTokens * static_cast<uint64_t>(s.cols);
                const uint64_t yBytes = uint64_t{4} * (kMaxTokens * static_cast<uint64_t>(s.rows) + 2 * kGuard);
                if (rb > maxBytes || xBytes > maxBytes || yBytes > maxBytes)
                    continue;
                const auto wf = randomVector(static_cast<size_t>(s.rows * s.cols),
                                             static_cast<uint32_t>(s.rows * 131 + s.cols + block));
                std::vector<uint8_t> wq(rb * static_cast<size_t>(s.rows));
                std::vector<float> wd(wf.size());  // the weights as the CPU reads them
                for (int64_t r = 0; r < s.rows; ++r) {
                    quantizeRow(type, wf.data() + r * s.cols, wq.data() + static_cast<size_t>(r) * rb, s.cols);
                    dequantizeRow(type, wq.data() + static_cast<size_t>(r) * rb, wd.data() + r * s.cols, s.cols);
                }
                const DeviceMatrix m = uploadMatrix(dev, type, s.rows, s.cols, wq.data(), "w");
                if (expectSplit && s.rows > 1 && rb * static_cast<size_t>(s.rows) > dev.maxBufferBytes())
                    QVERIFY(m.pieces.size() > 1);
                for (const uint32_t tokens : {1u, 3u, kMaxTokens}) {
                    std::string why;
                    const bool ok = checkMatVec(dev, m, wd, tokens, tokens + 17u, why);
                    QVERIFY2(ok, (name + " " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + " tokens " +
                                  std::to_string(tokens) + " pieces " + std::to_string(m.pieces.size()) + ": " + why)
                                     .c_str());
                }
            }
        }
        QVERIFY(validationClean());
    }

private slots:
    void withFeatures() {
        if (!open(""))
            return;
        matVec(UINT64_MAX, false);
    }
    void withoutOptionalFeatures() {
        if (!open("all"))
            return;
        matVec(UINT64_MAX, false);
    }
    // Each optional feature on its own (the variants a device with only that one runs).
    void eachFeatureAlone() {
        for (const std::string& feature : kernelFeatureSwitches()) {
            if (!open(disableAllBut(feature)))
                return;
            qInfo("only %s on", feature.c_str());
            matVec(UINT64_MAX, false);
        }
    }
    // Weights split into many buffers (a small per-buffer limit), as big tensors are on lavapipe.
    void splitWeights() {
        if (!open("", 16384))
            return;
        QCOMPARE(device_->maxBufferBytes(), uint64_t{16384});
        matVec(16384, true);
    }
    // Every type the CPU reads from a model file has a kernel; the others are refused clearly.
    void coverage() {
        for (const TensorType type : {TensorType::F32, TensorType::F16, TensorType::Q8_0})
            QVERIFY(canMatVec(type));
        QVERIFY(!canMatVec(TensorType::Q8_1));
        QVERIFY(!canMatVec(TensorType::Q8_K));
    }
    void cleanupTestCase() { QVERIFY(closeAndReport()); }
};

QTEST_APPLESS_MAIN(TestVulkanMatVecFormats)
#include "test_vulkan_matvec_formats.moc"
