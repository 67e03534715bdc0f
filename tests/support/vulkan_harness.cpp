#include "support/vulkan_harness.h"

#include "support/shared_data.h"
#include "vulkan/vulkan_error.h"

#include <QtTest>

#include <cstring>
#include <random>

namespace lamp::test {

using namespace lamp::vulkan;

std::map<std::string, double>& worstNmse() {
    static std::map<std::string, double> worst;
    return worst;
}

std::vector<float> randomVector(size_t n, uint32_t seed, float scale) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

Guarded::Guarded(Device& device, uint32_t count, const std::vector<float>* init) : n(count) {
    buffer = device.createBuffer((uint64_t{n} + 2 * kGuard) * 4, "output");
    device.fill(buffer, kSentinel);
    if (init != nullptr)
        device.upload(buffer, uint64_t{kGuard} * 4, init->data(), uint64_t{n} * 4);
}

std::vector<float> Guarded::read(Device& device, std::string& why) const {
    std::vector<uint32_t> all(n + 2 * kGuard);
    device.download(buffer, 0, all.data(), all.size() * 4);
    for (uint32_t i = 0; i < kGuard; ++i)
        if (all[i] != kSentinel || all[kGuard + n + i] != kSentinel)
            why = "a write outside the output (guard word " + std::to_string(i) + ")";
    std::vector<float> out(n);
    std::memcpy(out.data(), all.data() + kGuard, size_t{n} * 4);
    return out;
}

Buffer upload(Device& device, const std::vector<float>& v, const char* label) {
    Buffer b = device.createBuffer(v.size() * 4, label);
    device.upload(b, 0, v.data(), v.size() * 4);
    return b;
}

bool VulkanTestBase::open(const std::string& disable, std::optional<uint64_t> maxBufferBytes) {
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
        if (inCi())
            QTest::qFail(qPrintable(QString("CI must provide Vulkan (lavapipe): ") + e.what()), __FILE__, __LINE__);
        else
            QTest::qSkip(qPrintable(QString("no Vulkan here: ") + e.what()), __FILE__, __LINE__);
        return false;
    }
    if (!instance_->validationEnabled() && inCi()) {
        QTest::qFail("CI must provide VK_LAYER_KHRONOS_validation", __FILE__, __LINE__);
        return false;
    }
    return true;
}

bool VulkanTestBase::validationClean() {
    for (const auto& m : instance_->messages())
        qWarning("validation %s: %s", m.error ? "error" : "warning", m.text.c_str());
    return instance_->messages().empty();
}

bool VulkanTestBase::closeAndReport() {
    device_.reset();
    const bool clean = !instance_ || validationClean();
    for (const auto& [kernel, nmse] : worstNmse())
        qInfo("worst NMSE %-22s %.3g", kernel.c_str(), nmse);
    instance_.reset();
    return clean;
}

} // namespace lamp::test
