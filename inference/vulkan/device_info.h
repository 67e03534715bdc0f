// What the Vulkan backend knows about a physical device, gathered once when the instance is
// created. Plain data: no Vulkan headers here, so the app and the CLI can include it cheaply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamp::vulkan {

enum class DeviceType : uint8_t { Other, Discrete, Integrated, Virtual, Cpu };
std::string_view deviceTypeName(DeviceType type);  // "discrete", "integrated", "virtual", "cpu", "other"

// The optional features the kernels can use; each has a plain path that works without it.
struct DeviceFeatures {
    bool storage16 = false;            // 16-bit storage buffer access (storageBuffer16BitAccess)
    bool float16 = false;              // fp16 arithmetic (shaderFloat16)
    bool storage8 = false;             // 8-bit storage buffer access (storageBuffer8BitAccess)
    bool subgroupArithmetic = false;   // subgroup add/min/max in compute shaders
    bool subgroupShuffle = false;      // subgroup shuffles in compute shaders
    bool subgroupSizeControl = false;  // VK_EXT_subgroup_size_control / Vulkan 1.3
    bool integerDotProduct = false;    // VK_KHR_shader_integer_dot_product / Vulkan 1.3
    bool cooperativeMatrix = false;    // VK_KHR_cooperative_matrix or VK_NV_cooperative_matrix
    bool mappableVram = false;         // a large device-local heap the host can map: weights are
                                       // written in place instead of through a staging copy

    bool operator==(const DeviceFeatures&) const = default;
};

// Names used by LAMPLIGHT_VK_DISABLE and printed by `lamplight-cli devices`, in field order:
// storage16, fp16, storage8, subgroup_arithmetic, subgroup_shuffle, subgroup_size_control,
// integer_dot, coopmat, mappable_vram. The switch also takes "subgroup" (all three subgroup ones) and "all".
std::vector<std::pair<std::string_view, bool>> featureList(const DeviceFeatures& f);

// Turns off the features named in `spec` (comma-separated, as LAMPLIGHT_VK_DISABLE). Unknown names
// are returned in `unknown` (when given) and otherwise ignored.
DeviceFeatures disableFeatures(DeviceFeatures f, std::string_view spec,
                               std::vector<std::string>* unknown = nullptr);

struct MemoryHeap {
    uint64_t size = 0;          // bytes
    bool deviceLocal = false;   // VK_MEMORY_HEAP_DEVICE_LOCAL_BIT
    bool hostVisible = false;   // some memory type of this heap is host-visible (shared memory of
                                // integrated GPUs, ReBAR on discrete ones, all memory on lavapipe)
};

struct DeviceInfo {
    int index = 0;                  // position in the instance's enumeration (the user's --device)
    std::string name;               // "llvmpipe (LLVM 15.0.6, 256 bits)"
    uint32_t vendorId = 0;
    std::string vendor;             // "NVIDIA", "AMD", "Intel", "Mesa", ... or the id in hex
    uint32_t deviceId = 0;
    DeviceType type = DeviceType::Other;
    std::string driverName;         // "llvmpipe" (VK_KHR_driver_properties), or empty
    std::string driverInfo;         // "Mesa 22.3.6", or empty
    std::string driverVersion;      // decoded the vendor's way
    uint32_t apiVersion = 0;        // VK_MAKE_API_VERSION of the device
    std::string apiVersionText;     // "1.3.230"
    std::vector<MemoryHeap> heaps;
    uint64_t deviceLocalBytes = 0;  // sum of the device-local heaps

    // Limits the kernels and buffers respect.
    uint64_t maxStorageBufferRange = 0;
    uint64_t maxMemoryAllocationSize = 0;
    uint32_t maxComputeSharedMemorySize = 0;
    uint32_t maxComputeWorkGroupInvocations = 0;
    uint32_t maxComputeWorkGroupCount[3] = {0, 0, 0};
    uint32_t maxPushConstantsSize = 0;
    uint32_t subgroupSize = 0;      // 0 when unknown
    uint32_t minSubgroupSize = 0;   // with subgroup size control, else = subgroupSize
    uint32_t maxSubgroupSize = 0;
    uint32_t maxComputeWorkgroupSubgroups = 0;  // with subgroup size control, else 0

    DeviceFeatures supported;       // what the driver reports
    DeviceFeatures enabled;         // supported minus the LAMPLIGHT_VK_DISABLE switches
    bool meetsBaseline = false;     // Vulkan 1.1 and a compute queue
    std::string baselineProblem;    // why not, when !meetsBaseline
};

std::string_view vendorName(uint32_t vendorId);  // "" when unknown

// The device Auto picks: meeting the baseline, then discrete > integrated > virtual > cpu > other,
// then most device-local memory; -1 when none qualifies.
int chooseDevice(const std::vector<DeviceInfo>& devices);
// Every device meeting the baseline, in that order of preference (what Auto tries in turn).
std::vector<int> devicePreference(const std::vector<DeviceInfo>& devices);

} // namespace lamp::vulkan
