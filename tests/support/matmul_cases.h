// Qt-free pieces of the CPU matmul checks, shared by the Qt Test (test_cpu_matmul) and the plain
// C++ program that runs the AArch64 kernels under qemu (tests/arm), where Qt is not available.
// matmul is compared with an independent reference: the weights decoded by the plain reference
// decoder (dequantizeRow) and multiplied with the float activations in double precision. Error is
// NMSE = Σ(ours − ref)² / Σref²; sentinels around the output catch writes out of bounds.
#pragma once

#include "cpu/cpu_features.h"
#include "cpu/kernels.h"  // internal: forcing the decode or the GEMM path
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "quant/block_formats.h"
#include "quant/dequantize.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "quant/tensor_type.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace lamp::test {

inline constexpr TensorType kMatmulTypes[] = {
    TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
    TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

inline bool isFloatType(TensorType t) {
    return t == TensorType::F32 || t == TensorType::F16 || t == TensorType::BF16;
}

// The NMSE a path must stay under. Quantized weights are multiplied with activations quantized to
// 8 bits (the error the best engines accept: 5e-4); float weights keep float activations.
inline double nmseLimit(TensorType t) { return isFloatType(t) ? 1e-10 : 5e-4; }

// The two kernel families matmul chooses between by batch size; tests force each in turn.
enum class Path { VecDot, Gemm };
inline constexpr Path kPaths[] = {Path::VecDot, Path::Gemm};
inline const char* pathName(Path p) { return p == Path::VecDot ? "vec-dot" : "gemm"; }
inline void forcePath(Path p) {
    cpu::detail::setGemmMinTokens(p == Path::VecDot ? int64_t{1} << 40 : 1);
}

// Restores the instruction-set choice and the decode/GEMM switch-over when a test ends, even by
// a failed check.
struct IsaGuard {
    cpu::Isa saved = cpu::activeIsa();
    int64_t savedMinTokens = cpu::detail::gemmMinTokens();
    ~IsaGuard() {
        cpu::setIsa(saved);
        cpu::detail::setGemmMinTokens(savedMinTokens);
    }
};

// A random weight matrix in `type`: Gaussian values, with row scales that vary over two orders of
// magnitude (as real weight rows do).
struct TestMatrix {
    std::vector<std::byte> bytes;
    std::vector<float> decoded;  // [rows][cols], the reference decoder's values
    cpu::WeightMatrix view;
};

inline TestMatrix makeMatrix(TensorType type, int64_t rows, int64_t cols, std::mt19937& rng) {
    TestMatrix m;
    const size_t rb = rowBytes(type, cols);
    // Exactly the matrix (after a 2-byte offset), so a sanitizer build catches reads past its end.
    m.bytes.resize(rb * static_cast<size_t>(rows) + 2);
    m.decoded.resize(static_cast<size_t>(rows * cols));
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> logScale(-1.0f, 1.0f);
    std::vector<float> src(static_cast<size_t>(cols));
    // Offset the matrix by 2 bytes so blocks are only 2-byte aligned, as in a file.
    std::byte* base = m.bytes.data() + 2;
    for (int64_t r = 0; r < rows; ++r) {
        const float scale = 0.05f * std::pow(10.0f, logScale(rng));
        for (auto& v : src)
            v = normal(rng) * scale;
        quantizeRow(type, src.data(), base + static_cast<size_t>(r) * rb, cols);
        dequantizeRow(type, base + static_cast<size_t>(r) * rb, m.decoded.data() + r * cols, cols);
    }
    m.view = cpu::WeightMatrix{type, base, rows, cols};
    return m;
}

inline std::vector<float> makeActivations(int64_t nTokens, int64_t cols, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(nTokens * cols));
    for (auto& v : x)
        v = normal(rng);
    // A few larger values, as activations have.
    for (int64_t i = 0; i < nTokens * cols; i += 97)
        x[static_cast<size_t>(i)] *= 3.0f;
    return x;
}

inline constexpr float kSentinel = -1234.5f;
inline constexpr int kGuard = 16;

struct MatmulResult {
    double nmse = 0;
    bool sentinelsIntact = true;
};

// y_ref[t][r] in double precision from the reference decoder's weights.
inline std::vector<double> referenceProduct(const TestMatrix& m, const std::vector<float>& x,
                                            int64_t nTokens) {
    const int64_t rows = m.view.rows, cols = m.view.cols;
    std::vector<double> ref(static_cast<size_t>(nTokens * rows));
    for (int64_t t = 0; t < nTokens; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            double sum = 0;
            for (int64_t c = 0; c < cols; ++c)
                sum += static_cast<double>(m.decoded[static_cast<size_t>(r * cols + c)]) *
                       static_cast<double>(x[static_cast<size_t>(t * cols + c)]);
            ref[static_cast<size_t>(t * rows + r)] = sum;
        }
    return ref;
}

// Runs matmul with the active family and path and measures it against `ref`.
inline MatmulResult runMatmulCase(const TestMatrix& m, const std::vector<float>& x,
                                  const std::vector<double>& ref, int64_t nTokens,
                                  cpu::ThreadPool& pool) {
    const int64_t rows = m.view.rows;
    std::vector<float> y(static_cast<size_t>(nTokens * rows + 2 * kGuard), kSentinel);
    cpu::matmul(m.view, x.data(), nTokens, y.data() + kGuard, pool);
    MatmulResult res;
    for (int i = 0; i < kGuard; ++i)
        if (y[static_cast<size_t>(i)] != kSentinel ||
            y[y.size() - 1 - static_cast<size_t>(i)] != kSentinel)
            res.sentinelsIntact = false;
    double err = 0, ref2 = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double ours = y[static_cast<size_t>(kGuard) + i];
        err += (ours - ref[i]) * (ours - ref[i]);
        ref2 += ref[i] * ref[i];
    }
    res.nmse = ref2 > 0 ? err / ref2 : err;
    return res;
}

// NMSE of `y` against `ref` (both float, e.g. one family against the portable one).
inline double nmseBetween(const std::vector<float>& y, const std::vector<float>& ref) {
    double err = 0, ref2 = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double diff = static_cast<double>(y[i]) - ref[i];
        err += diff * diff;
        ref2 += static_cast<double>(ref[i]) * ref[i];
    }
    return ref2 > 0 ? err / ref2 : err;
}

struct MatmulShape {
    int64_t rows;
    int64_t cols;
};

// Rows that are not a multiple of any tile, rows of one or several blocks, odd block counts.
inline std::vector<MatmulShape> matmulShapesFor(TensorType type) {
    const uint32_t block = tensorTypeInfo(type).blockSize;
    if (block == 256)
        return {{37, 256}, {67, 768}, {23, 1024}, {130, 512}};
    return {{37, 256}, {67, 768}, {29, 96}, {130, 1056}, {41, 32}};
}

// Q8_0 codes at the ends of their range (-128 included, as a file may hold) against activations of
// ±1 (codes ±127, exact): the largest products and sums a kernel sees, where one that emulates a
// dot product with saturating 16-bit steps (x86 maddubs, plain Neon) would overflow. Every path
// computes these integer sums exactly, so it must match `ref` to float rounding (NMSE < 1e-10).
struct ExtremeCodesCase {
    static constexpr int64_t rows = 19, cols = 1056, nTokens = 13;  // an odd number of blocks (33)
    TestMatrix m;
    std::vector<float> x;     // [nTokens][cols]: all +1 for token 0, random signs after it
    std::vector<double> ref;  // referenceProduct(m, x, nTokens)
};

inline ExtremeCodesCase makeExtremeCodesCase(std::mt19937& rng) {
    constexpr int64_t rows = ExtremeCodesCase::rows, cols = ExtremeCodesCase::cols,
                      nTokens = ExtremeCodesCase::nTokens;
    ExtremeCodesCase c;
    TestMatrix& m = c.m;
    const size_t rb = rowBytes(TensorType::Q8_0, cols);
    m.bytes.resize(rb * rows + 2);
    m.decoded.resize(static_cast<size_t>(rows * cols));
    std::byte* base = m.bytes.data() + 2;
    const int8_t extremes[] = {127, -128, -127, 126, 0};
    std::uniform_int_distribution<int> pick(0, 4);
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t b = 0; b < cols / 32; ++b) {
            BlockQ8_0 blk;
            blk.d = fp32ToFp16(r % 3 == 0 ? 0.25f : 1.0f);
            for (int i = 0; i < 32; ++i)  // long runs of one value as well as mixtures
                blk.qs[i] = extremes[b % 4 == 0 ? r % 5 : pick(rng)];
            std::memcpy(base + static_cast<size_t>(r) * rb + static_cast<size_t>(b) * sizeof blk,
                        &blk, sizeof blk);
        }
        dequantizeRow(TensorType::Q8_0, base + static_cast<size_t>(r) * rb,
                      m.decoded.data() + r * cols, cols);
    }
    m.view = cpu::WeightMatrix{TensorType::Q8_0, base, rows, cols};
    c.x.resize(static_cast<size_t>(nTokens * cols));
    std::bernoulli_distribution coin(0.5);
    for (size_t i = 0; i < c.x.size(); ++i)
        c.x[i] = i < static_cast<size_t>(cols) || coin(rng) ? 1.0f : -1.0f;
    c.ref = referenceProduct(m, c.x, nTokens);
    return c;
}

} // namespace lamp::test
