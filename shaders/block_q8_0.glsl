// Q8_0 blocks: 32 values in 34 bytes = 17 halves: d (fp16), then int8 qs[32]; value = q·d.
#ifndef LAMP_BLOCK_Q8_0_GLSL
#define LAMP_BLOCK_Q8_0_GLSL
#include "common.glsl"

const uint Q8_0_VALUES = 32u;
const uint Q8_0_BYTES = 34u;

// Scale of block b of a uint[] buffer BUF.
#define Q8_0_D(BUF, b) LOAD_F16(BUF, (b) * 17u)
// Signed code j of block b.
#define Q8_0_Q(BUF, b, j) LOAD_I8(BUF, (b) * Q8_0_BYTES + 2u + (j))

#endif
