// Workgroup counts and the one-input elementwise dispatch shared by the kernel recorders of
// ops.cpp and ops_transformer.cpp (internal to inference/vulkan).
#pragma once

#include "vulkan/device.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace lamp::vulkan::detail {

constexpr uint32_t kMaxGroupsX = 65535;  // the minimum maxComputeWorkGroupCount[0]

// Spreads `count` workgroups over x and y (shaders rebuild the flat index; see common.glsl).
struct Groups {
    uint32_t x, y;
};
inline Groups groupsFor(uint64_t count) {
    if (count <= kMaxGroupsX)
        return {static_cast<uint32_t>(std::max<uint64_t>(count, 1)), 1};
    return {kMaxGroupsX, static_cast<uint32_t>((count + kMaxGroupsX - 1) / kMaxGroupsX)};
}

// One invocation per element, 256 per workgroup (every elementwise shader's local size).
inline Groups elementwiseGroups(uint64_t n) { return groupsFor((n + 255) / 256); }

// out[outOff + i] = f(a[aOff + i]) for i < n, for the shaders whose push constants are
// {n, aOff, outOff} (copy, silu, gelu).
inline void recordUnary(Recorder& rec, std::string_view kernel, const Buffer& a, uint32_t aOff, const Buffer& out,
                        uint32_t outOff, uint32_t n) {
    struct {
        uint32_t n, aOff, outOff;
    } push{n, aOff, outOff};
    const Groups g = elementwiseGroups(n);
    rec.dispatch(kernel, {{&a, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

} // namespace lamp::vulkan::detail
