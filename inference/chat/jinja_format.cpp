// Text forms of values: Python's str() and repr(), json.dumps() as Hugging Face's tojson filter
// calls it, Python's float repr and printf-style '%' formatting.
#include "chat/jinja_value.h"

#include "chat/jinja_text.h"
#include "tokenizer/utf8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lamp::jinja {
namespace {

[[noreturn]] void fail(std::string message) {
    throw TemplateError(TemplateError::Kind::Render, std::move(message));
}

void appendRepr(std::string& out, const Value& v);

void appendStringRepr(std::string& out, const std::string& s) {
    const bool hasSingle = s.find('\'') != std::string::npos;
    const bool hasDouble = s.find('"') != std::string::npos;
    const char quote = hasSingle && !hasDouble ? '"' : '\'';
    out += quote;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == quote || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch == '\r') {
            out += "\\r";
        } else if (ch == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    out += quote;
}

void appendSequence(std::string& out, const ListData& list) {
    out += list.tuple ? '(' : '[';
    for (size_t i = 0; i < list.items.size(); ++i) {
        if (i > 0)
            out += ", ";
        appendRepr(out, list.items[i]);
    }
    if (list.tuple && list.items.size() == 1)
        out += ',';
    out += list.tuple ? ')' : ']';
}

void appendDict(std::string& out, const DictData& dict) {
    out += '{';
    for (size_t i = 0; i < dict.entries.size(); ++i) {
        if (i > 0)
            out += ", ";
        appendRepr(out, dict.entries[i].first);
        out += ": ";
        appendRepr(out, dict.entries[i].second);
    }
    out += '}';
}

void appendRepr(std::string& out, const Value& v) {
    switch (v.kind()) {
    case Value::Kind::String: appendStringRepr(out, v.str()); break;
    case Value::Kind::List: appendSequence(out, v.listData()); break;
    case Value::Kind::Dict:
        if (v.isNamespace())
            out += "<Namespace ";
        appendDict(out, v.dictData());
        if (v.isNamespace())
            out += '>';
        break;
    case Value::Kind::Undefined: out += "Undefined"; break;
    default: out += toString(v); break;
    }
}

void appendHex4(std::string& out, uint32_t v) {
    static const char* hex = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += hex[(v >> shift) & 15];
}

void appendJsonString(std::string& out, const std::string& s, bool ensureAscii) {
    out += '"';
    for (size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        const auto c = static_cast<unsigned char>(ch);
        if (ensureAscii && c >= 0x80) {
            const utf8::Step step = utf8::decode(s, i);
            const uint32_t cp = step.status == utf8::Step::Status::Ok ? static_cast<uint32_t>(step.codePoint) : 0xFFFDu;
            if (step.status == utf8::Step::Status::Ok)
                i += step.length - 1;
            if (cp >= 0x10000) {
                appendHex4(out, 0xD800u + ((cp - 0x10000u) >> 10));
                appendHex4(out, 0xDC00u + ((cp - 0x10000u) & 0x3FFu));
            } else {
                appendHex4(out, cp);
            }
            continue;
        }
        switch (ch) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                appendHex4(out, c);
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

std::string jsonFloat(double d) {
    if (std::isnan(d))
        return "NaN";
    if (std::isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    return formatFloat(d);
}

std::string jsonKey(const Value& key) {
    switch (key.kind()) {
    case Value::Kind::String: return key.str();
    case Value::Kind::Int: return std::to_string(key.asInt());
    case Value::Kind::Float: return jsonFloat(key.asDouble());
    case Value::Kind::Bool: return key.asBool() ? "true" : "false";
    case Value::Kind::None: return "null";
    default: fail("keys must be str, int, float, bool or None, not " + std::string(typeName(key)));
    }
}

void appendJson(std::string& out, const Value& v, const JsonOptions& o, int depth) {
    const int indent = o.indent;
    if (depth > 200)
        fail("tojson: the value is nested too deeply");
    const auto newline = [&](int level) {
        out += '\n';
        out.append(static_cast<size_t>(indent) * static_cast<size_t>(level), ' ');
    };
    const std::string itemSeparator = !o.itemSeparator.empty() ? o.itemSeparator : (indent >= 0 ? "," : ", ");
    const std::string keySeparator = !o.keySeparator.empty() ? o.keySeparator : ": ";
    switch (v.kind()) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.asInt()); return;
    case Value::Kind::Float: out += jsonFloat(v.asDouble()); return;
    case Value::Kind::String: appendJsonString(out, v.str(), o.ensureAscii); return;
    case Value::Kind::List: {
        const auto& items = v.items();
        if (items.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i > 0)
                out += itemSeparator;
            if (indent >= 0)
                newline(depth + 1);
            appendJson(out, items[i], o, depth + 1);
        }
        if (indent >= 0)
            newline(depth);
        out += ']';
        return;
    }
    case Value::Kind::Dict: {
        std::vector<std::pair<std::string, const Value*>> entries;
        for (const auto& [key, value] : v.dictData().entries)
            entries.emplace_back(jsonKey(key), &value);
        if (o.sortKeys)
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
        if (entries.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        for (size_t i = 0; i < entries.size(); ++i) {
            if (i > 0)
                out += itemSeparator;
            if (indent >= 0)
                newline(depth + 1);
            appendJsonString(out, entries[i].first, o.ensureAscii);
            out += keySeparator;
            appendJson(out, *entries[i].second, o, depth + 1);
        }
        if (indent >= 0)
            newline(depth);
        out += '}';
        return;
    }
    case Value::Kind::Undefined: fail("tojson: Object of type Undefined is not JSON serializable");
    case Value::Kind::Callable: fail("tojson: Object of type function is not JSON serializable");
    }
}


} // namespace

// printf-style formatting: '%s and %d' % (a, b).
std::string percentFormat(const std::string& format, const Value& args) {
    std::vector<Value> values;
    if (args.isList() && args.listData().tuple)
        values = args.items();
    else
        values.push_back(args);
    std::string out;
    size_t next = 0;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        if (++i >= format.size())
            fail("incomplete format");
        size_t specStart = i;
        while (i < format.size() && std::string_view("-+ #0123456789.").find(format[i]) != std::string_view::npos)
            ++i;
        if (i - specStart > 8)
            fail("unsupported format specification");
        if (i >= format.size())
            fail("incomplete format");
        const char conv = format[i];
        if (conv == '%') {
            out += '%';
            continue;
        }
        if (next >= values.size())
            fail("not enough arguments for format string");
        const Value& arg = values[next++];
        const std::string spec = format.substr(specStart, i - specStart);
        char buf[512];
        switch (conv) {
        case 's':
        case 'r': {
            std::string text = conv == 's' ? toString(arg) : repr(arg);
            const bool leftAlign = spec.find('-') != std::string::npos;
            const size_t digits = spec.find_first_not_of("-+ #0");
            const size_t width = digits == std::string::npos ? 0 : static_cast<size_t>(std::max(0, std::atoi(spec.c_str() + digits)));
            const size_t chars = text::codePointCount(text);
            if (width > chars && width < 4096)
                text = leftAlign ? text + std::string(width - chars, ' ') : std::string(width - chars, ' ') + text;
            out += text;
            break;
        }
        case 'd':
        case 'i':
            if (!arg.isNumber())
                fail("%d format: a real number is required, not " + std::string(typeName(arg)));
            std::snprintf(buf, sizeof buf, ("%" + spec + "lld").c_str(),
                          static_cast<long long>(arg.isFloat() ? static_cast<int64_t>(arg.asDouble()) : arg.asInt()));
            out += buf;
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
            if (!arg.isNumber())
                fail(std::string("%") + conv + " format: a real number is required, not " + std::string(typeName(arg)));
            std::snprintf(buf, sizeof buf, ("%" + spec + conv).c_str(), arg.asDouble());
            out += buf;
            break;
        default: fail(std::string("unsupported format character '") + conv + "'");
        }
    }
    if (next < values.size() && !(args.isList() && !args.listData().tuple) && !args.isDict())
        fail("not all arguments converted during string formatting");
    return out;
}


std::string formatFloat(double d) {
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d > 0 ? "inf" : "-inf";
    if (d == 0)
        return std::signbit(d) ? "-0.0" : "0.0";
    // The shortest digits that round-trip, then Python's layout: positional for exponents in
    // [-4, 16), scientific otherwise.
    char buf[64];
    const auto result = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string text(buf, result.ptr);
    const size_t ePos = text.find('e');
    std::string mantissa = text.substr(0, ePos);
    const int exponent = std::stoi(text.substr(ePos + 1));
    std::string sign;
    if (mantissa[0] == '-') {
        sign = "-";
        mantissa.erase(0, 1);
    }
    std::string digits;
    for (const char c : mantissa)
        if (c != '.')
            digits += c;
    if (exponent >= -4 && exponent < 16) {
        std::string out;
        if (exponent < 0) {
            out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
        } else {
            const size_t intDigits = static_cast<size_t>(exponent) + 1;
            if (digits.size() <= intDigits)
                out = digits + std::string(intDigits - digits.size(), '0') + ".0";
            else
                out = digits.substr(0, intDigits) + "." + digits.substr(intDigits);
        }
        return sign + out;
    }
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1)
        out += "." + digits.substr(1);
    out += exponent < 0 ? "e-" : "e+";
    const std::string expDigits = std::to_string(std::abs(exponent));
    if (expDigits.size() < 2)
        out += '0';
    return out + expDigits;
}

std::string toString(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return v.asBool() ? "True" : "False";
    case Value::Kind::Int: return std::to_string(v.asInt());
    case Value::Kind::Float: return formatFloat(v.asDouble());
    case Value::Kind::String: return v.str();
    case Value::Kind::Callable: return "<function " + v.callableData().name + ">";
    default: {
        std::string out;
        appendRepr(out, v);
        return out;
    }
    }
}

std::string repr(const Value& v) {
    std::string out;
    appendRepr(out, v);
    return out;
}

std::string toJson(const Value& v, const JsonOptions& options) {
    std::string out;
    appendJson(out, v, options, 0);
    return out;
}

} // namespace lamp::jinja
