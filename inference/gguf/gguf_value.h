// A GGUF metadata value: one of the 13 GGUF value types, arrays (of any type, nested) included.
// Values own their data, so the same type serves the reader and the writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lamp {

// On-disk value type ids.
enum class GgufType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

std::string_view ggufTypeName(GgufType type);
bool isKnownGgufType(uint32_t raw);

class GgufValue;

// An array value: the declared element type and the elements (all of that type).
struct GgufArray {
    GgufType elementType = GgufType::U8;
    std::vector<GgufValue> items;
};

class GgufValue {
public:
    using Storage = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                                 std::string, GgufArray, uint64_t, int64_t, double>;

    GgufValue() = default;
    // The variant index equals the GGUF type id, so construction picks the type from the C++ type.
    template <typename T>
    GgufValue(T v) : storage_(std::move(v)) {} // NOLINT(google-explicit-constructor)
    GgufValue(const char* s) : storage_(std::string(s)) {} // NOLINT(google-explicit-constructor)

    // Builds an array of strings / numbers conveniently (for the writer and tests).
    static GgufValue stringArray(const std::vector<std::string>& items);
    template <typename T>
    static GgufValue array(GgufType elementType, const std::vector<T>& items) {
        GgufArray a{elementType, {}};
        a.items.reserve(items.size());
        for (const auto& item : items)
            a.items.emplace_back(item);
        return GgufValue(std::move(a));
    }

    GgufType type() const { return static_cast<GgufType>(storage_.index()); }
    const Storage& storage() const { return storage_; }

    bool isInteger() const;  // any of the 8 integer types
    bool isNumber() const;   // integer or float
    bool isString() const { return type() == GgufType::String; }
    bool isArray() const { return type() == GgufType::Array; }

    // Conversions. Each throws lamp::GgufError("... is a <type>, expected ...") on a type mismatch,
    // and asInt/asUInt when the value does not fit.
    int64_t asInt() const;
    uint64_t asUInt() const;
    double asDouble() const;
    bool asBool() const;
    const std::string& asString() const;
    const GgufArray& asArray() const;

    // Human-readable rendering (arrays abbreviated after `maxItems`).
    std::string toString(size_t maxItems = 8) const;

    bool operator==(const GgufValue& other) const = default;

private:
    Storage storage_;
};

bool operator==(const GgufArray& a, const GgufArray& b);

} // namespace lamp
