// Parity of the Vulkan kernels with the CPU reference, in the manner of the best engines' backend
// op tests: every kernel x every weight format it takes x awkward shapes (lengths that are not
// multiples of the workgroup, 1 and several tokens, weights split into many buffers), compared by
// NMSE = Σ(gpu − ref)² / Σref² (≤ 1e-7 elementwise, ≤ 5e-4 matrix products), any NaN failing,
// with guard regions around every output that must come back untouched, and the Khronos
// validation layer on, failing on any message. Everything runs twice: with the device's optional
// features, and with all of them switched off. Runs on lavapipe; skips without Vulkan (fails in CI).
#include "model/ops.h"
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
#include <random>
#include <string>
#include <vector>

using namespace lamp;
using namespace lamp::vulkan;
using namespace lamp::test;

class TestVulkanOps : public test::VulkanTestBase {
    Q_OBJECT

    void elementwise() {
        Device& dev = *device_;
        for (const uint32_t n : {1u, 7u, 255u, 256u, 257u, 1000u, 70001u}) {
            const auto a = randomVector(n, n, 3.0f), b = randomVector(n, n + 1);
            Buffer ba = upload(dev, a, "a"), bb = upload(dev, b, "b");
            Guarded sum(dev, n), scaled(dev, n), silu(dev, n);
            Recorder rec = dev.record();
            recordAdd(rec, ba, 0, bb, 0, sum.buffer, kGuard, n);
            recordScale(rec, ba, 0, scaled.buffer, kGuard, n, -0.37f);
            recordSilu(rec, ba, 0, silu.buffer, kGuard, n);
            QCOMPARE(rec.barrierCount(), 0);  // independent dispatches
            rec.submitAndWait();
            std::vector<float> refSum = a, refScaled(n), refSilu(n);
            ops::add(refSum.data(), b.data(), n);
            for (uint32_t i = 0; i < n; ++i) {
                refScaled[i] = a[i] * -0.37f;
                refSilu[i] = a[i] / (1.0f + std::exp(-a[i]));
            }
            std::string why;
            QVERIFY2(close("add", sum.read(dev, why), refSum, 1e-7, why) && why.empty(), why.c_str());
            QVERIFY2(close("scale", scaled.read(dev, why), refScaled, 1e-7, why) && why.empty(), why.c_str());
            QVERIFY2(close("silu", silu.read(dev, why), refSilu, 1e-7, why) && why.empty(), why.c_str());
        }
        QVERIFY(validationClean());
    }

    void rmsNorm() {
        Device& dev = *device_;
        for (const uint32_t n : {1u, 5u, 127u, 128u, 300u, 2049u})
            for (const uint32_t rows : {1u, 3u}) {
                const auto x = randomVector(size_t{n} * rows, n * 7 + rows, 2.0f), w = randomVector(n, n + 5);
                Buffer bx = upload(dev, x, "x"), bw = upload(dev, w, "w");
                Guarded out(dev, n * rows);
                Recorder rec = dev.record();
                recordRmsNorm(rec, bx, 0, bw, 0, out.buffer, kGuard, n, rows, 1e-5f);
                rec.submitAndWait();
                std::vector<float> ref(x.size());
                for (uint32_t r = 0; r < rows; ++r)
                    ops::rmsNorm(x.data() + size_t{r} * n, w.data(), ref.data() + size_t{r} * n, n, 1e-5f);
                std::string why;
                QVERIFY2(close("rms_norm", out.read(dev, why), ref, 1e-7, why) && why.empty(), why.c_str());
            }
        QVERIFY(validationClean());
    }

    void matVec(int64_t maxCols = 1 << 20) {
        Device& dev = *device_;
        struct Shape {
            int64_t rows, cols;
        };
        const Shape shapes[] = {{1, 32}, {7, 64}, {33, 96}, {130, 320}, {5, 4096}, {300, 33}, {2, 97}};
        for (const TensorType type : {TensorType::F32, TensorType::F16, TensorType::Q8_0})
            for (const Shape s : shapes) {
                if (s.cols % tensorTypeInfo(type).blockSize != 0 || s.cols > maxCols)
                    continue;
                const auto wf = randomVector(static_cast<size_t>(s.rows * s.cols), static_cast<uint32_t>(s.rows * 131 + s.cols));
                const size_t rb = rowBytes(type, s.cols);
                std::vector<uint8_t> wq(rb * static_cast<size_t>(s.rows));
                std::vector<float> wd(wf.size());  // the weights as the CPU reads them
                for (int64_t r = 0; r < s.rows; ++r) {
                    quantizeRow(type, wf.data() + r * s.cols, wq.data() + static_cast<size_t>(r) * rb, s.cols);
                    dequantizeRow(type, wq.data() + static_cast<size_t>(r) * rb, wd.data() + r * s.cols, s.cols);
                }
                const DeviceMatrix m = uploadMatrix(dev, type, s.rows, s.cols, wq.data(), "w");
                for (const uint32_t tokens : {1u, 3u, 37u}) {  // 37: the tiled kernels, a ragged tile
                    const uint64_t widest = static_cast<uint64_t>(std::max(s.cols, s.rows) + 2 * kGuard);
                    if (uint64_t{4} * tokens * widest > dev.maxBufferBytes())
                        continue;
                    std::string why;
                    // Every other shape also adds into its output (the fused residual connection).
                    const bool accumulate = s.rows % 2 == 1;
                    const bool ok = checkMatVec(dev, m, wd, tokens, tokens + 17u, why, accumulate);
                    const std::string name(tensorTypeName(type));
                    if (type == TensorType::F32 && s.rows == 130)
                        QVERIFY(m.pieces.size() > 1 || device_->maxBufferBytes() > 8192);
                    QVERIFY2(ok, (name + " " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + " tokens " +
                                  std::to_string(tokens) + " pieces " + std::to_string(m.pieces.size()) + ": " + why)
                                     .c_str());
                }
            }
        QVERIFY(validationClean());
    }

private slots:
    void withFeatures() {
        if (!open(""))
            return;
        elementwise();
        rmsNorm();
        matVec();
    }
    void withoutOptionalFeatures() {
        if (!open("all"))
            return;
        elementwise();
        rmsNorm();
        matVec();
    }
    // Each optional feature on its own (the variants a device with only that one runs).
    void eachFeatureAlone() {
        for (const std::string& feature : kernelFeatureSwitches()) {
            if (!open(disableAllBut(feature)))
                return;
            qInfo("only %s on", feature.c_str());
            matVec();
        }
    }
    // Weights split into many buffers (a small per-buffer limit), as big tensors are on lavapipe.
    void splitWeights() {
        if (!open("", 8192))
            return;
        matVec(1024);
    }
    void cleanupTestCase() { QVERIFY(closeAndReport()); }
};

QTEST_APPLESS_MAIN(TestVulkanOps)
#include "test_vulkan_ops.moc"
