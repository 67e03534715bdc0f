// Plain C++ vec-dot kernels for every weight format: integer dot products on the weight blocks with
// 8-bit activation blocks, one float multiply per block (per group for K-quants). These define what
// the SIMD kernels compute and serve CPUs without them.
#include "cpu/kernels.h"

#include "quant/half.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace lamp::cpu::detail {
namespace {

// Fields are read in place from the block's bytes (copying a block into a local struct first makes
// the following vector loads straddle the copy's stores, which stalls store-to-load forwarding).
inline const uint8_t* bytesOf(const std::byte* p) { return reinterpret_cast<const uint8_t*>(p); }

inline uint16_t u16At(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

inline float halfAt(const uint8_t* p) { return fp16ToFp32(u16At(p)); }

// The kernels first unpack a block's codes into plain bytes, then take fixed-length dot products
// (dot16, dot32): simple loops that compilers vectorize for whatever the target has (SSE2, NEON).

inline int dot16(const uint8_t* u, const int8_t* x) {
    int s = 0;
    for (int i = 0; i < 16; ++i)
        s += static_cast<int>(u[i]) * static_cast<int>(x[i]);
    return s;
}

inline int dot32(const uint8_t* u, const int8_t* x) { return dot16(u, x) + dot16(u + 16, x + 16); }

inline int dot32s(const int8_t* w, const int8_t* x) {
    int s = 0;
    for (int i = 0; i < 32; ++i)
        s += static_cast<int>(w[i]) * static_cast<int>(x[i]);
    return s;
}

// Low nibbles are values 0-15, high nibbles 16-31.
inline void unpackNibbles(const uint8_t* qs, uint8_t* u) {
    for (int i = 0; i < 16; ++i) {
        u[i] = static_cast<uint8_t>(qs[i] & 15);
        u[i + 16] = static_cast<uint8_t>(qs[i] >> 4);
    }
}

// Adds the fifth bit (bit v of qh) as 16 to value v, eight values at a time: the byte of bits is
// copied into all 8 bytes of a word, byte k keeps bit k, adding 0x7f carries a set bit into bit 7
// of its byte (never into the next byte), and bit 7 is moved down to bit 4.
inline void addFifthBits(const uint8_t* qh, uint8_t* u) {
    for (int j = 0; j < 4; ++j) {
        uint64_t spread = (qh[j] * 0x0101010101010101ull) & 0x8040201008040201ull;
        spread = ((spread + 0x7f7f7f7f7f7f7f7full) >> 3) & 0x1010101010101010ull;
        uint64_t v;
        std::memcpy(&v, u + 8 * j, 8);
        v |= spread;
        std::memcpy(u + 8 * j, &v, 8);
    }
}

// ---- 32-value formats x BlockQ8A ------------------------------------------------------------
// Eight blocks are unpacked before any is multiplied: reading unpacked bytes right after writing
// them (with differently sized accesses) would stall on store-to-load forwarding every block.

void unpackQ4_0(const uint8_t* blk, uint8_t* u) { unpackNibbles(blk + offsetof(BlockQ4_0, qs), u); }
void unpackQ4_1(const uint8_t* blk, uint8_t* u) { unpackNibbles(blk + offsetof(BlockQ4_1, qs), u); }
void unpackQ5_0(const uint8_t* blk, uint8_t* u) {
    unpackNibbles(blk + offsetof(BlockQ5_0, qs), u);
    addFifthBits(blk + offsetof(BlockQ5_0, qh), u);
}
void unpackQ5_1(const uint8_t* blk, uint8_t* u) {
    unpackNibbles(blk + offsetof(BlockQ5_1, qs), u);
    addFifthBits(blk + offsetof(BlockQ5_1, qh), u);
}

// A block's contribution from its integer dot product s = Σ u x.
template <int kOffset>
float finishOffset(const uint8_t* blk, int s, const BlockQ8A& x) {
    return halfAt(blk) * x.d * static_cast<float>(s - kOffset * x.sum);  // d (u - offset)
}
float finishMin(const uint8_t* blk, int s, const BlockQ8A& x) {
    return x.d * (halfAt(blk) * static_cast<float>(s) + halfAt(blk + 2) * static_cast<float>(x.sum));
}

template <size_t kBytes, void (*unpack)(const uint8_t*, uint8_t*),
          float (*finish)(const uint8_t*, int, const BlockQ8A&)>
float dot32Blocks(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    uint8_t u[8][32];
    for (int64_t b0 = 0; b0 < nb; b0 += 8) {
        const int n = static_cast<int>(std::min<int64_t>(8, nb - b0));
        const uint8_t* blk = bytesOf(w + b0 * static_cast<int64_t>(kBytes));
        for (int k = 0; k < n; ++k)
            unpack(blk + k * kBytes, u[k]);
        for (int k = 0; k < n; ++k)
            acc += finish(blk + k * kBytes, dot32(u[k], x[b0 + k].qs), x[b0 + k]);
    }
    return acc;
}

float dotQ8_0(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = bytesOf(w + b * sizeof(BlockQ8_0));
        const auto* q = reinterpret_cast<const int8_t*>(blk + offsetof(BlockQ8_0, qs));
        acc += halfAt(blk) * x[b].d * static_cast<float>(dot32s(q, x[b].qs));
    }
    return acc;
}

// ---- K-quants x BlockQ8_K -----------------------------------------------------------------
// Each unpacks the super-block's 256 codes in value order (unsigned; code offsets are applied
// through the activation group sums, bsums), then sums per group.

float dotQ2_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    uint8_t u[256];
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = bytesOf(w + b * sizeof(BlockQ2_K));
        const uint8_t* scales = blk + offsetof(BlockQ2_K, scales);
        const uint8_t* qs = blk + offsetof(BlockQ2_K, qs);
        // Value v = 128c + 32j + l (l < 32) is bits 2j of qs[32c + l].
        for (int c = 0; c < 2; ++c)
            for (int j = 0; j < 4; ++j)
                for (int l = 0; l < 32; ++l)
                    u[128 * c + 32 * j + l] = static_cast<uint8_t>((qs[32 * c + l] >> (2 * j)) & 3);
        int sumScaled = 0, sumMins = 0;
        for (int g = 0; g < 16; ++g) {
            sumScaled += (scales[g] & 15) * dot16(u + 16 * g, x[b].qs + 16 * g);
            sumMins += (scales[g] >> 4) * x[b].bsums[g];
        }
        acc += x[b].d * (halfAt(blk + offsetof(BlockQ2_K, d)) * static_cast<float>(sumScaled) -
                         halfAt(blk + offsetof(BlockQ2_K, dmin)) * static_cast<float>(sumMins));
    }
    return acc;
}

float dotQ3_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    uint8_t u[256];
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = bytesOf(w + b * sizeof(BlockQ3_K));
        const uint8_t* hmask = blk + offsetof(BlockQ3_K, hmask);
        const uint8_t* qs = blk + offsetof(BlockQ3_K, qs);
        // Value v = 128c + 32j + l: low bits 2j of qs[32c + l], high bit v / 32 of hmask[l].
        for (int c = 0; c < 2; ++c)
            for (int j = 0; j < 4; ++j)
                for (int l = 0; l < 32; ++l)
                    u[128 * c + 32 * j + l] = static_cast<uint8_t>(
                        ((qs[32 * c + l] >> (2 * j)) & 3) |
                        (((hmask[l] >> (4 * c + j)) & 1) << 2));  // code + 4, 0..7
        int total = 0;
        for (int g = 0; g < 16; ++g) {
            const int sc = unpackQ3KScale(blk + offsetof(BlockQ3_K, scales), g) - 32;
            total += sc * (dot16(u + 16 * g, x[b].qs + 16 * g) - 4 * x[b].bsums[g]);
        }
        acc += x[b].d * halfAt(blk + offsetof(BlockQ3_K, d)) * static_cast<float>(total);
    }
    return acc;
}

template <bool kFifthBit, typename Block>
float dotQ45_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    uint8_t u[256];
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = bytesOf(w + b * sizeof(Block));
        const uint8_t* qs = blk + offsetof(Block, qs);
        // Value v = 64c + 32h + l: nibble h of qs[32c + l]; fifth bit v / 32 of qh[l].
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                u[64 * c + l] = static_cast<uint8_t>(qs[32 * c + l] & 15);
                u[64 * c + 32 + l] = static_cast<uint8_t>(qs[32 * c + l] >> 4);
            }
        if constexpr (kFifthBit) {
            const uint8_t* qh = blk + offsetof(BlockQ5_K, qh);
            for (int g = 0; g < 8; ++g)
                for (int l = 0; l < 32; ++l)
                    u[32 * g + l] = static_cast<uint8_t>(u[32 * g + l] | (((qh[l] >> g) & 1) << 4));
        }
        int sumScaled = 0, sumMins = 0;
        for (int g = 0; g < 8; ++g) {
            const ScaleMin sm = unpackScaleMinK4(blk + offsetof(Block, scales), g);
            sumScaled += sm.scale * dot32(u + 32 * g, x[b].qs + 32 * g);
            sumMins += sm.min * (x[b].bsums[2 * g] + x[b].bsums[2 * g + 1]);
        }
        acc += x[b].d * (halfAt(blk + offsetof(Block, d)) * static_cast<float>(sumScaled) -
                         halfAt(blk + offsetof(Block, dmin)) * static_cast<float>(sumMins));
    }
    return acc;
}

float dotQ6_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    uint8_t u[256];
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = bytesOf(w + b * sizeof(BlockQ6_K));
        const uint8_t* ql = blk + offsetof(BlockQ6_K, ql);
        const uint8_t* qh = blk + offsetof(BlockQ6_K, qh);
        const auto* scales = reinterpret_cast<const int8_t*>(blk + offsetof(BlockQ6_K, scales));
        // Value v = 128c + 32k + l: low nibble (k < 2) or high nibble of ql[64c + 32(k%2) + l],
        // high bits 2k of qh[32c + l].
        for (int c = 0; c < 2; ++c)
            for (int k = 0; k < 4; ++k)
                for (int l = 0; l < 32; ++l) {
                    const uint8_t lowByte = ql[64 * c + 32 * (k % 2) + l];
                    const int low = k < 2 ? (lowByte & 15) : (lowByte >> 4);
                    const int high = (qh[32 * c + l] >> (2 * k)) & 3;
                    u[128 * c + 32 * k + l] = static_cast<uint8_t>(low | (high << 4));  // code + 32
                }
        int total = 0;
        for (int g = 0; g < 16; ++g)
            total += scales[g] * (dot16(u + 16 * g, x[b].qs + 16 * g) - 32 * x[b].bsums[g]);
        acc += x[b].d * halfAt(blk + offsetof(BlockQ6_K, d)) * static_cast<float>(total);
    }
    return acc;
}

// ---- float formats ------------------------------------------------------------------------

float dotF32(const std::byte* w, const float* x, int64_t n) {
    float acc[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float v[8];
        std::memcpy(v, w + 4 * i, sizeof v);
        for (int k = 0; k < 8; ++k)
            acc[k] += v[k] * x[i + k];
    }
    float s = 0.0f;
    for (; i < n; ++i) {
        float v;
        std::memcpy(&v, w + 4 * i, 4);
        s += v * x[i];
    }
    for (float a : acc)
        s += a;
    return s;
}

template <float (*convert)(uint16_t)>
float dotHalf(const std::byte* w, const float* x, int64_t n) {
    float acc[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint16_t v[8];
        std::memcpy(v, w + 2 * i, sizeof v);
        for (int k = 0; k < 8; ++k)
            acc[k] += convert(v[k]) * x[i + k];
    }
    float s = 0.0f;
    for (; i < n; ++i) {
        uint16_t v;
        std::memcpy(&v, w + 2 * i, 2);
        s += convert(v) * x[i];
    }
    for (float a : acc)
        s += a;
    return s;
}

inline float fromFp16(uint16_t h) { return fp16ToFp32Fast(h); }
inline float fromBf16(uint16_t h) { return bf16ToFp32(h); }

// ---- row loops ----------------------------------------------------------------------------

template <typename X, float (*dot)(const std::byte*, const X*, int64_t), int kBlock>
void rows(const std::byte* w, size_t rowStride, int64_t nRows, const void* x, int64_t n, float* y) {
    const X* xs = static_cast<const X*>(x);
    for (int64_t r = 0; r < nRows; ++r)
        y[r] = dot(w + r * rowStride, xs, n / kBlock);
}

} // namespace

VecDotFn vecDotPortable(TensorType type) {
    switch (type) {
    case TensorType::F32: return rows<float, dotF32, 1>;
    case TensorType::F16: return rows<float, dotHalf<fromFp16>, 1>;
    case TensorType::BF16: return rows<float, dotHalf<fromBf16>, 1>;
    case TensorType::Q4_0:
        return rows<BlockQ8A, dot32Blocks<sizeof(BlockQ4_0), unpackQ4_0, finishOffset<8>>, 32>;
    case TensorType::Q4_1:
        return rows<BlockQ8A, dot32Blocks<sizeof(BlockQ4_1), unpackQ4_1, finishMin>, 32>;
    case TensorType::Q5_0:
        return rows<BlockQ8A, dot32Blocks<sizeof(BlockQ5_0), unpackQ5_0, finishOffset<16>>, 32>;
    case TensorType::Q5_1:
        return rows<BlockQ8A, dot32Blocks<sizeof(BlockQ5_1), unpackQ5_1, finishMin>, 32>;
    case TensorType::Q8_0: return rows<BlockQ8A, dotQ8_0, 32>;
    case TensorType::Q2_K: return rows<BlockQ8_K, dotQ2_K, 256>;
    case TensorType::Q3_K: return rows<BlockQ8_K, dotQ3_K, 256>;
    case TensorType::Q4_K: return rows<BlockQ8_K, dotQ45_K<false, BlockQ4_K>, 256>;
    case TensorType::Q5_K: return rows<BlockQ8_K, dotQ45_K<true, BlockQ5_K>, 256>;
    case TensorType::Q6_K: return rows<BlockQ8_K, dotQ6_K, 256>;
    default: return nullptr;
    }
}

ActFormat actFormat(TensorType type, Isa isa) {
    switch (type) {
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1:
    case TensorType::Q8_0:
        return isa == Isa::Avx512 || isa == Isa::Avx512Vnni ? ActFormat::Q8A2 : ActFormat::Q8A;
    case TensorType::Q4_K:
    case TensorType::Q5_K:
        return isa == Isa::Avx512Vnni && vecDotAvx512K4(type) ? ActFormat::Q8KSwapped : ActFormat::Q8K;
    case TensorType::Q2_K:
    case TensorType::Q3_K:
    case TensorType::Q6_K: return ActFormat::Q8K;
    default: return ActFormat::Float;
    }
}

VecDotFn vecDotInterleavedKernel(TensorType type, Isa isa) {
    if (isa == Isa::Avx512Vnni)
        return vecDotInterleavedAvx512Vnni(type);
    if (isa == Isa::Avx512)
        return vecDotInterleavedAvx512(type);
    return nullptr;
}

VecDotFn vecDotKernel(TensorType type, Isa isa) {
    VecDotFn fn = nullptr;
#if defined(__x86_64__) || defined(__i386__)
    // The family's own kernels, then those of the family it extends.
    if (isa == Isa::Avx512Vnni)
        fn = vecDotAvx512Vnni(type);
    if (!fn && (isa == Isa::Avx512Vnni || isa == Isa::Avx512))
        fn = vecDotAvx512(type);
    if (isa == Isa::AvxVnni) {
        fn = vecDotAvxVnni(type);
        if (!fn)
            fn = vecDotAvxVnniK(type);
    }
    const bool x86Simd = isa == Isa::Avx2 || isa == Isa::AvxVnni || isa == Isa::Avx512 ||
                         isa == Isa::Avx512Vnni;
    if (!fn && x86Simd)
        fn = vecDotAvx2(type);
    if (!fn && x86Simd)
        fn = vecDotAvx2K(type);
#elif defined(__aarch64__)
    if (isa == Isa::NeonDot)
        fn = vecDotNeonDot(type);
    if (!fn && (isa == Isa::NeonDot || isa == Isa::Neon))
        fn = vecDotNeon(type);
#else
    (void)isa;
#endif
    return fn ? fn : vecDotPortable(type);
}

} // namespace lamp::cpu::detail
