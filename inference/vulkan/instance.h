// The Vulkan instance: the system loader opened at run time (so a machine without libvulkan still
// runs on the CPU, with a clear reason), the Khronos validation layer when asked for, and the
// physical devices with everything the backend needs to know about them.
//
// Environment:
//   LAMPLIGHT_VK_LOADER      library name or path to open instead of libvulkan.so.1 (tests point it
//                            at a missing name to simulate a machine without Vulkan)
//   LAMPLIGHT_VK_VALIDATION  1: enable VK_LAYER_KHRONOS_validation and record its messages
//   LAMPLIGHT_VK_DISABLE     comma-separated features to treat as absent (see device_info.h)
#pragma once

#include "vulkan/device_info.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lamp::vulkan {

struct InstanceOptions {
    std::optional<std::string> loaderName;  // default: LAMPLIGHT_VK_LOADER, else the system loader
    std::optional<bool> validation;         // default: LAMPLIGHT_VK_VALIDATION=1
    std::optional<std::string> disable;     // default: LAMPLIGHT_VK_DISABLE
};

// One validation-layer (or loader) message at warning or error severity.
struct ValidationMessage {
    bool error = false;  // else a warning
    std::string text;
};

class Instance {
public:
    // Opens the loader and creates the instance. VulkanError with a human reason when there is no
    // loader, the loader is older than Vulkan 1.1, or instance creation fails.
    static std::shared_ptr<Instance> create(const InstanceOptions& options = {});
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    const std::vector<DeviceInfo>& devices() const;
    uint32_t loaderApiVersion() const;
    bool validationEnabled() const;  // the layer is active (asked for and installed)

    // Validation messages so far (warnings and errors), and clearing them.
    std::vector<ValidationMessage> messages() const;
    void clearMessages();

    // The device for `index` (nullopt = Auto, see chooseDevice). VulkanError when there is no
    // device, the index is out of range, or the named device misses the Vulkan 1.1 baseline.
    const DeviceInfo& select(std::optional<int> index) const;

    struct Impl;
    Impl& impl() { return *impl_; }

private:
    Instance();
    std::unique_ptr<Impl> impl_;
};

} // namespace lamp::vulkan
