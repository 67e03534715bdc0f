// The error of the chat-template subsystem: a template that cannot be parsed, fails while it is
// rendered, exceeds a resource limit, or calls raise_exception() on purpose (a conversation the
// model does not support, such as a system message for a model without a system role).
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <utility>

namespace lamp {

class TemplateError : public Error {
public:
    enum class Kind : uint8_t {
        Syntax,  // the template text cannot be parsed
        Render,  // an operation failed while rendering (a type error, an undefined value, ...)
        Raised,  // the template called raise_exception(message)
        Limit,   // the output, step or nesting limit was exceeded
    };

    // `line` and `column` are 1-based; 0 means "not known" (the interpreter fills them in).
    TemplateError(Kind kind, std::string detail, int line = 0, int column = 0)
        : Error(format(kind, detail, line, column)), kind_(kind), detail_(std::move(detail)),
          line_(line), column_(column) {}

    Kind kind() const { return kind_; }
    // The message without the location; for Kind::Raised exactly the template's own message.
    const std::string& detail() const { return detail_; }
    int line() const { return line_; }
    int column() const { return column_; }
    bool raisedByTemplate() const { return kind_ == Kind::Raised; }

    // The same error placed at a location (used when an error from a value operation reaches the
    // node that caused it).
    TemplateError at(int line, int column) const { return TemplateError(kind_, detail_, line, column); }

private:
    static std::string format(Kind kind, const std::string& detail, int line, int column) {
        std::string out = "chat template";
        if (line > 0)
            out += ", line " + std::to_string(line) + ", column " + std::to_string(column);
        switch (kind) {
        case Kind::Syntax: out += ": syntax error: "; break;
        case Kind::Render: out += ": "; break;
        case Kind::Raised: out += ": the template refused the conversation: "; break;
        case Kind::Limit: out += ": limit exceeded: "; break;
        }
        return out + detail;
    }

    Kind kind_;
    std::string detail_;
    int line_;
    int column_;
};

} // namespace lamp
