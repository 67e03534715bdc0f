// The 32-value 4- and 5-bit blocks, read through a uint[] view (blocks are only 2-byte aligned).
// In all of them byte i of qs holds value i in its low nibble and value i + 16 in its high nibble.
//   Q4_0: 18 bytes: d, qs[16]                 value = (q − 8)·d
//   Q4_1: 20 bytes: d, m, qs[16]              value = q·d + m
//   Q5_0: 22 bytes: d, qh[4], qs[16]          value = (q − 16)·d, fifth bit of value v = bit v of qh
//   Q5_1: 24 bytes: d, m, qh[4], qs[16]       value = q·d + m
// b is the block index in the buffer; B the buffer name.
#ifndef LAMP_BLOCK_Q4_Q5_GLSL
#define LAMP_BLOCK_Q4_Q5_GLSL
#include "common.glsl"

#ifndef LOAD_U8
// Unsigned byte b of a uint[] buffer.
#define LOAD_U8(BUF, b) ((BUF[(b) >> 2u] >> (((b) & 3u) * 8u)) & 0xFFu)
#endif

const uint QK4 = 32u;  // values per block, all four formats

const uint Q4_0_BYTES = 18u;
const uint Q4_1_BYTES = 20u;
const uint Q5_0_BYTES = 22u;
const uint Q5_1_BYTES = 24u;

#define Q4_0_D(B, b) LOAD_F16(B, (b) * 9u)
#define Q4_1_D(B, b) LOAD_F16(B, (b) * 10u)
#define Q4_1_M(B, b) LOAD_F16(B, (b) * 10u + 1u)
#define Q5_0_D(B, b) LOAD_F16(B, (b) * 11u)
#define Q5_0_QH(B, b) (LOAD_U16(B, (b) * 11u + 1u) | (LOAD_U16(B, (b) * 11u + 2u) << 16))
#define Q5_1_D(B, b) LOAD_F16(B, (b) * 12u)
#define Q5_1_M(B, b) LOAD_F16(B, (b) * 12u + 1u)
#define Q5_1_QH(B, b) (B[(b) * 6u + 1u])  // Q5_1 blocks are 4-byte aligned

// Bits 0..3 of h moved to bit 4 of bytes 0..3: the fifth bits of four packed 5-bit codes.
uint spreadBits4(uint h) { return ((h & 1u) << 4u) | ((h & 2u) << 11u) | ((h & 4u) << 18u) | ((h & 8u) << 25u); }

// The low 4 bits of value v (0..31) of a block whose qs start at byte QS.
#define NIBBLE(B, QS, v) ((LOAD_U8(B, (QS) + ((v) & 15u)) >> (((v) >> 4u) * 4u)) & 15u)

#endif
