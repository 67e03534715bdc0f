#include "model/steps.h"

#include "core/error.h"
#include "cpu/thread_pool.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>

namespace lamp::steps {

namespace {
constexpr int64_t kMinElements = 1 << 14;  // element-wise work below this runs on one thread
}

void rmsNorm(cpu::ThreadPool& pool, const float* x, const float* w, float* out, int64_t n, int64_t width,
             float eps) {
    ops::parallelFor(pool, n, std::max<int64_t>(1, kMinElements / width), [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t)
            ops::rmsNorm(x + t * width, w, out + t * width, width, eps);
    });
}

void layerNorm(cpu::ThreadPool& pool, const float* x, const float* w, const float* b, float* out,
               int64_t n, int64_t width, float eps) {
    ops::parallelFor(pool, n, std::max<int64_t>(1, kMinElements / width), [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t)
            ops::layerNorm(x + t * width, w, b, out + t * width, width, eps);
    });
}

void linear(cpu::ThreadPool& pool, const cpu::WeightMatrix& w, const float* in, int64_t n, float* out,
            const float* bias) {
    cpu::matmul(w, in, n, out, pool);
    if (bias != nullptr)
        ops::addBias(out, bias, n, w.rows);
}

void linearShared(cpu::ThreadPool& pool, const float* in, int64_t n, std::initializer_list<Projection> projections) {
    constexpr size_t kMost = 4;
    if (projections.size() > kMost)
        throw Error("linearShared: at most " + std::to_string(kMost) + " projections");
    std::array<const cpu::WeightMatrix*, kMost> ws{};
    std::array<float*, kMost> outs{};
    size_t count = 0;
    for (const Projection& p : projections) {
        ws[count] = &p.w;
        outs[count++] = p.out;
    }
    cpu::matmulShared(std::span(ws).first(count), in, n, std::span(outs).first(count), pool);
    for (const Projection& p : projections)
        if (p.bias != nullptr)
            ops::addBias(p.out, p.bias, n, p.w.rows);
}

void ropeTable(const ops::RopeParams& p, int64_t startPos, int64_t n, float* table) {
    const int64_t half = p.nRot / 2;
    for (int64_t t = 0; t < n; ++t)
        ops::ropeAngles(p, startPos + t, table + t * p.nRot, table + t * p.nRot + half);
}

void rope(cpu::ThreadPool& pool, const ops::RopeParams& p, const float* table, float* x, int64_t n,
          int64_t heads, int64_t headDim) {
    const int64_t width = heads * headDim, half = p.nRot / 2;
    ops::parallelFor(pool, n, std::max<int64_t>(1, kMinElements / width), [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t)
            ops::ropeApply(p, x + t * width, heads, headDim, table + t * p.nRot, table + t * p.nRot + half);
    });
}

void add(cpu::ThreadPool& pool, float* y, const float* x, int64_t count) {
    ops::parallelFor(pool, count, kMinElements, [&](int64_t begin, int64_t end) {
        ops::add(y + begin, x + begin, end - begin);
    });
}

// swiglu and gelu take an exponential or tanh per value (~1.5 ns): worth two threads from 2048
// values on (Qwen2.5-0.5B's 4864-wide feed-forward ran on the caller alone while the others
// waited, ~2% of a token at 2 threads).
constexpr int64_t kMinTranscendental = 1024;

void swiglu(cpu::ThreadPool& pool, float* gate, const float* up, int64_t count) {
    ops::parallelFor(pool, count, kMinTranscendental, [&](int64_t begin, int64_t end) {
        ops::swiglu(gate + begin, up + begin, end - begin);
    });
}

void gelu(cpu::ThreadPool& pool, float* x, int64_t count) {
    ops::parallelFor(pool, count, kMinTranscendental, [&](int64_t begin, int64_t end) {
        ops::gelu(x + begin, end - begin);
    });
}

} // namespace lamp::steps
