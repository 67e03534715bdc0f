#include "vulkan/kernel_variants.h"

#include "embedded_shaders.h"

#include <array>
#include <utility>

namespace lamp::vulkan::detail {

std::string kernelVariant(const DeviceFeatures& enabled, std::string_view kernel, bool integerDot) {
    const std::array<std::pair<std::string_view, bool>, 5> suffixes{{
        {"sg", enabled.subgroupArithmetic},
        {"s16", enabled.storage16},
        {"s8", enabled.storage8},
        {"f16", enabled.float16},
        {"dot", integerDot && enabled.integerDotProduct},
    }};
    std::string name(kernel);
    for (const auto& [suffix, on] : suffixes) {
        if (!on)
            continue;
        std::string candidate = name + "_" + std::string(suffix);
        if (shaders::find(candidate) != nullptr)
            name = std::move(candidate);
    }
    return name;
}

bool usesSubgroups(std::string_view variantName) {
    for (size_t at = variantName.find("_sg"); at != std::string_view::npos; at = variantName.find("_sg", at + 1)) {
        const size_t end = at + 3;
        if (end == variantName.size() || variantName[end] == '_')
            return true;
    }
    return false;
}

} // namespace lamp::vulkan::detail
