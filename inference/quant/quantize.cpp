#include "quant/quantize.h"

#include "quant/dequantize.h"

#include "core/error.h"
#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant/quantize_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace lamp {
namespace detail {

float toFp16Scale(float v) {
    constexpr float kMaxHalf = 65504.0f;
    if (!(std::fabs(v) <= kMaxHalf))  // overflow or NaN
        v = std::isnan(v) ? 0.0f : std::copysign(kMaxHalf, v);
    return roundToFp16(v);
}

} // namespace detail

namespace {

using detail::clampRound;
using detail::toFp16Scale;

template <typename Block>
void storeBlock(std::byte* dst, int64_t i, const Block& b) {
    std::memcpy(dst + i * static_cast<int64_t>(sizeof(Block)), &b, sizeof(Block));
}

void storeU32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// The value of largest magnitude (with its sign); 0 for an all-zero block.
float signedAbsMax(const float* x, int n) {
    float best = 0.0f;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(best))
            best = x[i];
    return best;
}

// ---- plain floats -----------------------------------------------------------------------------

void rowF16(const float* x, std::byte* dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = fp32ToFp16(x[i]);
        std::memcpy(dst + 2 * i, &h, 2);
    }
}

void rowBF16(const float* x, std::byte* dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t b = fp32ToBf16(x[i]);
        std::memcpy(dst + 2 * i, &b, 2);
    }
}

// ---- 32-value blocks --------------------------------------------------------------------------
// Codes are always computed with the fp16-rounded scale that is stored, so a value's error is at
// most half a step (except where the format's range forces clamping, see Q4_0/Q5_0).

// Symmetric with an asymmetric code range: the largest-magnitude value maps exactly to code -8
// (d = max / -8), so values of the other sign reach at most +8 and are clamped to +7.
BlockQ4_0 encodeQ4_0(const float* x) {
    BlockQ4_0 b{};
    const float d = toFp16Scale(signedAbsMax(x, 32) / -8.0f);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b.d = fp32ToFp16(d);
    for (int i = 0; i < 16; ++i) {
        const int q0 = clampRound(x[i] * id, -8, 7) + 8;
        const int q1 = clampRound(x[i + 16] * id, -8, 7) + 8;
        b.qs[i] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    return b;
}

BlockQ5_0 encodeQ5_0(const float* x) {
    BlockQ5_0 b{};
    const float d = toFp16Scale(signedAbsMax(x, 32) / -16.0f);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b.d = fp32ToFp16(d);
    uint32_t qh = 0;
    for (int i = 0; i < 16; ++i) {
        const int q0 = clampRound(x[i] * id, -16, 15) + 16;
        const int q1 = clampRound(x[i + 16] * id, -16, 15) + 16;
        b.qs[i] = static_cast<uint8_t>((q0 & 15) | ((q1 & 15) << 4));
        qh |= static_cast<uint32_t>(q0 >> 4) << i;
        qh |= static_cast<uint32_t>(q1 >> 4) << (i + 16);
    }
    storeU32(b.qh, qh);
    return b;
}

// Affine: the block minimum is the offset m, the range is split into `levels` steps.
struct Affine {
    float d;
    float m;
    float id;
};

Affine affineParams(const float* x, int levels) {
    float lo = x[0], hi = x[0];
    for (int i = 1; i < 32; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    const float m = toFp16Scale(lo);
    const float d = toFp16Scale((hi - lo) / static_cast<float>(levels));
    return {d, m, d != 0.0f ? 1.0f / d : 0.0f};
}

BlockQ4_1 encodeQ4_1(const float* x) {
    BlockQ4_1 b{};
    const Affine a = affineParams(x, 15);
    b.d = fp32ToFp16(a.d);
    b.m = fp32ToFp16(a.m);
    for (int i = 0; i < 16; ++i) {
        const int q0 = clampRound((x[i] - a.m) * a.id, 0, 15);
        const int q1 = clampRound((x[i + 16] - a.m) * a.id, 0, 15);
        b.qs[i] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    return b;
}

BlockQ5_1 encodeQ5_1(const float* x) {
    BlockQ5_1 b{};
    const Affine a = affineParams(x, 31);
    b.d = fp32ToFp16(a.d);
    b.m = fp32ToFp16(a.m);
    uint32_t qh = 0;
    for (int i = 0; i < 16; ++i) {
        const int q0 = clampRound((x[i] - a.m) * a.id, 0, 31);
        const int q1 = clampRound((x[i + 16] - a.m) * a.id, 0, 31);
        b.qs[i] = static_cast<uint8_t>((q0 & 15) | ((q1 & 15) << 4));
        qh |= static_cast<uint32_t>(q0 >> 4) << i;
        qh |= static_cast<uint32_t>(q1 >> 4) << (i + 16);
    }
    storeU32(b.qh, qh);
    return b;
}

// Symmetric abs-max: d = max|x| / 127, so every code is in -127..127.
BlockQ8_0 encodeQ8_0(const float* x) {
    BlockQ8_0 b{};
    const float d = toFp16Scale(std::fabs(signedAbsMax(x, 32)) / 127.0f);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b.d = fp32ToFp16(d);
    for (int i = 0; i < 32; ++i)
        b.qs[i] = static_cast<int8_t>(clampRound(x[i] * id, -127, 127));
    return b;
}

template <typename Block, Block (*encode)(const float*)>
void rowBlocks(const float* x, std::byte* dst, int64_t n) {
    const int64_t blocks = n / Block::kValues;
    for (int64_t i = 0; i < blocks; ++i)
        storeBlock(dst, i, encode(x + i * Block::kValues));
}

} // namespace

bool canQuantize(TensorType type) {
    // Every format we decode we can also encode (all but Q8_1, an activation-only format).
    return canDequantize(type);
}

size_t quantizeRow(TensorType type, const float* src, void* dst, int64_t n) {
    if (!canQuantize(type)) {
        const auto info = tensorTypeInfo(static_cast<uint32_t>(type));
        throw FormatError("cannot quantize to tensor type " +
                          (info ? std::string(info->name)
                                : "id " + std::to_string(static_cast<uint32_t>(type))) +
                          ": not supported");
    }
    // rowBytes throws FormatError when n does not fit the block size.
    const size_t bytes = rowBytes(type, n);
    auto* d = static_cast<std::byte*>(dst);
    const int64_t superBlocks = n / 256;
    switch (type) {
    case TensorType::F32: std::memcpy(d, src, bytes); break;
    case TensorType::F16: rowF16(src, d, n); break;
    case TensorType::BF16: rowBF16(src, d, n); break;
    case TensorType::Q4_0: rowBlocks<BlockQ4_0, encodeQ4_0>(src, d, n); break;
    case TensorType::Q4_1: rowBlocks<BlockQ4_1, encodeQ4_1>(src, d, n); break;
    case TensorType::Q5_0: rowBlocks<BlockQ5_0, encodeQ5_0>(src, d, n); break;
    case TensorType::Q5_1: rowBlocks<BlockQ5_1, encodeQ5_1>(src, d, n); break;
    case TensorType::Q8_0: rowBlocks<BlockQ8_0, encodeQ8_0>(src, d, n); break;
    case TensorType::Q2_K: detail::quantizeQ2_K(src, d, superBlocks); break;
    case TensorType::Q3_K: detail::quantizeQ3_K(src, d, superBlocks); break;
    case TensorType::Q4_K: detail::quantizeQ4_K(src, d, superBlocks); break;
    case TensorType::Q5_K: detail::quantizeQ5_K(src, d, superBlocks); break;
    case TensorType::Q6_K: detail::quantizeQ6_K(src, d, superBlocks); break;
    case TensorType::Q8_K: detail::quantizeQ8_K(src, d, superBlocks); break;
    case TensorType::Q8_1: break;
    }
    return bytes;
}

} // namespace lamp
