// Fault injection for the fallback tests: LAMPLIGHT_VK_FAULT lists failures to simulate, each
// raised where the real one would be, with the same error type and wording (plus "simulated"):
//   no-device  the instance finds no physical device
//   baseline   every device lacks a required feature (Vulkan 1.1 baseline)
//   device     creating the logical device fails
//   pipeline   creating a compute pipeline fails (at the first forward pass)
#pragma once

#include <string_view>

namespace lamp::vulkan {

bool faultInjected(std::string_view name);

} // namespace lamp::vulkan
