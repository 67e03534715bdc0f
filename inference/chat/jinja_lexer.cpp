#include "chat/jinja_lexer.h"

#include "chat/jinja_text.h"
#include "chat/template_error.h"
#include "tokenizer/utf8.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace lamp::jinja {
namespace {

bool isWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || isDigit(c); }

// Jinja normalises "\r\n" and "\r" to "\n" and drops one trailing newline.
std::string normalize(std::string_view source) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n')
                ++i;
        } else {
            out += source[i];
        }
    }
    if (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

class Lexer {
public:
    Lexer(std::string_view source, const LexerOptions& options) : src_(normalize(source)), options_(options) {
        lineStarts_.push_back(0);
        for (size_t i = 0; i < src_.size(); ++i)
            if (src_[i] == '\n')
                lineStarts_.push_back(i + 1);
    }

    std::vector<Token> run() {
        while (pos_ < src_.size()) {
            const size_t tag = findTagStart(pos_);
            if (tag == std::string::npos) {
                emitText(src_.substr(pos_), pos_);
                break;
            }
            const char kind = src_[tag + 1];
            const char sign = tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+') ? src_[tag + 2] : 0;
            emitText(stripBefore(src_.substr(pos_, tag - pos_), kind, sign, lineStarting_), pos_);
            const size_t body = tag + 2 + (sign != 0 ? 1 : 0);
            size_t rawBodyStart = 0;
            if (kind == '#')
                lexComment(tag, body);
            else if (kind == '%' && isRawBegin(body, rawBodyStart))
                lexRaw(tag, rawBodyStart);
            else
                lexTag(tag, kind, body);
        }
        Token end;
        end.type = TokenType::End;
        locate(end, src_.size());
        tokens_.push_back(end);
        return std::move(tokens_);
    }

private:
    [[noreturn]] void fail(const std::string& message, size_t at) const {
        Token t;
        locate(t, at);
        throw TemplateError(TemplateError::Kind::Syntax, message, t.line, t.column);
    }

    void locate(Token& t, size_t at) const {
        const auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), at);
        const size_t line = static_cast<size_t>(it - lineStarts_.begin());
        t.line = static_cast<int>(line);
        t.column = static_cast<int>(at - lineStarts_[line - 1] + 1);
    }

    size_t findTagStart(size_t from) const {
        for (size_t i = src_.find('{', from); i != std::string::npos && i + 1 < src_.size(); i = src_.find('{', i + 1)) {
            const char next = src_[i + 1];
            if (next == '{' || next == '%' || next == '#')
                return i;
        }
        return std::string::npos;
    }

    // White-space control on the text before a tag.
    std::string stripBefore(std::string text, char kind, char sign, bool lineStarting) const {
        if (sign == '-')
            return text::strip(text, std::nullopt, false, true);
        if (sign == '+' || !options_.lstripBlocks || kind == '{')
            return text;
        const size_t nl = text.rfind('\n');
        const size_t lineStart = nl == std::string::npos ? 0 : nl + 1;
        if (lineStart == 0 && !lineStarting)
            return text;
        if (lineStart == text.size())
            return text;
        for (const auto& piece : text::codePoints(std::string_view(text).substr(lineStart))) {
            const utf8::Step s = utf8::decode(piece, 0);
            if (s.status != utf8::Step::Status::Ok || !text::isSpace(s.codePoint))
                return text;
        }
        text.resize(lineStart);
        return text;
    }

    void emitText(std::string text, size_t at) {
        if (text.empty())
            return;
        Token t;
        t.type = TokenType::Text;
        t.value = std::move(text);
        locate(t, at);
        tokens_.push_back(std::move(t));
    }

    void push(TokenType type, size_t at, std::string value = {}) {
        Token t;
        t.type = type;
        t.value = std::move(value);
        locate(t, at);
        tokens_.push_back(std::move(t));
    }

    // After a closing delimiter: '-' removes all white space, trim_blocks one newline.
    void finishTag(size_t end, char sign, bool block) {
        if (sign == '-') {
            while (end < src_.size() && isWs(src_[end]))
                ++end;
        } else if (block && sign != '+' && options_.trimBlocks && end < src_.size() && src_[end] == '\n') {
            ++end;
        }
        lineStarting_ = end > 0 && src_[end - 1] == '\n';
        pos_ = end;
    }

    void lexComment(size_t tag, size_t body) {
        const size_t close = src_.find("#}", body);
        if (close == std::string::npos)
            fail("missing end of comment tag", tag);
        char sign = 0;
        if (close > body && (src_[close - 1] == '-' || src_[close - 1] == '+'))
            sign = src_[close - 1];
        finishTag(close + 2, sign, true);
    }

    // "{% raw %}" (also "{%- raw -%}"): sets `bodyStart` to the first byte of the raw text.
    bool isRawBegin(size_t p, size_t& bodyStart) const {
        while (p < src_.size() && isWs(src_[p]))
            ++p;
        if (src_.compare(p, 3, "raw") != 0)
            return false;
        p += 3;
        while (p < src_.size() && isWs(src_[p]))
            ++p;
        if (src_.compare(p, 3, "-%}") == 0) {
            p += 3;
            while (p < src_.size() && isWs(src_[p]))
                ++p;
        } else if (src_.compare(p, 2, "%}") == 0) {
            p += 2;
        } else {
            return false;
        }
        bodyStart = p;
        return true;
    }

    void lexRaw(size_t tag, size_t bodyStart) {
        const bool lineStarting = bodyStart > 0 && src_[bodyStart - 1] == '\n';
        for (size_t q = src_.find("{%", bodyStart); q != std::string::npos; q = src_.find("{%", q + 2)) {
            size_t p = q + 2;
            char sign = 0;
            if (p < src_.size() && (src_[p] == '-' || src_[p] == '+'))
                sign = src_[p++];
            while (p < src_.size() && isWs(src_[p]))
                ++p;
            if (src_.compare(p, 6, "endraw") != 0)
                continue;
            p += 6;
            while (p < src_.size() && isWs(src_[p]))
                ++p;
            char endSign = 0;
            if (p < src_.size() && (src_[p] == '-' || src_[p] == '+'))
                endSign = src_[p++];
            if (src_.compare(p, 2, "%}") != 0)
                continue;
            emitText(stripBefore(src_.substr(bodyStart, q - bodyStart), '%', sign, lineStarting), bodyStart);
            finishTag(p + 2, endSign, true);
            return;
        }
        fail("missing end of raw directive ({% endraw %})", tag);
    }

    void lexTag(size_t tag, char kind, size_t p) {
        const bool block = kind == '%';
        push(block ? TokenType::BlockBegin : TokenType::VarBegin, tag);
        std::vector<char> balance;
        for (;;) {
            while (p < src_.size() && isWs(src_[p]))
                ++p;
            if (p >= src_.size())
                fail(std::string("unexpected end of template: the tag opened here was not closed with '") +
                         (block ? "%}" : "}}") + "'",
                     tag);
            if (balance.empty()) {
                const std::string_view rest = std::string_view(src_).substr(p);
                const std::string_view close = block ? "%}" : "}}";
                char sign = 0;
                size_t length = 0;
                if ((rest.substr(0, 1) == "-" || (block && rest.substr(0, 1) == "+")) && rest.substr(1, 2) == close) {
                    sign = rest[0];
                    length = 3;
                } else if (rest.substr(0, 2) == close) {
                    length = 2;
                }
                if (length > 0) {
                    push(block ? TokenType::BlockEnd : TokenType::VarEnd, p);
                    finishTag(p + length, sign, block);
                    return;
                }
            }
            p = lexToken(p, balance);
        }
    }

    size_t lexToken(size_t p, std::vector<char>& balance) {
        const char c = src_[p];
        if (isDigit(c))
            return lexNumber(p);
        if (isNameStart(c)) {
            size_t e = p;
            while (e < src_.size() && isNameChar(src_[e]))
                ++e;
            push(TokenType::Name, p, src_.substr(p, e - p));
            return e;
        }
        if (c == '\'' || c == '"')
            return lexString(p);
        static const char* twoChar[] = {"//", "**", "==", "!=", "<=", ">="};
        for (const char* op : twoChar)
            if (src_.compare(p, 2, op) == 0) {
                push(TokenType::Operator, p, op);
                return p + 2;
            }
        if (std::string_view("+-*/%~<>=.,:|()[]{};").find(c) == std::string_view::npos)
            fail(std::string("unexpected character '") + c + "'", p);
        if (c == '(' || c == '[' || c == '{') {
            balance.push_back(c);
        } else if (c == ')' || c == ']' || c == '}') {
            const char open = c == ')' ? '(' : (c == ']' ? '[' : '{');
            if (balance.empty() || balance.back() != open)
                fail(std::string("unexpected '") + c + "'", p);
            balance.pop_back();
        }
        push(TokenType::Operator, p, std::string(1, c));
        return p + 1;
    }

    size_t scanDigits(size_t p) const {
        while (p < src_.size() && (isDigit(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() && isDigit(src_[p + 1]))))
            ++p;
        return p;
    }

    size_t lexNumber(size_t p) {
        size_t e = scanDigits(p);
        bool isFloat = false;
        const bool afterDot = p > 0 && src_[p - 1] == '.';  // "messages.0.x" indexes, never a float
        if (!afterDot) {
            if (e + 1 < src_.size() && src_[e] == '.' && isDigit(src_[e + 1])) {
                e = scanDigits(e + 1);
                isFloat = true;
            }
            if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
                size_t x = e + 1;
                if (x < src_.size() && (src_[x] == '+' || src_[x] == '-'))
                    ++x;
                if (x < src_.size() && isDigit(src_[x])) {
                    e = scanDigits(x);
                    isFloat = true;
                }
            }
        }
        std::string digits;
        for (size_t i = p; i < e; ++i)
            if (src_[i] != '_')
                digits += src_[i];
        Token t;
        locate(t, p);
        t.value = digits;
        if (isFloat) {
            t.type = TokenType::Float;
            t.floatValue = std::strtod(digits.c_str(), nullptr);
        } else {
            t.type = TokenType::Integer;
            errno = 0;
            t.intValue = std::strtoll(digits.c_str(), nullptr, 10);
            if (errno == ERANGE)
                fail("integer literal out of range", p);
        }
        tokens_.push_back(std::move(t));
        return e;
    }

    size_t lexString(size_t p) {
        const char quote = src_[p];
        std::string value;
        size_t i = p + 1;
        for (;; ++i) {
            if (i >= src_.size())
                fail("unterminated string literal", p);
            const char c = src_[i];
            if (c == quote)
                break;
            if (c != '\\') {
                value += c;
                continue;
            }
            if (++i >= src_.size())
                fail("unterminated string literal", p);
            i = unescape(i, value);
        }
        push(TokenType::String, p, std::move(value));
        return i + 1;
    }

    // Python "unicode-escape" for the escape whose letter is at src_[i]; returns the index of its
    // last character.
    size_t unescape(size_t i, std::string& out) const {
        const auto hexValue = [&](size_t from, size_t count, size_t& end) -> long {
            if (from + count > src_.size())
                fail("truncated \\x, \\u or \\U escape", from);
            const std::string digits = src_.substr(from, count);
            for (const char d : digits)
                if (!std::isxdigit(static_cast<unsigned char>(d)))
                    fail("truncated \\x, \\u or \\U escape", from);
            end = from + count - 1;
            return std::strtol(digits.c_str(), nullptr, 16);
        };
        const char c = src_[i];
        size_t end = i;
        switch (c) {
        case '\n': return i;  // line continuation
        case '\\': out += '\\'; return i;
        case '\'': out += '\''; return i;
        case '"': out += '"'; return i;
        case 'n': out += '\n'; return i;
        case 't': out += '\t'; return i;
        case 'r': out += '\r'; return i;
        case 'a': out += '\a'; return i;
        case 'b': out += '\b'; return i;
        case 'f': out += '\f'; return i;
        case 'v': out += '\v'; return i;
        case 'x': utf8::append(out, static_cast<char32_t>(hexValue(i + 1, 2, end))); return end;
        case 'u': utf8::append(out, static_cast<char32_t>(hexValue(i + 1, 4, end))); return end;
        case 'U': utf8::append(out, static_cast<char32_t>(hexValue(i + 1, 8, end))); return end;
        default:
            if (c >= '0' && c <= '7') {
                int value = 0;
                size_t j = i;
                for (int n = 0; n < 3 && j < src_.size() && src_[j] >= '0' && src_[j] <= '7'; ++n, ++j)
                    value = value * 8 + (src_[j] - '0');
                utf8::append(out, static_cast<char32_t>(value));
                return j - 1;
            }
            out += '\\';
            out += c;
            return i;
        }
    }

    std::string src_;
    LexerOptions options_;
    std::vector<size_t> lineStarts_;
    std::vector<Token> tokens_;
    size_t pos_ = 0;
    bool lineStarting_ = true;
};

} // namespace

std::vector<Token> tokenize(std::string_view source, const LexerOptions& options) {
    return Lexer(source, options).run();
}

} // namespace lamp::jinja
