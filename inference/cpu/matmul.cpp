// matmul(): validation, activation quantization, the split of rows over the thread pool, and the
// choice between the decode (vec-dot) and prompt-processing (packed GEMM) kernels.
#include "cpu/matmul.h"

#include "core/error.h"
#include "cpu/kernels.h"
#include "cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

namespace lamp::cpu {
namespace {

using namespace detail;

// A growable 64-byte-aligned scratch buffer, one per thread (the caller's for activations, each
// worker's for its packed weight tile): allocated once, reused by every call.
class Scratch {
public:
    std::byte* get(size_t bytes) {
        if (bytes > size_) {
            size_ = std::max(bytes, size_ + size_ / 2);
            storage_.reset(new std::byte[size_ + 64]);
        }
        const auto addr = reinterpret_cast<uintptr_t>(storage_.get());
        return storage_.get() + ((64 - addr % 64) % 64);
    }

    size_t capacity() const { return size_; }

private:
    std::unique_ptr<std::byte[]> storage_;
    size_t size_ = 0;
};

Scratch& activationScratch() {
    thread_local Scratch s;
    return s;
}
Scratch& tileScratch() {
    thread_local Scratch s;
    return s;
}
// Rows of an interleaved matrix put back in the file's layout (for the kernels that read that).
Scratch& rowScratch() {
    thread_local Scratch s;
    return s;
}

// Grows the tile scratch of every thread of the pool together, before a product that needs
// `bytes`: a worker that has not taken a chunk yet would otherwise allocate inside some later
// product (after any warm-up). The caller takes part in every run, so its own buffer having the
// size means every worker's has it too (for the pools this thread has used).
void prepareScratch(ThreadPool& pool, Scratch& (*scratch)(), size_t bytes) {
    if (scratch().capacity() >= bytes)
        return;
    pool.onEveryThread([&](int64_t, int64_t, int) { scratch().get(bytes); });
}
void prepareTileScratch(ThreadPool& pool, size_t bytes) { prepareScratch(pool, tileScratch, bytes); }

size_t align64(size_t n) { return (n + 63) / 64 * 64; }

// Rows per packed weight tile of the GEMM path (a tile stays in L2 while every token passes).
constexpr int64_t kTileRows = 16;
// From this many tokens on, the GEMM path beats per-row dots: measured with bench_matmul --sweep on
// the AMD EPYC development machines (AVX-512), where the break-even is 8 tokens (Q4_K, F16) to 12
// (Q8_0, Q6_K); below it the cost of unpacking the weight tiles is not yet shared by enough
// tokens. The portable integer GEMM never beats the portable vec-dot kernels (compilers vectorize
// the latter better), so by default the portable path uses the GEMM for float weights only (there
// it saves converting every weight once per token). 0 = these defaults; tests set a value to force
// one path.
constexpr int64_t kGemmMinTokens = 12;
std::atomic<int64_t> gemmMinTokensSetting{0};

bool useGemm(int64_t nTokens, Isa isa, bool floatWeights) {
    const int64_t setting = gemmMinTokensSetting.load(std::memory_order_relaxed);
    if (setting > 0)
        return nTokens >= setting;
    return (isa != Isa::Portable || floatWeights) && nTokens >= kGemmMinTokens;
}
// Rows per chunk handed to a thread on the decode path, and per inner step when several tokens
// reuse the rows (small enough to stay in L1/L2).
constexpr int64_t kDecodeStep = 16;

// Splits `rows` into chunks for the pool: about 8 per thread, at least `step` rows, a multiple of
// `step` so tiles stay whole.
int64_t grainFor(int64_t rows, int threads, int64_t step) {
    int64_t grain = (rows + 8 * threads - 1) / (8 * static_cast<int64_t>(threads));
    grain = (grain + step - 1) / step * step;
    return std::max(grain, step);
}

// ---- decode: vec-dot kernels on the rows as they lie in the file ----------------------------

void matmulVecDot(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool,
                  Isa isa) {
    const bool interleaved = w.layout == WeightLayout::Interleaved4;
    const VecDotFn interleavedKernel = interleaved ? vecDotInterleavedKernel(w.type, isa) : nullptr;
    // An interleaved matrix on a family without its kernel: each step's rows (whole groups: steps
    // start at multiples of kDecodeStep) go back to the file's layout first.
    const bool restoreRows = interleaved && interleavedKernel == nullptr;
    const VecDotFn kernel = interleavedKernel ? interleavedKernel : vecDotKernel(w.type, isa);
    const size_t stride = rowBytes(w.type, w.cols);
    if (restoreRows)
        prepareScratch(pool, rowScratch, stride * static_cast<size_t>(kDecodeStep));
    const ActFormat format = actFormat(w.type, isa);

    // Quantize every token's activations once.
    const void* xq = x;
    size_t xStride = static_cast<size_t>(w.cols) * sizeof(float);
    if (format != ActFormat::Float) {
        if (format == ActFormat::Q8A)
            xStride = static_cast<size_t>(w.cols / 32) * sizeof(BlockQ8A);
        else if (format == ActFormat::Q8A2)
            xStride = static_cast<size_t>((w.cols / 32 + 1) / 2) * sizeof(BlockQ8A2);
        else
            xStride = static_cast<size_t>(w.cols / 256) * sizeof(BlockQ8_K);
        std::byte* buf = activationScratch().get(xStride * static_cast<size_t>(nTokens));
        const auto quantizeTokens = [&](int64_t begin, int64_t end, int) {
            for (int64_t t = begin; t < end; ++t) {
                std::byte* dst = buf + static_cast<size_t>(t) * xStride;
                const float* src = x + t * w.cols;
                if (format == ActFormat::Q8A)
                    quantizeQ8A(src, reinterpret_cast<BlockQ8A*>(dst), w.cols, isa);
                else if (format == ActFormat::Q8A2)
                    quantizeQ8A2(src, reinterpret_cast<BlockQ8A2*>(dst), w.cols, isa);
                else if (format == ActFormat::Q8K)
                    quantizeQ8K(src, reinterpret_cast<BlockQ8_K*>(dst), w.cols, isa);
                else
                    quantizeQ8KSwapped(src, reinterpret_cast<BlockQ8_K*>(dst), w.cols, isa);
            }
        };
        if (nTokens * w.cols >= 65536)
            pool.run(nTokens, quantizeTokens);
        else
            quantizeTokens(0, nTokens, 0);
        xq = buf;
    }

    const auto* xBytes = static_cast<const std::byte*>(xq);
    pool.run(w.rows, grainFor(w.rows, pool.size(), kDecodeStep),
             [&](int64_t begin, int64_t end, int) {
                 for (int64_t r = begin; r < end; r += kDecodeStep) {
                     const int64_t n = std::min(kDecodeStep, end - r);
                     const std::byte* rows = w.data + static_cast<size_t>(r) * stride;
                     if (restoreRows) {
                         std::byte* restored = rowScratch().get(stride * static_cast<size_t>(n));
                         deinterleaveRows(w.type, w.data, w.cols, r, n, restored);
                         rows = restored;
                     }
                     for (int64_t t = 0; t < nTokens; ++t)
                         kernel(rows, stride, n,
                                xBytes + static_cast<size_t>(t) * xStride, w.cols,
                                y + t * w.rows + r);
                 }
             });
}

// ---- prompt processing: packed tiles and a GEMM micro-kernel --------------------------------

PackedQ8 layoutQ8(std::byte* mem, int64_t rows, int64_t cols) {
    PackedQ8 p;
    p.rows = rows;
    p.pairs = PackedQ8::pairsFor(cols);
    p.halves = PackedQ8::halvesFor(cols);
    p.codes = reinterpret_cast<uint8_t*>(mem);
    mem += align64(PackedQ8::codeBytes(cols) * static_cast<size_t>(rows));
    p.scales = reinterpret_cast<float*>(mem);
    mem += align64(PackedQ8::scaleFloats(cols) * sizeof(float) * static_cast<size_t>(rows));
    p.offsets = reinterpret_cast<float*>(mem);
    return p;
}

size_t bytesQ8(int64_t rows, int64_t cols) {
    return align64(PackedQ8::codeBytes(cols) * static_cast<size_t>(rows)) +
           align64(PackedQ8::scaleFloats(cols) * sizeof(float) * static_cast<size_t>(rows)) +
           align64(PackedQ8::offsetFloats(cols) * sizeof(float) * static_cast<size_t>(rows));
}

void matmulGemmQ8(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool,
                  Isa isa, GemmQ8Fn gemm) {
    const size_t stride = rowBytes(w.type, w.cols);
    PackedQ8 xp = layoutQ8(activationScratch().get(bytesQ8(nTokens, w.cols)), nTokens, w.cols);
    pool.run(nTokens, [&](int64_t begin, int64_t end, int) {
        for (int64_t t = begin; t < end; ++t)
            packActivationRowQ8(x + t * w.cols, w.cols, xp, t, isa);
    });
    const bool signedCodes = w.type == TensorType::Q8_0 && gemmQ8SignedCodes(isa);
    prepareTileScratch(pool, bytesQ8(kTileRows, w.cols));
    const bool interleaved = w.layout == WeightLayout::Interleaved4;
    if (interleaved)
        prepareScratch(pool, rowScratch, stride * static_cast<size_t>(kTileRows));
    pool.run(w.rows, grainFor(w.rows, pool.size(), kTileRows), [&](int64_t begin, int64_t end, int) {
        PackedQ8 tile = layoutQ8(tileScratch().get(bytesQ8(kTileRows, w.cols)), kTileRows, w.cols);
        tile.signedCodes = signedCodes;
        for (int64_t r0 = begin; r0 < end; r0 += kTileRows) {
            tile.rows = std::min(kTileRows, end - r0);
            const std::byte* rows = w.data + static_cast<size_t>(r0) * stride;
            if (interleaved) {  // the tile's rows in the file's layout, for the packer
                std::byte* restored = rowScratch().get(stride * static_cast<size_t>(kTileRows));
                deinterleaveRows(w.type, w.data, w.cols, r0, tile.rows, restored);
                rows = restored;
            }
            for (int64_t r = 0; r < tile.rows; ++r)
                packWeightRowQ8(w.type, rows + static_cast<size_t>(r) * stride, w.cols, tile, r);
            gemm(tile, xp, y + r0, w.rows);
        }
    });
}

void matmulGemmF32(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool,
                   Isa isa, GemmF32Fn gemm) {
    const size_t stride = rowBytes(w.type, w.cols);
    const int64_t padded = (w.cols + 15) / 16 * 16;
    const size_t rowFloats = static_cast<size_t>(padded);
    auto* xp = reinterpret_cast<float*>(
        activationScratch().get(rowFloats * sizeof(float) * static_cast<size_t>(nTokens)));
    pool.run(nTokens, [&](int64_t begin, int64_t end, int) {
        for (int64_t t = begin; t < end; ++t) {
            float* dst = xp + static_cast<size_t>(t) * rowFloats;
            std::memcpy(dst, x + t * w.cols, static_cast<size_t>(w.cols) * sizeof(float));
            std::fill(dst + w.cols, dst + padded, 0.0f);
        }
    });
    prepareTileScratch(pool, rowFloats * sizeof(float) * static_cast<size_t>(kTileRows));
    pool.run(w.rows, grainFor(w.rows, pool.size(), kTileRows), [&](int64_t begin, int64_t end, int) {
        auto* tile = reinterpret_cast<float*>(
            tileScratch().get(rowFloats * sizeof(float) * static_cast<size_t>(kTileRows)));
        for (int64_t r0 = begin; r0 < end; r0 += kTileRows) {
            const int64_t n = std::min(kTileRows, end - r0);
            for (int64_t r = 0; r < n; ++r) {
                float* dst = tile + static_cast<size_t>(r) * rowFloats;
                convertRowToF32(w.type, w.data + static_cast<size_t>(r0 + r) * stride, dst, w.cols, isa);
                std::fill(dst + w.cols, dst + padded, 0.0f);
            }
            gemm(tile, n, xp, nTokens, padded, y + r0, w.rows);
        }
    });
}

} // namespace

int64_t detail::gemmMinTokens() { return gemmMinTokensSetting.load(std::memory_order_relaxed); }
void detail::setGemmMinTokens(int64_t tokens) {
    gemmMinTokensSetting.store(std::max<int64_t>(0, tokens), std::memory_order_relaxed);
}

void matmul(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool) {
    if (detail::vecDotPortable(w.type) == nullptr)
        throw FormatError("matmul: weight type " + std::string(tensorTypeName(w.type)) +
                          " is not supported by the CPU backend (supported: F32, F16, BF16, "
                          "Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
    if (w.rows < 0 || w.cols < 0 || nTokens < 0)
        throw FormatError("matmul: negative size (rows " + std::to_string(w.rows) + ", cols " +
                          std::to_string(w.cols) + ", tokens " + std::to_string(nTokens) + ")");
    rowBytes(w.type, w.cols);  // throws FormatError when cols is not a multiple of the block size
    if (w.layout == WeightLayout::Interleaved4 && !canInterleave(w.type, w.rows, w.cols))
        throw FormatError("matmul: a " + std::string(tensorTypeName(w.type)) + " matrix of " +
                          std::to_string(w.rows) + " x " + std::to_string(w.cols) +
                          " cannot be in the interleaved layout");
    if (w.rows == 0 || nTokens == 0)
        return;
    if (y == nullptr || (w.cols > 0 && (w.data == nullptr || x == nullptr)))
        throw Error("matmul: null weight, activation or output pointer (" +
                    std::string(tensorTypeName(w.type)) + " " + std::to_string(w.rows) + " x " +
                    std::to_string(w.cols) + ")");
    if (w.cols == 0) {
        std::fill(y, y + w.rows * nTokens, 0.0f);
        return;
    }

    const Isa isa = activeIsa();
    const bool floatWeights = actFormat(w.type, isa) == ActFormat::Float;
    if (useGemm(nTokens, isa, floatWeights)) {
        if (floatWeights) {
            if (const GemmF32Fn gemm = gemmF32Kernel(isa))
                return matmulGemmF32(w, x, nTokens, y, pool, isa, gemm);
        } else if (const GemmQ8Fn gemm = gemmQ8Kernel(isa)) {
            return matmulGemmQ8(w, x, nTokens, y, pool, isa, gemm);
        }
    }
    matmulVecDot(w, x, nTokens, y, pool, isa);
}

} // namespace lamp::cpu
