// The element-wise and per-row operations of a Transformer forward pass, on float rows. Plain,
// portable code: the matrix products (where nearly all the time goes) are in cpu/matmul.h.
#pragma once

#include "cpu/thread_pool.h"

#include <algorithm>
#include <cstdint>

namespace lamp::ops {

// Runs fn(begin, end) over [0, n) on the pool when the work is worth splitting (n ≥ minPerThread
// per thread), else inline on the calling thread. A template, so that no std::function (which
// allocates for most lambdas) is made on every call of every token.
template <typename Fn>
void parallelFor(cpu::ThreadPool& pool, int64_t n, int64_t minPerThread, const Fn& fn) {
    if (n <= 0)
        return;
    if (pool.size() <= 1 || n < 2 * std::max<int64_t>(minPerThread, 1)) {
        fn(int64_t{0}, n);
        return;
    }
    pool.run(n, [&](int64_t begin, int64_t end, int) { fn(begin, end); });
}

// out = x / sqrt(mean(x²) + eps) ⊙ w              (x, w, out: [n]; out may be x)
void rmsNorm(const float* x, const float* w, float* out, int64_t n, float eps);
// out = (x − mean) / sqrt(var + eps) ⊙ w + b      (x, w, b, out: [n]; out may be x)
void layerNorm(const float* x, const float* w, const float* b, float* out, int64_t n, float eps);

// y += x  (both [n])
void add(float* y, const float* x, int64_t n);
// Each of the `rows` rows of y ([rows][n]) += b ([n]).
void addBias(float* y, const float* b, int64_t rows, int64_t n);

// x = softmax(x) in place ([n]), subtracting the maximum first.
void softmax(float* x, int64_t n);

// SwiGLU: gate[i] = silu(gate[i]) · up[i], silu(x) = x / (1 + e^−x).
void swiglu(float* gate, const float* up, int64_t n);
// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in place.
void gelu(float* x, int64_t n);
float geluScalar(float x);

// Rotary position embedding.
enum class RopeMode : uint8_t {
    Normal,  // rotates adjacent pairs (x[2i], x[2i+1])
    Neox,    // rotates (x[i], x[i + nRot/2])
};
struct RopeParams {
    RopeMode mode = RopeMode::Normal;
    int64_t nRot = 0;                    // rotated width per head (even, ≤ head width); the rest passes
    float freqBase = 10000.0f;           // θ_i = pos · freqScale · base^(−2i/nRot) / factor_i
    float freqScale = 1.0f;              // linear scaling: 1 / rope.scaling.factor
    const float* freqFactors = nullptr;  // [nRot/2] per-pair divisors (rope_freqs.weight), or null
};
// cos θ_i and sin θ_i for pairs i < nRot/2 at position `pos` (cosOut, sinOut: [nRot/2]).
void ropeAngles(const RopeParams& p, int64_t pos, float* cosOut, float* sinOut);
// Rotates the first nRot values of each of `heads` heads of width headDim in x ([heads][headDim]).
void ropeApply(const RopeParams& p, float* x, int64_t heads, int64_t headDim, const float* cosv,
               const float* sinv);

// Σ a[i]·b[i]
float dot(const float* a, const float* b, int64_t n);
// y += a·x
void axpy(float* y, float a, const float* x, int64_t n);

} // namespace lamp::ops
