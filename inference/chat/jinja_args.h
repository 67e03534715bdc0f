// Argument reading shared by the built-in filters, tests and methods (internal to inference/chat).
#pragma once

#include "chat/jinja_value.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamp::jinja::detail {

[[noreturn]] inline void fail(std::string message) {
    throw TemplateError(TemplateError::Kind::Render, std::move(message));
}

// Reads the arguments of one filter, test or method call.
class Args {
public:
    Args(const CallArgs& args, std::string_view what) : args_(args), what_(what) {}

    const Value* get(size_t index, std::string_view name) const { return args_.get(index, name); }
    Value value(size_t index, std::string_view name, Value dflt = {}) const {
        const Value* v = get(index, name);
        return v != nullptr ? *v : dflt;
    }
    bool flag(size_t index, std::string_view name, bool dflt) const {
        const Value* v = get(index, name);
        return v != nullptr ? v->truthy() : dflt;
    }
    int64_t integer(size_t index, std::string_view name, int64_t dflt) const {
        const Value* v = get(index, name);
        if (v == nullptr || v->isNone())
            return dflt;
        if (!v->isInt() && !v->isBool())
            fail(std::string(what_) + ": '" + std::string(name) + "' must be an integer");
        return v->asInt();
    }
    std::optional<std::string> optString(size_t index, std::string_view name) const {
        const Value* v = get(index, name);
        if (v == nullptr || v->isNone() || v->isUndefined())
            return std::nullopt;
        return toString(*v);
    }
    std::string string(size_t index, std::string_view name) const {
        const Value* v = get(index, name);
        if (v == nullptr)
            fail(std::string(what_) + ": missing argument '" + std::string(name) + "'");
        return toString(*v);
    }

private:
    const CallArgs& args_;
    std::string_view what_;
};

// A dict's (key, value) tuples; undefined gives none.
inline std::vector<Value> dictItems(const Value& v, std::string_view what) {
    if (v.isUndefined())
        return {};
    if (!v.isDict())
        fail(std::string(what) + ": expected a mapping, got " + std::string(typeName(v)));
    std::vector<Value> out;
    for (const auto& [key, value] : v.dictData().entries)
        out.push_back(Value::tuple({key, value}));
    return out;
}

} // namespace lamp::jinja::detail
