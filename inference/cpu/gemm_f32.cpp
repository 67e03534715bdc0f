// The float GEMM for F32/F16/BF16 weights with many tokens: weight rows are converted to float a
// tile at a time (kernels.h); an RM x TN tile of accumulators stays in registers while the columns
// stream past, so each loaded weight vector serves TN tokens and each activation vector RM rows.
// The x86 micro-kernel is gemm_f32_tile.h, compiled here once per vector width.
#include "cpu/simd.h"
#include "cpu/kernels.h"

#include <algorithm>


namespace lamp::cpu::detail {
namespace {

void gemmF32Portable(const float* w, int64_t wRows, const float* x, int64_t xRows, int64_t cols,
                     float* y, int64_t ldy) {
    for (int64_t t = 0; t < xRows; ++t)
        for (int64_t r = 0; r < wRows; ++r) {
            const float* a = w + r * cols;
            const float* b = x + t * cols;
            float acc[16] = {};
            for (int64_t c = 0; c < cols; c += 16)
                for (int k = 0; k < 16; ++k)
                    acc[k] += a[c + k] * b[c + k];
            float s = 0.0f;
            for (float v : acc)
                s += v;
            y[t * ldy + r] = s;
        }
}

#if LAMP_X86

// ---- one micro-kernel (gemm_f32_tile.h) per vector width; float products need no VNNI ----

namespace avx2 {
#define LAMP_F_TARGET LAMP_TARGET_AVX2
#define LAMP_F_WIDTH 256
#define LAMP_F_RM 3
#define LAMP_F_TN 4
#include "cpu/gemm_f32_tile.h"
} // namespace avx2

namespace avx512 {
#define LAMP_F_TARGET LAMP_TARGET_AVX512_NOVNNI
#define LAMP_F_WIDTH 512
#define LAMP_F_RM 4
#define LAMP_F_TN 6
#include "cpu/gemm_f32_tile.h"
} // namespace avx512

#endif

} // namespace

GemmF32Fn gemmF32Kernel(Isa isa) {
#if LAMP_X86
    // Float products need no VNNI: each vector width has one kernel.
    if (isa == Isa::Avx512 || isa == Isa::Avx512Vnni)
        return avx512::gemm;
    if (isa == Isa::Avx2 || isa == Isa::AvxVnni)
        return avx2::gemm;
#endif
    (void)isa;
    return gemmF32Portable;
}

} // namespace lamp::cpu::detail
