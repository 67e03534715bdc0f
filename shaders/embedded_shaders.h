// The compute shaders of shaders/*.comp, compiled to SPIR-V at build time and embedded in the
// binary (see shaders/CMakeLists.txt). Each is named by its file name without ".comp".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lamp::shaders {

struct EmbeddedShader {
    std::string_view name;  // "matvec_q8_0"
    const uint32_t* words;  // SPIR-V, validated by spirv-val for Vulkan 1.1
    size_t wordCount;
};

// Every embedded shader, sorted by name.
std::span<const EmbeddedShader> all();
// The shader named `name`, or nullptr.
const EmbeddedShader* find(std::string_view name);

} // namespace lamp::shaders
