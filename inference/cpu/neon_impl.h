// The AArch64 Advanced SIMD (NEON) kernels: vec-dot for the 32-value formats (against BlockQ8A),
// the K-quants (against BlockQ8_K) and the float formats, and the int8 GEMM micro-kernel on
// PackedQ8. Compiled twice: by neon_kernels.cpp for baseline armv8-a (LAMP_NEON_DOT 0) and by
// neondot_kernels.cpp for ARMv8.2 dot product (LAMP_NEON_DOT 1, sdot through vdotq_s32). Not a
// normal header: the including file defines LAMP_NEON_TARGET (function attribute),
// LAMP_NEON_DOT, LAMP_NEON_VECDOT and LAMP_NEON_GEMM (the two table functions), includes
// <arm_neon.h>, cpu/kernels.h and <cstring>, and includes this inside namespace
// lamp::cpu::detail on aarch64 only.
//
// Everything integer goes through one primitive, dot4(acc, a, b): acc lane i += the sum of the four
// signed 8-bit products a[4i..4i+3] * b[4i..4i+3]. With dot product that is one sdot; without, two
// widening multiplies and two pairwise adds. Its int16 step holds as long as one operand stays
// in -127..127 (activation codes always do), so weight codes are made signed first: a format's
// code offset ("- 8", "- 32", Q3_K's "- 4") is subtracted from the codes in the vector.

namespace {

// ---- primitives ---------------------------------------------------------------------------------

LAMP_NEON_TARGET inline int32x4_t dot4(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if LAMP_NEON_DOT
    return vdotq_s32(acc, a, b);
#else
    const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    const int16x8_t hi = vmull_high_s8(a, b);
    return vpadalq_s16(acc, vpaddq_s16(lo, hi));
#endif
}

LAMP_NEON_TARGET inline float half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

inline uint32_t u32At(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

LAMP_NEON_TARGET inline int8x16_t loadS8(const void* p) {
    return vld1q_s8(static_cast<const int8_t*>(p));
}
LAMP_NEON_TARGET inline uint8x16_t loadU8(const void* p) {
    return vld1q_u8(static_cast<const uint8_t*>(p));
}
LAMP_NEON_TARGET inline int8x16_t asS8(uint8x16_t v) { return vreinterpretq_s8_u8(v); }

// 16 bytes of packed nibbles -> codes of values 0-15 (low nibbles) and 16-31 (high nibbles).
struct Nibbles {
    uint8x16_t lo, hi;
};
LAMP_NEON_TARGET inline Nibbles splitNibbles(const uint8_t* qs) {
    const uint8x16_t q = loadU8(qs);
    return {vandq_u8(q, vdupq_n_u8(15)), vshrq_n_u8(q, 4)};
}

// The 32 fifth bits of Q5_0/Q5_1 (bit v of the little-endian word = value v) -> 0x10 in byte v
// where set: byte v of the table picks byte v / 8 of the word, then tests bit v % 8.
struct FifthBits {
    uint8x16_t lo, hi;  // values 0-15, 16-31
};
LAMP_NEON_TARGET inline FifthBits fifthBits(const uint8_t* qh) {
    const uint8x8_t word = vcreate_u8(u32At(qh));
    static const uint8_t pickLo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint8_t pickHi[16] = {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
    static const uint8_t bit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t table = vcombine_u8(word, word);
    const uint8x16_t bits = vld1q_u8(bit);
    const uint8x16_t lo = vtstq_u8(vqtbl1q_u8(table, vld1q_u8(pickLo)), bits);
    const uint8x16_t hi = vtstq_u8(vqtbl1q_u8(table, vld1q_u8(pickHi)), bits);
    return {vandq_u8(lo, vdupq_n_u8(16)), vandq_u8(hi, vdupq_n_u8(16))};
}

// ---- 32-value formats x BlockQ8A ------------------------------------------------------------
// Each returns the block's integer dot product as 4 lanes (codes made signed where the format has
// an offset) and adds any minimum term to `minAcc` (weight min * activation sum).

struct Q4_0 {
    static constexpr size_t kBytes = sizeof(BlockQ4_0);
    LAMP_NEON_TARGET static int32x4_t dot(const uint8_t* blk, const BlockQ8A& x, float&) {
        const Nibbles n = splitNibbles(blk + offsetof(BlockQ4_0, qs));
        const int8x16_t eight = vdupq_n_s8(8);
        const int32x4_t s = dot4(vdupq_n_s32(0), vsubq_s8(asS8(n.lo), eight), loadS8(x.qs));
        return dot4(s, vsubq_s8(asS8(n.hi), eight), loadS8(x.qs + 16));
    }
};

struct Q4_1 {
    static constexpr size_t kBytes = sizeof(BlockQ4_1);
    LAMP_NEON_TARGET static int32x4_t dot(const uint8_t* blk, const BlockQ8A& x, float& minAcc) {
        const Nibbles n = splitNibbles(blk + offsetof(BlockQ4_1, qs));
        minAcc += half(blk + 2) * x.d * static_cast<float>(x.sum);
        const int32x4_t s = dot4(vdupq_n_s32(0), asS8(n.lo), loadS8(x.qs));
        return dot4(s, asS8(n.hi), loadS8(x.qs + 16));
    }
};

struct Q5_0 {
    static constexpr size_t kBytes = sizeof(BlockQ5_0);
    LAMP_NEON_TARGET static int32x4_t dot(const uint8_t* blk, const BlockQ8A& x, float&) {
        const Nibbles n = splitNibbles(blk + offsetof(BlockQ5_0, qs));
        const FifthBits h = fifthBits(blk + offsetof(BlockQ5_0, qh));
        const int8x16_t sixteen = vdupq_n_s8(16);
        const int8x16_t lo = vsubq_s8(asS8(vorrq_u8(n.lo, h.lo)), sixteen);
        const int8x16_t hi = vsubq_s8(asS8(vorrq_u8(n.hi, h.hi)), sixteen);
        return dot4(dot4(vdupq_n_s32(0), lo, loadS8(x.qs)), hi, loadS8(x.qs + 16));
    }
};

struct Q5_1 {
    static constexpr size_t kBytes = sizeof(BlockQ5_1);
    LAMP_NEON_TARGET static int32x4_t dot(const uint8_t* blk, const BlockQ8A& x, float& minAcc) {
        const Nibbles n = splitNibbles(blk + offsetof(BlockQ5_1, qs));
        const FifthBits h = fifthBits(blk + offsetof(BlockQ5_1, qh));
        minAcc += half(blk + 2) * x.d * static_cast<float>(x.sum);
        const int32x4_t s = dot4(vdupq_n_s32(0), asS8(vorrq_u8(n.lo, h.lo)), loadS8(x.qs));
        return dot4(s, asS8(vorrq_u8(n.hi, h.hi)), loadS8(x.qs + 16));
    }
};

struct Q8_0 {
    static constexpr size_t kBytes = sizeof(BlockQ8_0);
    LAMP_NEON_TARGET static int32x4_t dot(const uint8_t* blk, const BlockQ8A& x, float&) {
        const uint8_t* q = blk + offsetof(BlockQ8_0, qs);
        const int32x4_t s = dot4(vdupq_n_s32(0), loadS8(q), loadS8(x.qs));
        return dot4(s, loadS8(q + 16), loadS8(x.qs + 16));
    }
};

// Two blocks per step into two accumulators, so consecutive blocks' work overlaps. The weight
// scale d is the block's first field (fp16) in every 32-value format.
template <typename F>
LAMP_NEON_TARGET float dot32Blocks(const std::byte* wb, const BlockQ8A* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    float minAcc = 0.0f;
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        const uint8_t* b0 = w + b * F::kBytes;
        const uint8_t* b1 = b0 + F::kBytes;
        const int32x4_t s0 = F::dot(b0, x[b], minAcc);
        const int32x4_t s1 = F::dot(b1, x[b + 1], minAcc);
        acc0 = vmlaq_n_f32(acc0, vcvtq_f32_s32(s0), half(b0) * x[b].d);
        acc1 = vmlaq_n_f32(acc1, vcvtq_f32_s32(s1), half(b1) * x[b + 1].d);
    }
    if (b < nb) {
        const uint8_t* b0 = w + b * F::kBytes;
        acc0 = vmlaq_n_f32(acc0, vcvtq_f32_s32(F::dot(b0, x[b], minAcc)), half(b0) * x[b].d);
    }
    return vaddvq_f32(vaddq_f32(acc0, acc1)) + minAcc;
}

// ---- K-quants x BlockQ8_K -----------------------------------------------------------------

// Σ over 16 groups of (weight group factor) * (activation group sum), exactly in int32.
LAMP_NEON_TARGET inline int32_t groupSums16(int16x8_t f0, int16x8_t f1, const int16_t* bsums) {
    const int16x8_t s0 = vld1q_s16(bsums), s1 = vld1q_s16(bsums + 8);
    int32x4_t acc = vmull_s16(vget_low_s16(f0), vget_low_s16(s0));
    acc = vmlal_high_s16(acc, f0, s0);
    acc = vmlal_s16(acc, vget_low_s16(f1), vget_low_s16(s1));
    acc = vmlal_high_s16(acc, f1, s1);
    return vaddvq_s32(acc);
}

// Q2_K: value = d sc q - dmin mn, q in 0..3 unsigned (codes stay unsigned; the mins carry the
// offset). Value 128c + 32j + 16h + l is bits 2j of qs[32c + 16h + l]; group g = 8c + 2j + h.
LAMP_NEON_TARGET float dotQ2_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ2_K);
        const BlockQ8_K& xb = x[b];
        const uint8x16_t packed = loadU8(blk + offsetof(BlockQ2_K, scales));
        uint8_t sc[16];
        vst1q_u8(sc, vandq_u8(packed, vdupq_n_u8(15)));
        const uint8x16_t mins = vshrq_n_u8(packed, 4);
        const int32_t minSum =
            groupSums16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(mins))),
                        vreinterpretq_s16_u16(vmovl_high_u8(mins)), xb.bsums);
        const uint8_t* qs = blk + offsetof(BlockQ2_K, qs);
        int32x4_t s = vdupq_n_s32(0);
        for (int c = 0; c < 2; ++c) {
            const uint8x16_t q0 = loadU8(qs + 32 * c), q1 = loadU8(qs + 32 * c + 16);
            const int8_t* xq = xb.qs + 128 * c;
            // Shifts by a constant: four explicit steps.
            const uint8x16_t three = vdupq_n_u8(3);
            const int8x16_t u[8] = {
                asS8(vandq_u8(q0, three)),                 asS8(vandq_u8(q1, three)),
                asS8(vandq_u8(vshrq_n_u8(q0, 2), three)),  asS8(vandq_u8(vshrq_n_u8(q1, 2), three)),
                asS8(vandq_u8(vshrq_n_u8(q0, 4), three)),  asS8(vandq_u8(vshrq_n_u8(q1, 4), three)),
                asS8(vshrq_n_u8(q0, 6)),                   asS8(vshrq_n_u8(q1, 6))};
            for (int k = 0; k < 8; ++k) {
                const int32x4_t p = dot4(vdupq_n_s32(0), u[k], loadS8(xq + 16 * k));
                s = vmlaq_n_s32(s, p, sc[8 * c + k]);
            }
        }
        acc += xb.d * (half(blk + offsetof(BlockQ2_K, d)) * static_cast<float>(vaddvq_s32(s)) -
                       half(blk + offsetof(BlockQ2_K, dmin)) * static_cast<float>(minSum));
    }
    return acc;
}

// Q3_K: value = d (sc - 32) (q - 4 [high bit clear]), arranged as Q2_K; the high bit of value v is
// bit v / 32 of hmask[v % 32]. Codes are made signed (-4..3) in the vector.
LAMP_NEON_TARGET float dotQ3_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ3_K);
        const BlockQ8_K& xb = x[b];
        const uint8_t* packedScales = blk + offsetof(BlockQ3_K, scales);
        int32_t sc[16];
        for (int g = 0; g < 16; ++g)
            sc[g] = unpackQ3KScale(packedScales, g) - 32;
        const uint8_t* qs = blk + offsetof(BlockQ3_K, qs);
        const uint8x16_t hm[2] = {loadU8(blk + offsetof(BlockQ3_K, hmask)),
                                  loadU8(blk + offsetof(BlockQ3_K, hmask) + 16)};
        const uint8x16_t three = vdupq_n_u8(3), four = vdupq_n_u8(4);
        int32x4_t s = vdupq_n_s32(0);
        for (int c = 0; c < 2; ++c) {
            const uint8x16_t q[2] = {loadU8(qs + 32 * c), loadU8(qs + 32 * c + 16)};
            const uint8x16_t low[8] = {
                vandq_u8(q[0], three),                vandq_u8(q[1], three),
                vandq_u8(vshrq_n_u8(q[0], 2), three), vandq_u8(vshrq_n_u8(q[1], 2), three),
                vandq_u8(vshrq_n_u8(q[0], 4), three), vandq_u8(vshrq_n_u8(q[1], 4), three),
                vshrq_n_u8(q[0], 6),                  vshrq_n_u8(q[1], 6)};
            for (int k = 0; k < 8; ++k) {
                const int j = k / 2, h = k % 2;
                const uint8x16_t bit = vdupq_n_u8(static_cast<uint8_t>(1u << (4 * c + j)));
                const uint8x16_t high = vandq_u8(vtstq_u8(hm[h], bit), four);
                const int8x16_t code = vsubq_s8(asS8(vorrq_u8(low[k], high)), vdupq_n_s8(4));
                const int32x4_t p = dot4(vdupq_n_s32(0), code, loadS8(xb.qs + 128 * c + 16 * k));
                s = vmlaq_n_s32(s, p, sc[8 * c + k]);
            }
        }
        acc += xb.d * half(blk + offsetof(BlockQ3_K, d)) * static_cast<float>(vaddvq_s32(s));
    }
    return acc;
}

// Q4_K / Q5_K: 8 groups of 32, value = d sc q - dmin mn. Value 64c + 32h + l is nibble h of
// qs[32c + l] (group 2c + h); Q5_K's fifth bit of value v is bit v / 32 of qh[v % 32].
// The 12 packed bytes hold 6-bit scales and mins (unpackScaleMinK4), unpacked here four at a time
// in 32-bit words.
struct ScalesMinsK4 {
    uint8_t scale[8];
    uint8_t min[8];
};
inline ScalesMinsK4 unpackScalesMinsK4(const uint8_t* p) {
    const uint32_t a = u32At(p), b = u32At(p + 4), c = u32At(p + 8);
    const uint32_t words[4] = {a & 0x3f3f3f3fu,                                  // scales 0-3
                               (c & 0x0f0f0f0fu) | ((a >> 2) & 0x30303030u),        // scales 4-7
                               b & 0x3f3f3f3fu,                                  // mins 0-3
                               ((c >> 4) & 0x0f0f0f0fu) | ((b >> 2) & 0x30303030u)};  // mins 4-7
    ScalesMinsK4 out;
    std::memcpy(out.scale, words, 8);
    std::memcpy(out.min, words + 2, 8);
    return out;
}

template <bool kFifthBit, typename Block>
LAMP_NEON_TARGET float dotQ45_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(Block);
        const BlockQ8_K& xb = x[b];
        const ScalesMinsK4 sm = unpackScalesMinsK4(blk + offsetof(Block, scales));
        // Group g's min applies to activation groups 2g and 2g + 1 (16 values each).
        const uint8x8_t mins8 = vld1_u8(sm.min);
        const uint8x16_t mins16 = vcombine_u8(mins8, mins8);
        const uint8x16_t minsPerHalf = vzip1q_u8(mins16, mins16);
        const int32_t minSum =
            groupSums16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(minsPerHalf))),
                        vreinterpretq_s16_u16(vmovl_high_u8(minsPerHalf)), xb.bsums);
        const uint8_t* qs = blk + offsetof(Block, qs);
        uint8x16_t qh[2] = {vdupq_n_u8(0), vdupq_n_u8(0)};
        if constexpr (kFifthBit) {
            qh[0] = loadU8(blk + offsetof(BlockQ5_K, qh));
            qh[1] = loadU8(blk + offsetof(BlockQ5_K, qh) + 16);
        }
        int32x4_t s = vdupq_n_s32(0);
        for (int c = 0; c < 4; ++c) {
            const uint8x16_t q[2] = {loadU8(qs + 32 * c), loadU8(qs + 32 * c + 16)};
            const int8_t* xq = xb.qs + 64 * c;
            int32x4_t lo = vdupq_n_s32(0), hi = vdupq_n_s32(0);
            // Fifth bits of groups 2c (low nibbles) and 2c + 1 (high nibbles).
            const uint8x16_t bitLo = vdupq_n_u8(static_cast<uint8_t>(1u << (2 * c)));
            const uint8x16_t bitHi = vdupq_n_u8(static_cast<uint8_t>(2u << (2 * c)));
            const uint8x16_t sixteen = vdupq_n_u8(16);
            for (int half16 = 0; half16 < 2; ++half16) {
                uint8x16_t l = vandq_u8(q[half16], vdupq_n_u8(15));
                uint8x16_t h = vshrq_n_u8(q[half16], 4);
                if constexpr (kFifthBit) {
                    l = vorrq_u8(l, vandq_u8(vtstq_u8(qh[half16], bitLo), sixteen));
                    h = vorrq_u8(h, vandq_u8(vtstq_u8(qh[half16], bitHi), sixteen));
                }
                lo = dot4(lo, asS8(l), loadS8(xq + 16 * half16));
                hi = dot4(hi, asS8(h), loadS8(xq + 32 + 16 * half16));
            }
            s = vmlaq_n_s32(s, lo, sm.scale[2 * c]);
            s = vmlaq_n_s32(s, hi, sm.scale[2 * c + 1]);
        }
        acc += xb.d * (half(blk + offsetof(Block, d)) * static_cast<float>(vaddvq_s32(s)) -
                       half(blk + offsetof(Block, dmin)) * static_cast<float>(minSum));
    }
    return acc;
}

// Q6_K: value = d sc (q - 32), 16 groups of 16. Value 128c + 32k + l: low nibble (k < 2) or high
// nibble of ql[64c + 32(k % 2) + l], high two bits 2k of qh[32c + l]. Codes made signed in the
// vector.
LAMP_NEON_TARGET float dotQ6_K(const std::byte* wb, const BlockQ8_K* x, int64_t nb) {
    const auto* w = reinterpret_cast<const uint8_t*>(wb);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = w + b * sizeof(BlockQ6_K);
        const BlockQ8_K& xb = x[b];
        const uint8_t* ql = blk + offsetof(BlockQ6_K, ql);
        const uint8_t* qhp = blk + offsetof(BlockQ6_K, qh);
        const auto* scales = reinterpret_cast<const int8_t*>(blk + offsetof(BlockQ6_K, scales));
        const uint8x16_t mask4 = vdupq_n_u8(15), mask2 = vdupq_n_u8(0x30);
        const int8x16_t thirtyTwo = vdupq_n_s8(32);
        int32x4_t s = vdupq_n_s32(0);
        for (int c = 0; c < 2; ++c) {
            for (int l16 = 0; l16 < 2; ++l16) {  // l in 16 l16 .. 16 l16 + 15
                const uint8x16_t l0 = loadU8(ql + 64 * c + 16 * l16);       // k = 0 (low), 2 (high)
                const uint8x16_t l1 = loadU8(ql + 64 * c + 32 + 16 * l16);  // k = 1 (low), 3 (high)
                const uint8x16_t h = loadU8(qhp + 32 * c + 16 * l16);
                const uint8x16_t codes[4] = {
                    vorrq_u8(vandq_u8(l0, mask4), vandq_u8(vshlq_n_u8(h, 4), mask2)),
                    vorrq_u8(vandq_u8(l1, mask4), vandq_u8(vshlq_n_u8(h, 2), mask2)),
                    vorrq_u8(vshrq_n_u8(l0, 4), vandq_u8(h, mask2)),
                    vorrq_u8(vshrq_n_u8(l1, 4), vandq_u8(vshrq_n_u8(h, 2), mask2))};
                for (int k = 0; k < 4; ++k) {
                    const int v0 = 128 * c + 32 * k + 16 * l16;  // first value, group v0 / 16
                    const int32x4_t p = dot4(vdupq_n_s32(0), vsubq_s8(asS8(codes[k]), thirtyTwo),
                                             loadS8(xb.qs + v0));
                    s = vmlaq_n_s32(s, p, scales[v0 / 16]);
                }
            }
        }
        acc += xb.d * half(blk + offsetof(BlockQ6_K, d)) * static_cast<float>(vaddvq_s32(s));
    }
    return acc;
}

// ---- float formats ------------------------------------------------------------------------
// 16 values per step into four accumulators; weights are only 2-byte aligned (as in the file), so
// they are loaded as bytes.

LAMP_NEON_TARGET inline float32x4_t loadF32(const std::byte* p) {
    return vreinterpretq_f32_u8(vld1q_u8(reinterpret_cast<const uint8_t*>(p)));
}
LAMP_NEON_TARGET inline uint16x8_t loadU16x8(const std::byte* p) {
    return vreinterpretq_u16_u8(vld1q_u8(reinterpret_cast<const uint8_t*>(p)));
}

struct F32 {
    static constexpr int kBytes = 4;
    LAMP_NEON_TARGET static void load8(const std::byte* p, float32x4_t& a, float32x4_t& b) {
        a = loadF32(p);
        b = loadF32(p + 16);
    }
    static float one(const std::byte* p) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
    }
};
struct F16 {
    static constexpr int kBytes = 2;
    LAMP_NEON_TARGET static void load8(const std::byte* p, float32x4_t& a, float32x4_t& b) {
        const float16x8_t h = vreinterpretq_f16_u16(loadU16x8(p));
        a = vcvt_f32_f16(vget_low_f16(h));
        b = vcvt_high_f32_f16(h);
    }
    LAMP_NEON_TARGET static float one(const std::byte* p) {
        return half(reinterpret_cast<const uint8_t*>(p));
    }
};
struct BF16 {
    static constexpr int kBytes = 2;
    LAMP_NEON_TARGET static void load8(const std::byte* p, float32x4_t& a, float32x4_t& b) {
        const uint16x8_t h = loadU16x8(p);
        a = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
        b = vreinterpretq_f32_u32(vshll_high_n_u16(h, 16));
    }
    static float one(const std::byte* p) {
        uint16_t h;
        std::memcpy(&h, p, 2);
        return bf16ToFp32(h);
    }
};

template <typename F>
LAMP_NEON_TARGET float dotFloat(const std::byte* w, const float* x, int64_t n) {
    const float32x4_t zero = vdupq_n_f32(0.0f);
    float32x4_t acc[4] = {zero, zero, zero, zero};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t w0, w1, w2, w3;
        F::load8(w + F::kBytes * i, w0, w1);
        F::load8(w + F::kBytes * (i + 8), w2, w3);
        acc[0] = vfmaq_f32(acc[0], w0, vld1q_f32(x + i));
        acc[1] = vfmaq_f32(acc[1], w1, vld1q_f32(x + i + 4));
        acc[2] = vfmaq_f32(acc[2], w2, vld1q_f32(x + i + 8));
        acc[3] = vfmaq_f32(acc[3], w3, vld1q_f32(x + i + 12));
    }
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3])));
    for (; i < n; ++i)
        s += F::one(w + F::kBytes * i) * x[i];
    return s;
}

// ---- row loops ----------------------------------------------------------------------------

template <typename X, float (*dot)(const std::byte*, const X*, int64_t), int kBlock>
LAMP_NEON_TARGET void rows(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                           int64_t n, float* y) {
    const X* xs = static_cast<const X*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * static_cast<int64_t>(rowStride), xs, n / kBlock);
}

// ---- the int8 GEMM micro-kernel on PackedQ8 -------------------------------------------------
// Per 16 bytes (4 lanes of 4 values, one scale each): weight codes are made signed by flipping the
// top bit (u - 128; signed Q8_0 codes stay as they are) and the 128 * Σx that this takes away is
// the dot product's starting value, computed once per token and shared by all RM rows.
// An RM x TN tile of float accumulators (4 lanes each) stays in the 32 vector registers.

template <int RM, int TN>
LAMP_NEON_TARGET void gemmTile(const PackedQ8& w, int64_t r0, const PackedQ8& x, int64_t t0,
                               float* y, int64_t ldy) {
    float32x4_t acc[RM][TN];
    LAMP_UNROLL
    for (int r = 0; r < RM; ++r)
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t)
            acc[r][t] = vdupq_n_f32(0.0f);
    const uint8x16_t flip = vdupq_n_u8(w.signedCodes ? 0 : 0x80);
    const int8x16_t ones = vdupq_n_s8(1);
    const int chunks = static_cast<int>(4 * w.pairs);  // 16-byte chunks per row
    for (int k = 0; k < chunks; ++k) {
        int8x16_t wv[RM];
        float32x4_t ws[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r) {
            wv[r] = asS8(veorq_u8(vld1q_u8(w.codeRow(r0 + r) + 16 * k), flip));
            ws[r] = vld1q_f32(w.scaleRow(r0 + r) + 4 * k);
        }
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            const int8x16_t xv = loadS8(x.codeRow(t0 + t) + 16 * k);
            const float32x4_t xs = vld1q_f32(x.scaleRow(t0 + t) + 4 * k);
            const int32x4_t bias =
                w.signedCodes ? vdupq_n_s32(0) : vshlq_n_s32(dot4(vdupq_n_s32(0), xv, ones), 7);
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r) {
                const int32x4_t d = dot4(bias, wv[r], xv);
                acc[r][t] = vfmaq_f32(acc[r][t], vcvtq_f32_s32(d), vmulq_f32(ws[r], xs));
            }
        }
    }
    // Offsets: Σ_halves weight offset * (d Σ activation codes).
    for (int64_t h = 0; h < w.halves; h += 4) {
        float32x4_t wo[RM];
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            wo[r] = vld1q_f32(w.offsetRow(r0 + r) + h);
        LAMP_UNROLL
        for (int t = 0; t < TN; ++t) {
            const float32x4_t xo = vld1q_f32(x.offsetRow(t0 + t) + h);
            LAMP_UNROLL
            for (int r = 0; r < RM; ++r)
                acc[r][t] = vfmaq_f32(acc[r][t], wo[r], xo);
        }
    }
    LAMP_UNROLL
    for (int t = 0; t < TN; ++t)
        LAMP_UNROLL
        for (int r = 0; r < RM; ++r)
            y[(t0 + t) * ldy + r0 + r] = vaddvq_f32(acc[r][t]);
}

// Edge tiles (fewer rows or tokens) run the smaller instantiations.
template <int RM, int TN>
LAMP_NEON_TARGET void gemmEdge(int rm, int tn, const PackedQ8& w, int64_t r0, const PackedQ8& x,
                               int64_t t0, float* y, int64_t ldy) {
    if constexpr (RM > 1) {
        if (rm < RM)
            return gemmEdge<RM - 1, TN>(rm, tn, w, r0, x, t0, y, ldy);
    }
    if constexpr (TN > 1) {
        if (tn < TN)
            return gemmEdge<RM, TN - 1>(rm, tn, w, r0, x, t0, y, ldy);
    }
    gemmTile<RM, TN>(w, r0, x, t0, y, ldy);
}

LAMP_NEON_TARGET void gemmQ8(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy) {
    constexpr int RM = 4, TN = 4;
    for (int64_t t0 = 0; t0 < x.rows; t0 += TN) {
        const int tn = static_cast<int>(std::min<int64_t>(TN, x.rows - t0));
        for (int64_t r0 = 0; r0 < w.rows; r0 += RM) {
            const int rm = static_cast<int>(std::min<int64_t>(RM, w.rows - r0));
            gemmEdge<RM, TN>(rm, tn, w, r0, x, t0, y, ldy);
        }
    }
}

} // namespace

VecDotFn LAMP_NEON_VECDOT(TensorType type) {
    switch (type) {
    case TensorType::F32: return rows<float, dotFloat<F32>, 1>;
    case TensorType::F16: return rows<float, dotFloat<F16>, 1>;
    case TensorType::BF16: return rows<float, dotFloat<BF16>, 1>;
    case TensorType::Q4_0: return rows<BlockQ8A, dot32Blocks<Q4_0>, 32>;
    case TensorType::Q4_1: return rows<BlockQ8A, dot32Blocks<Q4_1>, 32>;
    case TensorType::Q5_0: return rows<BlockQ8A, dot32Blocks<Q5_0>, 32>;
    case TensorType::Q5_1: return rows<BlockQ8A, dot32Blocks<Q5_1>, 32>;
    case TensorType::Q8_0: return rows<BlockQ8A, dot32Blocks<Q8_0>, 32>;
    case TensorType::Q2_K: return rows<BlockQ8_K, dotQ2_K, 256>;
    case TensorType::Q3_K: return rows<BlockQ8_K, dotQ3_K, 256>;
    case TensorType::Q4_K: return rows<BlockQ8_K, dotQ45_K<false, BlockQ4_K>, 256>;
    case TensorType::Q5_K: return rows<BlockQ8_K, dotQ45_K<true, BlockQ5_K>, 256>;
    case TensorType::Q6_K: return rows<BlockQ8_K, dotQ6_K, 256>;
    default: return nullptr;
    }
}

GemmQ8Fn LAMP_NEON_GEMM() { return gemmQ8; }
