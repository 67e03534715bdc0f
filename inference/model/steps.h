// The steps an architecture's forward pass is written in, each over a whole batch of tokens
// (rows of a [n][width] activation matrix) and spread over the thread pool where that pays.
#pragma once

#include "cpu/matmul.h"
#include "model/ops.h"

#include <cstdint>
#include <initializer_list>

namespace lamp::cpu {
class ThreadPool;
}

namespace lamp::steps {

// out[t] = rmsNorm(x[t]) ⊙ w for the n rows of width `width`.
void rmsNorm(cpu::ThreadPool& pool, const float* x, const float* w, float* out, int64_t n, int64_t width,
             float eps);
// out[t] = layerNorm(x[t]) ⊙ w + b.
void layerNorm(cpu::ThreadPool& pool, const float* x, const float* w, const float* b, float* out,
               int64_t n, int64_t width, float eps);

// out[t] = W · in[t] (+ bias): in [n][W.cols], out [n][W.rows], bias [W.rows] or null.
void linear(cpu::ThreadPool& pool, const cpu::WeightMatrix& w, const float* in, int64_t n, float* out,
            const float* bias = nullptr);

// One product of linearShared: out = W · in (+ bias).
struct Projection {
    const cpu::WeightMatrix& w;
    float* out;
    const float* bias = nullptr;
};
// Up to four projections of the same input (q, k and v; gate and up) in one pass over the threads
// (cpu::matmulShared): the same results as linear() on each.
void linearShared(cpu::ThreadPool& pool, const float* in, int64_t n, std::initializer_list<Projection> projections);

// table[t] = cos θ_i then sin θ_i (nRot values) for positions startPos + t, t < n.
void ropeTable(const ops::RopeParams& p, int64_t startPos, int64_t n, float* table);
// Rotates every head of each row of x ([n][heads][headDim]) by its position's angles.
void rope(cpu::ThreadPool& pool, const ops::RopeParams& p, const float* table, float* x, int64_t n,
          int64_t heads, int64_t headDim);

// y += x over count values.
void add(cpu::ThreadPool& pool, float* y, const float* x, int64_t count);
// gate = silu(gate) ⊙ up over count values.
void swiglu(cpu::ThreadPool& pool, float* gate, const float* up, int64_t count);
// x = gelu(x) over count values.
void gelu(cpu::ThreadPool& pool, float* x, int64_t count);

} // namespace lamp::steps
