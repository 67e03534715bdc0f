// The Vulkan backend's devices, on Mesa's lavapipe (a CPU-type device the set-up installs):
// enumeration and the facts DESIGN.md lists, the feature switches, the Auto choice, the clear
// errors for a missing loader and a device index out of range, buffers with their limits, and the
// pipeline cache. Without a Vulkan device the tests skip (and fail under CI=true).
#include "support/shared_data.h"
#include "embedded_shaders.h"
#include "vulkan/kernel_variants.h"
#include "vulkan/device.h"
#include "vulkan/device_info.h"
#include "vulkan/instance.h"
#include "vulkan/ops.h"
#include "vulkan/vulkan_error.h"

#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numeric>
#include <vector>

using namespace lamp::vulkan;

namespace {

constexpr uint32_t kVulkan11 = (1u << 22) | (1u << 12);  // VK_API_VERSION_1_1

// The instance (validation on), or nullptr after QSKIP/QFAIL when this machine has no Vulkan.
#define LAMP_REQUIRE_VULKAN(var, ...)                                                              \
    std::shared_ptr<Instance> var;                                                                  \
    try {                                                                                           \
        InstanceOptions opts_;                                                                      \
        __VA_ARGS__;                                                                                \
        opts_.validation = true;                                                                    \
        var = Instance::create(opts_);                                                              \
    } catch (const VulkanError& e) {                                                                \
        if (lamp::test::inCi())                                                                     \
            QFAIL(qPrintable(QString("CI must provide Vulkan (lavapipe): ") + e.what()));           \
        QSKIP(qPrintable(QString("no Vulkan here: ") + e.what()));                                  \
    }                                                                                               \
    if (var->devices().empty()) {                                                                   \
        if (lamp::test::inCi())                                                                     \
            QFAIL("CI must provide a Vulkan device (mesa-vulkan-drivers: lavapipe)");              \
        QSKIP("no Vulkan device here (install mesa-vulkan-drivers for lavapipe)");                  \
    }

// lavapipe when present (selected by type, never by overriding the user's environment).
std::optional<int> cpuDevice(const Instance& instance) {
    for (const auto& d : instance.devices())
        if (d.type == DeviceType::Cpu)
            return d.index;
    return std::nullopt;
}

DeviceOptions on(std::optional<int> index, std::optional<uint64_t> maxBufferBytes = std::nullopt,
                 std::optional<std::filesystem::path> cache = std::nullopt) {
    DeviceOptions o;
    o.index = index;
    o.maxBufferBytes = maxBufferBytes;
    o.pipelineCache = std::move(cache);
    return o;
}

void expectClean(const Instance& instance) {
    if (!instance.validationEnabled()) {
        if (lamp::test::inCi())
            QFAIL("CI must provide VK_LAYER_KHRONOS_validation (vulkan-validationlayers)");
        return;
    }
    for (const auto& m : instance.messages())
        qWarning("validation %s: %s", m.error ? "error" : "warning", m.text.c_str());
    QCOMPARE(instance.messages().size(), size_t{0});
}

} // namespace

class TestVulkanDevice : public QObject {
    Q_OBJECT
private slots:
    void enumeratesLavapipe() {
        LAMP_REQUIRE_VULKAN(instance);
        QVERIFY(instance->loaderApiVersion() >= kVulkan11);
        const auto index = cpuDevice(*instance);
        if (!index)
            QSKIP("no CPU-type (lavapipe) device among the Vulkan devices");
        const DeviceInfo& d = instance->devices()[static_cast<size_t>(*index)];
        qInfo("%s: %s, Vulkan %s, driver %s %s, subgroup %u, shared %u, maxStorageBufferRange %llu", d.name.c_str(),
              d.vendor.c_str(), d.apiVersionText.c_str(), d.driverName.c_str(), d.driverInfo.c_str(), d.subgroupSize,
              d.maxComputeSharedMemorySize, static_cast<unsigned long long>(d.maxStorageBufferRange));
        QVERIFY(!d.name.empty());
        QVERIFY(d.meetsBaseline);
        QCOMPARE(deviceTypeName(d.type), std::string_view("cpu"));
        QVERIFY(d.apiVersion >= kVulkan11);
        QVERIFY(!d.driverName.empty());
        QVERIFY(d.maxStorageBufferRange >= (uint64_t{128} << 20));
        QVERIFY(d.maxMemoryAllocationSize > 0);
        QVERIFY(d.maxComputeSharedMemorySize >= 16384);
        QVERIFY(d.subgroupSize >= 1);
        QVERIFY(!d.heaps.empty());
        QVERIFY(d.deviceLocalBytes > 0);
        QVERIFY(d.heaps[0].hostVisible);  // all of lavapipe's memory is host memory
        QVERIFY(d.supported.storage16);   // the facts DESIGN.md lists for lavapipe
        QVERIFY(d.supported.float16);
        QVERIFY(d.supported.storage8);
        QVERIFY(d.supported.subgroupArithmetic);
        QCOMPARE(d.enabled, d.supported);  // nothing switched off
        expectClean(*instance);
    }

    void featureSwitches() {
        DeviceFeatures all;
        for (auto* f : {&all.storage16, &all.float16, &all.storage8, &all.subgroupArithmetic, &all.subgroupShuffle,
                        &all.subgroupSizeControl, &all.integerDotProduct, &all.cooperativeMatrix, &all.mappableVram})
            *f = true;
        std::vector<std::string> unknown;
        const DeviceFeatures some = disableFeatures(all, " fp16, subgroup ,bogus", &unknown);
        QVERIFY(!some.float16 && !some.subgroupArithmetic && !some.subgroupShuffle && !some.subgroupSizeControl);
        QVERIFY(some.storage16 && some.storage8 && some.integerDotProduct && some.cooperativeMatrix);
        QCOMPARE(unknown, std::vector<std::string>{"bogus"});
        QCOMPARE(disableFeatures(all, "all"), DeviceFeatures{});
        for (const auto& [name, on] : featureList(all))
            QCOMPARE(featureList(disableFeatures(all, name)).size(), size_t{9});

        LAMP_REQUIRE_VULKAN(instance, opts_.disable = std::string("all"));
        for (const auto& d : instance->devices())
            QCOMPARE(d.enabled, DeviceFeatures{});
        const auto index = cpuDevice(*instance);
        if (index) {
            QVERIFY(instance->devices()[static_cast<size_t>(*index)].supported.storage16);
            auto device = Device::create(instance, on(index));  // a device with nothing optional on
            QVERIFY(device->info().enabled == DeviceFeatures{});
        }
        expectClean(*instance);
    }

    // Each feature switch reaches kernels: the variant names the host asks for exist, follow the
    // suffix order shaders/CMakeLists.txt compiles them in, and every compiled variant is reachable.
    void kernelVariants() {
        using detail::kernelVariant;
        const DeviceFeatures none;
        DeviceFeatures all;
        all.storage16 = all.float16 = all.storage8 = all.subgroupArithmetic = all.integerDotProduct = true;
        QCOMPARE(kernelVariant(none, "matvec_q8_0", true), std::string("matvec_q8_0"));
        QCOMPARE(kernelVariant(all, "matvec_q8_0", true), std::string("matvec_q8_0_sg_s8_dot"));
        QCOMPARE(kernelVariant(all, "matvec_q8_0", false), std::string("matvec_q8_0_sg_s8"));
        QCOMPARE(kernelVariant(all, "matvec_q4_k", true), std::string("matvec_q4_k_sg"));  // no dot kernel
        QCOMPARE(kernelVariant(all, "matmul_q4_k"), std::string("matmul_q4_k_f16"));
        QCOMPARE(kernelVariant(all, "matmul_f32"), std::string("matmul_f32"));  // fp16 would round F32 weights
        QCOMPARE(kernelVariant(all, "matvec_f16"), std::string("matvec_f16_sg_s16"));
        QCOMPARE(kernelVariant(all, "attention_group"), std::string("attention_group_s16"));
        QCOMPARE(kernelVariant(all, "kv_store"), std::string("kv_store_s16"));
        QCOMPARE(kernelVariant(all, "rms_norm"), std::string("rms_norm"));
        QVERIFY(detail::usesSubgroups("matvec_q8_0_sg_s8") && detail::usesSubgroups("matvec_f16_sg"));
        QVERIFY(!detail::usesSubgroups("matvec_q8_0_s8") && !detail::usesSubgroups("matmul_q4_k_f16"));

        // Every embedded variant is what kernelVariant gives for the features its suffixes name.
        const std::pair<std::string_view, bool DeviceFeatures::*> suffixes[] = {
            {"_sg", &DeviceFeatures::subgroupArithmetic}, {"_s16", &DeviceFeatures::storage16},
            {"_s8", &DeviceFeatures::storage8},           {"_f16", &DeviceFeatures::float16},
            {"_dot", &DeviceFeatures::integerDotProduct}};
        int variants = 0;
        for (const auto& shader : lamp::shaders::all()) {
            std::string base(shader.name);
            DeviceFeatures f;
            for (int i = 4; i >= 0; --i) {  // strip suffixes from the last
                const std::string_view s = suffixes[i].first;
                // "matmul_f16": the weight format, not the fp16 suffix (no base name ends in "_s16" etc.)
                if (base.size() > s.size() && base.ends_with(s) && lamp::shaders::find(base.substr(0, base.size() - s.size()))) {
                    f.*suffixes[i].second = true;
                    base.resize(base.size() - s.size());
                }
            }
            if (base == shader.name)
                continue;
            ++variants;
            QCOMPARE(kernelVariant(f, base, f.integerDotProduct), std::string(shader.name));
        }
        QVERIFY2(variants >= 40, std::to_string(variants).c_str());
    }

    void autoChoice() {
        std::vector<DeviceInfo> list(4);
        const DeviceType types[] = {DeviceType::Cpu, DeviceType::Integrated, DeviceType::Discrete, DeviceType::Discrete};
        for (int i = 0; i < 4; ++i) {
            list[static_cast<size_t>(i)].index = i;
            list[static_cast<size_t>(i)].type = types[i];
            list[static_cast<size_t>(i)].meetsBaseline = true;
            list[static_cast<size_t>(i)].deviceLocalBytes = uint64_t{1} << (30 + i % 3);
        }
        QCOMPARE(chooseDevice(list), 2);  // discrete, then the larger memory (4 GiB vs 1 GiB)
        list[2].meetsBaseline = false;
        QCOMPARE(chooseDevice(list), 3);
        list[3].meetsBaseline = false;
        QCOMPARE(chooseDevice(list), 1);  // integrated before CPU
        for (auto& d : list)
            d.meetsBaseline = false;
        QCOMPARE(chooseDevice(list), -1);
    }

    void missingLoader() {
        try {
            InstanceOptions options;
            options.loaderName = "libvulkan-lamplight-missing.so.1";
            Instance::create(options);
            QFAIL("an instance without a loader");
        } catch (const VulkanError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("no Vulkan loader (libvulkan-lamplight-missing.so.1) found") != std::string::npos, e.what());
            QVERIFY(what.find("or choose CPU") != std::string::npos);
        }
        // The same through the environment, as a user (or the app's fallback test) would set it.
        const QByteArray saved = qgetenv("LAMPLIGHT_VK_LOADER");
        const bool had = qEnvironmentVariableIsSet("LAMPLIGHT_VK_LOADER");
        qputenv("LAMPLIGHT_VK_LOADER", "/nonexistent/libvulkan.so.1");
        QVERIFY_THROWS_EXCEPTION(VulkanError, Instance::create());
        if (had)
            qputenv("LAMPLIGHT_VK_LOADER", saved);
        else
            qunsetenv("LAMPLIGHT_VK_LOADER");
    }

    void deviceIndexOutOfRange() {
        LAMP_REQUIRE_VULKAN(instance);
        const int count = static_cast<int>(instance->devices().size());
        for (const int bad : {count, count + 7, -1}) {
            try {
                Device::create(instance, on(bad));
                QFAIL("a device that does not exist");
            } catch (const VulkanError& e) {
                QVERIFY2(std::string(e.what()).find("does not exist") != std::string::npos, e.what());
            }
        }
        QCOMPARE(instance->select(std::nullopt).index, chooseDevice(instance->devices()));
    }

    void buffersAndLimits() {
        LAMP_REQUIRE_VULKAN(instance);
        auto device = Device::create(instance, on(cpuDevice(*instance), 4096));
        QCOMPARE(device->maxBufferBytes(), uint64_t{4096});
        try {
            device->createBuffer(4100, "blk.0.ffn_up");
            QFAIL("a buffer over the limit");
        } catch (const VulkanError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("blk.0.ffn_up") != std::string::npos && what.find("split it") != std::string::npos, e.what());
        }
        // Round trip with an odd size and offset (buffers are padded to whole words).
        std::vector<uint8_t> data(1000);
        std::iota(data.begin(), data.end(), uint8_t{3});
        Buffer b = device->createBuffer(1003, "odd");
        device->fill(b, 0xAAAAAAAAu);
        device->upload(b, 2, data.data(), data.size());
        std::vector<uint8_t> back(1003);
        device->download(b, 0, back.data(), back.size());
        QCOMPARE(back[0], uint8_t{0xAA});
        QCOMPARE(back[1002], uint8_t{0xAA});
        QVERIFY(std::equal(data.begin(), data.end(), back.begin() + 2));
        // A matrix wider than the limit cannot be split by rows.
        std::vector<float> wide(2048);
        QVERIFY_THROWS_EXCEPTION(VulkanError, uploadMatrix(*device, lamp::TensorType::F32, 1, 2048, wide.data(), "wide"));
        expectClean(*instance);
    }

    void pipelineCache() {
        LAMP_REQUIRE_VULKAN(instance);
        QTemporaryDir dir;
        const std::filesystem::path path = std::filesystem::path(dir.path().toStdString()) / "cache" / "vulkan.bin";
        {
            auto device = Device::create(instance, on(cpuDevice(*instance)));
            QVERIFY(!device->pipelineCacheLoaded());
            Buffer a = device->createBuffer(64, "a");
            Recorder rec = device->record();
            recordScale(rec, a, 0, a, 0, 16, 2.0f);
            recordScale(rec, a, 0, a, 0, 16, 2.0f);
            QCOMPARE(rec.barrierCount(), 1);  // the second reads what the first wrote
            rec.submitAndWait();
            QCOMPARE(device->pipelineCount(), 1);  // created once
            device->savePipelineCache(path);
        }
        QVERIFY(std::filesystem::file_size(path) > 0);
        auto device = Device::create(instance, on(cpuDevice(*instance), std::nullopt, path));
        QVERIFY(device->pipelineCacheLoaded());
        expectClean(*instance);
    }

    // A finished recording's pools are reset and reused: a loop of steps (a decode loop) makes one
    // set of them; recordings alive at once each get their own. Results stay right through reuse
    // (enough dispatches to need a second descriptor pool), and the validation layer stays silent.
    void recordingsReusePools() {
        LAMP_REQUIRE_VULKAN(instance);
        auto device = Device::create(instance, on(cpuDevice(*instance)));
        std::vector<float> ones(16, 1.0f);
        Buffer a = device->createBuffer(64, "a");
        device->upload(a, 0, ones.data(), 64);
        for (int step = 0; step < 20; ++step) {
            Recorder rec = device->record();
            for (int i = 0; i < 300; ++i)  // 300 descriptor sets: more than one pool's 256
                recordScale(rec, a, 0, a, 0, 16, i % 2 == 0 ? 2.0f : 0.5f);
            recordScale(rec, a, 0, a, 0, 16, 1.0f + static_cast<float>(step % 2));
            rec.submitAndWait();
        }
        QCOMPARE(device->recordingContextsMade(), 1);
        std::vector<float> back(16);
        device->download(a, 0, back.data(), 64);
        QCOMPARE(back[5], 1024.0f);  // ×2 on the ten odd steps
        {
            Recorder first = device->record();
            Recorder second = device->record();  // while the first is alive
            recordScale(second, a, 0, a, 0, 16, 1.0f);
            second.submitAndWait();
        }  // `first` is dropped unsubmitted: its pools are reusable too
        QCOMPARE(device->recordingContextsMade(), 2);
        Recorder again = device->record();
        recordScale(again, a, 0, a, 0, 16, 0.5f);
        again.submitAndWait();
        QCOMPARE(device->recordingContextsMade(), 2);
        device->download(a, 0, back.data(), 64);
        QCOMPARE(back[0], 512.0f);
        expectClean(*instance);
    }
};

QTEST_APPLESS_MAIN(TestVulkanDevice)
#include "test_vulkan_device.moc"
