// Renders a conversation into the prompt text a model was trained on, with the model's own
// `tokenizer.chat_template` (a Jinja template, run by our interpreter in jinja_interpreter.h) or,
// when the file has none or it cannot be used, a built-in template chosen from the model's
// vocabulary and name.
//
// The template sees the variables Hugging Face's apply_chat_template passes: `messages` (a list of
// {"role", "content"} dicts), `add_generation_prompt`, `bos_token`, `eos_token` (the texts of the
// file's BOS/EOS tokens, "" when it has none) and `tools` = none; plus the functions
// raise_exception() and strftime_now().
#pragma once

#include "chat/template_error.h"

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class GgufFile;

namespace jinja {
class Template;
}

struct ChatMessage {
    std::string role;  // "system", "user", "assistant" (templates may accept others, e.g. "tool")
    std::string content;
};

// The built-in templates: each is the Jinja text of a real model's template.
enum class BuiltinTemplate : uint8_t {
    ChatML,   // <|im_start|>role\n...<|im_end|> (OpenHermes, Qwen, SmolLM, Yi, ...)
    Llama2,   // [INST] <<SYS>>...<</SYS>> ... [/INST] (Llama 2 chat)
    Llama3,   // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|> (Llama 3 instruct)
    Zephyr,   // <|user|>\n...</s> (Zephyr, TinyLlama chat)
    Mistral,  // [INST] ... [/INST] (Mistral instruct v0.1/v0.2; a system message joins the first turn)
    Gemma,    // <start_of_turn>user\n...<end_of_turn> (Gemma; a system message joins the first turn)
    Phi3,     // <|user|>\n...<|end|> (Phi-3 / Phi-3.5 mini)
};

inline constexpr BuiltinTemplate kAllBuiltinTemplates[] = {
    BuiltinTemplate::ChatML, BuiltinTemplate::Llama2, BuiltinTemplate::Llama3, BuiltinTemplate::Zephyr,
    BuiltinTemplate::Mistral, BuiltinTemplate::Gemma, BuiltinTemplate::Phi3,
};

// "chatml", "llama2", "llama3", "zephyr", "mistral", "gemma", "phi3".
std::string_view builtinTemplateName(BuiltinTemplate t);
std::optional<BuiltinTemplate> builtinTemplateFromName(std::string_view name);
// The Jinja source of a built-in template.
std::string_view builtinTemplateSource(BuiltinTemplate t);

class ChatTemplate {
public:
    // The model's template, or a built-in one when the file has no `tokenizer.chat_template` or it
    // fails to parse or to render a one-message conversation (other than by raise_exception; logged
    // as a warning on the "chat" logger). description() says which was chosen and why.
    static ChatTemplate fromModel(const GgufFile& file);
    // A built-in template; the tokens default to the ones the template's models use.
    static ChatTemplate builtin(BuiltinTemplate t, std::optional<std::string> bosToken = std::nullopt,
                                std::optional<std::string> eosToken = std::nullopt);
    // Any Jinja template text. Throws TemplateError (Syntax) when it cannot be parsed.
    static ChatTemplate fromSource(std::string source, std::string bosToken, std::string eosToken,
                                   std::string description = "custom chat template");

    ChatTemplate(const ChatTemplate&);
    ChatTemplate(ChatTemplate&&) noexcept;
    ChatTemplate& operator=(const ChatTemplate&);
    ChatTemplate& operator=(ChatTemplate&&) noexcept;
    ~ChatTemplate();

    // The prompt for `messages`; with `addGenerationPrompt` it ends with the opening of the
    // assistant's turn. Throws TemplateError: Raised when the template refuses the conversation
    // (roles that do not alternate, a system message it does not support, ...), with the
    // template's message in detail(); Render/Limit when the template fails.
    std::string render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;

    // Which template this is and why it was chosen, e.g. "the model's chat template" or
    // "built-in ChatML template: the model has no tokenizer.chat_template; its vocabulary has
    // <|im_start|>".
    const std::string& description() const { return description_; }
    const std::string& source() const { return source_; }
    // The built-in in use, nullopt for the model's own or a custom template.
    std::optional<BuiltinTemplate> builtinKind() const { return builtin_; }
    const std::string& bosToken() const { return bos_; }
    const std::string& eosToken() const { return eos_; }

    // The time strftime_now() reports (for reproducible prompts and tests); local time by default.
    void setFixedTime(std::optional<std::tm> now) { now_ = now; }

private:
    ChatTemplate() = default;

    std::shared_ptr<const jinja::Template> template_;
    std::string source_;
    std::string description_;
    std::string bos_;
    std::string eos_;
    std::optional<BuiltinTemplate> builtin_;
    std::optional<std::tm> now_;
};

} // namespace lamp
