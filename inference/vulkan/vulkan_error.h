// The error the Vulkan backend throws: no loader, no device, a missing feature, device memory
// exhausted, a failed pipeline. The message says what failed and how to go on ("... or choose
// CPU"); the engine catches it and falls back to the CPU backend with that reason.
#pragma once

#include "core/error.h"

namespace lamp::vulkan {

class VulkanError : public BackendUnavailable {
public:
    using BackendUnavailable::BackendUnavailable;
};

} // namespace lamp::vulkan
