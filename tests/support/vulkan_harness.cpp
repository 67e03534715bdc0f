#include "support/vulkan_harness.h"

#include "support/shared_data.h"
#include "vulkan/vulkan_error.h"

#include <QtTest>

#include <cstring>
#include <optional>
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

const std::vector<std::string>& kernelFeatureSwitches() {
    static const std::vector<std::string> names{"storage16", "fp16", "storage8", "subgroup", "integer_dot"};
    return names;
}

std::string disableAllBut(const std::string& keep) {
    std::string spec = "mappable_vram,coopmat";
    for (const std::string& name : kernelFeatureSwitches())
        if (name != keep)
            spec += "," + name;
    return spec;
}

bool checkMatVec(Device& device, const DeviceMatrix& m, const std::vector<float>& wd, uint32_t tokens, uint32_t seed,
                 std::string& why, bool accumulate) {
    const auto cols = static_cast<size_t>(m.cols), rows = static_cast<size_t>(m.rows);
    const auto x = randomVector(cols * tokens, seed);
    Buffer bx = upload(device, x, "x");
    const auto n = static_cast<uint32_t>(rows * tokens);
    const std::vector<float> start = accumulate ? randomVector(n, seed + 1000u) : std::vector<float>(n, 0.0f);
    Guarded y(device, n, accumulate ? &start : nullptr);
    Recorder rec = device.record();
    const bool integerDot = usesIntegerDot(rec, m, tokens);
    Buffer quantizedBuffer;
    std::optional<QuantizedInput> quantized;
    if (integerDot) {
        quantizedBuffer = device.createBuffer(quantizedInputBytes(static_cast<uint32_t>(cols), tokens), "x quantized");
        quantized = recordQuantizeQ8(rec, bx, 0, static_cast<uint32_t>(cols), static_cast<uint32_t>(cols), tokens,
                                     quantizedBuffer);
    }
    recordMatVec(rec, m, bx, 0, y.buffer, kGuard, tokens, {quantized ? &*quantized : nullptr, accumulate});
    rec.submitAndWait();
    std::vector<double> ref(n);
    for (size_t t = 0; t < tokens; ++t)
        for (size_t r = 0; r < rows; ++r) {
            double acc = start[t * rows + r];
            for (size_t k = 0; k < cols; ++k)
                acc += static_cast<double>(wd[r * cols + k]) * x[t * cols + k];
            ref[t * rows + r] = acc;
        }
    const std::string format(tensorTypeName(m.type));
    const std::string kernel = (usesTiledMatMul(m, tokens) ? "matmul_" + format
                                : integerDot               ? "matvec_" + format + "_dot"
                                                           : "matvec_" + format) +
                               (accumulate ? " (+=)" : "");
    const std::vector<float> got = y.read(device, why);
    if (!why.empty()) {
        why = kernel + ": " + why;
        return false;
    }
    return close(kernel, got, ref, 5e-4, why);
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
