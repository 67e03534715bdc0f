#include "chat/jinja_interpreter.h"

#include "chat/jinja_builtins.h"

#include <utility>

namespace lamp::jinja {
namespace {

[[noreturn]] void fail(std::string message) {
    throw TemplateError(TemplateError::Kind::Render, std::move(message));
}

std::optional<int64_t> sliceIndex(const Value& v) {
    if (v.isNone() || v.isUndefined())
        return std::nullopt;
    if (!v.isInt() && !v.isBool())
        fail("slice indices must be integers or None");
    return v.asInt();
}

} // namespace

Interpreter::Interpreter(RenderOptions options) : options_(std::move(options)) {}

std::string Interpreter::render(const Program& program, const Value& context) {
    scopes_.clear();
    frames_.assign(1, 0);
    scopes_.emplace_back(globalFunctions());
    if (context.isDict())
        for (const auto& [key, value] : context.dictData().entries)
            if (key.isString())
                scopes_[0][key.str()] = value;
    std::string result;
    out_ = &result;
    steps_ = 0;
    callDepth_ = 0;
    execBody(program.body);
    out_ = nullptr;
    return result;
}

void Interpreter::step() {
    if (++steps_ > options_.maxSteps)
        throw TemplateError(TemplateError::Kind::Limit,
                            "the template ran for more than " + std::to_string(options_.maxSteps) + " steps");
}

void Interpreter::write(std::string_view text) {
    if (out_->size() + text.size() > options_.maxOutputBytes)
        throw TemplateError(TemplateError::Kind::Limit,
                            "the output would exceed " + std::to_string(options_.maxOutputBytes) + " bytes");
    out_->append(text);
}

Value Interpreter::lookup(const std::string& name) const {
    const size_t floor = frames_.back();
    for (size_t i = scopes_.size(); i-- > floor;) {
        const auto it = scopes_[i].find(name);
        if (it != scopes_[i].end())
            return it->second;
    }
    if (floor > 0) {
        const auto it = scopes_[0].find(name);
        if (it != scopes_[0].end())
            return it->second;
    }
    return Value::undefined(name);
}

void Interpreter::assign(const std::string& name, Value value) { scopes_.back()[name] = std::move(value); }

void Interpreter::bindTargets(const std::vector<std::string>& targets, const Value& value) {
    if (targets.size() == 1) {
        assign(targets[0], value);
        return;
    }
    if (!value.isList() && !value.isString() && !value.isDict())
        fail("cannot unpack non-iterable " + std::string(typeName(value)) + " object");
    const std::vector<Value> items = iterate(value);
    if (items.size() != targets.size())
        fail(items.size() < targets.size()
                 ? "not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
                       std::to_string(items.size()) + ")"
                 : "too many values to unpack (expected " + std::to_string(targets.size()) + ")");
    for (size_t i = 0; i < targets.size(); ++i)
        assign(targets[i], items[i]);
}

Interpreter::Flow Interpreter::execBody(const Body& body) {
    for (const auto& node : body) {
        const Flow flow = exec(*node);
        if (flow != Flow::Normal)
            return flow;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Node& node) {
    step();
    try {
        switch (node.kind) {
        case Node::Kind::Text: write(node.text); break;
        case Node::Kind::Output: write(toString(eval(*node.expr))); break;
        case Node::Kind::If:
            for (const auto& [condition, body] : node.branches)
                if (eval(*condition).truthy())
                    return execBody(body);
            return execBody(node.elseBody);
        case Node::Kind::For: return execFor(node);
        case Node::Kind::Set:
        case Node::Kind::SetBlock: execSet(node); break;
        case Node::Kind::Macro: defineMacro(node); break;
        case Node::Kind::FilterBlock: {
            Value captured = capture(node.body);
            write(toString(applyFilterChain(*node.expr, std::move(captured))));
            break;
        }
        case Node::Kind::Scope: {
            std::unordered_map<std::string, Value> scope;
            for (const auto& [name, expr] : node.params)
                scope[name] = eval(*expr);
            scopes_.push_back(std::move(scope));
            Flow flow = Flow::Normal;
            try {
                flow = execBody(node.body);
            } catch (...) {
                scopes_.pop_back();
                throw;
            }
            scopes_.pop_back();
            return flow;
        }
        case Node::Kind::Break: return Flow::Break;
        case Node::Kind::Continue: return Flow::Continue;
        }
    } catch (const TemplateError& e) {
        if (e.line() == 0)
            throw e.at(node.line, node.column);
        throw;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::execFor(const Node& node) {
    std::vector<Value> items = iterate(eval(*node.expr));
    if (node.condition) {
        std::vector<Value> kept;
        scopes_.emplace_back();
        try {
            for (const Value& item : items) {
                step();
                bindTargets(node.targets, item);
                if (eval(*node.condition).truthy())
                    kept.push_back(item);
            }
        } catch (...) {
            scopes_.pop_back();
            throw;
        }
        scopes_.pop_back();
        items = std::move(kept);
    }
    if (items.empty())
        return execBody(node.elseBody);
    const auto n = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < n; ++i) {
        step();
        const size_t u = static_cast<size_t>(i);
        Value loop = Value::dict({
            {"index", i + 1},
            {"index0", i},
            {"revindex", n - i},
            {"revindex0", n - i - 1},
            {"first", i == 0},
            {"last", i == n - 1},
            {"length", n},
            {"depth", 1},
            {"depth0", 0},
            {"previtem", i > 0 ? items[u - 1] : Value::undefined("previtem")},
            {"nextitem", i + 1 < n ? items[u + 1] : Value::undefined("nextitem")},
        });
        loop.mutableDict().set("cycle", Value::callable("cycle", [i](Interpreter&, CallArgs& args) -> Value {
                                   if (args.positional.empty())
                                       fail("no items for cycling given");
                                   return args.positional[static_cast<size_t>(i) % args.positional.size()];
                               }));
        scopes_.emplace_back();
        Flow flow = Flow::Normal;
        try {
            assign("loop", loop);
            bindTargets(node.targets, items[u]);
            flow = execBody(node.body);
        } catch (...) {
            scopes_.pop_back();
            throw;
        }
        scopes_.pop_back();
        if (flow == Flow::Break)
            break;
    }
    return Flow::Normal;
}

void Interpreter::execSet(const Node& node) {
    Value value;
    if (node.kind == Node::Kind::SetBlock) {
        value = capture(node.body);
        if (node.expr)
            value = applyFilterChain(*node.expr, std::move(value));
    } else {
        value = eval(*node.expr);
    }
    if (!node.attr.empty()) {
        const Value target = lookup(node.targets[0]);
        if (!target.isNamespace())
            fail("cannot assign attribute '" + node.attr + "' on '" + node.targets[0] +
                 "': only namespace() objects can be changed");
        target.mutableDict().set(node.attr, std::move(value));
        return;
    }
    bindTargets(node.targets, value);
}

void Interpreter::defineMacro(const Node& node) {
    const Node* macro = &node;
    assign(node.name, Value::callable(node.name, [macro](Interpreter& in, CallArgs& args) {
               return in.callMacro(*macro, args);
           }));
}

Value Interpreter::callMacro(const Node& macro, CallArgs& args) {
    if (callDepth_ >= options_.maxCallDepth)
        throw TemplateError(TemplateError::Kind::Limit,
                            "macro calls are nested more than " + std::to_string(options_.maxCallDepth) + " deep");
    if (args.positional.size() > macro.params.size())
        fail("macro '" + macro.name + "' takes " + std::to_string(macro.params.size()) + " arguments, " +
             std::to_string(args.positional.size()) + " given");
    for (const auto& [key, value] : args.keyword) {
        bool known = false;
        for (const auto& param : macro.params)
            known = known || param.first == key;
        if (!known)
            fail("macro '" + macro.name + "' has no parameter '" + key + "'");
    }
    frames_.push_back(scopes_.size());
    scopes_.emplace_back();
    ++callDepth_;
    std::string result;
    std::string* savedOut = out_;
    out_ = &result;
    try {
        for (size_t i = 0; i < macro.params.size(); ++i) {
            const auto& [name, dflt] = macro.params[i];
            const Value* given = args.get(i, name);
            assign(name, given != nullptr ? *given : (dflt ? eval(*dflt) : Value::undefined(name)));
        }
        execBody(macro.body);
    } catch (...) {
        out_ = savedOut;
        --callDepth_;
        scopes_.pop_back();
        frames_.pop_back();
        throw;
    }
    out_ = savedOut;
    --callDepth_;
    scopes_.pop_back();
    frames_.pop_back();
    return result;
}

std::string Interpreter::capture(const Body& body) {
    std::string result;
    std::string* savedOut = out_;
    out_ = &result;
    try {
        execBody(body);
    } catch (...) {
        out_ = savedOut;
        throw;
    }
    out_ = savedOut;
    return result;
}

Value Interpreter::applyFilterChain(const Expr& chain, Value subject) {
    if (chain.kind != Expr::Kind::Filter)
        return subject;
    if (chain.args[0])
        subject = applyFilterChain(*chain.args[0], std::move(subject));
    CallArgs args;
    evalArgs(chain, 1, args);
    return filter(chain.name, subject, args);
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
    if (!callee.isCallable()) {
        if (callee.isUndefined())
            fail(callee.undefinedName().empty() ? "an undefined value was called"
                                                : "'" + callee.undefinedName() + "' is undefined");
        fail("'" + std::string(typeName(callee)) + "' object is not callable");
    }
    return callee.callableData().fn(*this, args);
}

Value Interpreter::filter(const std::string& name, const Value& subject, CallArgs& args) {
    return applyFilter(*this, name, subject, args);
}

bool Interpreter::test(const std::string& name, const Value& subject, CallArgs& args) {
    return applyTest(*this, name, subject, args);
}

void Interpreter::evalArgs(const Expr& e, size_t firstArg, CallArgs& out) {
    for (size_t i = firstArg; i < e.args.size(); ++i)
        out.positional.push_back(eval(*e.args[i]));
    for (const auto& [key, expr] : e.kwargs)
        out.keyword.emplace_back(key, eval(*expr));
}

Value Interpreter::eval(const Expr& e) {
    step();
    try {
        return evalInner(e);
    } catch (const TemplateError& err) {
        if (err.line() == 0)
            throw err.at(e.line, e.column);
        throw;
    }
}

Value Interpreter::evalInner(const Expr& e) {
    switch (e.kind) {
    case Expr::Kind::Literal: return e.value;
    case Expr::Kind::Name: return lookup(e.name);
    case Expr::Kind::List:
    case Expr::Kind::Tuple: {
        std::vector<Value> items;
        for (const auto& arg : e.args)
            items.push_back(eval(*arg));
        return e.kind == Expr::Kind::List ? Value::list(std::move(items)) : Value::tuple(std::move(items));
    }
    case Expr::Kind::Dict: {
        Value dict = Value::dict();
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
            Value key = eval(*e.args[i]);
            dict.mutableDict().set(std::move(key), eval(*e.args[i + 1]));
        }
        return dict;
    }
    case Expr::Kind::GetAttr: return getAttribute(eval(*e.args[0]), e.name);
    case Expr::Kind::GetItem: {
        const Value obj = eval(*e.args[0]);
        const Value key = eval(*e.args[1]);
        Value item = getItem(obj, key);
        if (item.isUndefined() && obj.isDict() && key.isString() && hasMethod(obj, key.str()))
            return getAttribute(obj, key.str());
        return item;
    }
    case Expr::Kind::Slice: {
        const Value obj = eval(*e.args[0]);
        const auto part = [&](size_t i) {
            return e.args[i] ? sliceIndex(eval(*e.args[i])) : std::optional<int64_t>{};
        };
        const auto start = part(1);
        const auto stop = part(2);
        return slice(obj, start, stop, part(3));
    }
    case Expr::Kind::Call: return evalCall(e);
    case Expr::Kind::Filter: {
        const Value subject = eval(*e.args[0]);
        CallArgs args;
        evalArgs(e, 1, args);
        return filter(e.name, subject, args);
    }
    case Expr::Kind::Test: {
        const Value subject = eval(*e.args[0]);
        CallArgs args;
        evalArgs(e, 1, args);
        return test(e.name, subject, args) != e.negated;
    }
    case Expr::Kind::Unary: {
        const Value v = eval(*e.args[0]);
        if (e.name == "not")
            return !v.truthy();
        if (e.name == "-")
            return negate(v);
        if (!v.isNumber())
            fail("bad operand type for unary +: '" + std::string(typeName(v)) + "'");
        return v.isBool() ? Value(v.asInt()) : v;
    }
    case Expr::Kind::Binary: {
        const std::string& op = e.name;
        Value left = eval(*e.args[0]);
        if (op == "and")
            return left.truthy() ? eval(*e.args[1]) : left;
        if (op == "or")
            return left.truthy() ? left : eval(*e.args[1]);
        const Value right = eval(*e.args[1]);
        Value result;
        if (op == "+")
            result = add(left, right);
        else if (op == "-")
            result = subtract(left, right);
        else if (op == "*")
            result = multiply(left, right, options_.maxOutputBytes);
        else if (op == "/")
            result = divide(left, right);
        else if (op == "//")
            result = floorDivide(left, right);
        else if (op == "%")
            result = modulo(left, right);
        else
            result = power(left, right);
        if ((result.isString() && result.str().size() > options_.maxOutputBytes) ||
            (result.isList() && result.items().size() > options_.maxOutputBytes / 16))
            throw TemplateError(TemplateError::Kind::Limit, "a string or list grew beyond the output limit");
        return result;
    }
    case Expr::Kind::Concat: {
        std::string s;
        for (const auto& arg : e.args) {
            s += toString(eval(*arg));
            if (s.size() > options_.maxOutputBytes)
                throw TemplateError(TemplateError::Kind::Limit, "a string grew beyond the output limit");
        }
        return s;
    }
    case Expr::Kind::Compare: return evalCompare(e);
    case Expr::Kind::Conditional:
        if (eval(*e.args[1]).truthy())
            return eval(*e.args[0]);
        return e.args[2] ? eval(*e.args[2]) : Value::undefined();
    }
    return {};
}

Value Interpreter::evalCompare(const Expr& e) {
    Value left = eval(*e.args[0]);
    for (size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.args[i + 1]);
        const std::string& op = e.ops[i];
        bool ok;
        if (op == "==")
            ok = equals(left, right);
        else if (op == "!=")
            ok = !equals(left, right);
        else if (op == "in")
            ok = contains(right, left);
        else if (op == "notin")
            ok = !contains(right, left);
        else {
            const int c = compare(left, right);
            ok = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
        }
        if (!ok)
            return false;
        left = std::move(right);
    }
    return true;
}

Value Interpreter::evalCall(const Expr& e) {
    const Expr& callee = *e.args[0];
    CallArgs args;
    if (callee.kind == Expr::Kind::GetAttr) {
        const Value obj = eval(*callee.args[0]);
        if (hasMethod(obj, callee.name)) {
            evalArgs(e, 1, args);
            return callMethod(*this, obj, callee.name, args);
        }
        const Value fn = getAttribute(obj, callee.name);
        evalArgs(e, 1, args);
        return call(fn, args);
    }
    const Value fn = eval(callee);
    evalArgs(e, 1, args);
    return call(fn, args);
}

Template::Template(std::string_view source) : program_(parse(source)) {}

std::string Template::render(const Value& context, const RenderOptions& options) const {
    Interpreter interpreter(options);
    return interpreter.render(*program_, context);
}

} // namespace lamp::jinja
