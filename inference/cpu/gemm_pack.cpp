// Unpacking weight rows into the uniform GEMM layouts: PackedQ8 for the quantized formats (see
// kernels.h) and plain float rows for F32/F16/BF16. A tile is unpacked once and then multiplied
// with every token of the batch, so this is plain code.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include "core/error.h"
#include "quant/half.h"

#include <algorithm>
#include <cstring>
#include <string>


namespace lamp::cpu::detail {
namespace {

template <typename Block>
inline Block loadBlock(const std::byte* p) {
    Block b;
    std::memcpy(&b, p, sizeof(Block));
    return b;
}

inline float h2f(uint16_t h) { return fp16ToFp32(h); }

// Row r of a PackedQ8 being filled, addressed by 32-value block.
struct RowWriter {
    uint8_t* codes;
    float* scales;
    float* offsets;

    uint8_t* block(int64_t b) const { return codes + 32 * b; }
    // Scale and offset of values 0-15 (half 0) and 16-31 (half 1) of block b.
    void set(int64_t b, float s0, float s1, float o0, float o1) const {
        float* s = scales + 8 * b;
        s[0] = s[1] = s[2] = s[3] = s0;
        s[4] = s[5] = s[6] = s[7] = s1;
        offsets[2 * b] = o0;
        offsets[2 * b + 1] = o1;
    }
};

void nibbles(const uint8_t* qs, uint8_t* u) {
    for (int i = 0; i < 16; ++i) {
        u[i] = static_cast<uint8_t>(qs[i] & 15);
        u[i + 16] = static_cast<uint8_t>(qs[i] >> 4);
    }
}

void fifthBits(const uint8_t* qh, uint8_t* u) {
    uint32_t h;
    std::memcpy(&h, qh, 4);
    for (int i = 0; i < 32; ++i)
        u[i] = static_cast<uint8_t>(u[i] | (((h >> i) & 1u) << 4));
}

void packQ4_0(const std::byte* src, int64_t nb, const RowWriter& out) {
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ4_0>(src + b * sizeof(BlockQ4_0));
        const float d = h2f(blk.d);
        nibbles(blk.qs, out.block(b));
        out.set(b, d, d, -8.0f * d, -8.0f * d);
    }
}

void packQ4_1(const std::byte* src, int64_t nb, const RowWriter& out) {
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ4_1>(src + b * sizeof(BlockQ4_1));
        const float d = h2f(blk.d), m = h2f(blk.m);
        nibbles(blk.qs, out.block(b));
        out.set(b, d, d, m, m);
    }
}

void packQ5_0(const std::byte* src, int64_t nb, const RowWriter& out) {
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ5_0>(src + b * sizeof(BlockQ5_0));
        const float d = h2f(blk.d);
        nibbles(blk.qs, out.block(b));
        fifthBits(blk.qh, out.block(b));
        out.set(b, d, d, -16.0f * d, -16.0f * d);
    }
}

void packQ5_1(const std::byte* src, int64_t nb, const RowWriter& out) {
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ5_1>(src + b * sizeof(BlockQ5_1));
        const float d = h2f(blk.d), m = h2f(blk.m);
        nibbles(blk.qs, out.block(b));
        fifthBits(blk.qh, out.block(b));
        out.set(b, d, d, m, m);
    }
}

void packQ8_0(const std::byte* src, int64_t nb, const RowWriter& out, bool signedCodes) {
    for (int64_t b = 0; b < nb; ++b) {
        const auto blk = loadBlock<BlockQ8_0>(src + b * sizeof(BlockQ8_0));
        const float d = h2f(blk.d);
        uint8_t* u = out.block(b);
        const uint8_t flip = signedCodes ? 0 : 0x80;  // q + 128 as an unsigned byte
        for (int i = 0; i < 32; ++i)
            u[i] = static_cast<uint8_t>(static_cast<uint8_t>(blk.qs[i]) ^ flip);
        const float o = signedCodes ? 0.0f : -128.0f * d;
        out.set(b, d, d, o, o);
    }
}

// K-quants: super-block sb covers 32-value blocks 8 sb .. 8 sb + 7.
void packQ2_K(const std::byte* src, int64_t nsb, const RowWriter& out) {
    for (int64_t sb = 0; sb < nsb; ++sb) {
        const auto blk = loadBlock<BlockQ2_K>(src + sb * sizeof(BlockQ2_K));
        const float d = h2f(blk.d), dmin = h2f(blk.dmin);
        for (int k = 0; k < 8; ++k) {  // values 32k .. 32k + 31: c = k / 4, j = k % 4
            const int c = k / 4, j = k % 4;
            uint8_t* u = out.block(8 * sb + k);
            for (int h = 0; h < 2; ++h)
                for (int l = 0; l < 16; ++l)
                    u[16 * h + l] = static_cast<uint8_t>((blk.qs[32 * c + 16 * h + l] >> (2 * j)) & 3);
            const uint8_t g0 = blk.scales[2 * k], g1 = blk.scales[2 * k + 1];
            out.set(8 * sb + k, d * static_cast<float>(g0 & 15), d * static_cast<float>(g1 & 15),
                    -dmin * static_cast<float>(g0 >> 4), -dmin * static_cast<float>(g1 >> 4));
        }
    }
}

void packQ3_K(const std::byte* src, int64_t nsb, const RowWriter& out) {
    for (int64_t sb = 0; sb < nsb; ++sb) {
        const auto blk = loadBlock<BlockQ3_K>(src + sb * sizeof(BlockQ3_K));
        const float d = h2f(blk.d);
        for (int k = 0; k < 8; ++k) {
            const int c = k / 4, j = k % 4;
            uint8_t* u = out.block(8 * sb + k);
            for (int h = 0; h < 2; ++h)
                for (int l = 0; l < 16; ++l) {
                    const int v = 32 * k + 16 * h + l;
                    const int low = (blk.qs[32 * c + 16 * h + l] >> (2 * j)) & 3;
                    const int high = (blk.hmask[v % 32] >> (v / 32)) & 1;
                    u[16 * h + l] = static_cast<uint8_t>(low + 4 * high);  // code + 4, 0..7
                }
            const float s0 = d * static_cast<float>(unpackQ3KScale(blk.scales, 2 * k) - 32);
            const float s1 = d * static_cast<float>(unpackQ3KScale(blk.scales, 2 * k + 1) - 32);
            out.set(8 * sb + k, s0, s1, -4.0f * s0, -4.0f * s1);
        }
    }
}

template <bool kFifthBit, typename Block>
void packQ45_K(const std::byte* src, int64_t nsb, const RowWriter& out) {
    for (int64_t sb = 0; sb < nsb; ++sb) {
        const auto blk = loadBlock<Block>(src + sb * sizeof(Block));
        const float d = h2f(blk.d), dmin = h2f(blk.dmin);
        for (int k = 0; k < 8; ++k) {
            const ScaleMin sm = unpackScaleMinK4(blk.scales, k);
            const uint8_t* qs = blk.qs + 32 * (k / 2);
            const int shift = 4 * (k % 2);
            uint8_t* u = out.block(8 * sb + k);
            for (int l = 0; l < 32; ++l) {
                int q = (qs[l] >> shift) & 15;
                if constexpr (kFifthBit)
                    q |= ((blk.qh[l] >> k) & 1) << 4;
                u[l] = static_cast<uint8_t>(q);
            }
            const float s = d * static_cast<float>(sm.scale);
            const float o = -dmin * static_cast<float>(sm.min);
            out.set(8 * sb + k, s, s, o, o);
        }
    }
}

void packQ6_K(const std::byte* src, int64_t nsb, const RowWriter& out) {
    for (int64_t sb = 0; sb < nsb; ++sb) {
        const auto blk = loadBlock<BlockQ6_K>(src + sb * sizeof(BlockQ6_K));
        const float d = h2f(blk.d);
        for (int k = 0; k < 8; ++k) {  // values 32k .. 32k + 31 = 128c + 32kk + l
            const int c = k / 4, kk = k % 4;
            uint8_t* u = out.block(8 * sb + k);
            for (int l = 0; l < 32; ++l) {
                const uint8_t lowByte = blk.ql[64 * c + 32 * (kk % 2) + l];
                const int low = kk < 2 ? (lowByte & 15) : (lowByte >> 4);
                const int high = (blk.qh[32 * c + l] >> (2 * kk)) & 3;
                u[l] = static_cast<uint8_t>(low | (high << 4));  // code + 32, 0..63
            }
            const float s0 = d * static_cast<float>(blk.scales[2 * k]);
            const float s1 = d * static_cast<float>(blk.scales[2 * k + 1]);
            out.set(8 * sb + k, s0, s1, -32.0f * s0, -32.0f * s1);
        }
    }
}

#if LAMP_X86
LAMP_TARGET_AVX2 void f16RowAvx2(const std::byte* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(
                                      reinterpret_cast<const __m128i*>(src + 2 * i))));
    for (; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        dst[i] = _cvtsh_ss(h);
    }
}

LAMP_TARGET_AVX2 void bf16RowAvx2(const std::byte* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i v = _mm256_cvtepu16_epi32(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i)));
        _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(v, 16)));
    }
    for (; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        dst[i] = bf16ToFp32(h);
    }
}
#endif

} // namespace

void packWeightRowQ8(TensorType type, const std::byte* src, int64_t cols, PackedQ8& dst, int64_t r) {
    const RowWriter out{dst.codes + r * dst.pairs * 64, dst.scales + r * dst.pairs * 16,
                        dst.offsets + r * dst.halves};
    const int64_t nb = cols / 32;
    switch (type) {
    case TensorType::Q4_0: packQ4_0(src, nb, out); break;
    case TensorType::Q4_1: packQ4_1(src, nb, out); break;
    case TensorType::Q5_0: packQ5_0(src, nb, out); break;
    case TensorType::Q5_1: packQ5_1(src, nb, out); break;
    case TensorType::Q8_0: packQ8_0(src, nb, out, dst.signedCodes); break;
    case TensorType::Q2_K: packQ2_K(src, cols / 256, out); break;
    case TensorType::Q3_K: packQ3_K(src, cols / 256, out); break;
    case TensorType::Q4_K: packQ45_K<false, BlockQ4_K>(src, cols / 256, out); break;
    case TensorType::Q5_K: packQ45_K<true, BlockQ5_K>(src, cols / 256, out); break;
    case TensorType::Q6_K: packQ6_K(src, cols / 256, out); break;
    default:
        throw FormatError("packWeightRowQ8: " + std::string(tensorTypeName(type)) +
                          " is not a quantized weight format");
    }
    if (nb % 2 != 0) {  // zero the padding block of the last pair
        std::memset(out.codes + 32 * nb, 0, 32);
        std::fill(out.scales + 8 * nb, out.scales + 8 * nb + 8, 0.0f);
    }
    std::fill(out.offsets + 2 * nb, out.offsets + dst.halves, 0.0f);
}

void convertRowToF32(TensorType type, const std::byte* src, float* dst, int64_t n, Isa isa) {
#if LAMP_X86
    if (isa != Isa::Portable) {
        if (type == TensorType::F16)
            return f16RowAvx2(src, dst, n);
        if (type == TensorType::BF16)
            return bf16RowAvx2(src, dst, n);
    }
#else
    (void)isa;
#endif
    switch (type) {
    case TensorType::F32:
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
        return;
    case TensorType::F16:
    case TensorType::BF16:
        for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, src + 2 * i, 2);
            dst[i] = type == TensorType::F16 ? fp16ToFp32Fast(h) : bf16ToFp32(h);
        }
        return;
    default:
        throw FormatError("convertRowToF32: " + std::string(tensorTypeName(type)) +
                          " is not a float format");
    }
}

} // namespace lamp::cpu::detail
