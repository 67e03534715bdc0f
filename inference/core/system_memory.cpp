#include "core/system_memory.h"

#include <cstdio>
#include <fstream>
#include <string>

namespace lamp {

std::optional<uint64_t> availableMemoryBytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        unsigned long long kb = 0;
        if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kb) == 1)
            return static_cast<uint64_t>(kb) * 1024;
    }
    return std::nullopt;
}

} // namespace lamp
