#include "worker/prompt_render.h"

#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace lamp::app {

std::vector<int32_t> renderPrompt(const Model& model, const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages,
                                  bool addGenerationPrompt) {
    const std::string text = tmpl.render(messages, addGenerationPrompt);
    EncodeOptions options;
    options.parseSpecial = true;  // the template's control tokens are real tokens
    std::vector<int32_t> ids = model.tokenizer().encode(text, options);
    const Vocab& vocab = model.vocab();
    if (vocab.addBos() && vocab.bos() != kNoToken && (ids.empty() || ids.front() != vocab.bos()))
        ids.insert(ids.begin(), vocab.bos());
    return ids;
}

} // namespace lamp::app
