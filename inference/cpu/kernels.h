// Internal to the CPU backend: the kernel families behind matmul() and the data layouts they share.
//
// Decode (few tokens): activations are quantized once per call to 8-bit blocks (BlockQ8A for the
// 32-value weight formats, BlockQ8_K for the K-quants) and each weight row is dotted with them
// directly on its blocks, as the row lies in the mapped file ("vec-dot" kernels).
//
// Prompt processing (many tokens): rows of weights are unpacked, a tile at a time, into one uniform
// 8-bit layout (PackedQ8: unsigned codes, a float scale per 16 values and a float offset per 16
// values) and multiplied with activations in the same layout by one integer GEMM micro-kernel per
// instruction set. The unpacking is paid once per tile and shared by every token.
//
// Float weights (F32, F16, BF16) keep float activations: float dot products and a float GEMM.
#pragma once

#include "cpu/cpu_features.h"
#include "quant/block_formats.h"
#include "quant/tensor_type.h"

#include <bit>
#include <cstddef>
#include <cstdint>

namespace lamp::cpu::detail {

// fp16 bits -> float, exactly (as fp16ToFp32Portable) but without branches on the common path, so
// loops of it vectorize: the magnitude bits placed in a float's position are off by 2^112 (the
// exponent bias difference), which one multiply restores, subnormal halves included; infinities
// and NaNs keep an all-ones exponent. Assumes the default floating-point environment (no
// denormals-are-zero).
inline float fp16ToFp32Fast(uint16_t h) {
    const uint32_t rest = static_cast<uint32_t>(h & 0x7fffu) << 13;
    const uint32_t scaled = std::bit_cast<uint32_t>(std::bit_cast<float>(rest) * 0x1p112f);
    const uint32_t special = 0u - static_cast<uint32_t>((h & 0x7c00u) == 0x7c00u);  // all ones or 0
    const uint32_t bits = (scaled & ~special) | ((rest | 0x7f800000u) & special);
    return std::bit_cast<float>(bits | (static_cast<uint32_t>(h & 0x8000u) << 16));
}

// ---- activations for the decode kernels ----------------------------------------------------

// 32 activations: value v = d * qs[v]. qs in -127..127.
struct BlockQ8A {
    static constexpr int kValues = 32;
    float d;         // scale
    int32_t sum;     // Σ qs (so offsets like Q4_0's "- 8" cost one multiply per block)
    int8_t qs[32];   // codes
};
static_assert(sizeof(BlockQ8A) == 40);

// Two consecutive 32-value blocks in the layout the AVX-512 kernels of the 32-value formats read:
// one 64-byte load of codes and one 16-byte load of everything the float part needs, so the
// per-block scale arithmetic runs two blocks at a time. Value v of block k = d[k] * qs[32k + v].
struct alignas(16) BlockQ8A2 {
    static constexpr int kValues = 64;
    float d[2];      // scales of the two blocks
    float dsum[2];   // d[k] * Σ codes of block k (for code offsets and minimums)
    int8_t qs[64];   // codes, -127..127; a missing second block (odd count) is all zero
};
static_assert(sizeof(BlockQ8A2) == 80);

// x[0..n) -> n / 32 blocks (n a multiple of 32).
void quantizeQ8A(const float* x, BlockQ8A* out, int64_t n, Isa isa);
// The same codes and scales as quantizeQ8A, in (n / 32 + 1) / 2 pairs.
void quantizeQ8A2(const float* x, BlockQ8A2* out, int64_t n, Isa isa);
// x[0..n) -> n / 256 lamp::BlockQ8_K blocks (d = max|x| / 127, bsums filled).
void quantizeQ8K(const float* x, BlockQ8_K* out, int64_t n, Isa isa);
// The same with the codes of every 128 values reordered as values 0-31, 64-95, 32-63, 96-127
// (bsums stay in value order): the order of the nibbles in 64 bytes of Q4_K/Q5_K codes.
void quantizeQ8KSwapped(const float* x, BlockQ8_K* out, int64_t n, Isa isa);

// y[r] = dot(weight row r, activations) for r < nRows. `w` is row 0, rows are `rowStride` bytes
// apart. `x` is the activation row: BlockQ8A[] (32-value formats), BlockQ8_K[] (K-quants) or
// float[] (float formats). `n` is the row length in values.
using VecDotFn = void (*)(const std::byte* w, size_t rowStride, int64_t nRows, const void* x,
                          int64_t n, float* y);

// The vec-dot kernel for a weight type on an instruction set (a narrower family's kernel where
// the wider one has none); nullptr when the type is not multipliable.
VecDotFn vecDotKernel(TensorType type, Isa isa);
// The kernel for a matrix in the interleaved layout (cpu/interleave.h; `w` starts a group of four
// rows, nRows is a multiple of 4, activations as for vecDotKernel), bit for bit vecDotKernel's
// result on the file's layout; nullptr on the families that have none (matmul then restores the
// file's layout group by group for vecDotKernel).
VecDotFn vecDotInterleavedKernel(TensorType type, Isa isa);
// Which activation format that kernel wants.
enum class ActFormat { Float, Q8A, Q8A2, Q8K, Q8KSwapped };
ActFormat actFormat(TensorType type, Isa isa);

// Per-family tables (each returns nullptr for the types it does not implement; vecDotKernel then
// asks the family it extends: Avx512Vnni -> Avx512 -> Avx2, AvxVnni -> Avx2, Avx2 -> Portable).
VecDotFn vecDotPortable(TensorType type);
VecDotFn vecDotAvx2(TensorType type);        // float and 32-value formats
VecDotFn vecDotAvx2K(TensorType type);       // K-quants
VecDotFn vecDotAvxVnni(TensorType type);     // 32-value formats
VecDotFn vecDotAvxVnniK(TensorType type);    // K-quants
VecDotFn vecDotAvx512(TensorType type);      // all, without VNNI: its own, vecDotAvx512K
VecDotFn vecDotAvx512K(TensorType type);     // K-quants without VNNI
VecDotFn vecDotAvx512Vnni(TensorType type);  // 32-value formats, vecDotAvx512K4, K6, VnniK
VecDotFn vecDotAvx512VnniK(TensorType type); // K-quants (vpdpwssd)
VecDotFn vecDotAvx512K4(TensorType type);  // Q4_K, Q5_K on 512-bit vectors (Q8KSwapped), VNNI
VecDotFn vecDotAvx512K6(TensorType type);  // Q6_K on 512-bit vectors (Q8K), VNNI
VecDotFn vecDotInterleavedAvx512(TensorType type);      // Q4_0, Q5_0 interleaved, without VNNI
VecDotFn vecDotInterleavedAvx512Vnni(TensorType type);  // the same with vpdpbusd
// AArch64 (neon_impl.h; nullptr elsewhere): every format, Q8A and Q8K activations.
VecDotFn vecDotNeon(TensorType type);
VecDotFn vecDotNeonDot(TensorType type);

// ---- the uniform 8-bit GEMM layout ---------------------------------------------------------

// Rows (of weights, or of activation tokens) cut into pairs of 32-value blocks (64 values, the
// width of one AVX-512 register of bytes); the last pair is zero-padded.
//   codes[row][pair][64]     bytes: weights unsigned 0..255, activations signed -127..127
//                            (weights are signed instead when PackedQ8::signedCodes)
//   scales[row][pair][16]    one float per 4 bytes, i.e. per lane of a 32-bit dot-product sum:
//                            lanes 0-3 cover values 0-15, lanes 4-7 values 16-31, lanes 8-15 the
//                            second block. Weights: the scale of those 16 values; activations:
//                            the block scale d repeated.
//   offsets[row][half]       per 16 values (halves padded to a multiple of 16, zeros):
//                            weights: the value offset (value = scale * code + offset);
//                            activations: d * Σ codes of those 16 values.
// So  Σ_v w_v x_v = Σ_lanes (dot of codes in the lane) * wscale * xscale + Σ_halves off * dΣq.
struct PackedQ8 {
    int64_t rows = 0;
    int64_t pairs = 0;          // 64-value pairs per row
    int64_t halves = 0;         // padded number of 16-value offsets per row (multiple of 16)
    bool signedCodes = false;   // weight codes are int8 (Q8_0 for kernels without VNNI)
    uint8_t* codes = nullptr;   // [rows][pairs * 64]
    float* scales = nullptr;    // [rows][pairs * 16]
    float* offsets = nullptr;   // [rows][halves]

    static int64_t pairsFor(int64_t cols) { return (cols + 63) / 64; }
    static int64_t halvesFor(int64_t cols) { return (cols / 16 + 15) / 16 * 16; }
    // Bytes one row needs in each array.
    static size_t codeBytes(int64_t cols) { return static_cast<size_t>(pairsFor(cols)) * 64; }
    static size_t scaleFloats(int64_t cols) { return static_cast<size_t>(pairsFor(cols)) * 16; }
    static size_t offsetFloats(int64_t cols) { return static_cast<size_t>(halvesFor(cols)); }
    const uint8_t* codeRow(int64_t r) const { return codes + r * pairs * 64; }
    const float* scaleRow(int64_t r) const { return scales + r * pairs * 16; }
    const float* offsetRow(int64_t r) const { return offsets + r * halves; }
};

// Unpacks weight row `src` (cols values of `type`, a quantized type) into row `r` of `dst`.
// signedCodes is only honoured for Q8_0 (codes stay signed, offsets zero).
void packWeightRowQ8(TensorType type, const std::byte* src, int64_t cols, PackedQ8& dst, int64_t r);
// Quantizes one activation row x[0..cols) into row `r` of `dst` (32-value blocks, as BlockQ8A).
void packActivationRowQ8(const float* x, int64_t cols, PackedQ8& dst, int64_t r, Isa isa);

// y[t * ldy + r] = Σ_v w[r] x[t] for r < w.rows, t < x.rows (all of both packed sets).
using GemmQ8Fn = void (*)(const PackedQ8& w, const PackedQ8& x, float* y, int64_t ldy);
// The portable kernel is a reference for the layout; matmul() uses it only when forced (see
// setGemmMinTokens), since the portable vec-dot kernels are faster.
GemmQ8Fn gemmQ8Kernel(Isa isa);
// The AArch64 micro-kernels behind gemmQ8Kernel (neon_impl.h; nullptr elsewhere). They take
// unsigned or signed weight codes.
GemmQ8Fn gemmQ8Neon();
GemmQ8Fn gemmQ8NeonDot();
// Whether that kernel wants Q8_0 weight codes signed (PackedQ8::signedCodes): kernels that
// multiply with maddubs would saturate on the unsigned q + 128.
bool gemmQ8SignedCodes(Isa isa);

// Float GEMM on rows padded to a multiple of 16 floats (zeros past the row):
// y[t * ldy + r] = Σ_c w[r][c] x[t][c] for r < wRows, t < xRows.
using GemmF32Fn = void (*)(const float* w, int64_t wRows, const float* x, int64_t xRows,
                           int64_t paddedCols, float* y, int64_t ldy);
GemmF32Fn gemmF32Kernel(Isa isa);

// The smallest batch (tokens) that takes the GEMM path; smaller ones use the vec-dot kernels.
// 0 (the default) means the built-in choice: 12 tokens on the SIMD families; on the portable path
// 12 for float weights and never for quantized ones. A tuning knob for tests and benchmarks (which
// force one path or the other); not synchronised with running products.
int64_t gemmMinTokens();
void setGemmMinTokens(int64_t tokens);

// Float rows for the float GEMM: converts `n` values of F32/F16/BF16 to float (dst padded by the
// caller).
void convertRowToF32(TensorType type, const std::byte* src, float* dst, int64_t n, Isa isa);

// Fully unrolls a loop with a small constant trip count (micro-kernel register tiles: without it,
// gcc -O2 keeps the accumulator arrays in memory). gcc and clang both read this spelling.
#define LAMP_UNROLL _Pragma("GCC unroll 16")

// Function attributes for the SIMD kernel files (the library itself is built for the baseline),
// one per family: a kernel compiled for a family must not let the compiler use more than the
// family's instructions. LAMP_TARGET_AVX512 is the Avx512Vnni family's.
#define LAMP_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define LAMP_TARGET_AVXVNNI __attribute__((target("avx2,fma,f16c,avxvnni")))
#define LAMP_TARGET_AVX512_NOVNNI \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")))
#define LAMP_TARGET_AVX512 \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
// AArch64: the NeonDot family. gcc 12's arm_neon.h defines vdotq_s32 for armv8.2-a+dotprod, so a
// plain "+dotprod" (on armv8-a) cannot inline it; every CPU with the dot product is ARMv8.2 or later.
#define LAMP_TARGET_NEONDOT __attribute__((target("arch=armv8.2-a+dotprod")))

} // namespace lamp::cpu::detail
