// Converts rows of floats into a tensor type (the inverse of dequantizeRow). Plain reference code,
// no SIMD; the K-quant encoders search per-group scales for the least squared error.
#pragma once

#include "quant/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace lamp {

// True for the types quantizeRow() produces: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K,
// Q3_K, Q4_K, Q5_K, Q6_K, Q8_K.
bool canQuantize(TensorType type);

// Encodes src[0..n) as `type` into dst (rowBytes(type, n) bytes, any alignment) and returns the
// number of bytes written. Throws FormatError for an unsupported type, or when n is negative or not
// a multiple of the type's block size. Scales that would overflow fp16 are clamped to 65504; NaN
// inputs give unspecified (but finite-scale) blocks.
size_t quantizeRow(TensorType type, const float* src, void* dst, int64_t n);

} // namespace lamp
