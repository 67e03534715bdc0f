#include "vulkan/fault.h"

#include <cstdlib>
#include <string_view>

namespace lamp::vulkan {

bool faultInjected(std::string_view name) {
    const char* env = std::getenv("LAMPLIGHT_VK_FAULT");
    if (env == nullptr)
        return false;
    // Whole comma-separated items only: "alloc" must not match "alloc_kv".
    for (std::string_view rest = env; !rest.empty();) {
        const size_t comma = rest.find(',');
        if (rest.substr(0, comma) == name)
            return true;
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace lamp::vulkan
