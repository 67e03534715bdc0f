#include "model/attention.h"

#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"
#include "cpu/vector_math.h"
#include "model/kv_cache.h"
#include "model/ops.h"
#include "quant/half.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LAMP_ATTENTION_X86 1
#else
#define LAMP_ATTENTION_X86 0
#endif

#include <algorithm>
#include <cmath>
#include <vector>

namespace lamp {

namespace {

// ---- dot products and weighted sums against cache rows (F16 or F32) ---------------------------

float dotF16(const float* q, const uint16_t* k, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i)
        s += q[i] * fp16ToFp32(k[i]);
    return s;
}

void axpyF16(float* y, float a, const uint16_t* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
        y[i] += a * fp16ToFp32(x[i]);
}

#if LAMP_ATTENTION_X86
__attribute__((target("avx2,fma,f16c"))) float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma,f16c"))) float dotF16Avx2(const float* q, const uint16_t* k, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 k0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + i)));
        const __m256 k1 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + i + 8)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), k0, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), k1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        const __m256 k0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + i)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), k0, acc0);
    }
    float s = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        s += q[i] * _cvtsh_ss(k[i]);
    return s;
}

__attribute__((target("avx2,fma,f16c"))) void axpyF16Avx2(float* y, float a, const uint16_t* x, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 xv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, xv, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; ++i)
        y[i] += a * _cvtsh_ss(x[i]);
}

__attribute__((target("avx2,fma"))) float dotF32Avx2(const float* q, const float* k, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(k + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), acc0);
    float s = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        s += q[i] * k[i];
    return s;
}

__attribute__((target("avx2,fma"))) void axpyF32Avx2(float* y, float a, const float* x, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += a * x[i];
}
// out[0..n) = Σ_j w[j] · row j (rows `stride` bytes apart, j < count), for n a multiple of 8:
// 64 columns at a time in eight registers across all rows, instead of an axpy per row that loads
// and stores the output each time (that load/store traffic made the value side of attention the
// largest cost of decoding at long contexts). The same multiply-adds in the same order as axpy
// over the rows, so the same bits.
template <typename Row, __m256 (*load8)(const Row*)>
__attribute__((target("avx2,fma,f16c"))) void weightedRowsAvx2(float* out, const float* w, const std::byte* rows,
                                                              size_t stride, int64_t count, int64_t n) {
    for (int64_t c = 0; c < n; c += 64) {
        const int64_t width = std::min<int64_t>(64, n - c);  // a multiple of 8
        __m256 acc[8];
        for (auto& a : acc)
            a = _mm256_setzero_ps();
        const std::byte* row = rows;
        for (int64_t j = 0; j < count; ++j, row += stride) {
            const __m256 wj = _mm256_set1_ps(w[j]);
            const Row* x = reinterpret_cast<const Row*>(row) + c;
            if (width == 64) {  // a constant trip count: the compiler keeps acc in registers
                for (int k = 0; k < 8; ++k)
                    acc[k] = _mm256_fmadd_ps(wj, load8(x + 8 * k), acc[k]);
            } else {
                for (int k = 0; k < width / 8; ++k)
                    acc[k] = _mm256_fmadd_ps(wj, load8(x + 8 * k), acc[k]);
            }
        }
        for (int k = 0; k < width / 8; ++k)
            _mm256_storeu_ps(out + c + 8 * k, acc[k]);
    }
}

// out[j] = scale · q · row j for j < count (rows `stride` bytes apart), n a multiple of 8: eight
// rows at a time, each query chunk loaded once for the eight, and the eight dot products reduced
// together (one transposing reduction instead of eight horizontal sums).
template <typename Row, __m256 (*load8)(const Row*), float (*dotOne)(const float*, const Row*, int64_t)>
__attribute__((target("avx2,fma,f16c"))) void scoreRowsAvx2(float* out, const float* q, const std::byte* rows,
                                                           size_t stride, int64_t count, int64_t n, float scale) {
    int64_t j = 0;
    for (; j + 8 <= count; j += 8) {
        __m256 acc[8];
        for (auto& a : acc)
            a = _mm256_setzero_ps();
        const std::byte* block = rows + static_cast<size_t>(j) * stride;
        for (int64_t k = 0; k < n; k += 8) {
            const __m256 qk = _mm256_loadu_ps(q + k);
            for (int p = 0; p < 8; ++p)
                acc[p] = _mm256_fmadd_ps(qk, load8(reinterpret_cast<const Row*>(block + p * stride) + k), acc[p]);
        }
        // [Σ acc0 .. Σ acc7]: pairwise sums within each 128-bit half, then the halves added.
        const __m256 h0123 = _mm256_hadd_ps(_mm256_hadd_ps(acc[0], acc[1]), _mm256_hadd_ps(acc[2], acc[3]));
        const __m256 h4567 = _mm256_hadd_ps(_mm256_hadd_ps(acc[4], acc[5]), _mm256_hadd_ps(acc[6], acc[7]));
        const __m256 sums = _mm256_add_ps(_mm256_permute2f128_ps(h0123, h4567, 0x20),
                                          _mm256_permute2f128_ps(h0123, h4567, 0x31));
        _mm256_storeu_ps(out + j, _mm256_mul_ps(sums, _mm256_set1_ps(scale)));
    }
    for (; j < count; ++j)
        out[j] = scale * dotOne(q, reinterpret_cast<const Row*>(rows + static_cast<size_t>(j) * stride), n);
}

__attribute__((target("avx2,fma,f16c"))) inline __m256 loadF16x8(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
__attribute__((target("avx2,fma,f16c"))) inline __m256 loadF32x8(const float* p) { return _mm256_loadu_ps(p); }
#endif

// The row kernels for one cache format, chosen once per call.
struct RowKernels {
    float (*dot)(const float* q, const void* row, int64_t n);
    void (*axpy)(float* y, float a, const void* row, int64_t n);
    // Σ_j w[j] · row j into out (n a multiple of 8), or null: an axpy per row.
    void (*weightedRows)(float* out, const float* w, const std::byte* rows, size_t stride, int64_t count,
                         int64_t n) = nullptr;
    // out[j] = scale · q · row j (n a multiple of 8), or null: a dot per row.
    void (*scoreRows)(float* out, const float* q, const std::byte* rows, size_t stride, int64_t count, int64_t n,
                      float scale) = nullptr;
};

RowKernels rowKernels(KvType type) {
#if LAMP_ATTENTION_X86
    if (cpu::includesAvx2(cpu::activeIsa())) {
        if (type == KvType::F16)
            return {[](const float* q, const void* r, int64_t n) { return dotF16Avx2(q, static_cast<const uint16_t*>(r), n); },
                    [](float* y, float a, const void* r, int64_t n) { axpyF16Avx2(y, a, static_cast<const uint16_t*>(r), n); },
                    weightedRowsAvx2<uint16_t, loadF16x8>, scoreRowsAvx2<uint16_t, loadF16x8, dotF16Avx2>};
        return {[](const float* q, const void* r, int64_t n) { return dotF32Avx2(q, static_cast<const float*>(r), n); },
                [](float* y, float a, const void* r, int64_t n) { axpyF32Avx2(y, a, static_cast<const float*>(r), n); },
                weightedRowsAvx2<float, loadF32x8>, scoreRowsAvx2<float, loadF32x8, dotF32Avx2>};
    }
#endif
    if (type == KvType::F16)
        return {[](const float* q, const void* r, int64_t n) { return dotF16(q, static_cast<const uint16_t*>(r), n); },
                [](float* y, float a, const void* r, int64_t n) { axpyF16(y, a, static_cast<const uint16_t*>(r), n); }};
    return {[](const float* q, const void* r, int64_t n) { return ops::dot(q, static_cast<const float*>(r), n); },
            [](float* y, float a, const void* r, int64_t n) { ops::axpy(y, a, static_cast<const float*>(r), n); }};
}

// ---- attention ------------------------------------------------------------------------------

// Each thread's buffers for one (token, head group): the scores of every visible position, and
// the running maximum and sum per head. Grown on every thread of the pool together, before the
// work, so a worker taking its first chunk late never allocates in the middle of a token.
struct AttentionScratch {
    std::vector<float> scores;  // [group][positions]
    std::vector<float> maxes;   // [group]
    std::vector<float> sums;    // [group]
};

AttentionScratch& threadScratch() {
    thread_local AttentionScratch s;
    return s;
}

void prepareScratch(cpu::ThreadPool& pool, const KvCache& kv, int64_t group) {
    const auto scores = static_cast<size_t>(group * kv.contextLength());
    const auto heads = static_cast<size_t>(group);
    // The caller takes part in every run, so its buffers having the size means the workers' have it
    // too — for the pools this thread has prepared; the tasks still grow what a worker of another
    // pool lacks.
    const AttentionScratch& mine = threadScratch();
    if (mine.scores.capacity() >= scores && mine.maxes.size() >= heads)
        return;
    pool.onEveryThread([&](int64_t, int64_t, int) {
        AttentionScratch& s = threadScratch();
        s.scores.reserve(scores);
        if (s.maxes.size() < heads) {
            s.maxes.resize(heads);
            s.sums.resize(heads);
        }
    });
}

// Query token t against KV head g, for the `group` query heads that share it, over the cached
// positions [jBegin, jEnd) (all visible to t). Writes per head the largest score (maxOut[h]), the
// sum of exp(score − max) (sumOut[h]) and the unnormalized weighted sum of the value rows
// (out[h][dv]); the softmax division is left to the caller, so ranges can be combined.
void attendRange(const AttentionArgs& a, const RowKernels& kern, int64_t t, int64_t g, int64_t jBegin,
                 int64_t jEnd, std::vector<float>& scores, float* out, float* maxOut, float* sumOut) {
    const KvCache& kv = *a.kv;
    const int64_t group = a.headCount / kv.kvHeads();
    const int64_t dk = kv.keyLength(), dv = kv.valueLength();
    const int64_t len = jEnd - jBegin;
    // Room for the whole context at once, so a growing sequence never reallocates token by token.
    if (scores.capacity() < static_cast<size_t>(group * kv.contextLength()))
        scores.reserve(static_cast<size_t>(group * kv.contextLength()));
    scores.resize(static_cast<size_t>(group * len));

    const float* q = a.q + (t * a.headCount + g * group) * dk;  // the group's query heads
    // The scores' storage, taken once: the kernels are called through pointers, so the compiler
    // would otherwise read the (thread-local) vector's data pointer again after every call.
    float* const scoreRows = scores.data();
    // 1. Scores: per head eight key rows at a time (the group's rows stay in L2), or each key row
    // once for every query head of the group.
    const auto* keys = static_cast<const std::byte*>(kv.key(a.layer, jBegin, g));
    if (kern.scoreRows != nullptr && dk % 8 == 0) {
        for (int64_t h = 0; h < group; ++h)
            kern.scoreRows(scoreRows + h * len, q + h * dk, keys, kv.keyStride(), len, dk, a.scale);
    } else {
        const std::byte* key = keys;
        for (int64_t j = 0; j < len; ++j, key += kv.keyStride())
            for (int64_t h = 0; h < group; ++h)
                scoreRows[h * len + j] = a.scale * kern.dot(q + h * dk, key, dk);
    }
    // 2. exp(score − max) per head, and their sum.
    for (int64_t h = 0; h < group; ++h) {
        float* sc = scoreRows + h * len;
        const float m = *std::max_element(sc, sc + len);
        maxOut[h] = m;
        sumOut[h] = cpu::expShiftedSum(sc, len, m);
    }
    // 3. Weighted sum of the value rows: per head over all rows with the output in registers
    // (the rows of the group stay in L2), or row by row for the whole group.
    const auto* values = static_cast<const std::byte*>(kv.value(a.layer, jBegin, g));
    if (kern.weightedRows != nullptr && dv % 8 == 0) {
        for (int64_t h = 0; h < group; ++h)
            kern.weightedRows(out + h * dv, scoreRows + h * len, values, kv.valueStride(), len, dv);
        return;
    }
    std::fill(out, out + group * dv, 0.0f);
    const std::byte* value = values;
    for (int64_t j = 0; j < len; ++j, value += kv.valueStride())
        for (int64_t h = 0; h < group; ++h)
            kern.axpy(out + h * dv, scoreRows[h * len + j], value, dv);
}

// Few (token, KV head) pairs for many threads (decoding at long contexts): each pair's positions
// are split into chunks that run in parallel, then combined with their softmax weights.
void attentionSplit(const AttentionArgs& a, const RowKernels& kern, cpu::ThreadPool& pool, int64_t chunks) {
    const int64_t kvHeads = a.kv->kvHeads(), group = a.headCount / kvHeads;
    const int64_t dv = a.kv->valueLength();
    const int64_t pairs = a.n * kvHeads, tasks = pairs * chunks;
    // The partial results live in buffers of the calling thread that only grow: this runs for
    // every layer of every generated token, which must not allocate. (Bound to references here:
    // a thread_local named inside the task would be the worker's own.)
    thread_local std::vector<float> outStore, maxStore, sumStore;
    std::vector<float>& partOut = outStore;
    std::vector<float>& partMax = maxStore;
    std::vector<float>& partSum = sumStore;
    partOut.resize(std::max(partOut.size(), static_cast<size_t>(tasks * group * dv)));
    partMax.resize(std::max(partMax.size(), static_cast<size_t>(tasks * group)));
    partSum.resize(partMax.size());
    prepareScratch(pool, *a.kv, group);
    pool.run(tasks, [&](int64_t begin, int64_t end, int) {
        std::vector<float>& scores = threadScratch().scores;
        for (int64_t task = begin; task < end; ++task) {
            const int64_t pair = task / chunks, c = task % chunks;
            const int64_t t = pair / kvHeads, g = pair % kvHeads;
            const int64_t visible = a.startPos + t + 1;
            const int64_t jBegin = visible * c / chunks, jEnd = visible * (c + 1) / chunks;
            float* out = partOut.data() + task * group * dv;
            float* mx = partMax.data() + task * group;
            float* sm = partSum.data() + task * group;
            if (jBegin == jEnd) {
                std::fill(out, out + group * dv, 0.0f);
                std::fill(mx, mx + group, -INFINITY);
                std::fill(sm, sm + group, 0.0f);
                continue;
            }
            attendRange(a, kern, t, g, jBegin, jEnd, scores, out, mx, sm);
        }
    });
    // Combine: out = Σ_c e^(m_c − M)·o_c / Σ_c e^(m_c − M)·s_c per head.
    for (int64_t pair = 0; pair < pairs; ++pair) {
        const int64_t t = pair / kvHeads, g = pair % kvHeads;
        for (int64_t h = 0; h < group; ++h) {
            float m = -INFINITY;
            for (int64_t c = 0; c < chunks; ++c)
                m = std::max(m, partMax[static_cast<size_t>((pair * chunks + c) * group + h)]);
            float* out = a.out + (t * a.headCount + g * group + h) * dv;
            std::fill(out, out + dv, 0.0f);
            float sum = 0.0f;
            for (int64_t c = 0; c < chunks; ++c) {
                const int64_t task = pair * chunks + c;
                const float mc = partMax[static_cast<size_t>(task * group + h)];
                if (mc == -INFINITY)
                    continue;
                const float w = std::exp(mc - m);
                sum += w * partSum[static_cast<size_t>(task * group + h)];
                ops::axpy(out, w, partOut.data() + (task * group + h) * dv, dv);
            }
            const float inv = 1.0f / sum;
            for (int64_t i = 0; i < dv; ++i)
                out[i] *= inv;
        }
    }
}

} // namespace

void attention(const AttentionArgs& a, cpu::ThreadPool& pool) {
    const int64_t kvHeads = a.kv->kvHeads(), group = a.headCount / kvHeads;
    const int64_t dv = a.kv->valueLength();
    const int64_t pairs = a.n * kvHeads;
    const RowKernels kern = rowKernels(a.kv->type());
    // Fewer pairs than threads and long enough ranges: split positions too (≥ 256 per chunk).
    constexpr int64_t kMinChunk = 256;
    const int64_t threads = pool.size();
    const int64_t shortest = a.startPos + 1;
    if (pairs < threads && shortest >= 2 * kMinChunk) {
        const int64_t chunks = std::min((threads + pairs - 1) / pairs, shortest / kMinChunk);
        attentionSplit(a, kern, pool, chunks);
        return;
    }
    prepareScratch(pool, *a.kv, group);
    ops::parallelFor(pool, pairs, 1, [&](int64_t begin, int64_t end) {
        AttentionScratch& scratch = threadScratch();
        std::vector<float>& scores = scratch.scores;
        std::vector<float>& maxes = scratch.maxes;
        std::vector<float>& sums = scratch.sums;
        if (maxes.size() < static_cast<size_t>(group)) {  // a worker of another pool this thread
            maxes.resize(static_cast<size_t>(group));    // has not prepared (see prepareScratch)
            sums.resize(static_cast<size_t>(group));
        }
        for (int64_t task = begin; task < end; ++task) {
            // Later tokens see more positions: pairing the i-th token from the front with the i-th
            // from the back keeps contiguous chunks of tasks equally expensive.
            const int64_t i = task / kvHeads;
            const int64_t t = i % 2 == 0 ? i / 2 : a.n - 1 - i / 2;
            const int64_t g = task % kvHeads;
            float* out = a.out + (t * a.headCount + g * group) * dv;
            attendRange(a, kern, t, g, 0, a.startPos + t + 1, scores, out, maxes.data(), sums.data());
            for (int64_t h = 0; h < group; ++h) {
                const float inv = 1.0f / sums[static_cast<size_t>(h)];
                for (int64_t k = 0; k < dv; ++k)
                    out[h * dv + k] *= inv;
            }
        }
    });
}

} // namespace lamp
