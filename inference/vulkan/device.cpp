// The logical device, buffers, pipelines and the command recorder (see device.h).
#include "vulkan/vk_internal.h"
#include "vulkan/fault.h"
#include "vulkan/kernel_variants.h"

#include "core/log.h"
#include "embedded_shaders.h"
#include "gguf/model_info.h"  // humanBytes
#include "vulkan/vulkan_error.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>

namespace lamp::vulkan {
namespace {

constexpr uint64_t kShaderIndexLimit = uint64_t{1} << 30;  // byte indices in shaders are 32-bit
constexpr uint32_t kSetsPerPool = 256;
constexpr uint32_t kMaxBindings = 8;

uint64_t roundUp4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

} // namespace

// ---- DeviceCore ---------------------------------------------------------------------------------

uint32_t DeviceCore::memoryType(uint32_t typeBits, vk::MemoryPropertyFlags required,
                                vk::MemoryPropertyFlags preferred) const {
    for (const auto want : {required | preferred, required})
        for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
            if ((typeBits & (1u << i)) != 0 && (memory.memoryTypes[i].propertyFlags & want) == want)
                return i;
    throw VulkanError("Vulkan device " + info.name + " has no suitable memory type: choose CPU");
}

std::pair<vk::raii::Buffer, vk::raii::DeviceMemory> DeviceCore::allocate(uint64_t bytes, vk::BufferUsageFlags usage,
                                                                         bool hostVisible, std::string_view label,
                                                                         bool* mappable) {
    vk::raii::Buffer buffer(*device, vk::BufferCreateInfo({}, bytes, usage, vk::SharingMode::eExclusive));
    const auto req = buffer.getMemoryRequirements();
    using F = vk::MemoryPropertyFlagBits;
    const vk::MemoryPropertyFlags hostAccess = F::eHostVisible | F::eHostCoherent;
    std::vector<uint32_t> types;  // in order of preference
    if (hostVisible) {
        types.push_back(memoryType(req.memoryTypeBits, hostAccess, F::eHostCached));
    } else {
        if (info.enabled.mappableVram)  // written by the host directly, no staging copy
            types.push_back(memoryType(req.memoryTypeBits, F::eDeviceLocal, hostAccess));
        types.push_back(memoryType(req.memoryTypeBits, F::eDeviceLocal, {}));
    }
    for (const uint32_t type : types) {
        try {
            vk::raii::DeviceMemory mem(*device, vk::MemoryAllocateInfo(req.size, type));
            buffer.bindMemory(*mem, 0);
            if (mappable != nullptr)
                *mappable = (memory.memoryTypes[type].propertyFlags & hostAccess) == hostAccess;
            return {std::move(buffer), std::move(mem)};
        } catch (const vk::OutOfDeviceMemoryError&) {
        } catch (const vk::OutOfHostMemoryError&) {
        }
    }
    const uint32_t heap = memory.memoryTypes[types.back()].heapIndex;
    const uint64_t heapSize = memory.memoryHeaps[heap].size, used = allocatedBytes.load();
    throw exhausted(label, req.size, heapSize > used ? heapSize - used : 0);
}

VulkanError DeviceCore::exhausted(std::string_view label, uint64_t needs, uint64_t available) const {
    return VulkanError("Vulkan: device memory exhausted loading " + std::string(label) + " (needs " +
                       humanBytes(needs) + ", " + humanBytes(available) + " free on " + info.name + ")");
}

template <class Fn>
void DeviceCore::oneShot(Fn&& fn) {
    vk::raii::CommandPool pool(*device, vk::CommandPoolCreateInfo(vk::CommandPoolCreateFlagBits::eTransient, queueFamily));
    vk::raii::CommandBuffers cmds(*device, vk::CommandBufferAllocateInfo(*pool, vk::CommandBufferLevel::ePrimary, 1));
    vk::raii::CommandBuffer& cmd = cmds.front();
    cmd.begin(vk::CommandBufferBeginInfo(vk::CommandBufferUsageFlagBits::eOneTimeSubmit));
    fn(cmd);
    // Make the copy's writes visible to later dispatches, copies and the host (later submissions too).
    const vk::MemoryBarrier barrier(vk::AccessFlagBits::eTransferWrite,
                                    vk::AccessFlagBits::eShaderRead | vk::AccessFlagBits::eShaderWrite |
                                        vk::AccessFlagBits::eTransferRead | vk::AccessFlagBits::eTransferWrite |
                                        vk::AccessFlagBits::eHostRead);
    cmd.pipelineBarrier(vk::PipelineStageFlagBits::eTransfer,
                        vk::PipelineStageFlagBits::eComputeShader | vk::PipelineStageFlagBits::eTransfer |
                            vk::PipelineStageFlagBits::eHost,
                        {}, barrier, {}, {});
    cmd.end();
    vk::raii::Fence fence(*device, vk::FenceCreateInfo());
    const vk::CommandBuffer raw = *cmd;
    {
        std::lock_guard lock(mutex);
        queue->submit(vk::SubmitInfo({}, {}, raw), *fence);
    }
    if (device->waitForFences(*fence, VK_TRUE, UINT64_MAX) != vk::Result::eSuccess)
        throw VulkanError("Vulkan: waiting for a transfer failed");
}

Pipeline& DeviceCore::pipeline(std::string_view kernel, size_t bindings) {
    // The caller holds `mutex`.
    if (auto it = pipelines.find(kernel); it != pipelines.end()) {
        if (it->second.bindings != bindings)
            throw VulkanError("Vulkan kernel " + std::string(kernel) + " dispatched with " + std::to_string(bindings) +
                              " buffers, created with " + std::to_string(it->second.bindings));
        return it->second;
    }
    const shaders::EmbeddedShader* shader = shaders::find(kernel);
    if (shader == nullptr)
        throw VulkanError("Vulkan kernel " + std::string(kernel) + " is not among the embedded shaders");
    Pipeline p;
    p.bindings = bindings;
    std::vector<vk::DescriptorSetLayoutBinding> slots;
    for (uint32_t i = 0; i < bindings; ++i)
        slots.emplace_back(i, vk::DescriptorType::eStorageBuffer, 1, vk::ShaderStageFlagBits::eCompute);
    p.setLayout.emplace(*device, vk::DescriptorSetLayoutCreateInfo({}, slots));
    const vk::PushConstantRange range(vk::ShaderStageFlagBits::eCompute, 0, kPushBytes);
    const vk::DescriptorSetLayout setLayout = **p.setLayout;
    p.layout.emplace(*device, vk::PipelineLayoutCreateInfo({}, setLayout, range));
    vk::raii::ShaderModule module(*device, vk::ShaderModuleCreateInfo({}, shader->wordCount * 4, shader->words));
    vk::PipelineShaderStageCreateInfo stage({}, vk::ShaderStageFlagBits::eCompute, *module, "main");
    // Subgroup reductions with size control: full subgroups of the largest size the device offers
    // (wave64 rather than wave32 on AMD, SIMD32 rather than SIMD8/16 on Intel), so a workgroup sum
    // has the fewest partial sums to combine through shared memory. Every such kernel's workgroup
    // (128 invocations) is a multiple of any power-of-two subgroup size up to 128.
    vk::PipelineShaderStageRequiredSubgroupSizeCreateInfo requiredSize;
    if (info.enabled.subgroupSizeControl && detail::usesSubgroups(kernel)) {
        requiredSize.requiredSubgroupSize = std::min<uint32_t>(info.maxSubgroupSize, 128);
        if (requiredSize.requiredSubgroupSize * info.maxComputeWorkgroupSubgroups >= 128) {
            stage.flags = vk::PipelineShaderStageCreateFlagBits::eRequireFullSubgroups;
            stage.pNext = &requiredSize;
        }
    }
    try {
        if (faultInjected("pipeline"))
            throw vk::InitializationFailedError("simulated: LAMPLIGHT_VK_FAULT=pipeline");
        p.pipeline.emplace(*device, *pipelineCache, vk::ComputePipelineCreateInfo({}, stage, **p.layout));
    } catch (const vk::SystemError& e) {
        throw VulkanError("Vulkan: creating the pipeline of kernel " + std::string(kernel) + " failed (" + e.what() +
                          ") — choose CPU");
    }
    log::get("vulkan")->debug("pipeline {} created", kernel);
    return pipelines.emplace(std::string(kernel), std::move(p)).first->second;
}

// ---- Buffer -------------------------------------------------------------------------------------

Buffer::Buffer() = default;
Buffer::~Buffer() = default;
Buffer::Buffer(Buffer&&) noexcept = default;
Buffer& Buffer::operator=(Buffer&&) noexcept = default;
Buffer::Buffer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
uint64_t Buffer::size() const { return impl_ ? impl_->size : 0; }
void* Buffer::mapped() const { return impl_ ? impl_->mapped : nullptr; }
const std::string& Buffer::label() const {
    static const std::string empty;
    return impl_ ? impl_->label : empty;
}

// ---- Recorder -----------------------------------------------------------------------------------

Recorder::Impl::~Impl() {
    constexpr size_t kIdleKept = 4;  // more than the recordings a device runs at once in practice
    if (!context || !reusable)
        return;
    std::lock_guard lock(core->mutex);
    if (core->idleRecordings.size() < kIdleKept)
        core->idleRecordings.push_back(std::move(context));
}

Recorder::Recorder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recorder::~Recorder() = default;
Recorder::Recorder(Recorder&&) noexcept = default;
Recorder& Recorder::operator=(Recorder&&) noexcept = default;
int Recorder::dispatchCount() const { return impl_->dispatches; }
int Recorder::barrierCount() const { return impl_->barriers; }
const DeviceFeatures& Recorder::features() const { return impl_->core->info.enabled; }

void Recorder::dispatch(std::string_view kernel, std::initializer_list<Binding> bindings, std::span<const std::byte> push,
                        uint32_t groupsX, uint32_t groupsY, uint32_t groupsZ) {
    Impl& m = *impl_;
    if (m.submitted)
        throw VulkanError("Vulkan recorder used after submitAndWait()");
    if (push.size() > kPushBytes || bindings.size() > kMaxBindings)
        throw VulkanError("Vulkan kernel " + std::string(kernel) + ": too many push-constant bytes or buffers");
    if (groupsX == 0 || groupsY == 0 || groupsZ == 0)
        return;
    const auto& limits = m.core->info.maxComputeWorkGroupCount;
    if (groupsX > limits[0] || groupsY > limits[1] || groupsZ > limits[2])
        throw VulkanError("Vulkan kernel " + std::string(kernel) + ": workgroup count over the device limit");
    Pipeline* p = nullptr;
    {
        std::lock_guard lock(m.core->mutex);
        p = &m.core->pipeline(kernel, bindings.size());
    }
    vk::raii::Device& device = *m.core->device;
    RecordingContext& c = *m.context;
    if (c.setsLeft == 0) {  // the next spare pool, or a new one
        if (c.poolsUsed == c.descriptorPools.size()) {
            const vk::DescriptorPoolSize size(vk::DescriptorType::eStorageBuffer, kSetsPerPool * kMaxBindings);
            c.descriptorPools.emplace_back(device, vk::DescriptorPoolCreateInfo({}, kSetsPerPool, size));
        }
        ++c.poolsUsed;
        c.setsLeft = kSetsPerPool;
    }
    --c.setsLeft;
    const vk::DescriptorSetLayout setLayout = **p->setLayout;
    const vk::DescriptorSetAllocateInfo allocInfo(*c.descriptorPools[c.poolsUsed - 1], setLayout);
    // Sets are freed with their pool: take the raw handle and let the RAII wrapper go.
    vk::DescriptorSet set = (*device).allocateDescriptorSets(allocInfo, *device.getDispatcher()).front();
    std::vector<vk::DescriptorBufferInfo> infos;
    infos.reserve(bindings.size());
    for (const Binding& b : bindings) {
        if (b.buffer == nullptr || b.buffer->impl() == nullptr)
            throw VulkanError("Vulkan kernel " + std::string(kernel) + ": an empty buffer was bound");
        infos.emplace_back(**b.buffer->impl()->buffer, 0, VK_WHOLE_SIZE);
    }
    std::vector<vk::WriteDescriptorSet> writes;
    for (uint32_t i = 0; i < infos.size(); ++i)
        writes.emplace_back(set, i, 0, 1, vk::DescriptorType::eStorageBuffer, nullptr, &infos[i]);
    device.updateDescriptorSets(writes, {});

    // A barrier only for a read-after-write, write-after-write or write-after-read hazard.
    const auto contains = [](const std::vector<VkBuffer>& v, VkBuffer b) { return std::find(v.begin(), v.end(), b) != v.end(); };
    bool hazard = false;
    for (const Binding& b : bindings) {
        const VkBuffer raw = static_cast<VkBuffer>(**b.buffer->impl()->buffer);
        hazard = hazard || contains(m.written, raw) || (b.access != Access::Read && contains(m.read, raw));
    }
    if (hazard) {
        const vk::MemoryBarrier barrier(vk::AccessFlagBits::eShaderWrite | vk::AccessFlagBits::eShaderRead,
                                        vk::AccessFlagBits::eShaderRead | vk::AccessFlagBits::eShaderWrite);
        c.cmd->pipelineBarrier(vk::PipelineStageFlagBits::eComputeShader, vk::PipelineStageFlagBits::eComputeShader, {},
                               barrier, {}, {});
        m.written.clear();
        m.read.clear();
        ++m.barriers;
    }
    for (const Binding& b : bindings) {
        const VkBuffer raw = static_cast<VkBuffer>(**b.buffer->impl()->buffer);
        (b.access == Access::Read ? m.read : m.written).push_back(raw);
        if (b.access == Access::ReadWrite)
            m.read.push_back(raw);
    }
    std::array<std::byte, kPushBytes> constants{};
    std::copy(push.begin(), push.end(), constants.begin());
    c.cmd->bindPipeline(vk::PipelineBindPoint::eCompute, **p->pipeline);
    c.cmd->bindDescriptorSets(vk::PipelineBindPoint::eCompute, **p->layout, 0, set, {});
    c.cmd->pushConstants<std::byte>(**p->layout, vk::ShaderStageFlagBits::eCompute, 0, constants);
    c.cmd->dispatch(groupsX, groupsY, groupsZ);
    ++m.dispatches;
}

void Recorder::submitAndWait() {
    Impl& m = *impl_;
    if (m.submitted)
        throw VulkanError("Vulkan recorder submitted twice");
    m.submitted = true;
    RecordingContext& c = *m.context;
    if (m.dispatches > 0) {  // results visible to readback copies and later submissions
        const vk::MemoryBarrier barrier(vk::AccessFlagBits::eShaderWrite,
                                        vk::AccessFlagBits::eTransferRead | vk::AccessFlagBits::eTransferWrite |
                                            vk::AccessFlagBits::eShaderRead | vk::AccessFlagBits::eShaderWrite |
                                            vk::AccessFlagBits::eHostRead);
        c.cmd->pipelineBarrier(vk::PipelineStageFlagBits::eComputeShader,
                               vk::PipelineStageFlagBits::eTransfer | vk::PipelineStageFlagBits::eComputeShader |
                                   vk::PipelineStageFlagBits::eHost,
                               {}, barrier, {}, {});
    }
    c.cmd->end();
    const vk::CommandBuffer raw = **c.cmd;
    m.reusable = false;  // until the work is known to be done
    {
        std::lock_guard lock(m.core->mutex);
        m.core->queue->submit(vk::SubmitInfo({}, {}, raw), **c.fence);
    }
    if (m.core->device->waitForFences(**c.fence, VK_TRUE, UINT64_MAX) != vk::Result::eSuccess)
        throw VulkanError("Vulkan: waiting for the compute work failed");
    m.reusable = true;
}

// ---- Device -------------------------------------------------------------------------------------

Device::~Device() = default;
const DeviceInfo& Device::info() const { return core_->info; }
uint64_t Device::maxBufferBytes() const { return core_->maxBufferBytes; }

int Device::pipelineCount() const {
    std::lock_guard lock(core_->mutex);
    return static_cast<int>(core_->pipelines.size());
}

bool Device::pipelineCacheLoaded() const { return core_->cacheLoaded; }

int Device::recordingContextsMade() const { return core_->recordingContextsMade.load(); }

std::unique_ptr<Device> Device::create(std::shared_ptr<Instance> instance, const DeviceOptions& options) {
    const DeviceInfo& info = instance->select(options.index);
    auto core = std::make_shared<DeviceCore>();
    core->instance = instance;
    core->info = info;
    const vk::raii::PhysicalDevice& pd = instance->impl().physical[static_cast<size_t>(info.index)];
    core->memory = pd.getMemoryProperties();
    const auto families = pd.getQueueFamilyProperties();
    // Prefer a compute queue without graphics (often a dedicated async-compute family).
    uint32_t family = UINT32_MAX;
    for (uint32_t i = 0; i < families.size(); ++i) {
        const auto flags = families[i].queueFlags;
        if (!(flags & vk::QueueFlagBits::eCompute))
            continue;
        if (family == UINT32_MAX || !(flags & vk::QueueFlagBits::eGraphics))
            family = i;
        if (!(flags & vk::QueueFlagBits::eGraphics))
            break;
    }
    core->queueFamily = family;
    core->memoryLimit = options.memoryLimit;
    core->maxBufferBytes = std::min({info.maxStorageBufferRange, info.maxMemoryAllocationSize, kShaderIndexLimit});
    if (info.maxMemoryAllocationSize == 0)
        core->maxBufferBytes = std::min(info.maxStorageBufferRange, kShaderIndexLimit);
    if (options.maxBufferBytes)
        core->maxBufferBytes = std::max<uint64_t>(4, std::min(core->maxBufferBytes, *options.maxBufferBytes & ~uint64_t{3}));

    // Enable the features that are on (each extension only where the device's version lacks it).
    const DeviceFeatures& on = info.enabled;
    const bool v12 = info.apiVersion >= VK_API_VERSION_1_2, v13 = info.apiVersion >= VK_API_VERSION_1_3;
    std::vector<const char*> extensions;
    vk::PhysicalDeviceFeatures2 f2;
    vk::PhysicalDevice16BitStorageFeatures s16;
    vk::PhysicalDeviceShaderFloat16Int8Features f16i8;
    vk::PhysicalDevice8BitStorageFeatures s8;
    vk::PhysicalDeviceSubgroupSizeControlFeatures ssc;
    vk::PhysicalDeviceShaderIntegerDotProductFeatures dot;
    void** tail = &f2.pNext;
    const auto chain = [&](auto& s, const char* ext, bool core12or13) {
        *tail = &s;
        tail = &s.pNext;
        if (!core12or13)
            extensions.push_back(ext);
    };
    if (on.storage16) {
        s16.storageBuffer16BitAccess = VK_TRUE;
        chain(s16, "", true);
    }
    if (on.float16) {
        f16i8.shaderFloat16 = VK_TRUE;
        chain(f16i8, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME, v12);
    }
    if (on.storage8) {
        s8.storageBuffer8BitAccess = VK_TRUE;
        chain(s8, VK_KHR_8BIT_STORAGE_EXTENSION_NAME, v12);
    }
    if (on.subgroupSizeControl) {
        ssc.subgroupSizeControl = VK_TRUE;
        ssc.computeFullSubgroups = VK_TRUE;
        chain(ssc, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME, v13);
    }
    if (on.integerDotProduct) {
        dot.shaderIntegerDotProduct = VK_TRUE;
        chain(dot, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME, v13);
    }
    const float priority = 1.0f;
    const vk::DeviceQueueCreateInfo queueInfo({}, family, 1, &priority);
    vk::DeviceCreateInfo createInfo({}, queueInfo, {}, extensions, nullptr);
    createInfo.pNext = &f2;
    try {
        if (faultInjected("device"))
            throw vk::InitializationFailedError("simulated: LAMPLIGHT_VK_FAULT=device");
        core->device.emplace(pd, createInfo);
    } catch (const vk::SystemError& e) {
        throw VulkanError("Vulkan: creating a device on " + info.name + " failed (" + e.what() + ") — choose CPU");
    }
    core->queue.emplace(*core->device, family, 0);

    std::vector<char> cacheData;
    if (options.pipelineCache) {
        std::ifstream in(*options.pipelineCache, std::ios::binary);
        if (in)
            cacheData.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    try {
        core->pipelineCache.emplace(*core->device, vk::PipelineCacheCreateInfo({}, cacheData.size(), cacheData.data()));
        core->cacheLoaded = !cacheData.empty();
    } catch (const vk::SystemError&) {  // a stale or foreign cache: start empty
        core->pipelineCache.emplace(*core->device, vk::PipelineCacheCreateInfo());
    }
    log::get("vulkan")->info("using device {}: {} (max buffer {})", info.index, info.name, humanBytes(core->maxBufferBytes));
    std::unique_ptr<Device> self(new Device());
    self->instance_ = std::move(instance);
    self->core_ = std::move(core);
    return self;
}

void Device::savePipelineCache(const std::filesystem::path& path) const {
    const std::vector<uint8_t> data = core_->pipelineCache->getData();
    std::error_code ec;
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!out)
        throw VulkanError("cannot write the Vulkan pipeline cache " + path.string());
}

Buffer Device::createBuffer(uint64_t bytes, std::string_view label) { return core_->createBuffer(bytes, label, false); }

Buffer Device::createHostBuffer(uint64_t bytes, std::string_view label) { return core_->createBuffer(bytes, label, true); }

uint64_t Device::allocatedBytes() const { return core_->allocatedBytes.load(); }

Buffer DeviceCore::createBuffer(uint64_t bytes, std::string_view label, bool host) {
    if (bytes > maxBufferBytes)
        throw VulkanError("Vulkan buffer " + std::string(label) + " needs " + humanBytes(bytes) + ", more than the " +
                          humanBytes(maxBufferBytes) + " one buffer may hold on " + info.name +
                          " (maxStorageBufferRange/maxMemoryAllocationSize): split it");
    auto impl = std::make_unique<Buffer::Impl>();
    impl->core = shared_from_this();
    impl->label = std::string(label);
    impl->size = bytes;
    impl->allocated = std::max<uint64_t>(4, roundUp4(bytes));
    if (memoryLimit && allocatedBytes.load() + impl->allocated > *memoryLimit) {
        const uint64_t used = allocatedBytes.load();
        throw exhausted(label, impl->allocated, *memoryLimit > used ? *memoryLimit - used : 0);
    }
    auto [vkBuffer, vkMemory] = allocate(impl->allocated,
                                         vk::BufferUsageFlagBits::eStorageBuffer | vk::BufferUsageFlagBits::eTransferDst |
                                             vk::BufferUsageFlagBits::eTransferSrc,
                                         host, label, &impl->hostAccess);
    if (host)
        impl->mapped = vkMemory.mapMemory(0, impl->allocated);
    impl->memory.emplace(std::move(vkMemory));
    impl->buffer.emplace(std::move(vkBuffer));
    allocatedBytes += impl->allocated;
    return Buffer(std::move(impl));
}

void Device::upload(const Buffer& dst, uint64_t offset, const void* data, uint64_t bytes) {
    if (bytes == 0)
        return;
    if (offset + bytes > dst.impl()->allocated)
        throw VulkanError("Vulkan upload past the end of buffer " + dst.label());
    if (dst.impl()->hostAccess) {  // device memory the host can write: no staging copy
        void* mapped = dst.impl()->mapped != nullptr ? static_cast<std::byte*>(dst.impl()->mapped) + offset
                                                     : dst.impl()->memory->mapMemory(offset, bytes);
        std::memcpy(mapped, data, bytes);
        if (dst.impl()->mapped == nullptr)
            dst.impl()->memory->unmapMemory();
        return;
    }
    auto [staging, memory] = core_->allocate(bytes, vk::BufferUsageFlagBits::eTransferSrc, true, "a staging buffer");
    void* mapped = memory.mapMemory(0, bytes);
    std::memcpy(mapped, data, bytes);
    memory.unmapMemory();
    const vk::Buffer from = *staging;  // (clang 14 cannot capture structured bindings)
    core_->oneShot([&](vk::raii::CommandBuffer& cmd) {
        cmd.copyBuffer(from, **dst.impl()->buffer, vk::BufferCopy(0, offset, bytes));
    });
}

void Device::download(const Buffer& src, uint64_t offset, void* data, uint64_t bytes) {
    if (bytes == 0)
        return;
    if (offset + bytes > src.impl()->allocated)
        throw VulkanError("Vulkan download past the end of buffer " + src.label());
    if (src.impl()->hostAccess) {
        const void* mapped = src.impl()->mapped != nullptr ? static_cast<const std::byte*>(src.impl()->mapped) + offset
                                                           : src.impl()->memory->mapMemory(offset, bytes);
        std::memcpy(data, mapped, bytes);
        if (src.impl()->mapped == nullptr)
            src.impl()->memory->unmapMemory();
        return;
    }
    auto [staging, memory] = core_->allocate(bytes, vk::BufferUsageFlagBits::eTransferDst, true, "a staging buffer");
    const vk::Buffer to = *staging;
    core_->oneShot([&](vk::raii::CommandBuffer& cmd) {
        cmd.copyBuffer(**src.impl()->buffer, to, vk::BufferCopy(offset, 0, bytes));
    });
    const void* mapped = memory.mapMemory(0, bytes);
    std::memcpy(data, mapped, bytes);
    memory.unmapMemory();
}

void Device::fill(const Buffer& dst, uint32_t word) {
    core_->oneShot([&](vk::raii::CommandBuffer& cmd) { cmd.fillBuffer(**dst.impl()->buffer, 0, VK_WHOLE_SIZE, word); });
}

Recorder Device::record() {
    auto impl = std::make_unique<Recorder::Impl>();
    impl->core = core_;
    {
        std::lock_guard lock(core_->mutex);
        if (!core_->idleRecordings.empty()) {
            impl->context = std::move(core_->idleRecordings.back());
            core_->idleRecordings.pop_back();
        }
    }
    vk::raii::Device& device = *core_->device;
    if (impl->context) {  // a finished recording: reset what it used
        RecordingContext& c = *impl->context;
        c.pool->reset();
        for (size_t i = 0; i < c.poolsUsed; ++i)
            c.descriptorPools[i].reset();
        c.poolsUsed = 0;
        c.setsLeft = 0;
        device.resetFences(**c.fence);
    } else {
        impl->context = std::make_unique<RecordingContext>();
        ++core_->recordingContextsMade;
        RecordingContext& c = *impl->context;
        c.pool.emplace(device, vk::CommandPoolCreateInfo(vk::CommandPoolCreateFlagBits::eTransient, core_->queueFamily));
        vk::raii::CommandBuffers cmds(device, vk::CommandBufferAllocateInfo(**c.pool, vk::CommandBufferLevel::ePrimary, 1));
        c.cmd.emplace(std::move(cmds.front()));
        c.fence.emplace(device, vk::FenceCreateInfo());
    }
    impl->context->cmd->begin(vk::CommandBufferBeginInfo(vk::CommandBufferUsageFlagBits::eOneTimeSubmit));
    return Recorder(std::move(impl));
}

} // namespace lamp::vulkan
