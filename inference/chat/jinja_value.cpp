#include "chat/jinja_value.h"

#include "chat/jinja_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace lamp::jinja {
namespace {

[[noreturn]] void fail(std::string message) {
    throw TemplateError(TemplateError::Kind::Render, std::move(message));
}

[[noreturn]] void failUndefined(const Value& v) {
    fail(v.undefinedName().empty() ? std::string("an undefined value was used")
                                   : "'" + v.undefinedName() + "' is undefined");
}

void checkDefined(const Value& v) {
    if (v.isUndefined())
        failUndefined(v);
}

bool isIntLike(const Value& v) { return v.isInt() || v.isBool(); }

[[noreturn]] void failOperands(const char* op, const Value& a, const Value& b) {
    checkDefined(a);
    checkDefined(b);
    fail(std::string("unsupported operand type(s) for ") + op + ": '" + std::string(typeName(a)) +
         "' and '" + std::string(typeName(b)) + "'");
}

int64_t addInt(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r))
        fail("integer overflow");
    return r;
}

int64_t subInt(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r))
        fail("integer overflow");
    return r;
}

int64_t mulInt(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        fail("integer overflow");
    return r;
}

double pyMod(double a, double b) {
    double r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}

} // namespace

const Value* DictData::find(const Value& key) const {
    if (key.isString())
        return find(std::string_view(key.str()));
    for (const auto& entry : entries)
        if (equals(entry.first, key))
            return &entry.second;
    return nullptr;
}

const Value* DictData::find(std::string_view key) const {
    for (const auto& entry : entries)
        if (entry.first.isString() && entry.first.str() == key)
            return &entry.second;
    return nullptr;
}

void DictData::set(Value key, Value value) {
    for (auto& entry : entries)
        if (equals(entry.first, key)) {
            entry.second = std::move(value);
            return;
        }
    entries.emplace_back(std::move(key), std::move(value));
}

const Value* CallArgs::get(size_t index, std::string_view name) const {
    if (index < positional.size())
        return &positional[index];
    for (const auto& [key, value] : keyword)
        if (key == name)
            return &value;
    return nullptr;
}

Value Value::list(std::vector<Value> items) {
    Value v;
    v.v_ = std::make_shared<ListData>(ListData{std::move(items), false});
    return v;
}

Value Value::tuple(std::vector<Value> items) {
    Value v;
    v.v_ = std::make_shared<ListData>(ListData{std::move(items), true});
    return v;
}

Value Value::dict(std::vector<std::pair<Value, Value>> entries) {
    Value v;
    auto data = std::make_shared<DictData>();
    for (auto& [key, value] : entries)
        data->set(std::move(key), std::move(value));
    v.v_ = std::move(data);
    return v;
}

Value Value::makeNamespace() {
    Value v = dict();
    v.mutableDict().isNamespace = true;
    return v;
}

Value Value::callable(std::string name, Callable::Fn fn) {
    Value v;
    v.v_ = std::make_shared<Callable>(Callable{std::move(name), std::move(fn)});
    return v;
}

int64_t Value::asInt() const { return isBool() ? (asBool() ? 1 : 0) : std::get<int64_t>(v_); }

double Value::asDouble() const { return isFloat() ? std::get<double>(v_) : static_cast<double>(asInt()); }

const void* Value::identity() const {
    switch (kind()) {
    case Kind::List: return std::get<std::shared_ptr<ListData>>(v_).get();
    case Kind::Dict: return std::get<std::shared_ptr<DictData>>(v_).get();
    case Kind::Callable: return std::get<std::shared_ptr<Callable>>(v_).get();
    default: return nullptr;
    }
}

bool Value::truthy() const {
    switch (kind()) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return asBool();
    case Kind::Int: return asInt() != 0;
    case Kind::Float: return asDouble() != 0.0;
    case Kind::String: return !str().empty();
    case Kind::List: return !items().empty();
    case Kind::Dict: return !dictData().entries.empty() || isNamespace();
    case Kind::Callable: return true;
    }
    return false;
}

const Value* Value::member(std::string_view key) const { return isDict() ? dictData().find(key) : nullptr; }

std::string_view typeName(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::Undefined: return "Undefined";
    case Value::Kind::None: return "NoneType";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "str";
    case Value::Kind::List: return v.listData().tuple ? "tuple" : "list";
    case Value::Kind::Dict: return v.isNamespace() ? "Namespace" : "dict";
    case Value::Kind::Callable: return "function";
    }
    return "object";
}

Value add(const Value& a, const Value& b) {
    if (isIntLike(a) && isIntLike(b))
        return addInt(a.asInt(), b.asInt());
    if (a.isNumber() && b.isNumber())
        return a.asDouble() + b.asDouble();
    if (a.isString() && b.isString())
        return a.str() + b.str();
    if (a.isList() && b.isList() && a.listData().tuple == b.listData().tuple) {
        std::vector<Value> items = a.items();
        items.insert(items.end(), b.items().begin(), b.items().end());
        return a.listData().tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    if (a.isString() && !b.isUndefined())
        fail("can only concatenate str (not \"" + std::string(typeName(b)) + "\") to str");
    failOperands("+", a, b);
}

Value subtract(const Value& a, const Value& b) {
    if (isIntLike(a) && isIntLike(b))
        return subInt(a.asInt(), b.asInt());
    if (a.isNumber() && b.isNumber())
        return a.asDouble() - b.asDouble();
    failOperands("-", a, b);
}

Value multiply(const Value& a, const Value& b, size_t maxBytes) {
    if (isIntLike(a) && isIntLike(b))
        return mulInt(a.asInt(), b.asInt());
    if (a.isNumber() && b.isNumber())
        return a.asDouble() * b.asDouble();
    const Value* seq = isIntLike(b) ? &a : &b;
    const Value* count = isIntLike(b) ? &b : &a;
    if (isIntLike(*count) && (seq->isString() || seq->isList())) {
        const int64_t n = std::max<int64_t>(0, count->asInt());
        const size_t unit = seq->isString() ? seq->str().size() : seq->items().size() * 16;
        if (unit > 0 && static_cast<uint64_t>(n) > maxBytes / unit)
            throw TemplateError(TemplateError::Kind::Limit, "a repeated string or list would exceed the output limit");
        if (seq->isString()) {
            std::string out;
            for (int64_t i = 0; i < n; ++i)
                out += seq->str();
            return out;
        }
        std::vector<Value> items;
        for (int64_t i = 0; i < n; ++i)
            items.insert(items.end(), seq->items().begin(), seq->items().end());
        return seq->listData().tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    failOperands("*", a, b);
}

Value divide(const Value& a, const Value& b) {
    if (!a.isNumber() || !b.isNumber())
        failOperands("/", a, b);
    if (b.asDouble() == 0)
        fail("division by zero");
    return a.asDouble() / b.asDouble();
}

Value floorDivide(const Value& a, const Value& b) {
    if (!a.isNumber() || !b.isNumber())
        failOperands("//", a, b);
    if (b.asDouble() == 0)
        fail("integer division or modulo by zero");
    if (isIntLike(a) && isIntLike(b)) {
        const int64_t x = a.asInt(), y = b.asInt();
        if (x == std::numeric_limits<int64_t>::min() && y == -1)
            fail("integer overflow");
        int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0)))
            --q;
        return q;
    }
    return std::floor(a.asDouble() / b.asDouble());
}

Value modulo(const Value& a, const Value& b) {
    if (a.isString())
        return percentFormat(a.str(), b);
    if (!a.isNumber() || !b.isNumber())
        failOperands("%", a, b);
    if (b.asDouble() == 0)
        fail("integer division or modulo by zero");
    if (isIntLike(a) && isIntLike(b)) {
        const int64_t x = a.asInt(), y = b.asInt();
        if (y == -1)
            return int64_t{0};
        int64_t r = x % y;
        if (r != 0 && ((r < 0) != (y < 0)))
            r += y;
        return r;
    }
    return pyMod(a.asDouble(), b.asDouble());
}

Value power(const Value& a, const Value& b) {
    if (!a.isNumber() || !b.isNumber())
        failOperands("**", a, b);
    if (isIntLike(a) && isIntLike(b) && b.asInt() >= 0) {
        int64_t result = 1, base = a.asInt(), exp = b.asInt();
        while (exp > 0) {
            if (exp & 1)
                result = mulInt(result, base);
            exp >>= 1;
            if (exp > 0)
                base = mulInt(base, base);
        }
        return result;
    }
    return std::pow(a.asDouble(), b.asDouble());
}

Value negate(const Value& a) {
    if (isIntLike(a))
        return subInt(0, a.asInt());
    if (a.isFloat())
        return -a.asDouble();
    checkDefined(a);
    fail("bad operand type for unary -: '" + std::string(typeName(a)) + "'");
}

bool equals(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
        if (isIntLike(a) && isIntLike(b))
            return a.asInt() == b.asInt();
        return a.asDouble() == b.asDouble();
    }
    if (a.kind() != b.kind())
        return false;
    switch (a.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return true;
    case Value::Kind::String: return a.str() == b.str();
    case Value::Kind::List: {
        if (a.listData().tuple != b.listData().tuple || a.items().size() != b.items().size())
            return false;
        for (size_t i = 0; i < a.items().size(); ++i)
            if (!equals(a.items()[i], b.items()[i]))
                return false;
        return true;
    }
    case Value::Kind::Dict: {
        if (a.isNamespace() || b.isNamespace())
            return a.identity() == b.identity();
        const auto& x = a.dictData().entries;
        if (x.size() != b.dictData().entries.size())
            return false;
        for (const auto& [key, value] : x) {
            const Value* other = b.dictData().find(key);
            if (other == nullptr || !equals(value, *other))
                return false;
        }
        return true;
    }
    default: return a.identity() == b.identity();
    }
}

int compare(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
        if (isIntLike(a) && isIntLike(b))
            return a.asInt() < b.asInt() ? -1 : (a.asInt() > b.asInt() ? 1 : 0);
        const double x = a.asDouble(), y = b.asDouble();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.isString() && b.isString())
        return a.str().compare(b.str()) < 0 ? -1 : (a.str() == b.str() ? 0 : 1);
    if (a.isList() && b.isList()) {
        const auto& x = a.items();
        const auto& y = b.items();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i)
            if (!equals(x[i], y[i]))
                return compare(x[i], y[i]);
        return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    checkDefined(a);
    checkDefined(b);
    fail("'<' not supported between instances of '" + std::string(typeName(a)) + "' and '" +
         std::string(typeName(b)) + "'");
}

bool contains(const Value& container, const Value& item) {
    switch (container.kind()) {
    case Value::Kind::String:
        if (!item.isString()) {
            checkDefined(item);
            fail("'in <string>' requires string as left operand, not " + std::string(typeName(item)));
        }
        return container.str().find(item.str()) != std::string::npos;
    case Value::Kind::List:
        return std::any_of(container.items().begin(), container.items().end(),
                           [&](const Value& v) { return equals(v, item); });
    case Value::Kind::Dict: return container.dictData().find(item) != nullptr;
    case Value::Kind::Undefined: return false;
    default: fail("argument of type '" + std::string(typeName(container)) + "' is not iterable");
    }
}

Value getItem(const Value& container, const Value& key) {
    switch (container.kind()) {
    case Value::Kind::Undefined: failUndefined(container);
    case Value::Kind::Dict: {
        const Value* found = container.dictData().find(key);
        return found != nullptr ? *found : Value::undefined(key.isString() ? key.str() : repr(key));
    }
    case Value::Kind::List:
    case Value::Kind::String: {
        if (!isIntLike(key))
            return Value::undefined(toString(key));
        const int64_t n = length(container);
        int64_t index = key.asInt();
        if (index < 0)
            index += n;
        if (index < 0 || index >= n)
            return Value::undefined();
        if (container.isList())
            return container.items()[static_cast<size_t>(index)];
        return text::codePointSlice(container.str(), index, index + 1, 1);
    }
    default: return Value::undefined(toString(key));
    }
}

Value slice(const Value& container, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
            const std::optional<int64_t>& step) {
    checkDefined(container);
    if (!container.isString() && !container.isList())
        fail("'" + std::string(typeName(container)) + "' object is not subscriptable");
    const int64_t n = length(container);
    const int64_t st = step.value_or(1);
    if (st == 0)
        fail("slice step cannot be zero");
    // Python's slice.indices().
    const auto clampIndex = [&](std::optional<int64_t> i, int64_t dflt) {
        if (!i)
            return dflt;
        int64_t v = *i;
        if (v < 0)
            v += n;
        if (st > 0)
            return std::clamp<int64_t>(v, 0, n);
        return std::clamp<int64_t>(v, -1, n - 1);
    };
    const int64_t lo = clampIndex(start, st > 0 ? 0 : n - 1);
    const int64_t hi = clampIndex(stop, st > 0 ? n : -1);
    if (container.isString())
        return text::codePointSlice(container.str(), lo, hi, st);
    std::vector<Value> items;
    for (int64_t i = lo; st > 0 ? i < hi : i > hi; i += st)
        items.push_back(container.items()[static_cast<size_t>(i)]);
    return container.listData().tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

std::vector<Value> iterate(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List: return v.items();
    case Value::Kind::Dict: {
        std::vector<Value> keys;
        for (const auto& entry : v.dictData().entries)
            keys.push_back(entry.first);
        return keys;
    }
    case Value::Kind::String: {
        std::vector<Value> chars;
        for (const auto& piece : text::codePoints(v.str()))
            chars.emplace_back(std::string(piece));
        return chars;
    }
    default: fail("'" + std::string(typeName(v)) + "' object is not iterable");
    }
}

int64_t length(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return static_cast<int64_t>(text::codePointCount(v.str()));
    case Value::Kind::List: return static_cast<int64_t>(v.items().size());
    case Value::Kind::Dict: return static_cast<int64_t>(v.dictData().entries.size());
    default: fail("object of type '" + std::string(typeName(v)) + "' has no len()");
    }
}

} // namespace lamp::jinja
