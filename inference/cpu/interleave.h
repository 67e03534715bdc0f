// The four-row interleaved layout of Q4_0 and Q5_0 matrices (WeightLayout::Interleaved4), which the
// CPU backend puts its private copy of such weights in on AVX-512 machines.
//
// Why: in the file's layout a 4- or 5-bit block keeps its scale, fifth bits and nibbles together,
// so a decode kernel spends most of its instructions gathering scales row by row, duplicating
// nibbles into place and spreading the fifth bits (the AVX-512 kernels ran at ~22-32 GB/s per core
// from cache, under what two cores must stream). Interleaved, one 64-byte load holds two rows'
// nibbles of a block pair, the eight scales of four rows convert in one instruction and the fifth
// bits load straight into mask registers: about twice the speed from cache.
//
// The layout: the rows stay in groups of four, each group in the same bytes as before (rows
// 4g .. 4g + 3 at data + 4g · rowBytes), so row ranges split at multiples of 4 stay where they
// were. Inside a group, the 32-value blocks of pair p (blocks 2p, 2p + 1 of every row) form one
// unit of 8 blocks' bytes, units in pair order. A unit, with rRbB = row R's block 2p + B:
//   16 bytes   the 8 fp16 scales d: r0b0 r0b1 r1b0 r1b1 r2b0 r2b1 r3b0 r3b1
//   Q5_0 only, 32 bytes: four little-endian u64 fifth-bit masks, each four 16-bit slots in the
//              order r0b0 r0b1 r1b0 r1b1 (rows 0-1) or r2b0 r2b1 r3b0 r3b1 (rows 2-3):
//              rows 0-1 values 0-15 (bits 0-15 of each block's qh), rows 0-1 values 16-31 (bits
//              16-31), then the same for rows 2-3
//   128 bytes  the nibbles (each block's 16 qs bytes as they were): r0b0 r0b1 r1b0 r1b1, then
//              r2b0 r2b1 r3b0 r3b1
// A unit is 144 bytes for Q4_0 and 176 for Q5_0: exactly its 8 blocks, so the group keeps its size.
// Matrices whose row count is not a multiple of 4, or whose rows hold an odd number of blocks,
// stay in the file's layout.
#pragma once

#include "quant/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace lamp::cpu {

// How a weight matrix's bytes are arranged.
enum class WeightLayout {
    Rows,          // as in the GGUF file: rows one after another, each rowBytes(type, cols)
    Interleaved4,  // groups of four rows interleaved by block pairs (above)
};

// True when the active instruction set (cpu_features.h) has decode kernels for the interleaved
// layout (AVX-512, with or without VNNI); elsewhere matmul would only undo the layout again.
bool interleavingPays();

// True when a rows × cols matrix of `type` can take the interleaved layout.
bool canInterleave(TensorType type, int64_t rows, int64_t cols);

// Rearranges a matrix in the file's layout into the interleaved one, in place. Requires
// canInterleave(type, rows, cols).
void interleaveRows(TensorType type, std::byte* data, int64_t rows, int64_t cols);

// Writes rows [first, first + count) of the interleaved matrix at `data` to `out` in the file's
// layout (count · rowBytes(type, cols) bytes). Any row range: the group around each row is read.
void deinterleaveRows(TensorType type, const std::byte* data, int64_t cols, int64_t first, int64_t count,
                      std::byte* out);

} // namespace lamp::cpu
