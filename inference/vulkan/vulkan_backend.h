// The Vulkan backend: a model's weights on one GPU (uploaded once, shared by its sessions) and, per
// session, an executor with the KV cache and the activations on the device. A forward call records
// the whole batch (every layer) into one command buffer, submits it once and reads the logits back
// from host-visible memory.
#pragma once

#include "model/executor.h"
#include "vulkan/instance.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

namespace lamp {
class Model;
}

namespace lamp::vulkan {

struct BackendOptions {
    std::shared_ptr<Instance> instance;      // null: create one (environment defaults, instance.h)
    std::optional<int> device;               // nullopt: Auto (chooseDevice)
    std::optional<uint64_t> memoryLimit;     // DeviceOptions::memoryLimit (tests; LAMPLIGHT_VK_MEMORY_LIMIT)
    std::optional<uint64_t> maxBufferBytes;  // DeviceOptions::maxBufferBytes (tests force splits)
    std::optional<std::filesystem::path> pipelineCache;  // loaded at creation, saved on destruction
    int64_t contextLength = 0;               // the KV cache to plan memory for (0: none)
    std::function<void(uint64_t done, uint64_t total)> progress;  // weight bytes uploaded
};

// Creates the device and uploads the model. Throws VulkanError with a short human reason when the
// model cannot run there (no loader, no device, not enough device memory — checked before the
// upload from the sizes, and caught during it —, a weight format without a kernel, a head size the
// attention kernel does not take). Nothing stays allocated after a failure.
std::shared_ptr<const lamp::Backend> makeBackend(const Model& model, const BackendOptions& options = {});

// Device memory a session with `contextLength` positions needs besides the weights: the f16 KV cache
// and the activation buffers.
uint64_t sessionDeviceBytes(const Model& model, int64_t contextLength);

} // namespace lamp::vulkan
