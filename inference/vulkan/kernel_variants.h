// Which compiled variant of a kernel to dispatch on a device (internal to inference/vulkan).
// shaders/CMakeLists.txt compiles each kernel once per combination of the optional features it has
// a variant for, naming them <kernel>_<suffix>... in a fixed order: sg (subgroup arithmetic), s16
// (16-bit storage), s8 (8-bit storage), f16 (fp16 arithmetic), dot (integer dot product). Adding
// the suffix of every enabled feature the kernel has a variant for, in that order, therefore always
// names an embedded shader; with every feature off it is the plain kernel.
#pragma once

#include "vulkan/device_info.h"

#include <string>
#include <string_view>

namespace lamp::vulkan::detail {

// `integerDot`: the caller passes quantized activations (the dot variants read them instead of
// floats), so it asks for the dot variant itself; the device must have the feature enabled.
std::string kernelVariant(const DeviceFeatures& enabled, std::string_view kernel, bool integerDot = false);

// True for the name of a variant that reduces with subgroup operations (its pipeline asks for full
// subgroups of the device's largest size where subgroup size control is enabled).
bool usesSubgroups(std::string_view variantName);

} // namespace lamp::vulkan::detail
