// Small string helpers shared by the subsystems.
#pragma once

#include <cctype>
#include <string_view>

namespace lamp {

// ASCII case-insensitive equality ("q4_k_m" == "Q4_K_M").
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

} // namespace lamp
