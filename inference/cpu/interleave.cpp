// Moving Q4_0/Q5_0 blocks between the file's layout and the four-row interleaved one (interleave.h).
#include "cpu/interleave.h"

#include "core/error.h"
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "quant/block_formats.h"

#include <cstring>
#include <string>
#include <vector>

namespace lamp::cpu {
namespace {

// Where a block's parts lie, in the file's layout and in a unit of the interleaved one.
struct Parts {
    size_t blockBytes;  // one 32-value block
    size_t qsInBlock;   // its 16 nibble bytes
    bool fifthBits;     // Q5_0: 4 qh bytes at offset 2
    size_t masksInUnit() const { return 16; }
    size_t qsInUnit() const { return fifthBits ? 48 : 16; }
};

Parts partsOf(TensorType type) {
    if (type == TensorType::Q5_0)
        return {sizeof(BlockQ5_0), offsetof(BlockQ5_0, qs), true};
    return {sizeof(BlockQ4_0), offsetof(BlockQ4_0, qs), false};
}

// Position of row r's block b (0 or 1 of the pair) among the unit's 8 blocks, and its 16-bit slot
// in the fifth-bit masks of its row pair.
size_t slotOf(int r, int b) { return static_cast<size_t>(2 * r + b); }

// One unit (block pair p of the four rows at `rows`, `stride` apart) from the file's layout.
void packUnit(const Parts& parts, const std::byte* rows, size_t stride, int64_t p, std::byte* unit) {
    uint64_t masks[4] = {0, 0, 0, 0};
    for (int r = 0; r < 4; ++r) {
        for (int b = 0; b < 2; ++b) {
            const std::byte* blk = rows + static_cast<size_t>(r) * stride +
                                   static_cast<size_t>(2 * p + b) * parts.blockBytes;
            const size_t slot = slotOf(r, b);
            std::memcpy(unit + 2 * slot, blk, 2);
            std::memcpy(unit + parts.qsInUnit() + 16 * slot, blk + parts.qsInBlock, 16);
            if (parts.fifthBits) {
                uint32_t qh;
                std::memcpy(&qh, blk + 2, 4);
                const int shift = 16 * static_cast<int>(slot % 4);
                masks[2 * (r / 2)] |= static_cast<uint64_t>(qh & 0xffff) << shift;
                masks[2 * (r / 2) + 1] |= static_cast<uint64_t>(qh >> 16) << shift;
            }
        }
    }
    if (parts.fifthBits)
        std::memcpy(unit + parts.masksInUnit(), masks, sizeof masks);
}

// Row r's two blocks of a unit, in the file's layout.
void unpackUnitRow(const Parts& parts, const std::byte* unit, int r, std::byte* twoBlocks) {
    uint64_t masks[4];
    if (parts.fifthBits)
        std::memcpy(masks, unit + parts.masksInUnit(), sizeof masks);
    for (int b = 0; b < 2; ++b) {
        std::byte* blk = twoBlocks + static_cast<size_t>(b) * parts.blockBytes;
        const size_t slot = slotOf(r, b);
        std::memcpy(blk, unit + 2 * slot, 2);
        std::memcpy(blk + parts.qsInBlock, unit + parts.qsInUnit() + 16 * slot, 16);
        if (parts.fifthBits) {
            const int shift = 16 * static_cast<int>(slot % 4);
            const auto low = static_cast<uint32_t>((masks[2 * (r / 2)] >> shift) & 0xffff);
            const auto high = static_cast<uint32_t>((masks[2 * (r / 2) + 1] >> shift) & 0xffff);
            const uint32_t qh = low | high << 16;
            std::memcpy(blk + 2, &qh, 4);
        }
    }
}

} // namespace

bool interleavingPays() { return detail::vecDotInterleavedKernel(TensorType::Q4_0, activeIsa()) != nullptr; }

bool canInterleave(TensorType type, int64_t rows, int64_t cols) {
    return (type == TensorType::Q4_0 || type == TensorType::Q5_0) && rows > 0 && rows % 4 == 0 &&
           cols > 0 && cols % 64 == 0;
}

void interleaveRows(TensorType type, std::byte* data, int64_t rows, int64_t cols) {
    if (!canInterleave(type, rows, cols))
        throw Error("interleaveRows: a " + std::string(tensorTypeName(type)) + " matrix of " +
                    std::to_string(rows) + " x " + std::to_string(cols) + " cannot be interleaved");
    const Parts parts = partsOf(type);
    const size_t stride = rowBytes(type, cols);
    const int64_t pairs = cols / 64;
    std::vector<std::byte> group(4 * stride);  // one group's rows in the file's layout
    for (int64_t g = 0; g < rows / 4; ++g) {
        std::byte* at = data + static_cast<size_t>(4 * g) * stride;
        std::memcpy(group.data(), at, group.size());
        for (int64_t p = 0; p < pairs; ++p)
            packUnit(parts, group.data(), stride, p, at + static_cast<size_t>(p) * 8 * parts.blockBytes);
    }
}

void deinterleaveRows(TensorType type, const std::byte* data, int64_t cols, int64_t first, int64_t count,
                      std::byte* out) {
    const Parts parts = partsOf(type);
    const size_t stride = rowBytes(type, cols);
    const size_t unitBytes = 8 * parts.blockBytes;
    for (int64_t row = first; row < first + count; ++row) {
        const std::byte* group = data + static_cast<size_t>(row / 4 * 4) * stride;
        std::byte* dst = out + static_cast<size_t>(row - first) * stride;
        for (int64_t p = 0; p < cols / 64; ++p)
            unpackUnitRow(parts, group + static_cast<size_t>(p) * unitBytes, static_cast<int>(row % 4),
                          dst + static_cast<size_t>(p) * 2 * parts.blockBytes);
    }
}

} // namespace lamp::cpu
