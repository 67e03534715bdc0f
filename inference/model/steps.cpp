#include "model/steps.h"

#include "cpu/thread_pool.h"

#include <algorithm>

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

void swiglu(cpu::ThreadPool& pool, float* gate, const float* up, int64_t count) {
    ops::parallelFor(pool, count, kMinElements / 4, [&](int64_t begin, int64_t end) {
        ops::swiglu(gate + begin, up + begin, end - begin);
    });
}

void gelu(cpu::ThreadPool& pool, float* x, int64_t count) {
    ops::parallelFor(pool, count, kMinElements / 4, [&](int64_t begin, int64_t end) {
        ops::gelu(x + begin, end - begin);
    });
}

} // namespace lamp::steps
