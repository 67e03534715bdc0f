// Every way the Vulkan backend can fail ends on the CPU with a short human reason, and the answers
// stay the CPU's: no loader, no device, a device missing a required feature, a device that cannot
// be created, a device index that does not exist, too little device memory for the model (refused
// from the sizes before uploading) or for a session's KV cache (an allocation that fails), a
// pipeline that cannot be created in the middle of a prompt, and an f32 KV cache. Failures are
// simulated where the real ones happen (LAMPLIGHT_VK_FAULT, DeviceOptions::memoryLimit; see
// vulkan/fault.h). The validation layer watches the cases that create a device, through teardown:
// a failure must not leak a Vulkan object.
#include "core/error.h"
#include "engine/backend_choice.h"
#include "model/model.h"
#include "model/session.h"
#include "support/shared_data.h"
#include "support/vulkan_harness.h"
#include "vulkan/device_weights.h"
#include "vulkan/vulkan_backend.h"

#include <QtTest>

using namespace lamp;

namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) { qputenv(name, value); }
    ~ScopedEnv() { qunsetenv(name_); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
};

std::vector<int32_t> someTokens(int64_t vocab, size_t count) {
    std::vector<int32_t> out;
    for (size_t i = 0; i < count; ++i)
        out.push_back(static_cast<int32_t>((i * 31 + 5) % static_cast<size_t>(vocab)));
    return out;
}

} // namespace

class TestVulkanFallback : public test::VulkanTestBase {
    Q_OBJECT

    std::unique_ptr<Model> model_;

    BackendRequest vulkanRequest(bool withValidation = true) {
        BackendRequest r;
        r.kind = BackendKind::Vulkan;
        r.device = lavapipe_;
        r.contextLength = 64;
        if (withValidation)
            r.instance = instance_;
        return r;
    }

    // The choice fell back to the CPU, with a reason containing `expected`.
    void expectCpu(const BackendChoice& c, const QString& expected) {
        qInfo("reason: %s", c.reason.c_str());
        QCOMPARE(QString::fromStdString(c.backend->name()), QString("cpu"));
        QVERIFY(c.fellBack);
        QVERIFY2(QString::fromStdString(c.reason).contains(expected, Qt::CaseInsensitive), c.reason.c_str());
    }

    int lavapipe_ = 0;

private slots:
    void initTestCase() {
        if (!open(""))
            return;
        lavapipe_ = device_->info().index;
        device_.reset();
        LAMP_REQUIRE_SHARED(shared);
        model_ = Model::load(shared / "models" / "tiny-llama-q8_0.gguf");
    }

    void noLoader() {
        ScopedEnv env("LAMPLIGHT_VK_LOADER", "libvulkan-not-installed.so.1");
        expectCpu(chooseBackend(*model_, vulkanRequest(false)), "no Vulkan loader");
    }

    void noDevice() {
        ScopedEnv env("LAMPLIGHT_VK_FAULT", "no-device");
        BackendRequest r = vulkanRequest(false);
        r.device.reset();
        expectCpu(chooseBackend(*model_, r), "no Vulkan device found");
    }

    void missingRequiredFeature() {
        ScopedEnv env("LAMPLIGHT_VK_FAULT", "baseline");
        expectCpu(chooseBackend(*model_, vulkanRequest(false)), "required feature is missing");
    }

    void deviceCreationFails() {
        ScopedEnv env("LAMPLIGHT_VK_FAULT", "device");
        expectCpu(chooseBackend(*model_, vulkanRequest(false)), "creating a device");
    }

    void unknownDeviceIndex() {
        BackendRequest r = vulkanRequest();
        r.device = 42;
        expectCpu(chooseBackend(*model_, r), "device 42 does not exist");
    }

    void modelTooBigForTheDevice() {
        BackendRequest r = vulkanRequest();
        r.memoryLimit = 256 * 1024;
        expectCpu(chooseBackend(*model_, r), "of device memory");
        QVERIFY(validationClean());
    }

    // The weights fit; a later session asks for a context whose KV cache does not: its allocation
    // fails on the device, and that session runs on the CPU with the same logits.
    void kvCacheTooBigForTheDevice() {
        BackendRequest r = vulkanRequest();
        r.contextLength = 16;
        r.memoryLimit = vulkan::deviceWeightBytes(*model_) + vulkan::sessionDeviceBytes(*model_, 16) + 64 * 1024;
        const BackendChoice c = chooseBackend(*model_, r);
        QCOMPARE(QString::fromStdString(c.backend->name()), QString("vulkan"));
        SessionOptions o;
        o.contextLength = 2048;
        o.backend = c.backend;
        Session gpu(*model_, o);
        qInfo("session fallback: %s", gpu.fallbackReason().c_str());
        QCOMPARE(QString::fromStdString(gpu.backend().name()), QString("cpu"));
        QVERIFY(QString::fromStdString(gpu.fallbackReason()).contains("device memory exhausted loading KV cache"));
        o.contextLength = 16;
        Session small(*model_, o);  // a context that fits stays on the device
        QCOMPARE(QString::fromStdString(small.backend().name()), QString("vulkan"));
        QVERIFY(validationClean());
    }

    // Pipelines are made at the first forward pass: when that fails the session re-evaluates on the
    // CPU and goes on, its logits the CPU's.
    void pipelineFailsMidRun() {
        const BackendChoice c = chooseBackend(*model_, vulkanRequest());
        QCOMPARE(QString::fromStdString(c.backend->name()), QString("vulkan"));
        SessionOptions o;
        o.contextLength = 64;
        o.backend = c.backend;
        o.batchSize = 5;
        Session gpu(*model_, o);
        o.backend = nullptr;
        Session cpu(*model_, o);  // the same batches, so the same arithmetic
        const auto tokens = someTokens(model_->vocabSize(), 12);
        {
            ScopedEnv env("LAMPLIGHT_VK_FAULT", "pipeline");
            gpu.evaluate(tokens, Logits::All);
        }
        cpu.evaluate(tokens, Logits::All);
        qInfo("session fallback: %s", gpu.fallbackReason().c_str());
        QCOMPARE(QString::fromStdString(gpu.backend().name()), QString("cpu"));
        QVERIFY(QString::fromStdString(gpu.fallbackReason()).contains("pipeline"));
        QCOMPARE(gpu.allLogits().size(), cpu.allLogits().size());
        QVERIFY(std::equal(gpu.allLogits().begin(), gpu.allLogits().end(), cpu.allLogits().begin()));
        QCOMPARE(gpu.tokens(), cpu.tokens());
        QVERIFY(validationClean());
    }

    void f32KvCacheRunsOnCpu() {
        const BackendChoice c = chooseBackend(*model_, vulkanRequest());
        SessionOptions o;
        o.contextLength = 32;
        o.backend = c.backend;
        o.kvType = KvType::F32;
        Session s(*model_, o);
        QCOMPARE(QString::fromStdString(s.backend().name()), QString("cpu"));
        QVERIFY(QString::fromStdString(s.fallbackReason()).contains("f16 only"));
    }

    // Auto never picks a software renderer; asked for by name it runs there.
    void autoSkipsSoftwareRenderers() {
        BackendRequest r;
        r.instance = instance_;
        const BackendChoice c = chooseBackend(*model_, r);
        qInfo("auto: %s (%s)", c.summary().c_str(), c.reason.c_str());
        bool hardware = false;
        for (const auto& d : instance_->devices())
            hardware = hardware || d.type != vulkan::DeviceType::Cpu;
        if (!hardware) {
            QCOMPARE(QString::fromStdString(c.backend->name()), QString("cpu"));
            QVERIFY(!c.fellBack);
            QVERIFY(QString::fromStdString(c.reason).contains("software renderer"));
        }
        QVERIFY_THROWS_EXCEPTION(lamp::Error, BackendRequest::parse("metal"));
        QCOMPARE(BackendRequest::parse("vulkan:1").device, std::optional<int>(1));
    }

    void cleanupTestCase() {
        model_.reset();
        QVERIFY(closeAndReport());
    }
};

QTEST_APPLESS_MAIN(TestVulkanFallback)
#include "test_vulkan_fallback.moc"
