// What every Vulkan parity test needs: a lavapipe device with the validation layer on (skipping
// without Vulkan, failing in CI), outputs framed by guard regions, and an NMSE comparison that
// fails on NaN and remembers each kernel's worst figure for the report.
#pragma once

#include "vulkan/device.h"
#include "vulkan/instance.h"
#include "vulkan/ops.h"

#include <QObject>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lamp::test {

inline constexpr uint32_t kGuard = 37;             // floats of guard before and after every output
inline constexpr uint32_t kSentinel = 0x7FBADBADu;  // a NaN pattern no kernel produces

// Worst NMSE seen per kernel name, for the summary a test prints at the end.
std::map<std::string, double>& worstNmse();

// n normally distributed floats with standard deviation `scale`, from `seed`.
std::vector<float> randomVector(size_t n, uint32_t seed, float scale = 1.0f);

// NMSE = Σ(got − ref)² / Σref²; false (with `why`) on a NaN or when it exceeds `limit`.
template <typename Ref>
bool close(const std::string& kernel, const std::vector<float>& got, const std::vector<Ref>& ref, double limit,
           std::string& why) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(got[i])) {
            why = kernel + ": NaN at " + std::to_string(i);
            return false;
        }
        const double d = static_cast<double>(got[i]) - static_cast<double>(ref[i]);
        err += d * d;
        norm += static_cast<double>(ref[i]) * static_cast<double>(ref[i]);
    }
    const double nmse = norm > 0 ? err / norm : err;
    worstNmse()[kernel] = std::max(worstNmse()[kernel], nmse);
    if (!(nmse <= limit)) {
        why = kernel + ": NMSE " + std::to_string(nmse) + " over " + std::to_string(limit);
        return false;
    }
    return true;
}

// An output buffer of n floats between guards (optionally starting from `init`); read() checks
// that the guards came back untouched and returns the payload.
struct Guarded {
    vulkan::Buffer buffer;
    uint32_t n;
    Guarded(vulkan::Device& device, uint32_t count, const std::vector<float>* init = nullptr);
    std::vector<float> read(vulkan::Device& device, std::string& why) const;
};

vulkan::Buffer upload(vulkan::Device& device, const std::vector<float>& v, const char* label);

// One matrix product on the device against a double-precision reference over `wd`, the weights
// as the CPU reads them ([m.rows][m.cols]): random activations for `tokens` tokens from `seed`,
// quantized first where the device runs m's format with integer dot products (usesIntegerDot),
// the output between guards, NMSE ≤ 5e-4. The kernel's worst NMSE is kept under its family name
// ("matvec_q8_0", "matmul_q8_0", "matvec_q8_0_dot"). With `accumulate` the output starts from
// random values and must come back as those plus the product. False with `why` on a mismatch.
bool checkMatVec(vulkan::Device& device, const vulkan::DeviceMatrix& m, const std::vector<float>& wd,
                 uint32_t tokens, uint32_t seed, std::string& why, bool accumulate = false);

// The optional features the kernels have variants for, each as the switch that turns it off
// ("storage16", "fp16", "storage8", "subgroup", "integer_dot"); and the LAMPLIGHT_VK_DISABLE
// spec that leaves only `keep` on.
const std::vector<std::string>& kernelFeatureSwitches();
std::string disableAllBut(const std::string& keep);

// Base of the Vulkan test classes: open() makes the instance (validation on) and a lavapipe device.
class VulkanTestBase : public QObject {
protected:
    // `disable`: optional features to switch off ("all" for the plain paths). False after a
    // QSKIP (no Vulkan here) or QFAIL (no Vulkan or no validation layer in CI).
    bool open(const std::string& disable, std::optional<uint64_t> maxBufferBytes = std::nullopt);
    // True when the validation layer said nothing; prints what it said otherwise.
    bool validationClean();
    // Releases the device (the validation layer must stay silent through teardown too), prints each
    // kernel's worst NMSE and releases the instance. False when the layer spoke.
    bool closeAndReport();

    std::shared_ptr<vulkan::Instance> instance_;
    std::unique_ptr<vulkan::Device> device_;
};

} // namespace lamp::test
