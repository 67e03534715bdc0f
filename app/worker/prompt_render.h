// A conversation → the prompt tokens the model sees, shared by answers, prompt-only requests and
// titles (all of them must tokenize the same way for a session's cache to be reused).
#pragma once

#include "chat/chat_template.h"

#include <cstdint>
#include <vector>

namespace lamp {
class Model;
}

namespace lamp::app {

// Rendered by the model's chat template and tokenized as the model was trained (control tokens
// are parsed); BOS added when the vocabulary wants it and the template did not write it (as
// lamplight-cli chat does). `addGenerationPrompt` false renders the conversation as it stands: the
// start of any longer prompt of the same conversation.
std::vector<int32_t> renderPrompt(const Model& model, const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages,
                                  bool addGenerationPrompt = true);

} // namespace lamp::app
