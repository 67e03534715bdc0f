// The built-in filters, tests, methods and global functions of the Jinja interpreter: those of
// Jinja that chat templates use, Python's str/dict/list methods (without the mutating ones, as in
// Hugging Face's immutable sandbox) and Hugging Face's additions (raise_exception, strftime_now, a
// tojson that writes json.dumps(ensure_ascii=False)).
#pragma once

#include "chat/jinja_value.h"

#include <string>
#include <unordered_map>

namespace lamp::jinja {

class Interpreter;

// Throw TemplateError(Render) naming the filter/test when it does not exist.
Value applyFilter(Interpreter& in, const std::string& name, const Value& subject, CallArgs& args);
bool applyTest(Interpreter& in, const std::string& name, const Value& subject, CallArgs& args);

// obj.name as Jinja resolves it: a method of str/dict/list (a bound callable), a dict key, or
// undefined. Undefined `obj` is an error.
Value getAttribute(const Value& obj, const std::string& name);
// obj.name(args) without creating the bound method first.
Value callMethod(Interpreter& in, const Value& obj, const std::string& name, CallArgs& args);
// True when `name` is a method of `obj`'s type.
bool hasMethod(const Value& obj, const std::string& name);

// range, dict, namespace, raise_exception, strftime_now.
std::unordered_map<std::string, Value> globalFunctions();

} // namespace lamp::jinja
