// A logical Vulkan device for compute, with the runtime the kernels need: device buffers (with
// staging upload and readback), pipelines created once from the embedded SPIR-V (and a
// VkPipelineCache that can be saved and loaded), and a Recorder that records many dispatches into
// one command buffer with only the barriers data dependencies need, submits once and waits.
//
// Ownership: Device, Buffer and Recorder share the device's handles, so a Buffer or Recorder may
// outlive the Device object; the Vulkan device goes away with the last of them.
#pragma once

#include "vulkan/device_info.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lamp::vulkan {

class Instance;
struct DeviceCore;

struct DeviceOptions {
    std::optional<int> index;                      // nullopt: Auto
    std::optional<uint64_t> maxBufferBytes;        // lower the per-buffer limit (tests force splits)
    std::optional<std::filesystem::path> pipelineCache;  // loaded at creation when it exists
    // Pretend the device has only this many bytes: an allocation past it fails exactly as an
    // exhausted heap does (tests force the out-of-memory fallback with it; so does the
    // environment variable LAMPLIGHT_VK_MEMORY_LIMIT, in MiB).
    std::optional<uint64_t> memoryLimit;
};

// A storage buffer in device-local memory. Move-only; size() is what was asked for (the
// allocation is padded to 4 bytes so 16-bit and 8-bit data can be read through 32-bit words).
class Buffer {
public:
    Buffer();
    ~Buffer();
    Buffer(Buffer&&) noexcept;
    Buffer& operator=(Buffer&&) noexcept;
    uint64_t size() const;
    const std::string& label() const;
    // The buffer's memory as the host sees it: non-null only for Device::createHostBuffer()
    // buffers, which stay mapped for their lifetime. Written before a submission, read after it.
    void* mapped() const;
    explicit operator bool() const { return impl_ != nullptr; }

    struct Impl;
    Impl* impl() const { return impl_.get(); }
    explicit Buffer(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

enum class Access : uint8_t { Read, Write, ReadWrite };
struct Binding {
    const Buffer* buffer;
    Access access;
};

// Records dispatches into one command buffer. Each dispatch names its kernel (the shader's name),
// its storage buffers in binding order with how it uses them, and up to 128 bytes of push
// constants. A barrier goes in only where a dispatch touches a buffer an earlier one (since the
// last barrier) wrote, or writes one an earlier one read.
class Recorder {
public:
    ~Recorder();
    Recorder(Recorder&&) noexcept;
    Recorder& operator=(Recorder&&) noexcept;

    void dispatch(std::string_view kernel, std::initializer_list<Binding> bindings,
                  std::span<const std::byte> push, uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1);
    template <class Push>
    void dispatch(std::string_view kernel, std::initializer_list<Binding> bindings, const Push& push,
                  uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1) {
        dispatch(kernel, bindings, std::as_bytes(std::span(&push, 1)), groupsX, groupsY, groupsZ);
    }

    // Ends recording, submits once and waits on a fence. The recorder cannot be used afterwards.
    void submitAndWait();

    int dispatchCount() const;
    int barrierCount() const;
    // The optional features enabled on the device (kernels pick their variant by them).
    const DeviceFeatures& features() const;

    struct Impl;
    explicit Recorder(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

class Device {
public:
    // Creates the logical device on the chosen physical device, enabling its `enabled` features.
    static std::unique_ptr<Device> create(std::shared_ptr<Instance> instance, const DeviceOptions& options = {});
    ~Device();

    const DeviceInfo& info() const;
    // The largest buffer allowed: maxStorageBufferRange, maxMemoryAllocationSize, 1 GiB (32-bit
    // byte indices in shaders) and DeviceOptions::maxBufferBytes, whichever is least.
    uint64_t maxBufferBytes() const;

    // VulkanError when `bytes` exceeds maxBufferBytes() or device memory is exhausted (with sizes).
    Buffer createBuffer(uint64_t bytes, std::string_view label);
    // A storage buffer in host-visible, coherent memory, mapped for its lifetime (Buffer::mapped()):
    // small per-step inputs (token ids) and outputs (logits) that would otherwise need a staging
    // copy and a submission of their own.
    Buffer createHostBuffer(uint64_t bytes, std::string_view label);
    // Bytes of device memory this device's buffers hold now (host buffers included).
    uint64_t allocatedBytes() const;
    // Copies through a host-visible staging buffer; waits for completion.
    void upload(const Buffer& dst, uint64_t offset, const void* data, uint64_t bytes);
    void download(const Buffer& src, uint64_t offset, void* data, uint64_t bytes);
    void fill(const Buffer& dst, uint32_t word);  // every 32-bit word of the buffer

    // A recorder; it reuses the pools of a finished one when there is one.
    Recorder record();

    // Number of pipelines created so far (each kernel's pipeline is created once, on first use).
    int pipelineCount() const;
    // Command pools (with their descriptor pools and fence) made so far: a finished Recorder's
    // are reset and reused by the next record(), so this stays at the number of Recorders alive
    // at once.
    int recordingContextsMade() const;
    // Writes the pipeline cache (creating parent folders). VulkanError on failure.
    void savePipelineCache(const std::filesystem::path& path) const;
    bool pipelineCacheLoaded() const;  // the cache file given at creation was accepted

private:
    Device() = default;
    std::shared_ptr<Instance> instance_;
    std::shared_ptr<DeviceCore> core_;
};

} // namespace lamp::vulkan
