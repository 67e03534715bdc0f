// What the operating system says about its memory, for decisions that must not push the machine
// into swapping or the out-of-memory killer.
#pragma once

#include <cstdint>
#include <optional>

namespace lamp {

// Bytes that can be given to a program without swapping (Linux: MemAvailable in /proc/meminfo,
// which counts reclaimable page cache as available). nullopt where the system does not say.
std::optional<uint64_t> availableMemoryBytes();

} // namespace lamp
