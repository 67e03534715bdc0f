// The Vulkan instance and the enumeration of physical devices (see instance.h).
#include "vulkan/vk_internal.h"
#include "vulkan/fault.h"

#include "core/log.h"
#include "vulkan/vulkan_error.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <dlfcn.h>

VULKAN_HPP_DEFAULT_DISPATCH_LOADER_DYNAMIC_STORAGE

namespace lamp::vulkan {
namespace {

const char* const kValidationLayer = "VK_LAYER_KHRONOS_validation";

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr)
        return std::nullopt;
    return std::string(v);
}

std::string versionText(uint32_t v) {
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
           std::to_string(VK_API_VERSION_PATCH(v));
}

std::string driverVersionText(uint32_t vendor, uint32_t v) {
    char buf[64];
    if (vendor == 0x10DE)  // NVIDIA: 10.8.8.6 bits
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v >> 22, (v >> 14) & 0xFFu, (v >> 6) & 0xFFu, v & 0x3Fu);
    else
        return versionText(v);
    return buf;
}

VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                         VkDebugUtilsMessageTypeFlagsEXT /*types*/,
                                         const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* impl = static_cast<Instance::Impl*>(user);
    const bool error = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0;
    std::string text = data != nullptr && data->pMessage != nullptr ? data->pMessage : "(no message)";
    auto logger = log::get("vulkan");
    if (error)
        logger->error("validation: {}", text);
    else
        logger->warn("validation: {}", text);
    std::lock_guard lock(impl->mutex);
    impl->messages.push_back({error, std::move(text)});
    return VK_FALSE;
}

bool hasExtension(const std::vector<vk::ExtensionProperties>& list, const char* name) {
    return std::any_of(list.begin(), list.end(),
                       [&](const vk::ExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

// Fills everything but `index` and `enabled` for one physical device.
DeviceInfo describe(const vk::raii::PhysicalDevice& pd) {
    DeviceInfo d;
    const auto props = pd.getProperties();
    const auto extensions = pd.enumerateDeviceExtensionProperties();
    const auto ext = [&](const char* name) { return hasExtension(extensions, name); };
    d.name = props.deviceName.data();
    d.vendorId = props.vendorID;
    d.vendor = std::string(vendorName(props.vendorID));
    if (d.vendor.empty()) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%04X", props.vendorID);
        d.vendor = buf;
    }
    d.deviceId = props.deviceID;
    switch (props.deviceType) {
    case vk::PhysicalDeviceType::eDiscreteGpu: d.type = DeviceType::Discrete; break;
    case vk::PhysicalDeviceType::eIntegratedGpu: d.type = DeviceType::Integrated; break;
    case vk::PhysicalDeviceType::eVirtualGpu: d.type = DeviceType::Virtual; break;
    case vk::PhysicalDeviceType::eCpu: d.type = DeviceType::Cpu; break;
    default: d.type = DeviceType::Other; break;
    }
    d.apiVersion = props.apiVersion;
    d.apiVersionText = versionText(props.apiVersion);
    d.driverVersion = driverVersionText(props.vendorID, props.driverVersion);
    d.maxStorageBufferRange = props.limits.maxStorageBufferRange;
    d.maxComputeSharedMemorySize = props.limits.maxComputeSharedMemorySize;
    d.maxComputeWorkGroupInvocations = props.limits.maxComputeWorkGroupInvocations;
    for (int i = 0; i < 3; ++i)
        d.maxComputeWorkGroupCount[i] = props.limits.maxComputeWorkGroupCount[static_cast<size_t>(i)];
    d.maxPushConstantsSize = props.limits.maxPushConstantsSize;

    const uint32_t api = props.apiVersion;
    const bool v12 = api >= VK_API_VERSION_1_2, v13 = api >= VK_API_VERSION_1_3;
    if (api < VK_API_VERSION_1_1) {
        d.baselineProblem = "the device supports only Vulkan " + d.apiVersionText + " (Lamplight needs 1.1)";
        return d;
    }

    // Properties: chain only the structures this device knows.
    vk::PhysicalDeviceProperties2 props2;
    vk::PhysicalDeviceMaintenance3Properties maint3;
    vk::PhysicalDeviceSubgroupProperties subgroup;
    vk::PhysicalDeviceDriverProperties driver;
    vk::PhysicalDeviceSubgroupSizeControlProperties sizeControl;
    props2.pNext = &maint3;
    maint3.pNext = &subgroup;
    void** tail = &subgroup.pNext;
    const bool hasDriver = v12 || ext(VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);
    const bool hasSizeControl = v13 || ext(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
    if (hasDriver) {
        *tail = &driver;
        tail = &driver.pNext;
    }
    if (hasSizeControl) {
        *tail = &sizeControl;
        tail = &sizeControl.pNext;
    }
    pd.getDispatcher()->vkGetPhysicalDeviceProperties2(static_cast<VkPhysicalDevice>(*pd),
                                                       reinterpret_cast<VkPhysicalDeviceProperties2*>(&props2));
    d.maxMemoryAllocationSize = maint3.maxMemoryAllocationSize;
    d.subgroupSize = subgroup.subgroupSize;
    d.minSubgroupSize = d.maxSubgroupSize = subgroup.subgroupSize;
    if (hasDriver) {
        d.driverName = driver.driverName.data();
        d.driverInfo = driver.driverInfo.data();
    }
    const bool computeSubgroups = static_cast<bool>(subgroup.supportedStages & vk::ShaderStageFlagBits::eCompute);
    const auto ops = subgroup.supportedOperations;

    // Features.
    vk::PhysicalDeviceFeatures2 f2;
    vk::PhysicalDevice16BitStorageFeatures s16;
    vk::PhysicalDeviceShaderFloat16Int8Features f16i8;
    vk::PhysicalDevice8BitStorageFeatures s8;
    vk::PhysicalDeviceSubgroupSizeControlFeatures ssc;
    vk::PhysicalDeviceShaderIntegerDotProductFeatures dot;
    f2.pNext = &s16;
    tail = &s16.pNext;
    const bool hasF16 = v12 || ext(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    const bool hasS8 = v12 || ext(VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    const bool hasDot = v13 || ext(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    if (hasF16) { *tail = &f16i8; tail = &f16i8.pNext; }
    if (hasS8) { *tail = &s8; tail = &s8.pNext; }
    if (hasSizeControl) { *tail = &ssc; tail = &ssc.pNext; }
    if (hasDot) { *tail = &dot; tail = &dot.pNext; }
    pd.getDispatcher()->vkGetPhysicalDeviceFeatures2(static_cast<VkPhysicalDevice>(*pd),
                                                     reinterpret_cast<VkPhysicalDeviceFeatures2*>(&f2));
    d.supported.storage16 = s16.storageBuffer16BitAccess;
    d.supported.float16 = hasF16 && f16i8.shaderFloat16;
    d.supported.storage8 = hasS8 && s8.storageBuffer8BitAccess;
    d.supported.subgroupArithmetic = computeSubgroups && static_cast<bool>(ops & vk::SubgroupFeatureFlagBits::eArithmetic);
    d.supported.subgroupShuffle = computeSubgroups && static_cast<bool>(ops & vk::SubgroupFeatureFlagBits::eShuffle);
    d.supported.subgroupSizeControl = hasSizeControl && ssc.subgroupSizeControl && ssc.computeFullSubgroups &&
                                      static_cast<bool>(sizeControl.requiredSubgroupSizeStages & vk::ShaderStageFlagBits::eCompute);
    if (d.supported.subgroupSizeControl) {
        d.minSubgroupSize = sizeControl.minSubgroupSize;
        d.maxSubgroupSize = sizeControl.maxSubgroupSize;
        d.maxComputeWorkgroupSubgroups = sizeControl.maxComputeWorkgroupSubgroups;
    }
    d.supported.integerDotProduct = hasDot && dot.shaderIntegerDotProduct;
    d.supported.cooperativeMatrix = ext("VK_KHR_cooperative_matrix") || ext("VK_NV_cooperative_matrix");

    // Memory heaps.
    const auto mem = pd.getMemoryProperties();
    d.heaps.resize(mem.memoryHeapCount);
    for (uint32_t h = 0; h < mem.memoryHeapCount; ++h) {
        d.heaps[h].size = mem.memoryHeaps[h].size;
        d.heaps[h].deviceLocal = static_cast<bool>(mem.memoryHeaps[h].flags & vk::MemoryHeapFlagBits::eDeviceLocal);
        if (d.heaps[h].deviceLocal)
            d.deviceLocalBytes += d.heaps[h].size;
    }
    using F = vk::MemoryPropertyFlagBits;
    for (uint32_t t = 0; t < mem.memoryTypeCount; ++t) {
        const auto flags = mem.memoryTypes[t].propertyFlags;
        const uint32_t heap = mem.memoryTypes[t].heapIndex;
        if (flags & F::eHostVisible)
            d.heaps[heap].hostVisible = true;
        // Device-local memory the host can map, and plenty of it (integrated GPUs, software
        // renderers, resizable BAR; not the 256 MiB BAR window of other discrete GPUs).
        if ((flags & F::eDeviceLocal) && (flags & F::eHostVisible) && (flags & F::eHostCoherent) &&
            mem.memoryHeaps[heap].size >= (uint64_t{1} << 30))
            d.supported.mappableVram = true;
    }

    const auto families = pd.getQueueFamilyProperties();
    const bool compute = std::any_of(families.begin(), families.end(), [](const vk::QueueFamilyProperties& q) {
        return static_cast<bool>(q.queueFlags & vk::QueueFlagBits::eCompute);
    });
    d.meetsBaseline = compute;
    if (!compute)
        d.baselineProblem = "the device has no compute queue";
    return d;
}

} // namespace

LoaderLibrary::LoaderLibrary(const std::string& name) {
    const std::vector<std::string> names = name.empty() ? std::vector<std::string>{"libvulkan.so.1", "libvulkan.so"}
                                                        : std::vector<std::string>{name};
    for (const auto& n : names) {
        handle_ = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle_ != nullptr)
            return;
        const char* why = dlerror();
        error_ = why != nullptr ? why : n + ": cannot be opened";
    }
}

LoaderLibrary::~LoaderLibrary() {
    if (handle_ != nullptr)
        dlclose(handle_);
}

PFN_vkGetInstanceProcAddr LoaderLibrary::getInstanceProcAddr() const {
    if (handle_ == nullptr)
        return nullptr;
    return reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(handle_, "vkGetInstanceProcAddr"));
}

Instance::Instance() : impl_(std::make_unique<Impl>()) {}
Instance::~Instance() = default;

std::shared_ptr<Instance> Instance::create(const InstanceOptions& options) {
    std::shared_ptr<Instance> self(new Instance());
    Impl& m = *self->impl_;
    auto logger = log::get("vulkan");
    const std::string loaderName = options.loaderName.value_or(env("LAMPLIGHT_VK_LOADER").value_or(""));
    m.loader = std::make_unique<LoaderLibrary>(loaderName);
    if (!m.loader->loaded()) {
        logger->info("no Vulkan loader: {}", m.loader->error());
        throw VulkanError("no Vulkan loader (" + (loaderName.empty() ? std::string("libvulkan.so.1") : loaderName) +
                          ") found: install your GPU's Vulkan driver, or choose CPU");
    }
    const auto getProc = m.loader->getInstanceProcAddr();
    if (getProc == nullptr)
        throw VulkanError("the Vulkan loader has no vkGetInstanceProcAddr: reinstall your GPU's Vulkan driver, or choose CPU");
    m.context.emplace(getProc);
    if (m.context->getDispatcher()->vkEnumerateInstanceVersion == nullptr)
        throw VulkanError("the Vulkan loader supports only Vulkan 1.0 (Lamplight needs 1.1): update your GPU's "
                          "Vulkan driver, or choose CPU");
    m.loaderVersion = m.context->enumerateInstanceVersion();

    const bool wantValidation = options.validation.value_or(env("LAMPLIGHT_VK_VALIDATION").value_or("") == "1");
    std::vector<const char*> layers, extensions;
    const auto instanceExtensions = m.context->enumerateInstanceExtensionProperties();
    if (wantValidation) {
        const auto available = m.context->enumerateInstanceLayerProperties();
        const bool found = std::any_of(available.begin(), available.end(), [](const vk::LayerProperties& l) {
            return std::strcmp(l.layerName, kValidationLayer) == 0;
        });
        if (found) {
            layers.push_back(kValidationLayer);
            extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
            m.validation = true;
        } else {
            logger->warn("LAMPLIGHT_VK_VALIDATION: {} is not installed (Debian: vulkan-validationlayers)", kValidationLayer);
        }
    }
    vk::InstanceCreateFlags flags;
    if (hasExtension(instanceExtensions, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {  // MoltenVK
        extensions.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
        flags |= vk::InstanceCreateFlagBits::eEnumeratePortabilityKHR;
    }
    const uint32_t api = std::min<uint32_t>(m.loaderVersion, VK_API_VERSION_1_3);
    vk::ApplicationInfo app("Lamplight", 1, "Lamplight", 1, api);
    vk::InstanceCreateInfo info(flags, &app, layers, extensions);
    vk::DebugUtilsMessengerCreateInfoEXT messengerInfo(
        {},
        vk::DebugUtilsMessageSeverityFlagBitsEXT::eWarning | vk::DebugUtilsMessageSeverityFlagBitsEXT::eError,
        vk::DebugUtilsMessageTypeFlagBitsEXT::eGeneral | vk::DebugUtilsMessageTypeFlagBitsEXT::eValidation |
            vk::DebugUtilsMessageTypeFlagBitsEXT::ePerformance,
        &onMessage, &m);
    if (m.validation)
        info.pNext = &messengerInfo;  // messages of instance creation itself
    try {
        m.instance.emplace(*m.context, info);
        if (m.validation)
            m.messenger.emplace(*m.instance, messengerInfo);
        vk::raii::PhysicalDevices physical(*m.instance);
        for (auto& pd : physical)
            m.physical.push_back(std::move(pd));
    } catch (const vk::SystemError& e) {
        throw VulkanError(std::string("Vulkan instance creation failed (") + e.what() +
                          "): reinstall your GPU's Vulkan driver, or choose CPU");
    }
    const std::string disable = options.disable.value_or(env("LAMPLIGHT_VK_DISABLE").value_or(""));
    std::vector<std::string> unknown;
    for (size_t i = 0; i < m.physical.size(); ++i) {
        DeviceInfo d = describe(m.physical[i]);
        d.index = static_cast<int>(i);
        d.enabled = disableFeatures(d.supported, disable, &unknown);
        if (faultInjected("baseline")) {
            d.meetsBaseline = false;
            d.baselineProblem = "a required feature is missing (simulated: LAMPLIGHT_VK_FAULT=baseline)";
        }
        logger->info("device {}: {} ({}, Vulkan {}, driver {} {})", d.index, d.name, deviceTypeName(d.type),
                     d.apiVersionText, d.driverName, d.driverInfo);
        m.devices.push_back(std::move(d));
    }
    if (faultInjected("no-device")) {  // as on a machine whose loader finds no driver
        m.devices.clear();
        m.physical.clear();
    }
    for (const auto& u : unknown)
        logger->warn("LAMPLIGHT_VK_DISABLE: unknown feature '{}' (known: storage16, fp16, storage8, subgroup, "
                     "subgroup_arithmetic, subgroup_shuffle, subgroup_size_control, integer_dot, coopmat, mappable_vram, all)", u);
    return self;
}

const std::vector<DeviceInfo>& Instance::devices() const { return impl_->devices; }
uint32_t Instance::loaderApiVersion() const { return impl_->loaderVersion; }
bool Instance::validationEnabled() const { return impl_->validation; }

std::vector<ValidationMessage> Instance::messages() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->messages;
}

void Instance::clearMessages() {
    std::lock_guard lock(impl_->mutex);
    impl_->messages.clear();
}

const DeviceInfo& Instance::select(std::optional<int> index) const {
    const auto& devices = impl_->devices;
    if (devices.empty())
        throw VulkanError("no Vulkan device found: install your GPU's Vulkan driver, or choose CPU");
    if (index) {
        if (*index < 0 || static_cast<size_t>(*index) >= devices.size())
            throw VulkanError("Vulkan device " + std::to_string(*index) + " does not exist: there are " +
                              std::to_string(devices.size()) + " (0 to " + std::to_string(devices.size() - 1) +
                              "; see `lamplight-cli devices`)");
        const DeviceInfo& d = devices[static_cast<size_t>(*index)];
        if (!d.meetsBaseline)
            throw VulkanError("Vulkan device " + std::to_string(*index) + " (" + d.name + ") cannot run Lamplight: " +
                              d.baselineProblem + "; choose another device, or CPU");
        return d;
    }
    const int best = chooseDevice(devices);
    if (best < 0)
        throw VulkanError("no usable Vulkan device: " + devices.front().name + ": " + devices.front().baselineProblem +
                          "; choose CPU");
    return devices[static_cast<size_t>(best)];
}

} // namespace lamp::vulkan
