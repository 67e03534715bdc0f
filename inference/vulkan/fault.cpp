#include "vulkan/fault.h"

#include <cstdlib>
#include <string>

namespace lamp::vulkan {

bool faultInjected(std::string_view name) {
    const char* env = std::getenv("LAMPLIGHT_VK_FAULT");
    if (env == nullptr)
        return false;
    const std::string list = "," + std::string(env) + ",";
    return list.find("," + std::string(name) + ",") != std::string::npos;
}

} // namespace lamp::vulkan
