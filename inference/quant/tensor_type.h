// Tensor element formats as numbered in GGUF files, with their block geometry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lamp {

// Values are the on-disk type ids (they are not contiguous).
enum class TensorType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    BF16 = 30,
};

struct TensorTypeInfo {
    TensorType type;
    std::string_view name;  // "Q4_K", as tools print it
    uint32_t blockSize;     // values per block (1 for plain floats)
    uint32_t blockBytes;    // bytes per block
};

// Geometry of a known type; nullopt for an id this engine does not know.
std::optional<TensorTypeInfo> tensorTypeInfo(uint32_t rawType);
const TensorTypeInfo& tensorTypeInfo(TensorType type);

std::string_view tensorTypeName(TensorType type);
// Parses "q4_k", "Q8_0", "bf16", ... (case-insensitive); nullopt when unknown.
std::optional<TensorType> tensorTypeFromName(std::string_view name);

// Bytes of one row of n values. Throws FormatError when n is not a multiple of the block size.
size_t rowBytes(TensorType type, int64_t n);

} // namespace lamp
