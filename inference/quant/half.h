// IEEE binary16 (fp16) and bfloat16 conversions to and from float.
//
// float -> half rounds to nearest, ties to even; values past the largest finite half (65504) become
// infinity, tiny values become subnormals or signed zero, NaN stays NaN (quiet, payload truncated).
// half -> float is exact. The portable code is the reference; the F16C instructions (used only when
// the compiler targets them, e.g. -mf16c) produce the same bits.
#pragma once

#include <bit>
#include <cstdint>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace lamp {

// ---- fp16 -------------------------------------------------------------------------------------

// Portable float -> fp16 bits, round to nearest even.
constexpr uint16_t fp32ToFp16Portable(float value) {
    const uint32_t x = std::bit_cast<uint32_t>(value);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t ax = x & 0x7fffffffu;

    if (ax >= 0x7f800000u) {  // inf or NaN
        if (ax == 0x7f800000u)
            return static_cast<uint16_t>(sign | 0x7c00u);
        // NaN: keep the top mantissa bits, force the quiet bit so the result is never infinity.
        return static_cast<uint16_t>(sign | 0x7c00u | 0x0200u | ((ax >> 13) & 0x03ffu));
    }
    if (ax >= 0x477ff000u)  // >= 65520: rounds up past 65504 (ties go to even, i.e. to infinity)
        return static_cast<uint16_t>(sign | 0x7c00u);
    if (ax >= 0x38800000u) {  // >= 2^-14: a normal half
        // Rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits to nearest even;
        // a carry out of the mantissa correctly bumps the exponent.
        const uint32_t rounded = ax + 0x0fffu + ((ax >> 13) & 1u);
        return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
    }
    if (ax <= 0x33000000u)  // <= 2^-25: half of the smallest subnormal or less rounds to zero
        return static_cast<uint16_t>(sign);
    // A subnormal half: the value in units of 2^-24 is mant * 2^(exp - 126), exp in [102, 112].
    const uint32_t exp = ax >> 23;
    const uint32_t mant = (ax & 0x007fffffu) | 0x00800000u;
    const uint32_t shift = 126u - exp;  // 14 .. 24
    uint32_t q = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1u);
    if (rem > halfway || (rem == halfway && (q & 1u) != 0))
        ++q;  // may become 0x400, the smallest normal, which is the right encoding
    return static_cast<uint16_t>(sign | q);
}

// Portable fp16 bits -> float (exact).
constexpr float fp16ToFp32Portable(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x03ffu;
    if (exp == 0x1fu)  // inf / NaN
        return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
    if (exp != 0)  // normal: rebias 15 -> 127
        return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
    if (mant == 0)
        return std::bit_cast<float>(sign);
    // Subnormal: mant * 2^-24, exact in float.
    const float magnitude = static_cast<float>(mant) * 5.9604644775390625e-8f;
    return sign != 0 ? -magnitude : magnitude;
}

inline uint16_t fp32ToFp16(float value) {
#if defined(__F16C__)
    return static_cast<uint16_t>(_cvtss_sh(value, _MM_FROUND_TO_NEAREST_INT));
#else
    return fp32ToFp16Portable(value);
#endif
}

inline float fp16ToFp32(uint16_t h) {
#if defined(__F16C__)
    return _cvtsh_ss(h);
#else
    return fp16ToFp32Portable(h);
#endif
}

// The float nearest to `value` that fp16 can hold (round trip through fp16).
inline float roundToFp16(float value) { return fp16ToFp32(fp32ToFp16(value)); }

// ---- bfloat16 ---------------------------------------------------------------------------------

// float -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN.
constexpr uint16_t fp32ToBf16(float value) {
    const uint32_t x = std::bit_cast<uint32_t>(value);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return static_cast<uint16_t>((x >> 16) | 0x0040u);
    // Overflow to infinity happens naturally: the carry moves into the exponent.
    return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

// bf16 bits -> float (exact: bf16 is the top half of a float).
constexpr float bf16ToFp32(uint16_t b) {
    return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

} // namespace lamp
