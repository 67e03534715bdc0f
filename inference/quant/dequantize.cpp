#include "quant/dequantize.h"

#include "core/error.h"
#include "quant/block_formats.h"
#include "quant/half.h"

#include <cstring>
#include <string>

namespace lamp {
namespace {

// Copies block i out of a byte stream (blocks may be unaligned in memory).
template <typename Block>
Block loadBlock(const std::byte* src, int64_t i) {
    Block b;
    std::memcpy(&b, src + i * static_cast<int64_t>(sizeof(Block)), sizeof(Block));
    return b;
}

uint32_t loadU32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// ---- plain floats -----------------------------------------------------------------------------

void rowF32(const std::byte* src, float* y, int64_t n) {
    std::memcpy(y, src, static_cast<size_t>(n) * sizeof(float));
}

void rowF16(const std::byte* src, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        y[i] = fp16ToFp32(h);
    }
}

void rowBF16(const std::byte* src, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, src + 2 * i, 2);
        y[i] = bf16ToFp32(b);
    }
}

// ---- 32-value blocks --------------------------------------------------------------------------

void blockQ4_0(const BlockQ4_0& b, float* y) {
    const float d = fp16ToFp32(b.d);
    for (int i = 0; i < 16; ++i) {
        y[i] = static_cast<float>((b.qs[i] & 15) - 8) * d;
        y[i + 16] = static_cast<float>((b.qs[i] >> 4) - 8) * d;
    }
}

void blockQ4_1(const BlockQ4_1& b, float* y) {
    const float d = fp16ToFp32(b.d);
    const float m = fp16ToFp32(b.m);
    for (int i = 0; i < 16; ++i) {
        y[i] = static_cast<float>(b.qs[i] & 15) * d + m;
        y[i + 16] = static_cast<float>(b.qs[i] >> 4) * d + m;
    }
}

void blockQ5_0(const BlockQ5_0& b, float* y) {
    const float d = fp16ToFp32(b.d);
    const uint32_t qh = loadU32(b.qh);
    for (int i = 0; i < 16; ++i) {
        const int q0 = (b.qs[i] & 15) | static_cast<int>(((qh >> i) & 1u) << 4);
        const int q1 = (b.qs[i] >> 4) | static_cast<int>(((qh >> (i + 16)) & 1u) << 4);
        y[i] = static_cast<float>(q0 - 16) * d;
        y[i + 16] = static_cast<float>(q1 - 16) * d;
    }
}

void blockQ5_1(const BlockQ5_1& b, float* y) {
    const float d = fp16ToFp32(b.d);
    const float m = fp16ToFp32(b.m);
    const uint32_t qh = loadU32(b.qh);
    for (int i = 0; i < 16; ++i) {
        const int q0 = (b.qs[i] & 15) | static_cast<int>(((qh >> i) & 1u) << 4);
        const int q1 = (b.qs[i] >> 4) | static_cast<int>(((qh >> (i + 16)) & 1u) << 4);
        y[i] = static_cast<float>(q0) * d + m;
        y[i + 16] = static_cast<float>(q1) * d + m;
    }
}

void blockQ8_0(const BlockQ8_0& b, float* y) {
    const float d = fp16ToFp32(b.d);
    for (int i = 0; i < 32; ++i)
        y[i] = static_cast<float>(b.qs[i]) * d;
}

// ---- K-quants ---------------------------------------------------------------------------------

void blockQ2_K(const BlockQ2_K& b, float* y) {
    const float d = fp16ToFp32(b.d);
    const float dmin = fp16ToFp32(b.dmin);
    for (int v = 0; v < 256; ++v) {
        const int c = v / 128, j = (v % 128) / 32, h = (v % 32) / 16, l = v % 16;
        const int q = (b.qs[32 * c + 16 * h + l] >> (2 * j)) & 3;
        const uint8_t sm = b.scales[v / 16];
        y[v] = d * static_cast<float>(sm & 15) * static_cast<float>(q) -
               dmin * static_cast<float>(sm >> 4);
    }
}

void blockQ3_K(const BlockQ3_K& b, float* y) {
    const float d = fp16ToFp32(b.d);
    for (int v = 0; v < 256; ++v) {
        const int c = v / 128, j = (v % 128) / 32, h = (v % 32) / 16, l = v % 16;
        const int low = (b.qs[32 * c + 16 * h + l] >> (2 * j)) & 3;
        const bool high = ((b.hmask[v % 32] >> (v / 32)) & 1) != 0;
        const int q = low - (high ? 0 : 4);
        const int sc = unpackQ3KScale(b.scales, v / 16) - 32;
        y[v] = d * static_cast<float>(sc) * static_cast<float>(q);
    }
}

void blockQ4_K(const BlockQ4_K& b, float* y) {
    const float d = fp16ToFp32(b.d);
    const float dmin = fp16ToFp32(b.dmin);
    for (int g = 0; g < 8; ++g) {
        const ScaleMin sm = unpackScaleMinK4(b.scales, g);
        const float scale = d * static_cast<float>(sm.scale);
        const float min = dmin * static_cast<float>(sm.min);
        const uint8_t* qs = b.qs + 32 * (g / 2);
        const int shift = 4 * (g % 2);
        for (int l = 0; l < 32; ++l)
            y[32 * g + l] = scale * static_cast<float>((qs[l] >> shift) & 15) - min;
    }
}

void blockQ5_K(const BlockQ5_K& b, float* y) {
    const float d = fp16ToFp32(b.d);
    const float dmin = fp16ToFp32(b.dmin);
    for (int g = 0; g < 8; ++g) {
        const ScaleMin sm = unpackScaleMinK4(b.scales, g);
        const float scale = d * static_cast<float>(sm.scale);
        const float min = dmin * static_cast<float>(sm.min);
        const uint8_t* qs = b.qs + 32 * (g / 2);
        const int shift = 4 * (g % 2);
        for (int l = 0; l < 32; ++l) {
            const int q = ((qs[l] >> shift) & 15) | (((b.qh[l] >> g) & 1) << 4);
            y[32 * g + l] = scale * static_cast<float>(q) - min;
        }
    }
}

void blockQ6_K(const BlockQ6_K& b, float* y) {
    const float d = fp16ToFp32(b.d);
    for (int v = 0; v < 256; ++v) {
        const int c = v / 128, k = (v % 128) / 32, l = v % 32;
        const uint8_t lowByte = b.ql[64 * c + 32 * (k % 2) + l];
        const int low = k < 2 ? (lowByte & 15) : (lowByte >> 4);
        const int high = (b.qh[32 * c + l] >> (2 * k)) & 3;
        const int q = (low | (high << 4)) - 32;
        y[v] = d * static_cast<float>(b.scales[v / 16]) * static_cast<float>(q);
    }
}

void blockQ8_K(const BlockQ8_K& b, float* y) {
    for (int i = 0; i < 256; ++i)
        y[i] = b.d * static_cast<float>(b.qs[i]);
}

template <typename Block, void (*decode)(const Block&, float*)>
void rowBlocks(const std::byte* src, float* y, int64_t n) {
    const int64_t blocks = n / Block::kValues;
    for (int64_t i = 0; i < blocks; ++i)
        decode(loadBlock<Block>(src, i), y + i * Block::kValues);
}

} // namespace

bool canDequantize(TensorType type) {
    switch (type) {
    case TensorType::F32:
    case TensorType::F16:
    case TensorType::BF16:
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1:
    case TensorType::Q8_0:
    case TensorType::Q2_K:
    case TensorType::Q3_K:
    case TensorType::Q4_K:
    case TensorType::Q5_K:
    case TensorType::Q6_K:
    case TensorType::Q8_K:
        return true;
    case TensorType::Q8_1:
        return false;
    }
    return false;
}

void dequantizeRow(TensorType type, const void* src, float* dst, int64_t n) {
    if (!canDequantize(type))
        throw FormatError("cannot dequantize tensor type " +
                          std::to_string(static_cast<uint32_t>(type)) + " (" +
                          (tensorTypeInfo(static_cast<uint32_t>(type))
                               ? std::string(tensorTypeName(type))
                               : std::string("unknown")) +
                          "): not supported");
    rowBytes(type, n);  // throws FormatError when n does not fit the block size
    const auto* s = static_cast<const std::byte*>(src);
    switch (type) {
    case TensorType::F32: rowF32(s, dst, n); return;
    case TensorType::F16: rowF16(s, dst, n); return;
    case TensorType::BF16: rowBF16(s, dst, n); return;
    case TensorType::Q4_0: rowBlocks<BlockQ4_0, blockQ4_0>(s, dst, n); return;
    case TensorType::Q4_1: rowBlocks<BlockQ4_1, blockQ4_1>(s, dst, n); return;
    case TensorType::Q5_0: rowBlocks<BlockQ5_0, blockQ5_0>(s, dst, n); return;
    case TensorType::Q5_1: rowBlocks<BlockQ5_1, blockQ5_1>(s, dst, n); return;
    case TensorType::Q8_0: rowBlocks<BlockQ8_0, blockQ8_0>(s, dst, n); return;
    case TensorType::Q2_K: rowBlocks<BlockQ2_K, blockQ2_K>(s, dst, n); return;
    case TensorType::Q3_K: rowBlocks<BlockQ3_K, blockQ3_K>(s, dst, n); return;
    case TensorType::Q4_K: rowBlocks<BlockQ4_K, blockQ4_K>(s, dst, n); return;
    case TensorType::Q5_K: rowBlocks<BlockQ5_K, blockQ5_K>(s, dst, n); return;
    case TensorType::Q6_K: rowBlocks<BlockQ6_K, blockQ6_K>(s, dst, n); return;
    case TensorType::Q8_K: rowBlocks<BlockQ8_K, blockQ8_K>(s, dst, n); return;
    case TensorType::Q8_1: break;
    }
    throw FormatError("cannot dequantize tensor type " + std::string(tensorTypeName(type)));
}

} // namespace lamp
