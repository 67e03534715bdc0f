// Shared helpers for the compute shaders. Baseline Vulkan 1.1: no optional feature is needed.
//
// Quantized blocks and fp16 rows are only 2-byte aligned, so the plain path reads them from a
// uint[] view (32-bit words, the buffer padded to a multiple of 4 bytes) and picks the 16-bit
// half or the byte it needs. BUF is the name of a `uint BUF[]` storage buffer member.
#ifndef LAMP_COMMON_GLSL
#define LAMP_COMMON_GLSL

// 16-bit element i (unsigned) of a uint[] buffer.
#define LOAD_U16(BUF, i) ((BUF[(i) >> 1u] >> (((i) & 1u) * 16u)) & 0xFFFFu)
// fp16 element i of a uint[] buffer, as float.
#define LOAD_F16(BUF, i) unpackHalf2x16(LOAD_U16(BUF, i)).x
// The 32-bit word at even byte offset o of a uint[] buffer (quantized blocks are only 2-byte
// aligned): one load when o is 4-byte aligned, two halves otherwise.
#define LOAD_U32_EVEN(BUF, o) \
    ((((o) & 2u) == 0u) ? BUF[(o) >> 2u] : ((BUF[(o) >> 2u] >> 16u) | (BUF[((o) >> 2u) + 1u] << 16u)))
// Element i of an fp16 array, as float: a float16_t[] view with 16-bit storage (LAMP_STORAGE16,
// the *_s16 variants), a uint[] view otherwise. Shaders declare the buffer under the same #ifdef.
#ifdef LAMP_STORAGE16
#extension GL_EXT_shader_16bit_storage : require
#define F16_AT(BUF, i) float(BUF[i])
#else
#define F16_AT(BUF, i) LOAD_F16(BUF, i)
#endif
// Signed byte b of a uint[] buffer, sign-extended.
#define LOAD_I8(BUF, b) bitfieldExtract(int(BUF[(b) >> 2u]), int(((b) & 3u) * 8u), 8)

// The flat index of this workgroup when the host spreads a large count over x and y (x is at
// most 65535 everywhere; see groupsFor() in inference/vulkan/ops.cpp).
uint flatWorkgroup() { return gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x; }

#endif
