// Renders a parsed Jinja template (jinja_parser.h) with a context of variables, as
// Hugging Face's ImmutableSandboxedEnvironment renders chat templates: undefined variables print
// as nothing, values cannot be modified except namespace() attributes, loop controls are on.
//
// Scoping follows Jinja: a for loop's body gets a fresh scope on every iteration (a `set` inside a
// loop is gone after it; use namespace() to carry values out), macros see their parameters and the
// template's top-level variables, `if` blocks share their surrounding scope.
//
// Runaway templates stop with TemplateError(Limit): output beyond `maxOutputBytes`, more than
// `maxSteps` evaluation steps, or macro calls nested deeper than `maxCallDepth`.
#pragma once

#include "chat/jinja_parser.h"
#include "chat/jinja_value.h"

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lamp::jinja {

struct RenderOptions {
    size_t maxOutputBytes = size_t{10} << 20;  // also bounds every string and list a template builds
    uint64_t maxSteps = 20'000'000;            // statements, expressions and loop iterations
    int maxCallDepth = 64;                     // nested macro calls
    std::optional<std::tm> now;                // what strftime_now() formats; local time when unset
};

class Interpreter {
public:
    explicit Interpreter(RenderOptions options);

    // Renders `program` with the variables of `context` (a dict; other values give no variables).
    std::string render(const Program& program, const Value& context);

    // For the built-ins: calls a callable value, counts one step, reads the options.
    Value call(const Value& callee, CallArgs& args);
    void step();
    const RenderOptions& options() const { return options_; }
    // Applies a filter / test by name (used by |map('upper'), |select('odd'), ...).
    Value filter(const std::string& name, const Value& subject, CallArgs& args);
    bool test(const std::string& name, const Value& subject, CallArgs& args);

private:
    enum class Flow : uint8_t { Normal, Break, Continue };

    Flow execBody(const Body& body);
    Flow exec(const Node& node);
    Flow execFor(const Node& node);
    void execSet(const Node& node);
    void defineMacro(const Node& node);
    Value callMacro(const Node& macro, CallArgs& args);
    std::string capture(const Body& body);
    Value applyFilterChain(const Expr& chain, Value subject);

    Value eval(const Expr& e);
    Value evalInner(const Expr& e);
    Value evalCall(const Expr& e);
    Value evalCompare(const Expr& e);
    void evalArgs(const Expr& e, size_t firstArg, CallArgs& out);

    Value lookup(const std::string& name) const;
    void assign(const std::string& name, Value value);
    void bindTargets(const std::vector<std::string>& targets, const Value& value);
    void write(std::string_view text);

    RenderOptions options_;
    std::vector<std::unordered_map<std::string, Value>> scopes_;
    std::vector<size_t> frames_;  // index of the first scope each macro call can see (0: top level)
    std::string* out_ = nullptr;
    uint64_t steps_ = 0;
    int callDepth_ = 0;
};

// A parsed template, ready to render any number of times.
class Template {
public:
    // Parses `source`; throws TemplateError(Syntax).
    explicit Template(std::string_view source);

    std::string render(const Value& context, const RenderOptions& options = {}) const;

private:
    std::shared_ptr<const Program> program_;
};

} // namespace lamp::jinja
