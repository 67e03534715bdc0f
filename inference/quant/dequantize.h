// Converts rows of any supported tensor type back to float. This is the plain reference code that
// faster backends are tested against: clear, portable, no SIMD.
#pragma once

#include "quant/tensor_type.h"

#include <cstdint>

namespace lamp {

// True for the types dequantizeRow() accepts: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K,
// Q3_K, Q4_K, Q5_K, Q6_K, Q8_K.
bool canDequantize(TensorType type);

// Decodes n values of `type` (rowBytes(type, n) bytes at src, any alignment) into dst[0..n).
// Throws FormatError for an unsupported type, or when n is negative or not a multiple of the
// type's block size.
void dequantizeRow(TensorType type, const void* src, float* dst, int64_t n);

} // namespace lamp
