// Internal to the CPU backend: <immintrin.h> for the kernel files, which compile their AVX2 and
// AVX-512 functions with target attributes (kernels.h) while the rest of the library targets the
// baseline. Include it first in a kernel file.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define LAMP_X86 1
#if defined(__GNUC__) && !defined(__clang__)
// gcc 12's AVX-512 headers initialise "undefined" vectors from themselves (gcc PR 105593), which
// -Wuninitialized reports inside every kernel that inlines them. Silenced for the kernel files only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#else
#define LAMP_X86 0
#endif

#if LAMP_X86
#include <cstddef>

namespace lamp::cpu::detail {

// How far ahead of the weights it reads a decode kernel asks for them to be brought into L2, in
// bytes. The hardware prefetchers alone kept too few lines in flight while the core computes: Q8_0
// products streamed from memory at 83-93% of one core's read bandwidth, and at 93-106% with this
// (4 KiB ahead into L1 gained nothing; 8 and 16 KiB into L2 were alike). Generation, A/B in one run
// on a 2-core Zen 5 VM: TinyLlama Q8_0 +15% at 1 and 2 threads, Qwen2.5-0.5B-shaped Q8_0 +10-20%.
// Q4_K products from memory +5-20%, Q6_K +15-30%. The four-row 4/5-bit kernels keep their own
// prefetch (vec_dot_avx512_impl.h): this distance was 20-40% slower there.
// Rows lie back to back and each thread walks its own contiguous range (cpu/thread_pool.h), so the
// address ahead is usually the thread's next rows; past a matrix's end a prefetch does no harm.
constexpr size_t kFarPrefetch = 8192;

// Asks for the `bytes` (a block) at p + kFarPrefetch to be brought into L2: one request per line.
template <size_t bytes>
inline void prefetchFar(const void* p) {
    for (size_t o = 0; o < bytes; o += 64)
        _mm_prefetch(static_cast<const char*>(p) + kFarPrefetch + o, _MM_HINT_T2);
}

} // namespace lamp::cpu::detail
#endif
