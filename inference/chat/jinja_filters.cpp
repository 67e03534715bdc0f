// The built-in filters of the Jinja interpreter (|trim, |tojson, |selectattr, ...).
#include "chat/jinja_args.h"
#include "chat/jinja_builtins.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_text.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace lamp::jinja {
namespace {

using detail::Args;
using detail::dictItems;
using detail::fail;

CallArgs restArgs(const CallArgs& args, size_t from) {
    CallArgs rest;
    for (size_t i = from; i < args.positional.size(); ++i)
        rest.positional.push_back(args.positional[i]);
    rest.keyword = args.keyword;
    return rest;
}

// Jinja's attribute getter for filters: "a.b.0" walks dict keys, attributes and indexes.
Value attributePath(const Value& item, const std::string& path) {
    Value v = item;
    for (const auto& part : text::split(path, std::string("."), -1)) {
        const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (numeric)
            v = getItem(v, Value(static_cast<int64_t>(std::strtoll(part.c_str(), nullptr, 10))));
        else if (v.isDict())
            v = getItem(v, Value(part));
        else
            v = getAttribute(v, part);
    }
    return v;
}

std::string htmlEscape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

// Sorting key: lower-cased strings unless case-sensitive.
Value sortKey(const Value& v, bool caseSensitive) {
    if (!caseSensitive && v.isString())
        return text::lower(v.str());
    return v;
}

std::vector<Value> sortedItems(std::vector<Value> items, bool reverse, bool caseSensitive,
                               const std::optional<std::string>& attribute) {
    std::vector<std::pair<Value, Value>> keyed;
    for (auto& item : items)
        keyed.emplace_back(sortKey(attribute ? attributePath(item, *attribute) : item, caseSensitive), std::move(item));
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        return reverse ? compare(b.first, a.first) < 0 : compare(a.first, b.first) < 0;
    });
    std::vector<Value> out;
    for (auto& [key, item] : keyed)
        out.push_back(std::move(item));
    return out;
}

Value selectOrReject(Interpreter& in, const Value& subject, const CallArgs& args, bool byAttribute, bool keep) {
    std::vector<Value> out;
    const size_t testIndex = byAttribute ? 1 : 0;
    const std::string attribute = byAttribute ? Args(args, "selectattr").string(0, "attribute") : std::string();
    const bool hasTest = args.positional.size() > testIndex;
    const std::string testName = hasTest ? toString(args.positional[testIndex]) : std::string();
    CallArgs testArgs = restArgs(args, testIndex + 1);
    for (const Value& item : iterate(subject)) {
        const Value probe = byAttribute ? attributePath(item, attribute) : item;
        const bool passed = hasTest ? in.test(testName, probe, testArgs) : probe.truthy();
        if (passed == keep)
            out.push_back(item);
    }
    return Value::list(std::move(out));
}

Value roundValue(const Value& v, int64_t precision, const std::string& method) {
    if (!v.isNumber())
        fail("round: expected a number, got " + std::string(typeName(v)));
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double x = v.asDouble() * scale;
    double r;
    if (method == "ceil")
        r = std::ceil(x);
    else if (method == "floor")
        r = std::floor(x);
    else if (method == "common")
        r = std::nearbyint(x);  // Python's round(): halves to even
    else
        fail("round: method must be 'common', 'ceil' or 'floor'");
    return r / scale;
}

Value toInt(const Value& v, const Value& dflt, int64_t base) {
    if (v.isInt() || v.isBool())
        return v.asInt();
    if (v.isFloat())
        return std::isfinite(v.asDouble()) ? Value(static_cast<int64_t>(v.asDouble())) : dflt;
    if (v.isString()) {
        const std::string s = text::strip(v.str(), std::nullopt, true, true);
        if (s.empty())
            return dflt;
        char* end = nullptr;
        errno = 0;
        const long long i = std::strtoll(s.c_str(), &end, static_cast<int>(base));
        if (end == s.c_str() + s.size() && errno == 0)
            return static_cast<int64_t>(i);
        const double d = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size() && std::isfinite(d))
            return static_cast<int64_t>(d);
    }
    return dflt;
}

Value toFloat(const Value& v, const Value& dflt) {
    if (v.isNumber())
        return v.asDouble();
    if (v.isString()) {
        const std::string s = text::strip(v.str(), std::nullopt, true, true);
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end == s.c_str() + s.size())
            return d;
    }
    return dflt;
}

std::string indent(const std::string& s, const Value& width, bool first, bool blank) {
    const std::string pad = width.isString() ? width.str() : std::string(static_cast<size_t>(std::max<int64_t>(0, width.asInt())), ' ');
    const auto lines = text::splitLines(s + "\n");
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0)
            out += '\n';
        const bool indentThis = i > 0 && (blank || !lines[i].empty());
        out += (indentThis ? pad : std::string()) + lines[i];
    }
    return first ? pad + out : out;
}


Value minMax(const Value& subject, const CallArgs& args, bool wantMax) {
    const Args a(args, wantMax ? "max" : "min");
    const auto items = sortedItems(iterate(subject), false, a.flag(0, "case_sensitive", false), a.optString(1, "attribute"));
    if (items.empty())
        return Value::undefined("no items");
    return wantMax ? items.back() : items.front();
}

} // namespace

Value applyFilter(Interpreter& in, const std::string& name, const Value& s, CallArgs& args) {
    const Args a(args, name);
    const size_t limit = in.options().maxOutputBytes;
    if (name == "trim")
        return text::strip(toString(s), a.optString(0, "chars"), true, true);
    if (name == "length" || name == "count")
        return length(s);
    if (name == "upper")
        return text::upper(toString(s));
    if (name == "lower")
        return text::lower(toString(s));
    if (name == "capitalize")
        return text::capitalize(toString(s));
    if (name == "title")
        return text::jinjaTitle(toString(s));
    if (name == "string")
        return toString(s);
    if (name == "safe")
        return s;
    if (name == "escape" || name == "e" || name == "forceescape")
        return htmlEscape(toString(s));
    if (name == "tojson") {
        // Hugging Face's signature: tojson(ensure_ascii=False, indent=None, separators=None, sort_keys=False).
        JsonOptions o;
        o.ensureAscii = a.flag(0, "ensure_ascii", false);
        o.indent = static_cast<int>(std::clamp<int64_t>(a.integer(1, "indent", -1), -1, 64));
        if (const Value* sep = a.get(2, "separators"); sep != nullptr && sep->isList() && sep->items().size() == 2) {
            o.itemSeparator = toString(sep->items()[0]);
            o.keySeparator = toString(sep->items()[1]);
        }
        o.sortKeys = a.flag(3, "sort_keys", false);
        return toJson(s, o);
    }
    if (name == "default" || name == "d") {
        if (s.isUndefined() || (a.flag(1, "boolean", false) && !s.truthy()))
            return a.value(0, "default_value", Value(""));
        return s;
    }
    if (name == "first" || name == "last") {
        const auto items = iterate(s);
        if (items.empty())
            return Value::undefined(name == "first" ? "first item" : "last item");
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list")
        return Value::list(iterate(s));
    if (name == "join") {
        const std::string sep = a.optString(0, "d").value_or("");
        const auto attribute = a.optString(1, "attribute");
        std::string out;
        bool firstItem = true;
        for (const Value& item : iterate(s)) {
            if (!firstItem)
                out += sep;
            firstItem = false;
            out += toString(attribute ? attributePath(item, *attribute) : item);
            if (out.size() > limit)
                throw TemplateError(TemplateError::Kind::Limit, "join: the result would exceed the output limit");
        }
        return out;
    }
    if (name == "int")
        return toInt(s, a.value(0, "default", Value(0)), a.integer(1, "base", 10));
    if (name == "float")
        return toFloat(s, a.value(0, "default", Value(0.0)));
    if (name == "abs") {
        if (s.isFloat())
            return std::fabs(s.asDouble());
        return s.asInt() < 0 ? negate(s) : Value(s.asInt());
    }
    if (name == "round")
        return roundValue(s, a.integer(0, "precision", 0), a.optString(1, "method").value_or("common"));
    if (name == "replace") {
        const int64_t count = a.integer(2, "count", -1);
        const std::string out = text::replace(toString(s), a.string(0, "old"), a.string(1, "new"), count);
        if (out.size() > limit)
            throw TemplateError(TemplateError::Kind::Limit, "replace: the result would exceed the output limit");
        return out;
    }
    if (name == "indent")
        return indent(toString(s), a.value(0, "width", Value(4)), a.flag(1, "first", false), a.flag(2, "blank", false));
    if (name == "items")
        return Value::list(dictItems(s, "items"));
    if (name == "dictsort") {
        const bool byValue = a.optString(1, "by").value_or("key") == "value";
        std::vector<Value> items = dictItems(s, "dictsort");
        std::vector<std::pair<Value, Value>> keyed;
        for (auto& item : items)
            keyed.emplace_back(sortKey(item.items()[byValue ? 1 : 0], a.flag(0, "case_sensitive", false)), item);
        const bool reverse = a.flag(2, "reverse", false);
        std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
            return reverse ? compare(y.first, x.first) < 0 : compare(x.first, y.first) < 0;
        });
        items.clear();
        for (auto& [key, item] : keyed)
            items.push_back(std::move(item));
        return Value::list(std::move(items));
    }
    if (name == "select" || name == "reject")
        return selectOrReject(in, s, args, false, name == "select");
    if (name == "selectattr" || name == "rejectattr")
        return selectOrReject(in, s, args, true, name == "selectattr");
    if (name == "map") {
        std::vector<Value> out;
        if (const auto attribute = a.optString(99, "attribute")) {
            const Value dflt = a.value(99, "default");
            for (const Value& item : iterate(s)) {
                Value v = attributePath(item, *attribute);
                out.push_back(v.isUndefined() && a.get(99, "default") != nullptr ? dflt : v);
            }
        } else {
            if (args.positional.empty())
                fail("map: expected a filter name or attribute=");
            const std::string filterName = toString(args.positional[0]);
            CallArgs rest = restArgs(args, 1);
            for (const Value& item : iterate(s))
                out.push_back(in.filter(filterName, item, rest));
        }
        return Value::list(std::move(out));
    }
    if (name == "sort")
        return Value::list(sortedItems(iterate(s), a.flag(0, "reverse", false), a.flag(1, "case_sensitive", false),
                                       a.optString(2, "attribute")));
    if (name == "reverse") {
        if (s.isString()) {
            std::string out;
            const auto cps = text::codePoints(s.str());
            for (auto it = cps.rbegin(); it != cps.rend(); ++it)
                out += *it;
            return out;
        }
        auto items = iterate(s);
        std::reverse(items.begin(), items.end());
        return Value::list(std::move(items));
    }
    if (name == "unique") {
        const bool caseSensitive = a.flag(0, "case_sensitive", false);
        const auto attribute = a.optString(1, "attribute");
        std::vector<Value> out, seen;
        for (const Value& item : iterate(s)) {
            const Value key = sortKey(attribute ? attributePath(item, *attribute) : item, caseSensitive);
            if (std::none_of(seen.begin(), seen.end(), [&](const Value& x) { return equals(x, key); })) {
                seen.push_back(key);
                out.push_back(item);
            }
        }
        return Value::list(std::move(out));
    }
    if (name == "min" || name == "max")
        return minMax(s, args, name == "max");
    if (name == "sum") {
        const auto attribute = a.optString(0, "attribute");
        Value total = a.value(1, "start", Value(0));
        for (const Value& item : iterate(s))
            total = add(total, attribute ? attributePath(item, *attribute) : item);
        return total;
    }
    if (name == "attr")
        return getAttribute(s, a.string(0, "name"));
    if (name == "format")
        return modulo(Value(toString(s)), Value::tuple(args.positional));
    if (name == "wordcount")
        return static_cast<int64_t>(text::split(toString(s), std::nullopt, -1).size());
    fail("no filter named '" + name + "'");
}

} // namespace lamp::jinja
