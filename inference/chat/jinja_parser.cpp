#include "chat/jinja_parser.h"

#include "chat/jinja_lexer.h"

#include <initializer_list>

namespace lamp::jinja {
namespace {

constexpr int kMaxNesting = 200;  // expressions and blocks; deeper templates are refused, not overflowed

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    std::shared_ptr<const Program> run() {
        auto program = std::make_shared<Program>();
        program->body = subparse({});
        if (current().type != TokenType::End)
            fail("unexpected '" + current().value + "'");
        return program;
    }

private:
    // ---- token stream -------------------------------------------------------------------------
    const Token& current() const { return tokens_[pos_]; }
    const Token& peek(size_t ahead = 1) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
    const Token& advance() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

    bool isOp(std::string_view op) const { return current().type == TokenType::Operator && current().value == op; }
    bool isName(std::string_view name) const { return current().type == TokenType::Name && current().value == name; }

    [[noreturn]] void fail(const std::string& message) const { fail(message, current()); }
    [[noreturn]] void fail(const std::string& message, const Token& at) const {
        throw TemplateError(TemplateError::Kind::Syntax, message, at.line, at.column);
    }

    static std::string describe(const Token& t) {
        switch (t.type) {
        case TokenType::End: return "end of template";
        case TokenType::VarEnd: return "'}}'";
        case TokenType::BlockEnd: return "'%}'";
        case TokenType::Text: return "text";
        case TokenType::String: return "string";
        default: return "'" + t.value + "'";
        }
    }

    void expectOp(std::string_view op) {
        if (!isOp(op))
            fail("expected '" + std::string(op) + "', got " + describe(current()));
        advance();
    }

    std::string expectName() {
        if (current().type != TokenType::Name)
            fail("expected a name, got " + describe(current()));
        return advance().value;
    }

    void expectBlockEnd() {
        if (current().type != TokenType::BlockEnd)
            fail("expected '%}', got " + describe(current()));
        advance();
    }

    struct DepthGuard {
        explicit DepthGuard(Parser& p) : parser(p) {
            if (++parser.depth_ > kMaxNesting)
                parser.fail("the template is nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)");
        }
        ~DepthGuard() { --parser.depth_; }
        Parser& parser;
    };

    template <typename T>
    static std::unique_ptr<T> make(typename T::Kind kind, const Token& at) {
        auto n = std::make_unique<T>();
        n->kind = kind;
        n->line = at.line;
        n->column = at.column;
        return n;
    }

    // ---- statements ---------------------------------------------------------------------------
    // Parses until a {% tag %} whose name is one of `endTags`; stops at that tag's name.
    Body subparse(std::initializer_list<std::string_view> endTags) {
        DepthGuard guard(*this);
        Body body;
        for (;;) {
            const Token& t = current();
            if (t.type == TokenType::End) {
                if (endTags.size() > 0) {
                    std::string_view closing = *endTags.begin();
                    for (const auto tag : endTags)
                        if (tag.rfind("end", 0) == 0)
                            closing = tag;
                    fail("unexpected end of template: expected '{% " + std::string(closing) + " %}'");
                }
                return body;
            }
            if (t.type == TokenType::Text) {
                auto node = make<Node>(Node::Kind::Text, t);
                node->text = t.value;
                advance();
                body.push_back(std::move(node));
            } else if (t.type == TokenType::VarBegin) {
                advance();
                auto node = make<Node>(Node::Kind::Output, t);
                node->expr = parseTuple(true, {});
                if (current().type != TokenType::VarEnd)
                    fail("expected '}}', got " + describe(current()));
                advance();
                body.push_back(std::move(node));
            } else if (t.type == TokenType::BlockBegin) {
                advance();
                if (current().type != TokenType::Name)
                    fail("expected a statement name after '{%', got " + describe(current()));
                for (const auto tag : endTags)
                    if (current().value == tag)
                        return body;
                body.push_back(parseStatement());
            } else {
                fail("unexpected " + describe(t));
            }
        }
    }

    NodePtr parseStatement() {
        const Token& t = current();
        const std::string& k = t.value;
        if (k == "if")
            return parseIf();
        if (k == "for")
            return parseFor();
        if (k == "set")
            return parseSet();
        if (k == "macro")
            return parseMacro();
        if (k == "filter")
            return parseFilterBlock();
        if (k == "with" || k == "generation")
            return parseScope();
        if (k == "break" || k == "continue") {
            auto node = make<Node>(k == "break" ? Node::Kind::Break : Node::Kind::Continue, t);
            advance();
            if (loopDepth_ == 0)
                fail("'" + k + "' outside of a loop", t);
            expectBlockEnd();
            return node;
        }
        if (k == "extends" || k == "block" || k == "include" || k == "import" || k == "from" || k == "call")
            fail("the '" + k + "' statement is not supported in chat templates");
        if (k.rfind("end", 0) == 0 || k == "elif" || k == "else")
            fail("unexpected '" + k + "' (no open block it could close)");
        fail("unknown statement '" + k + "'");
    }

    void expectEndTag(std::string_view tag) {
        if (!isName(tag))
            fail("expected '" + std::string(tag) + "', got " + describe(current()));
        advance();
        expectBlockEnd();
    }

    NodePtr parseIf() {
        auto node = make<Node>(Node::Kind::If, current());
        advance();
        for (;;) {
            ExprPtr condition = parseTuple(false, {});
            expectBlockEnd();
            Body body = subparse({"elif", "else", "endif"});
            node->branches.emplace_back(std::move(condition), std::move(body));
            const std::string tag = advance().value;
            if (tag == "elif")
                continue;
            if (tag == "else") {
                expectBlockEnd();
                node->elseBody = subparse({"endif"});
                advance();
            }
            expectBlockEnd();
            return node;
        }
    }

    std::vector<std::string> parseTargets(std::string_view stopName) {
        std::vector<std::string> names;
        const bool parens = isOp("(");
        if (parens)
            advance();
        for (;;) {
            names.push_back(expectName());
            if (!isOp(","))
                break;
            advance();
            if ((parens && isOp(")")) || isName(stopName))
                break;
        }
        if (parens)
            expectOp(")");
        return names;
    }

    NodePtr parseFor() {
        auto node = make<Node>(Node::Kind::For, current());
        advance();
        node->targets = parseTargets("in");
        if (!isName("in"))
            fail("expected 'in' in the for statement, got " + describe(current()));
        advance();
        node->expr = parseTuple(false, {"recursive", "if"});
        if (isName("if")) {
            advance();
            node->condition = parseExpression(true);
        }
        if (isName("recursive"))
            fail("recursive loops are not supported");
        expectBlockEnd();
        ++loopDepth_;
        node->body = subparse({"endfor", "else"});
        --loopDepth_;
        if (advance().value == "else") {
            expectBlockEnd();
            node->elseBody = subparse({"endfor"});
            advance();
        }
        expectBlockEnd();
        return node;
    }

    NodePtr parseSet() {
        const Token& start = current();
        advance();
        NodePtr node;
        if (current().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == "." &&
            peek(2).type == TokenType::Name) {
            node = make<Node>(Node::Kind::Set, start);
            node->targets.push_back(advance().value);
            advance();
            node->attr = advance().value;
        } else {
            auto targets = parseTargets("");
            node = make<Node>(isOp("=") ? Node::Kind::Set : Node::Kind::SetBlock, start);
            node->targets = std::move(targets);
        }
        if (isOp("=")) {
            advance();
            node->expr = parseTuple(true, {});
            expectBlockEnd();
            return node;
        }
        if (node->kind != Node::Kind::SetBlock || node->targets.size() != 1)
            fail("expected '=' in the set statement");
        if (isOp("|"))
            node->expr = parseFilterChain(nullptr);
        expectBlockEnd();
        node->body = subparse({"endset"});
        expectEndTag("endset");
        return node;
    }

    NodePtr parseMacro() {
        auto node = make<Node>(Node::Kind::Macro, current());
        advance();
        node->name = expectName();
        expectOp("(");
        while (!isOp(")")) {
            if (!node->params.empty())
                expectOp(",");
            if (isOp(")"))
                break;
            std::string param = expectName();
            ExprPtr dflt;
            if (isOp("=")) {
                advance();
                dflt = parseExpression(true);
            } else if (!node->params.empty() && node->params.back().second) {
                fail("a macro parameter without a default follows one with a default");
            }
            node->params.emplace_back(std::move(param), std::move(dflt));
        }
        advance();
        expectBlockEnd();
        const int savedLoops = loopDepth_;
        loopDepth_ = 0;
        node->body = subparse({"endmacro"});
        loopDepth_ = savedLoops;
        expectEndTag("endmacro");
        return node;
    }

    NodePtr parseFilterBlock() {
        auto node = make<Node>(Node::Kind::FilterBlock, current());
        advance();
        node->expr = parseFilterChain(nullptr, /*leadingPipe=*/false);
        expectBlockEnd();
        node->body = subparse({"endfilter"});
        expectEndTag("endfilter");
        return node;
    }

    NodePtr parseScope() {
        auto node = make<Node>(Node::Kind::Scope, current());
        const std::string tag = advance().value;
        if (tag == "with") {
            while (current().type != TokenType::BlockEnd) {
                if (!node->params.empty())
                    expectOp(",");
                std::string target = expectName();
                expectOp("=");
                node->params.emplace_back(std::move(target), parseExpression(true));
            }
        }
        expectBlockEnd();
        const std::string_view endTag = tag == "with" ? "endwith" : "endgeneration";
        node->body = subparse({endTag});
        expectEndTag(endTag);
        return node;
    }

    // ---- expressions --------------------------------------------------------------------------
    bool isTupleEnd(std::initializer_list<std::string_view> extraEnd) const {
        const Token& t = current();
        if (t.type == TokenType::VarEnd || t.type == TokenType::BlockEnd || t.type == TokenType::End)
            return true;
        if (t.type == TokenType::Operator && t.value == ")")
            return true;
        if (t.type == TokenType::Name)
            for (const auto name : extraEnd)
                if (t.value == name)
                    return true;
        return false;
    }

    ExprPtr parseTuple(bool withCondExpr, std::initializer_list<std::string_view> extraEnd, bool explicitParens = false) {
        const Token& start = current();
        std::vector<ExprPtr> items;
        bool isTuple = false;
        for (;;) {
            if (!items.empty())
                expectOp(",");
            if (isTupleEnd(extraEnd))
                break;
            items.push_back(parseExpression(withCondExpr));
            if (isOp(","))
                isTuple = true;
            else
                break;
        }
        if (!isTuple) {
            if (!items.empty())
                return std::move(items[0]);
            if (!explicitParens)
                fail("expected an expression, got " + describe(current()));
        }
        auto tuple = make<Expr>(Expr::Kind::Tuple, start);
        tuple->args = std::move(items);
        return tuple;
    }

    ExprPtr parseExpression(bool withCondExpr) {
        DepthGuard guard(*this);
        return withCondExpr ? parseCondExpr() : parseOr();
    }

    ExprPtr parseCondExpr() {
        ExprPtr expr = parseOr();
        while (isName("if")) {
            auto cond = make<Expr>(Expr::Kind::Conditional, current());
            advance();
            ExprPtr test = parseOr();
            ExprPtr otherwise;
            if (isName("else")) {
                advance();
                otherwise = parseCondExpr();
            }
            cond->args.push_back(std::move(expr));
            cond->args.push_back(std::move(test));
            cond->args.push_back(std::move(otherwise));
            expr = std::move(cond);
        }
        return expr;
    }

    ExprPtr binary(std::string op, ExprPtr left, ExprPtr right, const Token& at) {
        auto node = make<Expr>(Expr::Kind::Binary, at);
        node->name = std::move(op);
        node->args.push_back(std::move(left));
        node->args.push_back(std::move(right));
        return node;
    }

    ExprPtr parseOr() {
        ExprPtr left = parseAnd();
        while (isName("or")) {
            const Token& at = advance();
            left = binary("or", std::move(left), parseAnd(), at);
        }
        return left;
    }

    ExprPtr parseAnd() {
        ExprPtr left = parseNot();
        while (isName("and")) {
            const Token& at = advance();
            left = binary("and", std::move(left), parseNot(), at);
        }
        return left;
    }

    ExprPtr parseNot() {
        if (isName("not")) {
            DepthGuard guard(*this);
            auto node = make<Expr>(Expr::Kind::Unary, current());
            advance();
            node->name = "not";
            node->args.push_back(parseNot());
            return node;
        }
        return parseCompare();
    }

    ExprPtr parseCompare() {
        const Token& start = current();
        ExprPtr first = parseMath1();
        std::vector<std::string> ops;
        std::vector<ExprPtr> operands;
        for (;;) {
            const Token& t = current();
            if (t.type == TokenType::Operator &&
                (t.value == "==" || t.value == "!=" || t.value == "<" || t.value == "<=" || t.value == ">" || t.value == ">=")) {
                ops.push_back(advance().value);
            } else if (isName("in")) {
                advance();
                ops.emplace_back("in");
            } else if (isName("not") && peek().type == TokenType::Name && peek().value == "in") {
                advance();
                advance();
                ops.emplace_back("notin");
            } else {
                break;
            }
            operands.push_back(parseMath1());
        }
        if (ops.empty())
            return first;
        auto node = make<Expr>(Expr::Kind::Compare, start);
        node->args.push_back(std::move(first));
        for (auto& operand : operands)
            node->args.push_back(std::move(operand));
        node->ops = std::move(ops);
        return node;
    }

    ExprPtr parseMath1() {
        ExprPtr left = parseConcat();
        while (isOp("+") || isOp("-")) {
            const Token& at = advance();
            left = binary(at.value, std::move(left), parseConcat(), at);
        }
        return left;
    }

    ExprPtr parseConcat() {
        const Token& start = current();
        ExprPtr first = parseMath2();
        if (!isOp("~"))
            return first;
        auto node = make<Expr>(Expr::Kind::Concat, start);
        node->args.push_back(std::move(first));
        while (isOp("~")) {
            advance();
            node->args.push_back(parseMath2());
        }
        return node;
    }

    ExprPtr parseMath2() {
        ExprPtr left = parsePow();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            const Token& at = advance();
            left = binary(at.value, std::move(left), parsePow(), at);
        }
        return left;
    }

    ExprPtr parsePow() {
        ExprPtr left = parseUnary(true);
        while (isOp("**")) {
            const Token& at = advance();
            left = binary("**", std::move(left), parseUnary(true), at);
        }
        return left;
    }

    ExprPtr parseUnary(bool withFilter) {
        DepthGuard guard(*this);
        ExprPtr node;
        if (isOp("-") || isOp("+")) {
            node = make<Expr>(Expr::Kind::Unary, current());
            node->name = advance().value;
            node->args.push_back(parseUnary(false));
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(std::move(node));
        if (withFilter)
            node = parseFilterExpr(std::move(node));
        return node;
    }

    ExprPtr parsePrimary() {
        const Token& t = current();
        switch (t.type) {
        case TokenType::Name: {
            advance();
            auto node = make<Expr>(Expr::Kind::Literal, t);
            if (t.value == "true" || t.value == "True")
                node->value = true;
            else if (t.value == "false" || t.value == "False")
                node->value = false;
            else if (t.value == "none" || t.value == "None")
                node->value = Value::none();
            else {
                node->kind = Expr::Kind::Name;
                node->name = t.value;
            }
            return node;
        }
        case TokenType::String: {
            auto node = make<Expr>(Expr::Kind::Literal, t);
            std::string s;
            while (current().type == TokenType::String)
                s += advance().value;
            node->value = std::move(s);
            return node;
        }
        case TokenType::Integer: {
            auto node = make<Expr>(Expr::Kind::Literal, t);
            node->value = advance().intValue;
            return node;
        }
        case TokenType::Float: {
            auto node = make<Expr>(Expr::Kind::Literal, t);
            node->value = advance().floatValue;
            return node;
        }
        case TokenType::Operator:
            if (t.value == "(") {
                advance();
                ExprPtr inner = parseTuple(true, {}, true);
                expectOp(")");
                return inner;
            }
            if (t.value == "[" || t.value == "{")
                return parseCollection();
            break;
        default: break;
        }
        fail("unexpected " + describe(t));
    }

    ExprPtr parseCollection() {
        const bool isDict = isOp("{");
        auto node = make<Expr>(isDict ? Expr::Kind::Dict : Expr::Kind::List, current());
        const std::string close = isDict ? "}" : "]";
        advance();
        while (!isOp(close)) {
            if (!node->args.empty())
                expectOp(",");
            if (isOp(close))
                break;
            node->args.push_back(parseExpression(true));
            if (isDict) {
                expectOp(":");
                node->args.push_back(parseExpression(true));
            }
        }
        advance();
        return node;
    }

    ExprPtr parsePostfix(ExprPtr node) {
        for (;;) {
            if (isOp(".") || isOp("["))
                node = parseSubscript(std::move(node));
            else if (isOp("("))
                node = parseCall(std::move(node));
            else
                return node;
        }
    }

    ExprPtr parseSubscript(ExprPtr node) {
        const Token& at = current();
        if (advance().value == ".") {
            const Token& t = current();
            if (t.type == TokenType::Name) {
                auto attr = make<Expr>(Expr::Kind::GetAttr, at);
                attr->name = advance().value;
                attr->args.push_back(std::move(node));
                return attr;
            }
            if (t.type == TokenType::Integer) {
                auto item = make<Expr>(Expr::Kind::GetItem, at);
                auto index = make<Expr>(Expr::Kind::Literal, t);
                index->value = advance().intValue;
                item->args.push_back(std::move(node));
                item->args.push_back(std::move(index));
                return item;
            }
            fail("expected a name or a number after '.', got " + describe(t));
        }
        std::vector<ExprPtr> parts;
        while (!isOp("]")) {
            if (!parts.empty())
                expectOp(",");
            if (isOp("]"))
                break;
            ExprPtr start;
            if (!isOp(":")) {
                start = parseExpression(true);
                if (!isOp(":")) {
                    parts.push_back(std::move(start));
                    continue;
                }
            }
            // A slice start:stop:step (each part optional).
            if (!parts.empty())
                fail("a slice cannot follow other indexes in a subscript");
            advance();
            auto s = make<Expr>(Expr::Kind::Slice, at);
            s->args.push_back(std::move(node));
            s->args.push_back(std::move(start));
            s->args.push_back(isOp(":") || isOp("]") ? nullptr : parseExpression(true));
            ExprPtr step;
            if (isOp(":")) {
                advance();
                if (!isOp("]"))
                    step = parseExpression(true);
            }
            s->args.push_back(std::move(step));
            expectOp("]");
            return s;
        }
        advance();
        if (parts.empty())
            fail("expected an index inside '[]'", at);
        auto item = make<Expr>(Expr::Kind::GetItem, at);
        item->args.push_back(std::move(node));
        if (parts.size() == 1) {
            item->args.push_back(std::move(parts[0]));
        } else {
            auto tuple = make<Expr>(Expr::Kind::Tuple, at);
            tuple->args = std::move(parts);
            item->args.push_back(std::move(tuple));
        }
        return item;
    }

    // Arguments "(a, b, key=c)" appended to `node` (which already holds its leading args).
    void parseCallArgs(Expr& node) {
        expectOp("(");
        bool first = true;
        while (!isOp(")")) {
            if (!first)
                expectOp(",");
            first = false;
            if (isOp(")"))
                break;
            if (isOp("*") || isOp("**"))
                fail("*args and **kwargs are not supported");
            if (current().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == "=") {
                std::string key = advance().value;
                advance();
                node.kwargs.emplace_back(std::move(key), parseExpression(true));
            } else {
                if (!node.kwargs.empty())
                    fail("a positional argument follows a keyword argument");
                node.args.push_back(parseExpression(true));
            }
        }
        advance();
    }

    ExprPtr parseCall(ExprPtr callee) {
        auto call = make<Expr>(Expr::Kind::Call, current());
        call->args.push_back(std::move(callee));
        parseCallArgs(*call);
        return call;
    }

    ExprPtr parseFilterExpr(ExprPtr node) {
        for (;;) {
            if (isOp("|"))
                node = parseFilterChain(std::move(node));
            else if (isName("is"))
                node = parseTest(std::move(node));
            else if (isOp("("))
                node = parseCall(std::move(node));
            else
                return node;
        }
    }

    // One or more "| name(args)"; the first pipe is optional for {% filter %}.
    ExprPtr parseFilterChain(ExprPtr subject, bool leadingPipe = true) {
        bool needPipe = leadingPipe;
        while (isOp("|") || !needPipe) {
            if (needPipe)
                advance();
            needPipe = true;
            auto filter = make<Expr>(Expr::Kind::Filter, current());
            filter->name = expectName();
            while (isOp(".")) {
                advance();
                filter->name += '.';  // two appends: "." + string trips a gcc 12 -Wrestrict false positive at -O3
            filter->name += expectName();
            }
            filter->args.push_back(std::move(subject));
            if (isOp("("))
                parseCallArgs(*filter);
            subject = std::move(filter);
        }
        return subject;
    }

    ExprPtr parseTest(ExprPtr subject) {
        auto test = make<Expr>(Expr::Kind::Test, current());
        advance();
        if (isName("not")) {
            advance();
            test->negated = true;
        }
        test->name = expectName();
        while (isOp(".")) {
            advance();
            test->name += '.';  // two appends: "." + string trips a gcc 12 -Wrestrict false positive at -O3
            test->name += expectName();
        }
        test->args.push_back(std::move(subject));
        const Token& t = current();
        if (isOp("(")) {
            parseCallArgs(*test);
        } else if ((t.type == TokenType::Name || t.type == TokenType::String || t.type == TokenType::Integer ||
                    t.type == TokenType::Float || isOp("[") || isOp("{")) &&
                   !isName("else") && !isName("or") && !isName("and")) {
            if (isName("is"))
                fail("tests cannot be chained with 'is'");
            test->args.push_back(parsePostfix(parsePrimary()));
        }
        return test;
    }

    std::vector<Token> tokens_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loopDepth_ = 0;
};

} // namespace

std::shared_ptr<const Program> parse(std::string_view source) {
    return Parser(tokenize(source)).run();
}

} // namespace lamp::jinja
