// Splits a Jinja template into tokens: text, the delimiters of {{ expressions }} and
// {% statements %}, and the tokens inside them. Comments {# #} disappear here. White-space control
// follows Jinja as Hugging Face configures it (trim_blocks and lstrip_blocks on):
// - "{%-", "{{-", "{#-" remove all white space before the tag, "-%}", "-}}", "-#}" all after it;
// - trim_blocks: the first newline after a "%}" or "#}" is removed (not after "+%}");
// - lstrip_blocks: spaces and tabs between the start of a line and "{%" or "{#" are removed
//   (not before "{%+").
// As in Jinja, line endings are normalised to "\n" and one trailing newline of the template is
// dropped. {% raw %} ... {% endraw %} becomes one text token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lamp::jinja {

enum class TokenType : uint8_t {
    Text,        // template text (value)
    VarBegin,    // {{
    VarEnd,      // }}
    BlockBegin,  // {%
    BlockEnd,    // %}
    Name,        // identifier or keyword (value)
    String,      // string literal, unescaped (value)
    Integer,     // integer literal (intValue)
    Float,       // float literal (floatValue)
    Operator,    // + - * / // % ** ~ == != < <= > >= = . , : | ( ) [ ] { } ; (value)
    End,         // end of the template
};

struct Token {
    TokenType type = TokenType::End;
    std::string value;
    int64_t intValue = 0;
    double floatValue = 0;
    int line = 1;    // 1-based
    int column = 1;  // 1-based, in bytes
};

struct LexerOptions {
    bool trimBlocks = true;
    bool lstripBlocks = true;
};

// Throws TemplateError(Syntax) with the line and column of the problem.
std::vector<Token> tokenize(std::string_view source, const LexerOptions& options = {});

} // namespace lamp::jinja
