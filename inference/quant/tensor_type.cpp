#include "quant/tensor_type.h"

#include "core/error.h"
#include "core/strings.h"

#include <array>
#include <string>

namespace lamp {
namespace {

constexpr std::array kTypes{
    TensorTypeInfo{TensorType::F32, "F32", 1, 4},
    TensorTypeInfo{TensorType::F16, "F16", 1, 2},
    TensorTypeInfo{TensorType::Q4_0, "Q4_0", 32, 18},
    TensorTypeInfo{TensorType::Q4_1, "Q4_1", 32, 20},
    TensorTypeInfo{TensorType::Q5_0, "Q5_0", 32, 22},
    TensorTypeInfo{TensorType::Q5_1, "Q5_1", 32, 24},
    TensorTypeInfo{TensorType::Q8_0, "Q8_0", 32, 34},
    TensorTypeInfo{TensorType::Q8_1, "Q8_1", 32, 36},
    TensorTypeInfo{TensorType::Q2_K, "Q2_K", 256, 84},
    TensorTypeInfo{TensorType::Q3_K, "Q3_K", 256, 110},
    TensorTypeInfo{TensorType::Q4_K, "Q4_K", 256, 144},
    TensorTypeInfo{TensorType::Q5_K, "Q5_K", 256, 176},
    TensorTypeInfo{TensorType::Q6_K, "Q6_K", 256, 210},
    TensorTypeInfo{TensorType::Q8_K, "Q8_K", 256, 292},
    TensorTypeInfo{TensorType::BF16, "BF16", 1, 2},
};

} // namespace

std::optional<TensorTypeInfo> tensorTypeInfo(uint32_t rawType) {
    for (const auto& info : kTypes)
        if (static_cast<uint32_t>(info.type) == rawType)
            return info;
    return std::nullopt;
}

const TensorTypeInfo& tensorTypeInfo(TensorType type) {
    for (const auto& info : kTypes)
        if (info.type == type)
            return info;
    throw FormatError("unknown tensor type id " + std::to_string(static_cast<uint32_t>(type)));
}

std::string_view tensorTypeName(TensorType type) { return tensorTypeInfo(type).name; }

std::optional<TensorType> tensorTypeFromName(std::string_view name) {
    for (const auto& info : kTypes)
        if (equalsIgnoreCase(info.name, name))
            return info.type;
    return std::nullopt;
}

size_t rowBytes(TensorType type, int64_t n) {
    const auto& info = tensorTypeInfo(type);
    if (n < 0 || n % info.blockSize != 0)
        throw FormatError("a row of " + std::to_string(n) + " values is not a multiple of the " +
                          std::string(info.name) + " block size " + std::to_string(info.blockSize));
    return static_cast<size_t>(n / info.blockSize) * info.blockBytes;
}

} // namespace lamp
