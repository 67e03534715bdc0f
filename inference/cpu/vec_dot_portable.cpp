// Plain C++ vec-dot kernels for every weight format: integer dot products on the weight blocks with
// 8-bit activation blocks, one float multiply per block (per group for K-quants). These define what
// the SIMD kernels compute and serve CPUs without them.
#include "cpu/kernels.h"

#include "quant/half.h"

#include <cstring>

namespace lamp::cpu::detail {
namespace {

template <typename Block>
inline Block loadBlock(const std::byte* p) {
    Block b;
    std::memcpy(&b, p, sizeof(Block));
    return b;
}

inline float h2f(uint16_t h) { return fp16ToFp32(h); }

inline uint32_t loadU32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;  // little-endian hosts only (as GGUF)
}

// ---- 32-value formats x BlockQ8A ------------------------------------------------------------

// Σ q·x over a block whose 32 unsigned codes are low nibbles (values 0-15) and high nibbles
// (values 16-31) of qs, plus an optional fifth bit from qh.
inline int dotNibbles(const uint8_t* qs, uint32_t qh, bool fifthBit, const int8_t* x) {
    int s = 0;
    for (int i = 0; i < 16; ++i) {
        int lo = qs[i] & 15;
        int hi = qs[i] >> 4;
        if (fifthBit) {
            lo |= static_cast<int>((qh >> i) & 1u) << 4;
            hi |= static_cast<int>((qh >> (i + 16)) & 1u) << 4;
        }
        s += lo * x[i] + hi * x[i + 16];
    }
    return s;
}

float dotQ4_0(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ4_0>(w + b * sizeof(BlockQ4_0));
        const int s = dotNibbles(blk.qs, 0, false, x[b].qs) - 8 * x[b].sum;
        acc += h2f(blk.d) * x[b].d * static_cast<float>(s);
    }
    return acc;
}

float dotQ4_1(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ4_1>(w + b * sizeof(BlockQ4_1));
        const int s = dotNibbles(blk.qs, 0, false, x[b].qs);
        acc += h2f(blk.d) * x[b].d * static_cast<float>(s) +
               h2f(blk.m) * x[b].d * static_cast<float>(x[b].sum);
    }
    return acc;
}

float dotQ5_0(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ5_0>(w + b * sizeof(BlockQ5_0));
        const int s = dotNibbles(blk.qs, loadU32(blk.qh), true, x[b].qs) - 16 * x[b].sum;
        acc += h2f(blk.d) * x[b].d * static_cast<float>(s);
    }
    return acc;
}

float dotQ5_1(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ5_1>(w + b * sizeof(BlockQ5_1));
        const int s = dotNibbles(blk.qs, loadU32(blk.qh), true, x[b].qs);
        acc += h2f(blk.d) * x[b].d * static_cast<float>(s) +
               h2f(blk.m) * x[b].d * static_cast<float>(x[b].sum);
    }
    return acc;
}

float dotQ8_0(const std::byte* w, const BlockQ8A* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ8_0>(w + b * sizeof(BlockQ8_0));
        int s = 0;
        for (int i = 0; i < 32; ++i)
            s += blk.qs[i] * x[b].qs[i];
        acc += h2f(blk.d) * x[b].d * static_cast<float>(s);
    }
    return acc;
}

// ---- K-quants x BlockQ8_K -----------------------------------------------------------------

float dotQ2_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ2_K>(w + b * sizeof(BlockQ2_K));
        const int8_t* q8 = x[b].qs;
        int sumScaled = 0, sumMins = 0;
        for (int g = 0; g < 16; ++g)
            sumMins += (blk.scales[g] >> 4) * x[b].bsums[g];
        // Value v = 128c + 32j + 16h + l: bits 2j of qs[32c + 16h + l]; group (v / 16) = 8c + 2j + h.
        for (int c = 0; c < 2; ++c)
            for (int j = 0; j < 4; ++j)
                for (int h = 0; h < 2; ++h) {
                    const int group = 8 * c + 2 * j + h;
                    const uint8_t* qs = blk.qs + 32 * c + 16 * h;
                    const int8_t* xs = q8 + 128 * c + 32 * j + 16 * h;
                    int s = 0;
                    for (int l = 0; l < 16; ++l)
                        s += ((qs[l] >> (2 * j)) & 3) * xs[l];
                    sumScaled += (blk.scales[group] & 15) * s;
                }
        acc += x[b].d * (h2f(blk.d) * static_cast<float>(sumScaled) -
                         h2f(blk.dmin) * static_cast<float>(sumMins));
    }
    return acc;
}

float dotQ3_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ3_K>(w + b * sizeof(BlockQ3_K));
        const int8_t* q8 = x[b].qs;
        int total = 0;
        for (int c = 0; c < 2; ++c)
            for (int j = 0; j < 4; ++j)
                for (int h = 0; h < 2; ++h) {
                    const int group = 8 * c + 2 * j + h;
                    const int vBase = 128 * c + 32 * j + 16 * h;
                    const uint8_t* qs = blk.qs + 32 * c + 16 * h;
                    int s = 0;
                    for (int l = 0; l < 16; ++l) {
                        const int v = vBase + l;
                        const int low = (qs[l] >> (2 * j)) & 3;
                        const int high = (blk.hmask[v % 32] >> (v / 32)) & 1;
                        s += (low - (high ? 0 : 4)) * q8[v];
                    }
                    total += (unpackQ3KScale(blk.scales, group) - 32) * s;
                }
        acc += x[b].d * h2f(blk.d) * static_cast<float>(total);
    }
    return acc;
}

template <bool kFifthBit, typename Block>
float dotQ45_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<Block>(w + b * sizeof(Block));
        const int8_t* q8 = x[b].qs;
        int sumScaled = 0, sumMins = 0;
        for (int g = 0; g < 8; ++g) {
            const ScaleMin sm = unpackScaleMinK4(blk.scales, g);
            const uint8_t* qs = blk.qs + 32 * (g / 2);
            const int shift = 4 * (g % 2);
            int s = 0;
            for (int l = 0; l < 32; ++l) {
                int q = (qs[l] >> shift) & 15;
                if constexpr (kFifthBit)
                    q |= ((blk.qh[l] >> g) & 1) << 4;
                s += q * q8[32 * g + l];
            }
            sumScaled += sm.scale * s;
            sumMins += sm.min * (x[b].bsums[2 * g] + x[b].bsums[2 * g + 1]);
        }
        acc += x[b].d * (h2f(blk.d) * static_cast<float>(sumScaled) -
                         h2f(blk.dmin) * static_cast<float>(sumMins));
    }
    return acc;
}

float dotQ6_K(const std::byte* w, const BlockQ8_K* x, int64_t nb) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ6_K>(w + b * sizeof(BlockQ6_K));
        const int8_t* q8 = x[b].qs;
        int total = 0;
        for (int c = 0; c < 2; ++c)
            for (int k = 0; k < 4; ++k) {
                int s[2] = {0, 0};
                for (int l = 0; l < 32; ++l) {
                    const uint8_t lowByte = blk.ql[64 * c + 32 * (k % 2) + l];
                    const int low = k < 2 ? (lowByte & 15) : (lowByte >> 4);
                    const int high = (blk.qh[32 * c + l] >> (2 * k)) & 3;
                    s[l / 16] += ((low | (high << 4)) - 32) * q8[128 * c + 32 * k + l];
                }
                const int group = 8 * c + 2 * k;
                total += blk.scales[group] * s[0] + blk.scales[group + 1] * s[1];
            }
        acc += x[b].d * h2f(blk.d) * static_cast<float>(total);
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

inline float fromFp16(uint16_t h) { return fp16ToFp32(h); }
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
    case TensorType::Q4_0: return rows<BlockQ8A, dotQ4_0, 32>;
    case TensorType::Q4_1: return rows<BlockQ8A, dotQ4_1, 32>;
    case TensorType::Q5_0: return rows<BlockQ8A, dotQ5_0, 32>;
    case TensorType::Q5_1: return rows<BlockQ8A, dotQ5_1, 32>;
    case TensorType::Q8_0: return rows<BlockQ8A, dotQ8_0, 32>;
    case TensorType::Q2_K: return rows<BlockQ8_K, dotQ2_K, 256>;
    case TensorType::Q3_K: return rows<BlockQ8_K, dotQ3_K, 256>;
    case TensorType::Q4_K: return rows<BlockQ8_K, dotQ45_K<false, BlockQ4_K>, 256>;
    case TensorType::Q5_K: return rows<BlockQ8_K, dotQ45_K<true, BlockQ5_K>, 256>;
    case TensorType::Q6_K: return rows<BlockQ8_K, dotQ6_K, 256>;
    default: return nullptr;
    }
}

ActFormat actFormat(TensorType type) {
    switch (type) {
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1:
    case TensorType::Q8_0: return ActFormat::Q8A;
    case TensorType::Q2_K:
    case TensorType::Q3_K:
    case TensorType::Q4_K:
    case TensorType::Q5_K:
    case TensorType::Q6_K: return ActFormat::Q8K;
    default: return ActFormat::Float;
    }
}

VecDotFn vecDotKernel(TensorType type, Isa isa) {
    VecDotFn fn = nullptr;
#if defined(__x86_64__) || defined(__i386__)
    if (isa == Isa::Avx512)
        fn = vecDotAvx512(type);
    if (!fn && isa != Isa::Portable)
        fn = vecDotAvx2(type);
    if (!fn && isa != Isa::Portable)
        fn = vecDotAvx2K(type);
#else
    (void)isa;
#endif
    return fn ? fn : vecDotPortable(type);
}

} // namespace lamp::cpu::detail
