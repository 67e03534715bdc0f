// The syntax tree of a Jinja template and the parser that builds it from tokens. The grammar and
// operator precedence are Jinja's (lowest first): `x if c else y`, or, and, not, comparisons
// (== != < <= > >= in, not in; chained as in Python), + -, ~, * / // %, **, unary - +, then
// postfix .attr [index] [a:b:c] (call), filters `|f(args)` and tests `is [not] t(args)`.
//
// Statements: if/elif/else, for (with tuple targets, an `if` filter and `else`), set (a name,
// a tuple of names, namespace attributes `ns.x`, or a block `{% set x %}...{% endset %}`), macro,
// filter blocks, with, break/continue (loop controls) and Hugging Face's generation blocks.
// Not supported (a syntax error names them): extends/block/include/import, call blocks, recursive
// loops, *args/**kwargs in calls.
#pragma once

#include "chat/jinja_value.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamp::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind : uint8_t {
        Literal,      // value
        Name,         // name
        List,         // [args...]
        Tuple,        // (args...)
        Dict,         // {args[0]: args[1], args[2]: args[3], ...}
        GetAttr,      // args[0].name
        GetItem,      // args[0][args[1]]
        Slice,        // args[0][args[1]:args[2]:args[3]] (absent parts are null)
        Call,         // args[0](args[1...], kwargs)
        Filter,       // args[0] | name(args[1...], kwargs)
        Test,         // args[0] is [not] name(args[1...], kwargs)
        Unary,        // op args[0]: "-", "+", "not"
        Binary,       // args[0] op args[1]: + - * / // % ** and or
        Concat,       // args[0] ~ args[1] ~ ...
        Compare,      // args[0] ops[0] args[1] ops[1] args[2] ...: == != < <= > >= in notin
        Conditional,  // args[0] if args[1] else args[2] (args[2] may be null)
    };
    Kind kind = Kind::Literal;
    int line = 0;
    int column = 0;
    Value value;
    std::string name;  // Name, GetAttr, Filter, Test; the operator of Unary and Binary
    std::vector<ExprPtr> args;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    std::vector<std::string> ops;  // Compare
    bool negated = false;          // Test
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
    enum class Kind : uint8_t {
        Text,         // text
        Output,       // {{ expr }}
        If,           // branches (condition, body); elseBody
        For,          // for targets in expr [if condition]: body; elseBody when nothing was visited
        Set,          // targets = expr, or ns.attr = expr (targets[0] = ns, attr)
        SetBlock,     // {% set targets[0] [| filter] %}body{% endset %} (expr: the filter chain or null)
        Macro,        // {% macro name(params) %}body
        FilterBlock,  // {% filter expr %}body: expr is a Filter chain whose innermost subject is null
        Scope,        // {% with params %}body, {% generation %}body
        Break,
        Continue,
    };
    Kind kind = Kind::Text;
    int line = 0;
    int column = 0;
    std::string text;
    ExprPtr expr;
    ExprPtr condition;
    std::vector<std::pair<ExprPtr, Body>> branches;
    Body body;
    Body elseBody;
    std::vector<std::string> targets;
    std::string attr;
    std::string name;
    std::vector<std::pair<std::string, ExprPtr>> params;  // macro parameters (default or null), with
};

struct Program {
    Body body;
};

// Parses a template. Throws TemplateError(Syntax) with the line and column of the problem.
std::shared_ptr<const Program> parse(std::string_view source);

} // namespace lamp::jinja
