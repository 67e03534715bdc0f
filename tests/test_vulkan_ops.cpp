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

namespace {

constexpr uint32_t kGuard = 37;             // floats of guard before and after every output
constexpr uint32_t kSentinel = 0x7FBADBADu;  // a NaN pattern no kernel produces

std::map<std::string, double> worstNmse;  // per kernel, reported at the end

std::vector<float> randomVector(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

// Compares; QTest failures propagate through the QVERIFY in the callers.
bool close(const std::string& kernel, const std::vector<float>& got, const std::vector<float>& ref, double limit,
           std::string& why) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(got[i])) {
            why = kernel + ": NaN at " + std::to_string(i);
            return false;
        }
        const double d = static_cast<double>(got[i]) - ref[i];
        err += d * d;
        norm += static_cast<double>(ref[i]) * ref[i];
    }
    const double nmse = norm > 0 ? err / norm : err;
    worstNmse[kernel] = std::max(worstNmse[kernel], nmse);
    if (!(nmse <= limit)) {
        why = kernel + ": NMSE " + std::to_string(nmse) + " over " + std::to_string(limit);
        return false;
    }
    return true;
}

// An output buffer of n floats with guards; read() checks the guards and returns the payload.
struct Guarded {
    Buffer buffer;
    uint32_t n;
    Guarded(Device& device, uint32_t count) : n(count) {
        buffer = device.createBuffer((uint64_t{n} + 2 * kGuard) * 4, "output");
        device.fill(buffer, kSentinel);
    }
    std::vector<float> read(Device& device, std::string& why) const {
        std::vector<uint32_t> all(n + 2 * kGuard);
        device.download(buffer, 0, all.data(), all.size() * 4);
        for (uint32_t i = 0; i < kGuard; ++i)
            if (all[i] != kSentinel || all[kGuard + n + i] != kSentinel)
                why = "a write outside the output (guard word " + std::to_string(i) + ")";
        std::vector<float> out(n);
        std::memcpy(out.data(), all.data() + kGuard, n * 4);
        return out;
    }
};

Buffer upload(Device& device, const std::vector<float>& v, const char* label) {
    Buffer b = device.createBuffer(v.size() * 4, label);
    device.upload(b, 0, v.data(), v.size() * 4);
    return b;
}

} // namespace

class TestVulkanOps : public QObject {
    Q_OBJECT

    std::shared_ptr<Instance> instance_;
    std::unique_ptr<Device> device_;

    // Creates the instance (validation on) and a device; false after QSKIP/QFAIL.
    bool open(const std::string& disable, std::optional<uint64_t> maxBufferBytes = std::nullopt) {
        device_.reset();
        instance_.reset();
        try {
            InstanceOptions o;
            o.validation = true;
            o.disable = disable;
            instance_ = Instance::create(o);
            if (instance_->devices().empty())
                throw VulkanError("no Vulkan device (install mesa-vulkan-drivers for lavapipe)");
            DeviceOptions d;
            for (const auto& info : instance_->devices())
                if (info.type == DeviceType::Cpu && !d.index)
                    d.index = info.index;  // lavapipe, by type
            d.maxBufferBytes = maxBufferBytes;
            device_ = Device::create(instance_, d);
        } catch (const VulkanError& e) {
            if (test::inCi())
                QTest::qFail(qPrintable(QString("CI must provide Vulkan (lavapipe): ") + e.what()), __FILE__, __LINE__);
            else
                QTest::qSkip(qPrintable(QString("no Vulkan here: ") + e.what()), __FILE__, __LINE__);
            return false;
        }
        if (!instance_->validationEnabled() && test::inCi()) {
            QTest::qFail("CI must provide VK_LAYER_KHRONOS_validation", __FILE__, __LINE__);
            return false;
        }
        return true;
    }

    bool validationClean() {
        for (const auto& m : instance_->messages())
            qWarning("validation %s: %s", m.error ? "error" : "warning", m.text.c_str());
        return instance_->messages().empty();
    }

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
                for (const uint32_t tokens : {1u, 3u}) {
                    const auto x = randomVector(static_cast<size_t>(s.cols) * tokens, tokens + 17u);
                    Buffer bx = upload(dev, x, "x");
                    const auto n = static_cast<uint32_t>(s.rows) * tokens;
                    Guarded y(dev, n);
                    Recorder rec = dev.record();
                    recordMatVec(rec, m, bx, 0, y.buffer, kGuard, tokens);
                    rec.submitAndWait();
                    std::vector<float> ref(n);
                    for (uint32_t t = 0; t < tokens; ++t)
                        for (int64_t r = 0; r < s.rows; ++r) {
                            double acc = 0;
                            for (int64_t k = 0; k < s.cols; ++k)
                                acc += static_cast<double>(wd[static_cast<size_t>(r * s.cols + k)]) * x[t * s.cols + k];
                            ref[t * s.rows + r] = static_cast<float>(acc);
                        }
                    std::string why;
                    const std::string name = "matvec_" + std::string(tensorTypeName(type));
                    const bool ok = close(name, y.read(dev, why), ref, 5e-4, why) && why.empty();
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
    // Weights split into many buffers (a small per-buffer limit), as big tensors are on lavapipe.
    void splitWeights() {
        if (!open("", 8192))
            return;
        matVec(1024);
    }
    void cleanupTestCase() {
        device_.reset();
        if (instance_)
            QVERIFY(validationClean());  // teardown too
        for (const auto& [kernel, nmse] : worstNmse)
            qInfo("worst NMSE %-14s %.3g", kernel.c_str(), nmse);
    }
};

QTEST_APPLESS_MAIN(TestVulkanOps)
#include "test_vulkan_ops.moc"
