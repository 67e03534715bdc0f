#include "gguf/gguf_value.h"

#include "core/error.h"

#include <array>
#include <limits>
#include <sstream>

namespace lamp {
namespace {

constexpr std::array<std::string_view, 13> kTypeNames{
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

[[noreturn]] void typeMismatch(GgufType actual, std::string_view wanted) {
    throw GgufError("metadata value is a " + std::string(ggufTypeName(actual)) + ", expected " +
                    std::string(wanted));
}

} // namespace

std::string_view ggufTypeName(GgufType type) {
    const auto i = static_cast<uint32_t>(type);
    return i < kTypeNames.size() ? kTypeNames[i] : std::string_view("unknown");
}

bool isKnownGgufType(uint32_t raw) { return raw < kTypeNames.size(); }

GgufValue GgufValue::stringArray(const std::vector<std::string>& items) {
    return array(GgufType::String, items);
}

bool GgufValue::isInteger() const {
    switch (type()) {
    case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16:
    case GgufType::U32: case GgufType::I32: case GgufType::U64: case GgufType::I64:
        return true;
    default:
        return false;
    }
}

bool GgufValue::isNumber() const {
    return isInteger() || type() == GgufType::F32 || type() == GgufType::F64;
}

int64_t GgufValue::asInt() const {
    if (type() == GgufType::U64) {
        const uint64_t v = std::get<uint64_t>(storage_);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw GgufError("metadata value " + std::to_string(v) + " does not fit a signed 64-bit integer");
        return static_cast<int64_t>(v);
    }
    if (!isInteger())
        typeMismatch(type(), "an integer");
    return std::visit(
        [](const auto& v) -> int64_t {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_integral_v<T>)
                return static_cast<int64_t>(v);
            else
                return 0;
        },
        storage_);
}

uint64_t GgufValue::asUInt() const {
    if (type() == GgufType::U64)
        return std::get<uint64_t>(storage_);
    const int64_t v = asInt();
    if (v < 0)
        throw GgufError("metadata value " + std::to_string(v) + " is negative, expected an unsigned integer");
    return static_cast<uint64_t>(v);
}

double GgufValue::asDouble() const {
    if (type() == GgufType::F32)
        return std::get<float>(storage_);
    if (type() == GgufType::F64)
        return std::get<double>(storage_);
    if (type() == GgufType::U64)
        return static_cast<double>(std::get<uint64_t>(storage_));
    if (isInteger())
        return static_cast<double>(asInt());
    typeMismatch(type(), "a number");
}

bool GgufValue::asBool() const {
    if (type() == GgufType::Bool)
        return std::get<bool>(storage_);
    // Some converters write flags as integers; accept 0/1 rather than refuse the file.
    if (isInteger())
        return asInt() != 0;
    typeMismatch(type(), "a bool");
}

const std::string& GgufValue::asString() const {
    if (type() != GgufType::String)
        typeMismatch(type(), "a string");
    return std::get<std::string>(storage_);
}

const GgufArray& GgufValue::asArray() const {
    if (type() != GgufType::Array)
        typeMismatch(type(), "an array");
    return std::get<GgufArray>(storage_);
}

std::string GgufValue::toString(size_t maxItems) const {
    std::ostringstream out;
    std::visit(Overloaded{
                   [&](uint8_t v) { out << static_cast<unsigned>(v); },
                   [&](int8_t v) { out << static_cast<int>(v); },
                   [&](bool v) { out << (v ? "true" : "false"); },
                   [&](const std::string& v) {
                       out << '"';
                       for (size_t i = 0; i < v.size() && i < 200; ++i) {
                           const char c = v[i];
                           if (c == '\n') out << "\\n";
                           else if (c == '"') out << "\\\"";
                           else out << c;
                       }
                       if (v.size() > 200) out << "…";
                       out << '"';
                   },
                   [&](const GgufArray& a) {
                       out << '[';
                       for (size_t i = 0; i < a.items.size() && i < maxItems; ++i)
                           out << (i ? ", " : "") << a.items[i].toString(maxItems);
                       if (a.items.size() > maxItems)
                           out << ", … (" << a.items.size() << " " << ggufTypeName(a.elementType) << ")";
                       out << ']';
                   },
                   [&](const auto& v) { out << v; },
               },
               storage_);
    return out.str();
}

bool operator==(const GgufArray& a, const GgufArray& b) {
    return a.elementType == b.elementType && a.items == b.items;
}

} // namespace lamp
