// Internal to quantize.cpp: the K-quant encoders (quantize_k.cpp). Each writes `blocks` consecutive
// super-blocks of 256 values from x to dst.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lamp::detail {

void quantizeQ2_K(const float* x, std::byte* dst, int64_t blocks);
void quantizeQ3_K(const float* x, std::byte* dst, int64_t blocks);
void quantizeQ4_K(const float* x, std::byte* dst, int64_t blocks);
void quantizeQ5_K(const float* x, std::byte* dst, int64_t blocks);
void quantizeQ6_K(const float* x, std::byte* dst, int64_t blocks);
void quantizeQ8_K(const float* x, std::byte* dst, int64_t blocks);

// Nearest integer to v, clamped to [lo, hi] (|lo|, |hi| < 2^22); NaN gives lo. Ties round to even
// (in the default floating-point rounding mode).
inline int clampRound(float v, int lo, int hi) {
    // Written as selects so compilers emit max/min instructions (no branches); NaN becomes lo.
    v = v > static_cast<float>(lo) ? v : static_cast<float>(lo);
    v = v < static_cast<float>(hi) ? v : static_cast<float>(hi);
    // Adding and removing 1.5 * 2^23 rounds to an integer (exact for |v| < 2^22); much faster than
    // a libm call.
    constexpr float kMagic = 12582912.0f;
    return static_cast<int>((v + kMagic) - kMagic);
}

// The fp16 value nearest to v, clamped to the finite range (so a scale never becomes infinity).
float toFp16Scale(float v);

} // namespace lamp::detail
