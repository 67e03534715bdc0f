// The 256-value K-quant super-blocks, read through a uint[] view (blocks are only 2-byte
// aligned). Offsets are in bytes from the block start; see inference/quant/block_formats.h.
//   Q2_K:  84 bytes: scales[16] @0, qs[64] @16, d @80, dmin @82
//   Q3_K: 110 bytes: hmask[32] @0, qs[64] @32, scales[12] @96, d @108
//   Q4_K: 144 bytes: d @0, dmin @2, scales[12] @4, qs[128] @16
//   Q5_K: 176 bytes: d @0, dmin @2, scales[12] @4, qh[32] @16, qs[128] @48
//   Q6_K: 210 bytes: ql[128] @0, qh[64] @128, int8 scales[16] @192, d @208
// The kernels work on 16-value groups g (0..15) of a block, values 16g .. 16g+15, which share
// one scale (Q2_K, Q3_K, Q6_K) or half of one 32-value group (Q4_K, Q5_K).
#ifndef LAMP_BLOCK_K_GLSL
#define LAMP_BLOCK_K_GLSL
#include "common.glsl"

#ifndef LOAD_U8
// Unsigned byte b of a uint[] buffer.
#define LOAD_U8(BUF, b) ((BUF[(b) >> 2u] >> (((b) & 3u) * 8u)) & 0xFFu)
#endif

const uint QK_K = 256u;
const uint Q2_K_BYTES = 84u;
const uint Q3_K_BYTES = 110u;
const uint Q4_K_BYTES = 144u;
const uint Q5_K_BYTES = 176u;
const uint Q6_K_BYTES = 210u;

// Q3_K: the stored 6-bit scale (offset 32 still included) of 16-value group g; SC is the byte
// offset of scales[12].
#define Q3_K_SCALE(B, SC, g)                                                                       \
    (((LOAD_U8(B, (SC) + ((g) & 7u)) >> (4u * ((g) >> 3u))) & 15u) |                               \
     (((LOAD_U8(B, (SC) + 8u + ((g) & 3u)) >> (2u * ((g) >> 2u))) & 3u) << 4u))

// Q4_K / Q5_K: the 6-bit scale and min of 32-value group j (0..7); SC is the byte offset of
// scales[12]. (For j >= 4, j - 4 is written j & 3: no index ever leaves the 12 bytes.)
#define K4_SCALE(B, SC, j)                                                                         \
    ((j) < 4u ? (LOAD_U8(B, (SC) + (j)) & 63u)                                                     \
              : ((LOAD_U8(B, (SC) + (j) + 4u) & 15u) | ((LOAD_U8(B, (SC) + ((j) & 3u)) >> 6u) << 4u)))
#define K4_MIN(B, SC, j)                                                                           \
    ((j) < 4u ? (LOAD_U8(B, (SC) + (j) + 4u) & 63u)                                                \
              : ((LOAD_U8(B, (SC) + (j) + 4u) >> 4u) | ((LOAD_U8(B, (SC) + (j)) >> 6u) << 4u)))

#endif
