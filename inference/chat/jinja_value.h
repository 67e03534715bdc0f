// Dynamic values of the Jinja interpreter, with the Python semantics that Jinja templates rely on:
// undefined / none / bool / int / float / string / list (and tuple) / dict (and namespace) /
// callable. Lists, dicts and callables are shared by reference like Python objects (so a
// namespace() assigned to two names is one object); strings and numbers are plain values.
//
// Operations that fail (adding a string to a number, an undefined value in arithmetic, ...) throw
// TemplateError of kind Render without a location; the interpreter adds the location of the node.
#pragma once

#include "chat/template_error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lamp::jinja {

class Value;
class Interpreter;

struct ListData {
    std::vector<Value> items;
    bool tuple = false;  // printed as (a, b) instead of [a, b]
};

// An insertion-ordered dictionary (Python 3.7+ order). Lookups are linear: template dicts are small.
struct DictData {
    std::vector<std::pair<Value, Value>> entries;
    bool isNamespace = false;  // created by namespace(); the only mutable object (set ns.attr = ...)

    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;
    void set(Value key, Value value);
};

// Positional and keyword arguments of a call.
struct CallArgs {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keyword;

    // The argument at `index`, or the keyword `name`, or nullptr.
    const Value* get(size_t index, std::string_view name) const;
};

// A function value: a built-in global (range, namespace, raise_exception, ...), a macro, a bound
// method ('x'.strip) or loop.cycle.
struct Callable {
    using Fn = std::function<Value(Interpreter&, CallArgs&)>;
    std::string name;
    Fn fn;
};

class Value {
public:
    enum class Kind : uint8_t { Undefined, None, Bool, Int, Float, String, List, Dict, Callable };

    Value() = default;  // undefined
    Value(bool b) : v_(b) {}                                            // NOLINT
    Value(int i) : v_(static_cast<int64_t>(i)) {}                        // NOLINT
    Value(int64_t i) : v_(i) {}                                          // NOLINT
    Value(double d) : v_(d) {}                                          // NOLINT
    Value(std::string s) : v_(std::move(s)) {}                           // NOLINT
    Value(std::string_view s) : v_(std::string(s)) {}                    // NOLINT
    Value(const char* s) : v_(std::string(s)) {}                         // NOLINT

    static Value none() { Value v; v.v_ = nullptr; return v; }
    static Value undefined(std::string name = {}) { Value v; v.v_ = Undef{std::move(name)}; return v; }
    static Value list(std::vector<Value> items = {});
    static Value tuple(std::vector<Value> items);
    static Value dict(std::vector<std::pair<Value, Value>> entries = {});
    static Value makeNamespace();
    static Value callable(std::string name, Callable::Fn fn);

    Kind kind() const { return static_cast<Kind>(v_.index()); }
    bool isUndefined() const { return kind() == Kind::Undefined; }
    bool isNone() const { return kind() == Kind::None; }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isInt() const { return kind() == Kind::Int; }
    bool isFloat() const { return kind() == Kind::Float; }
    bool isNumber() const { return isInt() || isFloat() || isBool(); }  // bool is an int in Python
    bool isString() const { return kind() == Kind::String; }
    bool isList() const { return kind() == Kind::List; }
    bool isDict() const { return kind() == Kind::Dict; }
    bool isNamespace() const { return isDict() && dictData().isNamespace; }
    bool isCallable() const { return kind() == Kind::Callable; }

    bool asBool() const { return std::get<bool>(v_); }
    int64_t asInt() const;      // int or bool
    double asDouble() const;    // int, bool or float
    const std::string& str() const { return std::get<std::string>(v_); }
    const ListData& listData() const { return *std::get<std::shared_ptr<ListData>>(v_); }
    const std::vector<Value>& items() const { return listData().items; }
    const DictData& dictData() const { return *std::get<std::shared_ptr<DictData>>(v_); }
    DictData& mutableDict() const { return *std::get<std::shared_ptr<DictData>>(v_); }
    const Callable& callableData() const { return *std::get<std::shared_ptr<Callable>>(v_); }
    const std::string& undefinedName() const { return std::get<Undef>(v_).name; }
    // Identity of a shared object (for `is sameas`), nullptr for plain values.
    const void* identity() const;

    // Python truthiness: undefined, none, false, 0, 0.0, "" and empty containers are false.
    bool truthy() const;

    // Dict-style member lookup: the value for a string key, or nullptr (also for non-dicts).
    const Value* member(std::string_view key) const;

private:
    struct Undef {
        std::string name;
    };
    std::variant<Undef, std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<ListData>,
                 std::shared_ptr<DictData>, std::shared_ptr<Callable>>
        v_;
};

// Python type names ("str", "int", "dict", ...) for error messages.
std::string_view typeName(const Value& v);

// str(v) as Python prints it ({{ v }}): undefined prints as "".
std::string toString(const Value& v);
// repr(v): strings quoted, as inside printed lists.
std::string repr(const Value& v);
// Options of json.dumps as Hugging Face's tojson filter passes them.
struct JsonOptions {
    int indent = -1;           // < 0: everything on one line
    bool sortKeys = false;
    bool ensureAscii = false;  // escape non-ASCII characters as \uXXXX
    std::string itemSeparator;  // empty: ", " (or "," with an indent)
    std::string keySeparator;   // empty: ": "
};
// json.dumps(v, ...) with Python's formatting (floats as repr). Throws for undefined and callables.
std::string toJson(const Value& v, const JsonOptions& options = {});
// Python's float repr: "1.0", "0.1", "1e-05", "1e+16", "inf", "nan".
std::string formatFloat(double d);
// Python's printf-style formatting, format % args (args: a tuple, or one value).
std::string percentFormat(const std::string& format, const Value& args);

// Python operators. Each throws TemplateError(Render) for unsupported operand types.
Value add(const Value& a, const Value& b);
Value subtract(const Value& a, const Value& b);
Value multiply(const Value& a, const Value& b, size_t maxBytes);
Value divide(const Value& a, const Value& b);
Value floorDivide(const Value& a, const Value& b);
Value modulo(const Value& a, const Value& b);  // also '%s' % args string formatting
Value power(const Value& a, const Value& b);
Value negate(const Value& a);
bool equals(const Value& a, const Value& b);
// <0, 0, >0; throws for types Python cannot order (str < int, ...).
int compare(const Value& a, const Value& b);
// `item in container`.
bool contains(const Value& container, const Value& item);

// Sequence access with Python rules: negative indexes count from the end; strings index by code
// point. Out-of-range indexes and missing keys give undefined (as Jinja's getitem does).
Value getItem(const Value& container, const Value& key);
Value slice(const Value& container, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
            const std::optional<int64_t>& step);
// The elements a for loop visits: list items, dict keys, string characters; undefined is empty.
std::vector<Value> iterate(const Value& v);
// len(v): code points for strings.
int64_t length(const Value& v);

} // namespace lamp::jinja
