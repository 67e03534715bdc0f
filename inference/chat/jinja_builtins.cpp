// The built-in tests, the methods of str/dict/list values and the global functions of the Jinja
// interpreter (the filters are in jinja_filters.cpp).
#include "chat/jinja_builtins.h"

#include "chat/jinja_args.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace lamp::jinja {
namespace {

using detail::Args;
using detail::dictItems;
using detail::fail;

constexpr int64_t kMaxRange = 100000;  // as Jinja's sandbox

} // namespace

bool applyTest(Interpreter& in, const std::string& name, const Value& v, CallArgs& args) {
    (void)in;
    const Args a(args, name);
    const auto other = [&] {
        const Value* o = a.get(0, "other");
        if (o == nullptr)
            fail("test '" + name + "' needs an argument");
        return *o;
    };
    if (name == "defined")
        return !v.isUndefined();
    if (name == "undefined")
        return v.isUndefined();
    if (name == "none")
        return v.isNone();
    if (name == "boolean")
        return v.isBool();
    if (name == "true")
        return v.isBool() && v.asBool();
    if (name == "false")
        return v.isBool() && !v.asBool();
    if (name == "integer")
        return v.isInt();
    if (name == "float")
        return v.isFloat();
    if (name == "number")
        return v.isNumber();
    if (name == "string")
        return v.isString();
    if (name == "mapping")
        return v.isDict() && !v.isNamespace();
    if (name == "iterable" || name == "sequence")
        return v.isString() || v.isList() || (v.isDict() && !v.isNamespace()) || v.isUndefined();
    if (name == "callable")
        return v.isCallable();
    if (name == "sameas") {
        const Value o = other();
        if (v.identity() != nullptr || o.identity() != nullptr)
            return v.identity() == o.identity();
        return v.kind() == o.kind() && (v.isNone() || v.isUndefined() || (v.isBool() && v.asBool() == o.asBool()));
    }
    if (name == "escaped")
        return false;
    if (name == "odd" || name == "even") {
        if (!v.isInt() && !v.isBool())
            fail("test '" + name + "' needs an integer");
        return (v.asInt() % 2 != 0) == (name == "odd");
    }
    if (name == "divisibleby") {
        const Value n = other();
        return modulo(v, n).asInt() == 0;
    }
    if (name == "eq" || name == "equalto" || name == "==")
        return equals(v, other());
    if (name == "ne" || name == "!=")
        return !equals(v, other());
    if (name == "lt" || name == "lessthan" || name == "<")
        return compare(v, other()) < 0;
    if (name == "le" || name == "<=")
        return compare(v, other()) <= 0;
    if (name == "gt" || name == "greaterthan" || name == ">")
        return compare(v, other()) > 0;
    if (name == "ge" || name == ">=")
        return compare(v, other()) >= 0;
    if (name == "in")
        return contains(other(), v);
    if (name == "lower")
        return v.isString() && text::lower(v.str()) == v.str();
    if (name == "upper")
        return v.isString() && text::upper(v.str()) == v.str();
    fail("no test named '" + name + "'");
}

namespace {

bool isStringMethod(const std::string& n) {
    static const char* names[] = {"strip", "lstrip", "rstrip", "upper", "lower", "title", "capitalize",
                                  "startswith", "endswith", "split", "rsplit", "splitlines", "replace",
                                  "find", "rfind", "index", "rindex", "count", "join", "isdigit", "isalpha",
                                  "isalnum", "isspace", "islower", "isupper", "format"};
    return std::any_of(std::begin(names), std::end(names), [&](const char* x) { return n == x; });
}

bool isDictMethod(const std::string& n) {
    return n == "items" || n == "keys" || n == "values" || n == "get" || n == "copy" || n == "update" ||
           n == "pop" || n == "popitem" || n == "setdefault" || n == "clear";
}

bool isListMethod(const std::string& n) {
    return n == "index" || n == "count" || n == "copy" || n == "append" || n == "extend" || n == "insert" ||
           n == "pop" || n == "remove" || n == "clear" || n == "sort" || n == "reverse";
}

[[noreturn]] void failUnsafe(const Value& obj, const std::string& name) {
    fail("access to attribute '" + name + "' of '" + std::string(typeName(obj)) +
         "' object is unsafe: chat templates cannot modify values (use namespace() for state)");
}

bool matchesAffix(const std::string& s, const Value& affix, bool prefix, const std::string& method) {
    if (affix.isList()) {
        for (const Value& item : affix.items())
            if (matchesAffix(s, item, prefix, method))
                return true;
        return false;
    }
    if (!affix.isString())
        fail(method + " first arg must be str or a tuple of str, not " + std::string(typeName(affix)));
    const std::string& a = affix.str();
    if (a.size() > s.size())
        return false;
    return prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
}

int64_t charIndex(const std::string& s, size_t bytePos) {
    return static_cast<int64_t>(text::codePointCount(std::string_view(s).substr(0, bytePos)));
}

template <typename Pred>
bool allChars(const std::string& s, Pred pred) {
    if (s.empty())
        return false;
    return std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
}

std::vector<Value> toValues(const std::vector<std::string>& pieces) {
    std::vector<Value> out;
    for (const auto& p : pieces)
        out.emplace_back(p);
    return out;
}

// str.format with "{}", "{0}", "{name}" fields and the !r / !s conversions (no format specs).
std::string pyFormat(const std::string& fmt, const CallArgs& args) {
    std::string out;
    size_t autoIndex = 0;
    for (size_t i = 0; i < fmt.size(); ++i) {
        const char c = fmt[i];
        if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
                out += '}';
                ++i;
                continue;
            }
            fail("Single '}' encountered in format string");
        }
        if (c != '{') {
            out += c;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        const size_t close = fmt.find('}', i);
        if (close == std::string::npos)
            fail("Single '{' encountered in format string");
        std::string field = fmt.substr(i + 1, close - i - 1);
        i = close;
        char conversion = 's';
        if (const size_t colon = field.find(':'); colon != std::string::npos) {
            if (colon + 1 < field.size())
                fail("str.format: format specifications are not supported");
            field.resize(colon);
        }
        if (const size_t bang = field.find('!'); bang != std::string::npos) {
            conversion = bang + 1 < field.size() ? field[bang + 1] : 's';
            field.resize(bang);
        }
        const Value* value = nullptr;
        if (field.empty()) {
            value = autoIndex < args.positional.size() ? &args.positional[autoIndex] : nullptr;
            ++autoIndex;
        } else if (std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
            const size_t index = std::strtoul(field.c_str(), nullptr, 10);
            value = index < args.positional.size() ? &args.positional[index] : nullptr;
        } else {
            for (const auto& [key, v] : args.keyword)
                if (key == field)
                    value = &v;
        }
        if (value == nullptr)
            fail("str.format: no argument for field '{" + field + "}'");
        out += conversion == 'r' ? repr(*value) : toString(*value);
    }
    return out;
}

Value stringMethod(const std::string& s, const std::string& m, const CallArgs& args) {
    const Args a(args, "str." + m);
    if (m == "strip" || m == "lstrip" || m == "rstrip")
        return text::strip(s, a.optString(0, "chars"), m != "rstrip", m != "lstrip");
    if (m == "upper")
        return text::upper(s);
    if (m == "lower")
        return text::lower(s);
    if (m == "title")
        return text::pyTitle(s);
    if (m == "capitalize")
        return text::capitalize(s);
    if (m == "startswith" || m == "endswith")
        return matchesAffix(s, a.value(0, "prefix"), m == "startswith", m);
    if (m == "split" || m == "rsplit") {
        const auto sep = a.optString(0, "sep");
        if (sep && sep->empty())
            fail("empty separator");
        const int64_t maxSplit = a.integer(1, "maxsplit", -1);
        return Value::list(toValues(m == "split" ? text::split(s, sep, maxSplit) : text::rsplit(s, sep, maxSplit)));
    }
    if (m == "splitlines")
        return Value::list(toValues(text::splitLines(s)));
    if (m == "replace")
        return text::replace(s, a.string(0, "old"), a.string(1, "new"), a.integer(2, "count", -1));
    if (m == "find" || m == "rfind" || m == "index" || m == "rindex") {
        const std::string sub = a.string(0, "sub");
        const size_t at = m == "find" || m == "index" ? s.find(sub) : s.rfind(sub);
        if (at == std::string::npos) {
            if (m == "index" || m == "rindex")
                fail("substring not found");
            return int64_t{-1};
        }
        return charIndex(s, at);
    }
    if (m == "count") {
        const std::string sub = a.string(0, "sub");
        if (sub.empty())
            return static_cast<int64_t>(text::codePointCount(s)) + 1;
        int64_t n = 0;
        for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size()))
            ++n;
        return n;
    }
    if (m == "join") {
        std::string out;
        bool first = true;
        for (const Value& item : iterate(a.value(0, "iterable"))) {
            if (!item.isString())
                fail("sequence item: expected str instance, " + std::string(typeName(item)) + " found");
            if (!first)
                out += s;
            first = false;
            out += item.str();
        }
        return out;
    }
    if (m == "isdigit")
        return allChars(s, [](unsigned char c) { return c >= '0' && c <= '9'; });
    if (m == "isalpha")
        return allChars(s, [](unsigned char c) { return std::isalpha(c) != 0; });
    if (m == "isalnum")
        return allChars(s, [](unsigned char c) { return std::isalnum(c) != 0; });
    if (m == "isspace")
        return allChars(s, [](unsigned char c) { return std::isspace(c) != 0; });
    if (m == "islower")
        return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; }) && text::lower(s) == s;
    if (m == "isupper")
        return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) && text::upper(s) == s;
    if (m == "format")
        return pyFormat(s, args);
    fail("str." + m + "() is not supported in chat templates");
}

Value dictMethod(const Value& d, const std::string& m, const CallArgs& args) {
    const Args a(args, "dict." + m);
    if (m == "items")
        return Value::list(dictItems(d, "items"));
    if (m == "keys" || m == "values") {
        std::vector<Value> out;
        for (const auto& [key, value] : d.dictData().entries)
            out.push_back(m == "keys" ? key : value);
        return Value::list(std::move(out));
    }
    if (m == "get") {
        const Value* found = d.dictData().find(a.value(0, "key"));
        return found != nullptr ? *found : a.value(1, "default", Value::none());
    }
    if (m == "copy") {
        Value copy = Value::dict();
        for (const auto& [key, value] : d.dictData().entries)
            copy.mutableDict().set(key, value);
        return copy;
    }
    failUnsafe(d, m);
}

Value listMethod(const Value& l, const std::string& m, const CallArgs& args) {
    const Args a(args, "list." + m);
    if (m == "index") {
        const Value x = a.value(0, "value");
        for (size_t i = 0; i < l.items().size(); ++i)
            if (equals(l.items()[i], x))
                return static_cast<int64_t>(i);
        fail(repr(x) + " is not in list");
    }
    if (m == "count") {
        const Value x = a.value(0, "value");
        return static_cast<int64_t>(std::count_if(l.items().begin(), l.items().end(), [&](const Value& v) { return equals(v, x); }));
    }
    if (m == "copy")
        return Value::list(l.items());
    failUnsafe(l, m);
}

std::string strftime(const std::string& format, const std::tm& tm) {
    if (format.empty())
        return {};
    for (size_t size = 256; size <= 65536; size *= 4) {
        std::string buf(size, '\0');
        const size_t n = std::strftime(buf.data(), buf.size(), format.c_str(), &tm);
        if (n > 0) {
            buf.resize(n);
            return buf;
        }
    }
    return {};
}

} // namespace

bool hasMethod(const Value& obj, const std::string& name) {
    if (obj.isString())
        return isStringMethod(name);
    if (obj.isDict() && !obj.isNamespace())
        return isDictMethod(name);
    if (obj.isList())
        return isListMethod(name);
    return false;
}

Value callMethod(Interpreter& in, const Value& obj, const std::string& name, CallArgs& args) {
    (void)in;
    if (obj.isString())
        return stringMethod(obj.str(), name, args);
    if (obj.isDict())
        return dictMethod(obj, name, args);
    if (obj.isList())
        return listMethod(obj, name, args);
    fail("'" + std::string(typeName(obj)) + "' object has no method '" + name + "'");
}

Value getAttribute(const Value& obj, const std::string& name) {
    if (obj.isUndefined())
        fail(obj.undefinedName().empty() ? "an undefined value has no attribute '" + name + "'"
                                         : "'" + obj.undefinedName() + "' is undefined");
    if (hasMethod(obj, name)) {
        const Value self = obj;
        return Value::callable(name, [self, name](Interpreter& in, CallArgs& args) {
            return callMethod(in, self, name, args);
        });
    }
    if (obj.isDict()) {
        const Value* found = obj.dictData().find(std::string_view(name));
        if (found != nullptr)
            return *found;
    }
    return Value::undefined(name);
}

std::unordered_map<std::string, Value> globalFunctions() {
    std::unordered_map<std::string, Value> g;
    g["range"] = Value::callable("range", [](Interpreter&, CallArgs& args) -> Value {
        const Args a(args, "range");
        int64_t start = 0, stop = 0, step = 1;
        if (args.positional.size() == 1) {
            stop = a.integer(0, "stop", 0);
        } else if (args.positional.size() >= 2) {
            start = a.integer(0, "start", 0);
            stop = a.integer(1, "stop", 0);
            step = a.integer(2, "step", 1);
        } else {
            fail("range expected at least 1 argument, got 0");
        }
        if (step == 0)
            fail("range() arg 3 must not be zero");
        const int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                                       : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (count > kMaxRange)
            throw TemplateError(TemplateError::Kind::Limit, "range() too big: more than " + std::to_string(kMaxRange) + " items");
        std::vector<Value> items;
        for (int64_t i = 0; i < count; ++i)
            items.emplace_back(start + i * step);
        return Value::list(std::move(items));
    });
    const auto makeDict = [](bool isNamespace) {
        return [isNamespace](Interpreter&, CallArgs& args) -> Value {
            Value d = isNamespace ? Value::makeNamespace() : Value::dict();
            for (const Value& arg : args.positional) {
                if (!arg.isDict())
                    fail(std::string(isNamespace ? "namespace" : "dict") + "() takes keyword arguments or a mapping");
                for (const auto& [key, value] : arg.dictData().entries)
                    d.mutableDict().set(key, value);
            }
            for (const auto& [key, value] : args.keyword)
                d.mutableDict().set(Value(key), value);
            return d;
        };
    };
    g["dict"] = Value::callable("dict", makeDict(false));
    g["namespace"] = Value::callable("namespace", makeDict(true));
    g["raise_exception"] = Value::callable("raise_exception", [](Interpreter&, CallArgs& args) -> Value {
        throw TemplateError(TemplateError::Kind::Raised, args.positional.empty() ? std::string() : toString(args.positional[0]));
    });
    g["strftime_now"] = Value::callable("strftime_now", [](Interpreter& in, CallArgs& args) -> Value {
        const std::string format = Args(args, "strftime_now").string(0, "format");
        std::tm tm{};
        if (in.options().now) {
            tm = *in.options().now;
        } else {
            const std::time_t t = std::time(nullptr);
            localtime_r(&t, &tm);
        }
        return strftime(format, tm);
    });
    return g;
}

} // namespace lamp::jinja
