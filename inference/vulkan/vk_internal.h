// Internal to inference/vulkan: the Vulkan-Hpp RAII handles behind instance.h and device.h.
// Only the backend's own .cpp files include this (vulkan_raii.hpp is slow to compile). The loader
// is opened at run time with dlopen (VULKAN_HPP_DISPATCH_LOADER_DYNAMIC, VK_NO_PROTOTYPES): nothing
// links against libvulkan.
#pragma once

#define VULKAN_HPP_DISPATCH_LOADER_DYNAMIC 1
#define VULKAN_HPP_ENABLE_DYNAMIC_LOADER_TOOL 0  // we open the loader ourselves (LoaderLibrary)
#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan_raii.hpp>

#include "vulkan/device.h"
#include "vulkan/instance.h"
#include "vulkan/vulkan_error.h"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lamp::vulkan {

// The system Vulkan loader, opened with dlopen and closed on destruction.
class LoaderLibrary {
public:
    // Opens `name`, or the system loader (libvulkan.so.1, then libvulkan.so) when empty; the
    // handle is null when nothing could be opened (error() says why).
    explicit LoaderLibrary(const std::string& name);
    ~LoaderLibrary();
    LoaderLibrary(const LoaderLibrary&) = delete;
    LoaderLibrary& operator=(const LoaderLibrary&) = delete;
    bool loaded() const { return handle_ != nullptr; }
    const std::string& error() const { return error_; }
    PFN_vkGetInstanceProcAddr getInstanceProcAddr() const;

private:
    void* handle_ = nullptr;
    std::string error_;
};

// Members are destroyed in reverse order: physical devices, messenger, instance, context, loader.
struct Instance::Impl {
    std::unique_ptr<LoaderLibrary> loader;
    std::optional<vk::raii::Context> context;
    std::optional<vk::raii::Instance> instance;
    std::optional<vk::raii::DebugUtilsMessengerEXT> messenger;
    std::vector<vk::raii::PhysicalDevice> physical;  // [i] is devices[i]
    std::vector<DeviceInfo> devices;
    uint32_t loaderVersion = 0;
    bool validation = false;
    mutable std::mutex mutex;
    std::vector<ValidationMessage> messages;
};

struct Pipeline {
    size_t bindings = 0;
    std::optional<vk::raii::DescriptorSetLayout> setLayout;
    std::optional<vk::raii::PipelineLayout> layout;
    std::optional<vk::raii::Pipeline> pipeline;
};

constexpr uint32_t kPushBytes = 128;  // the minimum maxPushConstantsSize: every layout uses it

// What one recording needs besides pipelines: a command pool with its command buffer, the
// descriptor pools its sets come from, and a fence. The device keeps finished ones and the next
// recording resets and reuses them, so a decode step creates no Vulkan objects.
struct RecordingContext {
    std::optional<vk::raii::CommandPool> pool;
    std::optional<vk::raii::CommandBuffer> cmd;
    std::vector<vk::raii::DescriptorPool> descriptorPools;
    size_t poolsUsed = 0;   // pools handed out in this recording (the rest are reset and spare)
    uint32_t setsLeft = 0;  // in descriptorPools[poolsUsed - 1]
    std::optional<vk::raii::Fence> fence;
    ~RecordingContext() {  // the command buffer before its pool
        cmd.reset();
        descriptorPools.clear();
        pool.reset();
    }
};

// The logical device and what hangs off it, shared by Device, Buffers and Recorders. Members are
// destroyed in reverse order, the device last; the instance is kept alive by `instance`.
struct DeviceCore : std::enable_shared_from_this<DeviceCore> {
    std::shared_ptr<Instance> instance;
    DeviceInfo info;
    uint64_t maxBufferBytes = 0;
    uint32_t queueFamily = 0;
    vk::PhysicalDeviceMemoryProperties memory;
    std::optional<vk::raii::Device> device;
    std::optional<vk::raii::Queue> queue;
    std::optional<vk::raii::PipelineCache> pipelineCache;
    bool cacheLoaded = false;
    std::optional<uint64_t> memoryLimit;   // DeviceOptions::memoryLimit
    std::atomic<uint64_t> allocatedBytes{0};
    std::mutex mutex;  // pipelines and queue submission
    std::map<std::string, Pipeline, std::less<>> pipelines;
    // Finished recording contexts, ready for reuse (under `mutex`); declared after `device`, so
    // they go first.
    std::vector<std::unique_ptr<RecordingContext>> idleRecordings;
    std::atomic<int> recordingContextsMade{0};

    Pipeline& pipeline(std::string_view kernel, size_t bindings);
    // A memory type index with all of `required` (and `preferred` too when possible); throws.
    uint32_t memoryType(uint32_t typeBits, vk::MemoryPropertyFlags required, vk::MemoryPropertyFlags preferred) const;
    // A buffer and its memory; VulkanError with sizes when memory runs out.
    // `mappable` (when given) says whether the memory chosen is host-visible and coherent.
    std::pair<vk::raii::Buffer, vk::raii::DeviceMemory> allocate(uint64_t bytes, vk::BufferUsageFlags usage,
                                                                 bool hostVisible, std::string_view label,
                                                                 bool* mappable = nullptr);
    // A device-local (or, with `host`, mapped host-visible) storage buffer counted in allocatedBytes.
    Buffer createBuffer(uint64_t bytes, std::string_view label, bool host);
    // The error for an allocation that does not fit, with the sizes.
    VulkanError exhausted(std::string_view label, uint64_t needs, uint64_t available) const;
    // Records with `fn` into a one-time command buffer, submits and waits.
    template <class Fn>
    void oneShot(Fn&& fn);
};

struct Buffer::Impl {
    std::shared_ptr<DeviceCore> core;
    std::string label;
    uint64_t size = 0;
    uint64_t allocated = 0;  // size rounded up to 4
    std::optional<vk::raii::Buffer> buffer;
    std::optional<vk::raii::DeviceMemory> memory;
    void* mapped = nullptr;   // host buffers only: mapped for the buffer's lifetime
    bool hostAccess = false;  // the memory is host-visible and coherent (uploads need no staging)
    ~Impl() {  // the buffer before its memory
        const bool counted = buffer.has_value();  // set only once the allocation succeeded
        buffer.reset();
        if (mapped != nullptr)
            memory->unmapMemory();
        memory.reset();
        if (counted)
            core->allocatedBytes -= allocated;
    }
};

struct Recorder::Impl {
    std::shared_ptr<DeviceCore> core;
    std::unique_ptr<RecordingContext> context;
    std::vector<VkBuffer> written, read;  // since the last barrier
    int dispatches = 0;
    int barriers = 0;
    bool submitted = false;
    bool reusable = true;  // false while submitted work may still run (a failed wait)
    ~Impl();               // hands the context back to the device for the next recording
};

} // namespace lamp::vulkan
