// Details of the built-in chat templates (declared with the public API in chat_template.h).
#pragma once

#include "chat/chat_template.h"

#include <string_view>

namespace lamp {

// The model (or family) whose template a built-in is, for descriptions.
std::string_view builtinTemplateModel(BuiltinTemplate t);
// The BOS / EOS texts of that model, used when no vocabulary supplies them.
std::string_view builtinTemplateBos(BuiltinTemplate t);
std::string_view builtinTemplateEos(BuiltinTemplate t);

} // namespace lamp
