// The on-disk block layouts of the quantized tensor types, as GGUF files store them.
//
// A row of n values is n / kValues consecutive blocks. Blocks are only 2-byte aligned inside a file
// (Q8_K 4-byte), so code that reads them from arbitrary memory copies them out (std::memcpy) rather
// than casting pointers. fp16 fields hold raw IEEE half bits (see half.h).
//
// Conventions used in the comments: "value v" is the v-th value of the block (0-based); "q" is the
// unsigned code stored for it; "d", "dmin" are the block's fp16 super-scales.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lamp {

using Fp16Bits = uint16_t;  // raw IEEE binary16 bits

// ---- 32-value blocks --------------------------------------------------------------------------
// In all 32-value 4/5-bit formats byte i of qs holds value i in its low nibble and value i + 16 in
// its high nibble.

// value = (q - 8) * d, q in 0..15
struct BlockQ4_0 {
    static constexpr int kValues = 32;
    Fp16Bits d;         // scale
    uint8_t qs[16];     // 4-bit codes: low nibble value i, high nibble value i + 16
};

// value = q * d + m, q in 0..15
struct BlockQ4_1 {
    static constexpr int kValues = 32;
    Fp16Bits d;         // scale
    Fp16Bits m;         // offset (the block minimum)
    uint8_t qs[16];     // 4-bit codes: low nibble value i, high nibble value i + 16
};

// value = (q - 16) * d, q in 0..31
struct BlockQ5_0 {
    static constexpr int kValues = 32;
    Fp16Bits d;         // scale
    uint8_t qh[4];      // little-endian u32: bit v is the fifth (value 16) bit of value v
    uint8_t qs[16];     // low 4 bits: low nibble value i, high nibble value i + 16
};

// value = q * d + m, q in 0..31
struct BlockQ5_1 {
    static constexpr int kValues = 32;
    Fp16Bits d;         // scale
    Fp16Bits m;         // offset (the block minimum)
    uint8_t qh[4];      // little-endian u32: bit v is the fifth (value 16) bit of value v
    uint8_t qs[16];     // low 4 bits: low nibble value i, high nibble value i + 16
};

// value = q * d, q in -128..127 (in practice -127..127)
struct BlockQ8_0 {
    static constexpr int kValues = 32;
    Fp16Bits d;         // scale
    int8_t qs[32];      // signed codes, value v in qs[v]
};

// ---- 256-value super-blocks (K-quants) --------------------------------------------------------

// 16 groups of 16 values; value = d * sc * q - dmin * mn, q in 0..3, sc and mn 4-bit.
struct BlockQ2_K {
    static constexpr int kValues = 256;
    uint8_t scales[16]; // group g (values 16g..16g+15): low nibble sc, high nibble mn
    uint8_t qs[64];     // 2-bit codes. Value v = 128c + 32j + 16h + l (c<2, j<4, h<2, l<16) is
                        // bits 2j..2j+1 of qs[32c + 16h + l]
    Fp16Bits d;         // super-scale of the scales
    Fp16Bits dmin;      // super-scale of the mins
};

// 16 groups of 16 values; value = d * (sc - 32) * (q - (hbit ? 0 : 4)), q in 0..3, sc 6-bit.
struct BlockQ3_K {
    static constexpr int kValues = 256;
    uint8_t hmask[32];  // high bit of value v is bit v / 32 of hmask[v % 32]; a CLEAR bit means
                        // subtract 4 (so the signed code is in -4..3)
    uint8_t qs[64];     // low 2 bits, same arrangement as BlockQ2_K::qs
    uint8_t scales[12]; // 16 six-bit scales stored with offset 32; see unpackQ3KScale()
    Fp16Bits d;         // super-scale
};

// 8 groups of 32 values; value = d * sc * q - dmin * mn, q in 0..15, sc and mn 6-bit.
struct BlockQ4_K {
    static constexpr int kValues = 256;
    Fp16Bits d;         // super-scale of the scales
    Fp16Bits dmin;      // super-scale of the mins
    uint8_t scales[12]; // 8 six-bit scales and 8 six-bit mins; see unpackScaleMinK4()
    uint8_t qs[128];    // 4-bit codes. Value v = 64c + 32h + l (c<4, h<2, l<32) is the low (h=0)
                        // or high (h=1) nibble of qs[32c + l]
};

// 8 groups of 32 values; value = d * sc * q - dmin * mn, q in 0..31, sc and mn 6-bit.
struct BlockQ5_K {
    static constexpr int kValues = 256;
    Fp16Bits d;         // super-scale of the scales
    Fp16Bits dmin;      // super-scale of the mins
    uint8_t scales[12]; // as BlockQ4_K::scales
    uint8_t qh[32];     // fifth (value 16) bit of value v is bit v / 32 of qh[v % 32]
    uint8_t qs[128];    // low 4 bits, arranged as BlockQ4_K::qs
};

// 16 groups of 16 values; value = d * sc * (q - 32), q in 0..63, sc int8.
struct BlockQ6_K {
    static constexpr int kValues = 256;
    uint8_t ql[128];    // low 4 bits. Value v = 128c + 32k + l (c<2, k<4, l<32) is the low (k<2)
                        // or high (k>=2) nibble of ql[64c + 32(k%2) + l]
    uint8_t qh[64];     // high 2 bits of that value: bits 2k..2k+1 of qh[32c + l]
    int8_t scales[16];  // signed scale of group g = values 16g..16g+15
    Fp16Bits d;         // super-scale
};

// Intermediate format for dot products: value = d * q. bsums speed up K-quant dot products.
struct BlockQ8_K {
    static constexpr int kValues = 256;
    float d;            // scale (fp32, not fp16)
    int8_t qs[256];     // signed codes, value v in qs[v]
    int16_t bsums[16];  // bsums[g] = sum of qs[16g..16g+15]
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(offsetof(BlockQ2_K, d) == 80 && offsetof(BlockQ3_K, d) == 108 &&
              offsetof(BlockQ6_K, d) == 208 && offsetof(BlockQ5_K, qs) == 48);

// ---- packed 6-bit scales ----------------------------------------------------------------------

struct ScaleMin {
    uint8_t scale;  // 0..63
    uint8_t min;    // 0..63
};

// Q4_K / Q5_K: the 6-bit scale and min of group j (0..7) from the 12 packed bytes.
// Bytes 0-3 hold the scales of groups 0-3 in their low 6 bits, bytes 4-7 the mins of groups 0-3;
// bytes 8-11 hold the low 4 bits of scale (low nibble) and min (high nibble) of groups 4-7, whose
// top 2 bits sit in the spare top bits of bytes 0-3 (scales) and 4-7 (mins).
constexpr ScaleMin unpackScaleMinK4(const uint8_t* scales, int j) {
    if (j < 4)
        return {static_cast<uint8_t>(scales[j] & 63), static_cast<uint8_t>(scales[j + 4] & 63)};
    return {static_cast<uint8_t>((scales[j + 4] & 15) | ((scales[j - 4] >> 6) << 4)),
            static_cast<uint8_t>((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4))};
}

// The inverse of unpackScaleMinK4: packs 8 scales and 8 mins (each 0..63) into 12 bytes.
constexpr void packScaleMinK4(const uint8_t* scale, const uint8_t* min, uint8_t* out) {
    for (int j = 0; j < 4; ++j) {
        out[j] = static_cast<uint8_t>((scale[j] & 63) | ((scale[j + 4] >> 4) << 6));
        out[j + 4] = static_cast<uint8_t>((min[j] & 63) | ((min[j + 4] >> 4) << 6));
        out[j + 8] = static_cast<uint8_t>((scale[j + 4] & 15) | ((min[j + 4] & 15) << 4));
    }
}

// Q3_K: the stored 6-bit scale of group i (0..15), still with its +32 offset.
// Low 4 bits: low nibble of scales[i] for i < 8, high nibble of scales[i - 8] for i >= 8.
// High 2 bits: bits 2(i/4)..2(i/4)+1 of scales[8 + i % 4].
constexpr uint8_t unpackQ3KScale(const uint8_t* scales, int i) {
    const int low = i < 8 ? (scales[i] & 15) : (scales[i - 8] >> 4);
    const int high = (scales[8 + i % 4] >> (2 * (i / 4))) & 3;
    return static_cast<uint8_t>(low | (high << 4));
}

// The inverse of unpackQ3KScale: packs 16 stored scales (each 0..63, offset included).
constexpr void packQ3KScales(const uint8_t* stored, uint8_t* out) {
    for (int i = 0; i < 12; ++i)
        out[i] = 0;
    for (int i = 0; i < 16; ++i) {
        const int low = stored[i] & 15;
        const int high = (stored[i] >> 4) & 3;
        if (i < 8)
            out[i] = static_cast<uint8_t>(out[i] | low);
        else
            out[i - 8] = static_cast<uint8_t>(out[i - 8] | (low << 4));
        out[8 + i % 4] = static_cast<uint8_t>(out[8 + i % 4] | (high << (2 * (i / 4))));
    }
}

} // namespace lamp
