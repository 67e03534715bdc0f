// Recording the kernels of ops_transformer.h: push constants and workgroup counts for each shader.
#include "vulkan/ops_transformer.h"

#include "vulkan/dispatch_groups.h"
#include "vulkan/kernel_variants.h"
#include "vulkan/vulkan_error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace lamp::vulkan {
namespace {

using detail::elementwiseGroups;
using detail::Groups;
using detail::groupsFor;

} // namespace

std::vector<uint32_t> ropeTable(const ops::RopeParams& p) {
    const int64_t pairs = p.nRot / 2;
    std::vector<uint32_t> table(static_cast<size_t>(2 * pairs));
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    for (int64_t i = 0; i < pairs; ++i) {
        // as ops::ropeAngles: θ_i = pos · base^(−2i/nRot) · freqScale / factor_i, here in turns
        double f = std::pow(static_cast<double>(p.freqBase), -2.0 * static_cast<double>(i) / static_cast<double>(p.nRot)) *
                   static_cast<double>(p.freqScale);
        if (p.freqFactors != nullptr)
            f /= static_cast<double>(p.freqFactors[i]);
        f /= kTwoPi;
        // Only the fraction matters (positions are whole numbers): F = frac(f) · 2^64.
        const double frac = f - std::floor(f);
        const double high = std::floor(std::ldexp(frac, 32));
        const double low = std::floor(std::ldexp(std::ldexp(frac, 32) - high, 32));
        table[static_cast<size_t>(2 * i)] = static_cast<uint32_t>(std::min(low, 4294967295.0));
        table[static_cast<size_t>(2 * i + 1)] = static_cast<uint32_t>(std::min(high, 4294967295.0));
    }
    return table;
}

void recordRope(Recorder& rec, const Buffer& x, uint32_t xOff, uint32_t tokens, uint32_t heads, uint32_t headDim,
                uint32_t startPos, const ops::RopeParams& p, const Buffer& table, uint32_t tableOff) {
    if (p.nRot <= 0 || p.nRot % 2 != 0 || p.nRot > headDim)
        throw VulkanError("Vulkan rope: the rotated width must be even and at most the head width");
    if (tableOff % 2 != 0)
        throw VulkanError("Vulkan rope: the frequency table must start at an even word offset");
    struct {
        uint32_t tokens, heads, headDim, nRot, startPos, xOff, tableOff, neox;
    } push{tokens, heads, headDim, static_cast<uint32_t>(p.nRot), startPos, xOff, tableOff / 2,
           p.mode == ops::RopeMode::Neox ? 1u : 0u};
    const uint64_t n = uint64_t{tokens} * heads * static_cast<uint64_t>(p.nRot / 2);
    const Groups g = elementwiseGroups(n);
    rec.dispatch("rope", {{&x, Access::ReadWrite}, {&table, Access::Read}}, push, g.x, g.y);
}

void recordSoftmax(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& out, uint32_t outOff, uint32_t n,
                   uint32_t rows) {
    struct {
        uint32_t n, rows, xOff, outOff;
    } push{n, rows, xOff, outOff};
    const Groups g = groupsFor(rows);
    rec.dispatch("softmax", {{&x, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

void recordGelu(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n) {
    detail::recordUnary(rec, "gelu", a, aOff, out, outOff, n);
}

void recordSwiglu(Recorder& rec, const Buffer& gate, uint32_t gateOff, const Buffer& up, uint32_t upOff,
                  const Buffer& out, uint32_t outOff, uint32_t n) {
    struct {
        uint32_t n, gOff, uOff, outOff;
    } push{n, gateOff, upOff, outOff};
    const Groups g = elementwiseGroups(n);
    rec.dispatch("swiglu", {{&gate, Access::Read}, {&up, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

void recordAddBias(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& b, uint32_t bOff, const Buffer& out,
                   uint32_t outOff, uint32_t n, uint32_t rows) {
    struct {
        uint32_t n, rows, xOff, bOff, outOff;
    } push{n, rows, xOff, bOff, outOff};
    const Groups g = elementwiseGroups(uint64_t{n} * rows);
    rec.dispatch("add_bias", {{&x, Access::Read}, {&b, Access::Read}, {&out, Access::Write}}, push, g.x, g.y);
}

void recordLayerNorm(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& w, uint32_t wOff, const Buffer& b,
                     uint32_t bOff, const Buffer& out, uint32_t outOff, uint32_t n, uint32_t rows, float eps) {
    struct {
        uint32_t n, rows;
        float eps;
        uint32_t xOff, wOff, bOff, outOff;
    } push{n, rows, eps, xOff, wOff, bOff, outOff};
    const Groups g = groupsFor(rows);
    rec.dispatch("layer_norm", {{&x, Access::Read}, {&w, Access::Read}, {&b, Access::Read}, {&out, Access::Write}},
                 push, g.x, g.y);
}

void recordKvStore(Recorder& rec, const Buffer& src, uint32_t srcOff, const Buffer& cache, uint32_t dstOff,
                   uint32_t pos, uint32_t n, uint32_t width) {
    if (dstOff % 2 != 0 || width % 2 != 0)
        throw VulkanError("Vulkan KV store: the cache offset and row width must be even");
    struct {
        uint32_t n, width, pos, srcOff, dstOff;
    } push{n, width, pos, srcOff, dstOff};
    const Groups g = elementwiseGroups(uint64_t{n} * width / 2);
    rec.dispatch(detail::kernelVariant(rec.features(), "kv_store"), {{&src, Access::Read}, {&cache, Access::Write}}, push, g.x, g.y);
}

bool canEmbed(TensorType type) {
    return type == TensorType::F32 || type == TensorType::F16 || type == TensorType::Q8_0;
}

void recordEmbed(Recorder& rec, const DeviceMatrix& table, const Buffer& ids, uint32_t idsOff, uint32_t tokens,
                 const Buffer& out, uint32_t outOff) {
    if (!canEmbed(table.type))
        throw VulkanError("Vulkan embedding: no kernel for " + std::string(tensorTypeName(table.type)) + " rows");
    const uint32_t type = table.type == TensorType::F32 ? 0u : table.type == TensorType::F16 ? 1u : 2u;
    for (const auto& piece : table.pieces) {
        struct {
            uint32_t cols, tokens, type, rowBytes, rowBase, rows, idsOff, outOff;
        } push{static_cast<uint32_t>(table.cols), tokens, type, static_cast<uint32_t>(rowBytes(table.type, table.cols)),
               static_cast<uint32_t>(piece.firstRow), static_cast<uint32_t>(piece.rows), idsOff, outOff};
        const Groups g = groupsFor(tokens);
        rec.dispatch("embed", {{&piece.buffer, Access::Read}, {&ids, Access::Read}, {&out, Access::Write}}, push, g.x,
                     g.y);
    }
}

void recordAttention(Recorder& rec, const AttentionShape& s, const Buffer& q, uint32_t qOff, const Buffer& keys,
                     uint32_t kOff, const Buffer& values, uint32_t vOff, const Buffer& out, uint32_t outOff) {
    if (s.kvHeads == 0 || s.heads % s.kvHeads != 0)
        throw VulkanError("Vulkan attention: the KV head count must divide the head count");
    if (s.keyLength == 0 || s.keyLength > 256 || s.valueLength == 0 || s.valueLength > 256)
        throw VulkanError("Vulkan attention: key and value lengths must be 1..256");
    struct {
        uint32_t tokens, heads, kvHeads, dk, dv, startPos, qOff, kOff, vOff, outOff;
        float scale;
    } push{s.tokens, s.heads, s.kvHeads, s.keyLength, s.valueLength, s.startPos, qOff, kOff, vOff, outOff, s.scale};
    const uint32_t group = s.heads / s.kvHeads;
    const bool grouped = s.perGroup && group > 1 && group <= 8 && group * s.keyLength <= 2048 &&
                         group * s.valueLength <= 2048;
    const Groups g = groupsFor(uint64_t{s.tokens} * (grouped ? s.kvHeads : s.heads));
    rec.dispatch(detail::kernelVariant(rec.features(), grouped ? "attention_group" : "attention"),
                 {{&q, Access::Read}, {&keys, Access::Read}, {&values, Access::Read}, {&out, Access::Write}}, push, g.x,
                 g.y);
}

} // namespace lamp::vulkan
