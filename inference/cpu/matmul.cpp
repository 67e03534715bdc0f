// matmul(): validation, activation quantization, the split of rows over the thread pool, and the
// choice between the decode (vec-dot) and prompt-processing (packed GEMM) kernels.
#include "cpu/matmul.h"

#include "core/error.h"
#include "cpu/kernels.h"
#include "cpu/thread_pool.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <span>
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

// The most weight bytes in one decode chunk. The threads finish a product together only to within
// the last chunk one of them runs: with 8 chunks per thread, Qwen2.5-0.5B's 136 MiB output matrix
// came in 9 MiB chunks (~0.2 ms each at 2 threads), so one thread often waited most of that at the
// end of every token. 256 KiB is ~5 µs; a thread still streams its range front to back
// (cpu/thread_pool.h), so more chunks cost only their hand-out.
constexpr size_t kMaxChunkBytes = size_t{256} << 10;

// Splits `rows` into chunks for the pool: about 8 per thread, at least `step` rows, a multiple of
// `step` so tiles stay whole; on the decode path (rowBytes given) at most kMaxChunkBytes each.
int64_t grainFor(int64_t rows, int threads, int64_t step, size_t rowBytes = 0) {
    int64_t grain = (rows + 8 * threads - 1) / (8 * static_cast<int64_t>(threads));
    if (rowBytes > 0)
        grain = std::min(grain, static_cast<int64_t>(kMaxChunkBytes / rowBytes));
    grain = (grain + step - 1) / step * step;
    return std::max(grain, step);
}

// ---- decode: vec-dot kernels on the rows as they lie in the file ----------------------------

// The most matrices one decode pass takes (q, k and v; gate and up). Fixed so a pass allocates
// nothing.
constexpr size_t kMaxPassMatrices = 4;

size_t activationStride(ActFormat format, int64_t cols) {
    switch (format) {
    case ActFormat::Float: return static_cast<size_t>(cols) * sizeof(float);
    case ActFormat::Q8A: return static_cast<size_t>(cols / 32) * sizeof(BlockQ8A);
    case ActFormat::Q8A2: return static_cast<size_t>((cols / 32 + 1) / 2) * sizeof(BlockQ8A2);
    case ActFormat::Q8K:
    case ActFormat::Q8KSwapped: return static_cast<size_t>(cols / 256) * sizeof(BlockQ8_K);
    }
    return 0;
}

// Every token's activations in `format`, once per pass, into buf (nTokens × activationStride).
void quantizeActivations(ActFormat format, const float* x, int64_t nTokens, int64_t cols, std::byte* buf,
                         ThreadPool& pool, Isa isa) {
    const size_t xStride = activationStride(format, cols);
    const auto quantizeTokens = [&](int64_t begin, int64_t end, int) {
        for (int64_t t = begin; t < end; ++t) {
            std::byte* dst = buf + static_cast<size_t>(t) * xStride;
            const float* src = x + t * cols;
            if (format == ActFormat::Q8A)
                quantizeQ8A(src, reinterpret_cast<BlockQ8A*>(dst), cols, isa);
            else if (format == ActFormat::Q8A2)
                quantizeQ8A2(src, reinterpret_cast<BlockQ8A2*>(dst), cols, isa);
            else if (format == ActFormat::Q8K)
                quantizeQ8K(src, reinterpret_cast<BlockQ8_K*>(dst), cols, isa);
            else
                quantizeQ8KSwapped(src, reinterpret_cast<BlockQ8_K*>(dst), cols, isa);
        }
    };
    if (nTokens * cols >= 65536)
        pool.run(nTokens, quantizeTokens);
    else
        quantizeTokens(0, nTokens, 0);
}

// One matrix of a decode pass: its kernel, its activations, and where its rows lie among the
// pass's rows.
struct PassMatrix {
    const WeightMatrix* w = nullptr;
    float* y = nullptr;
    VecDotFn kernel = nullptr;
    size_t stride = 0;
    // An interleaved matrix on a family without its kernel: each step's rows (whole groups: steps
    // start at multiples of kDecodeStep) go back to the file's layout first.
    bool restoreRows = false;
    ActFormat format = ActFormat::Float;  // of its activations
    const std::byte* xq = nullptr;
    size_t xStride = 0;
    int64_t first = 0;  // its row 0 in the pass: a multiple of kDecodeStep
};

// y_i = W_i · x for matrices of the same row length, in one split of all their rows over the
// threads (matmul: one; matmulShared: up to kMaxPassMatrices).
void matmulVecDot(std::span<const WeightMatrix* const> ws, std::span<float* const> ys, const float* x,
                  int64_t nTokens, ThreadPool& pool, Isa isa) {
    const int64_t cols = ws[0]->cols;
    const size_t count = ws.size();
    std::array<PassMatrix, kMaxPassMatrices> pass;
    // The activations in each format the matrices want (a Q4_K_M pass mixes Q8K and Q8A2, say).
    constexpr size_t kFormats = static_cast<size_t>(ActFormat::Q8KSwapped) + 1;  // the last one
    std::array<size_t, kFormats> formatOffset{};
    std::array<bool, kFormats> wanted{};
    size_t activationBytes = 0;
    int64_t rows = 0;
    bool restoring = false;
    for (size_t i = 0; i < count; ++i) {
        PassMatrix& m = pass[i];
        m.w = ws[i];
        m.y = ys[i];
        const bool interleaved = m.w->layout == WeightLayout::Interleaved4;
        const VecDotFn interleavedKernel = interleaved ? vecDotInterleavedKernel(m.w->type, isa) : nullptr;
        m.restoreRows = interleaved && interleavedKernel == nullptr;
        restoring = restoring || m.restoreRows;
        m.kernel = interleavedKernel ? interleavedKernel : vecDotKernel(m.w->type, isa);
        m.stride = rowBytes(m.w->type, cols);
        m.first = rows;
        rows += (m.w->rows + kDecodeStep - 1) / kDecodeStep * kDecodeStep;
        m.format = actFormat(m.w->type, isa);
        const auto format = static_cast<size_t>(m.format);
        m.xStride = activationStride(m.format, cols);
        // (format < kFormats always holds; said so that gcc -O3 sees the index in bounds)
        if (m.format != ActFormat::Float && format < kFormats && !wanted[format]) {
            wanted[format] = true;
            formatOffset[format] = activationBytes;
            activationBytes += align64(m.xStride * static_cast<size_t>(nTokens));
        }
    }
    size_t widestRow = 0;
    for (size_t i = 0; i < count; ++i)
        widestRow = std::max(widestRow, pass[i].stride);
    if (restoring)
        prepareScratch(pool, rowScratch, widestRow * static_cast<size_t>(kDecodeStep));
    std::byte* activations = activationBytes > 0 ? activationScratch().get(activationBytes) : nullptr;
    for (size_t f = 0; f < kFormats; ++f)
        if (wanted[f])
            quantizeActivations(static_cast<ActFormat>(f), x, nTokens, cols, activations + formatOffset[f], pool, isa);
    for (size_t i = 0; i < count; ++i)
        pass[i].xq = pass[i].format == ActFormat::Float ? reinterpret_cast<const std::byte*>(x)
                                                        : activations + formatOffset[static_cast<size_t>(pass[i].format)];

    // Chunks are multiples of kDecodeStep, and so is every matrix's first row: a step never
    // straddles two matrices, and each matrix's steps start where matmul on it alone starts them
    // (the same rows grouped the same way: the same bits).
    pool.run(rows, grainFor(rows, pool.size(), kDecodeStep, widestRow), [&](int64_t begin, int64_t end, int) {
        size_t i = 0;
        for (int64_t r = begin; r < end;) {
            while (i + 1 < count && r >= pass[i + 1].first)
                ++i;
            const PassMatrix& m = pass[i];
            const int64_t local = r - m.first;
            if (local >= m.w->rows) {  // the padding up to the next matrix
                r = i + 1 < count ? std::min(end, pass[i + 1].first) : end;
                continue;
            }
            const int64_t n = std::min({kDecodeStep, end - r, m.w->rows - local});
            const std::byte* stepRows = m.w->data + static_cast<size_t>(local) * m.stride;
            if (m.restoreRows) {
                std::byte* restored = rowScratch().get(m.stride * static_cast<size_t>(n));
                deinterleaveRows(m.w->type, m.w->data, cols, local, n, restored);
                stepRows = restored;
            }
            for (int64_t t = 0; t < nTokens; ++t)
                m.kernel(stepRows, m.stride, n, m.xq + static_cast<size_t>(t) * m.xStride, cols,
                         m.y + t * m.w->rows + local);
            r += n;
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

namespace {

// Checks one product's arguments (FormatError, Error); false when there is nothing to multiply
// (no rows, no tokens, or no columns, whose zeros it writes).
bool prepare(const WeightMatrix& w, const float* x, int64_t nTokens, float* y) {
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
        return false;
    if (y == nullptr || (w.cols > 0 && (w.data == nullptr || x == nullptr)))
        throw Error("matmul: null weight, activation or output pointer (" +
                    std::string(tensorTypeName(w.type)) + " " + std::to_string(w.rows) + " x " +
                    std::to_string(w.cols) + ")");
    if (w.cols == 0) {
        std::fill(y, y + w.rows * nTokens, 0.0f);
        return false;
    }
    return true;
}

// The GEMM path for this product, if it takes it.
bool tryGemm(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool, Isa isa) {
    const bool floatWeights = actFormat(w.type, isa) == ActFormat::Float;
    if (!useGemm(nTokens, isa, floatWeights))
        return false;
    if (floatWeights) {
        if (const GemmF32Fn gemm = gemmF32Kernel(isa)) {
            matmulGemmF32(w, x, nTokens, y, pool, isa, gemm);
            return true;
        }
    } else if (const GemmQ8Fn gemm = gemmQ8Kernel(isa)) {
        matmulGemmQ8(w, x, nTokens, y, pool, isa, gemm);
        return true;
    }
    return false;
}

} // namespace

void matmul(const WeightMatrix& w, const float* x, int64_t nTokens, float* y, ThreadPool& pool) {
    if (!prepare(w, x, nTokens, y))
        return;
    const Isa isa = activeIsa();
    if (tryGemm(w, x, nTokens, y, pool, isa))
        return;
    const WeightMatrix* one[] = {&w};
    float* const out[] = {y};
    matmulVecDot(one, out, x, nTokens, pool, isa);
}

void matmulShared(std::span<const WeightMatrix* const> ws, const float* x, int64_t nTokens,
                  std::span<float* const> ys, ThreadPool& pool) {
    if (ws.size() != ys.size())
        throw Error("matmulShared: " + std::to_string(ws.size()) + " matrices but " + std::to_string(ys.size()) +
                    " outputs");
    for (const WeightMatrix* w : ws)
        if (w->cols != ws.front()->cols)
            throw FormatError("matmulShared: rows of " + std::to_string(w->cols) + " and of " +
                              std::to_string(ws.front()->cols) + " values cannot share an input");
    const Isa isa = activeIsa();
    // The matrices the decode pass takes together, in order; the others on their own.
    std::array<const WeightMatrix*, kMaxPassMatrices> together{};
    std::array<float*, kMaxPassMatrices> outputs{};
    size_t count = 0;
    for (size_t i = 0; i < ws.size(); ++i) {
        if (!prepare(*ws[i], x, nTokens, ys[i]) || tryGemm(*ws[i], x, nTokens, ys[i], pool, isa))
            continue;
        together[count] = ws[i];
        outputs[count] = ys[i];
        if (++count == kMaxPassMatrices) {
            matmulVecDot(together, outputs, x, nTokens, pool, isa);
            count = 0;
        }
    }
    if (count > 0)
        matmulVecDot(std::span(together).first(count), std::span(outputs).first(count), x, nTokens, pool, isa);
}

} // namespace lamp::cpu
