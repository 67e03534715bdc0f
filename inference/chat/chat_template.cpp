#include "chat/chat_template.h"

#include "chat/builtin_templates.h"
#include "chat/jinja_interpreter.h"
#include "core/log.h"
#include "gguf/gguf_file.h"

#include <algorithm>
#include <cctype>

namespace lamp {
namespace {

// The text of the token whose id is stored under `key`, or "" (no such key, id out of range, or
// the "none" ids -1 / 0xFFFFFFFF).
std::string tokenText(const GgufFile& file, const GgufArray* tokens, std::string_view key) {
    if (tokens == nullptr)
        return {};
    const GgufValue* id = file.find(key);
    if (id == nullptr || !id->isInteger())
        return {};
    int64_t i = -1;
    try {
        i = id->asInt();
    } catch (const Error&) {
        return {};
    }
    if (i < 0 || static_cast<uint64_t>(i) >= tokens->items.size() || !tokens->items[static_cast<size_t>(i)].isString())
        return {};
    return tokens->items[static_cast<size_t>(i)].asString();
}

std::string lowerAscii(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool hasToken(const GgufArray* tokens, std::string_view text) {
    if (tokens == nullptr)
        return false;
    return std::any_of(tokens->items.begin(), tokens->items.end(),
                       [&](const GgufValue& t) { return t.isString() && t.asString() == text; });
}

struct Choice {
    BuiltinTemplate kind;
    std::string why;
};

// Picks a built-in template for a model without a usable template of its own: first by the
// special tokens its vocabulary has (they are what the model was trained with), then by its name
// and architecture; ChatML otherwise (the most common format of recent models).
Choice chooseBuiltin(const GgufFile& file, const GgufArray* tokens) {
    if (hasToken(tokens, "<|im_start|>"))
        return {BuiltinTemplate::ChatML, "its vocabulary has <|im_start|>"};
    if (hasToken(tokens, "<|start_header_id|>"))
        return {BuiltinTemplate::Llama3, "its vocabulary has <|start_header_id|>"};
    if (hasToken(tokens, "<start_of_turn>"))
        return {BuiltinTemplate::Gemma, "its vocabulary has <start_of_turn>"};
    if (hasToken(tokens, "<|user|>") && hasToken(tokens, "<|end|>"))
        return {BuiltinTemplate::Phi3, "its vocabulary has <|user|> and <|end|>"};
    if (hasToken(tokens, "[INST]"))
        return {BuiltinTemplate::Mistral, "its vocabulary has [INST]"};

    const std::string name = lowerAscii(file.getString("general.name").value_or(""));
    const std::string arch = lowerAscii(file.getString("general.architecture").value_or(""));
    const auto nameHas = [&](std::string_view s) { return name.find(s) != std::string::npos; };
    const std::string named = "its name is \"" + file.getString("general.name").value_or("") + "\"";
    if (nameHas("zephyr") || nameHas("tinyllama"))
        return {BuiltinTemplate::Zephyr, named};
    if (nameHas("mistral") || nameHas("mixtral"))
        return {BuiltinTemplate::Mistral, named};
    if (nameHas("llama-3") || nameHas("llama3") || nameHas("llama 3"))
        return {BuiltinTemplate::Llama3, named};
    if (nameHas("llama-2") || nameHas("llama2") || nameHas("llama 2"))
        return {BuiltinTemplate::Llama2, named};
    if (nameHas("gemma") || arch.rfind("gemma", 0) == 0)
        return {BuiltinTemplate::Gemma, nameHas("gemma") ? named : "its architecture is " + arch};
    if (nameHas("phi-3") || nameHas("phi3") || arch == "phi3")
        return {BuiltinTemplate::Phi3, nameHas("phi") ? named : "its architecture is " + arch};
    if (nameHas("qwen") || arch.rfind("qwen", 0) == 0)
        return {BuiltinTemplate::ChatML, nameHas("qwen") ? named : "its architecture is " + arch};
    return {BuiltinTemplate::ChatML, "no hint in its vocabulary or name, so the most common format"};
}

jinja::Value toValue(const std::vector<ChatMessage>& messages) {
    std::vector<jinja::Value> list;
    list.reserve(messages.size());
    for (const auto& m : messages)
        list.push_back(jinja::Value::dict({{"role", m.role}, {"content", m.content}}));
    return jinja::Value::list(std::move(list));
}

} // namespace

ChatTemplate::ChatTemplate(const ChatTemplate&) = default;
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(const ChatTemplate&) = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;
ChatTemplate::~ChatTemplate() = default;

ChatTemplate ChatTemplate::fromSource(std::string source, std::string bosToken, std::string eosToken,
                                      std::string description) {
    ChatTemplate t;
    t.template_ = std::make_shared<const jinja::Template>(source);
    t.source_ = std::move(source);
    t.bos_ = std::move(bosToken);
    t.eos_ = std::move(eosToken);
    t.description_ = std::move(description);
    return t;
}

ChatTemplate ChatTemplate::builtin(BuiltinTemplate kind, std::optional<std::string> bosToken,
                                   std::optional<std::string> eosToken) {
    ChatTemplate t = fromSource(std::string(builtinTemplateSource(kind)),
                                bosToken.value_or(std::string(builtinTemplateBos(kind))),
                                eosToken.value_or(std::string(builtinTemplateEos(kind))),
                                "built-in " + std::string(builtinTemplateName(kind)) + " template (" +
                                    std::string(builtinTemplateModel(kind)) + ")");
    t.builtin_ = kind;
    return t;
}

ChatTemplate ChatTemplate::fromModel(const GgufFile& file) {
    const GgufArray* tokens = nullptr;
    try {
        tokens = file.getArray("tokenizer.ggml.tokens");
    } catch (const Error&) {
        tokens = nullptr;
    }
    const std::string bos = tokenText(file, tokens, "tokenizer.ggml.bos_token_id");
    const std::string eos = tokenText(file, tokens, "tokenizer.ggml.eos_token_id");

    std::string problem;
    std::optional<std::string> source;
    try {
        source = file.getString("tokenizer.chat_template");
    } catch (const Error& e) {
        problem = "its tokenizer.chat_template is not a string";
    }
    if (source && !source->empty()) {
        try {
            ChatTemplate t = fromSource(*source, bos, eos, "the model's chat template (tokenizer.chat_template)");
            // A trial render finds templates that parse but use something this interpreter lacks.
            // A template that refuses the trial conversation (raise_exception) works as designed.
            try {
                t.render({{"user", "Hello"}}, true);
            } catch (const TemplateError& e) {
                if (!e.raisedByTemplate())
                    throw;
            }
            return t;
        } catch (const TemplateError& e) {
            problem = std::string("its tokenizer.chat_template cannot be used (") + e.what() + ")";
        }
    } else if (problem.empty()) {
        problem = "the model has no tokenizer.chat_template";
    }

    const Choice choice = chooseBuiltin(file, tokens);
    ChatTemplate t = builtin(choice.kind, bos.empty() ? std::nullopt : std::optional<std::string>(bos),
                             eos.empty() ? std::nullopt : std::optional<std::string>(eos));
    t.description_ = "built-in " + std::string(builtinTemplateName(choice.kind)) + " template (" +
                     std::string(builtinTemplateModel(choice.kind)) + "): " + problem + "; chosen because " +
                     choice.why;
    if (problem.rfind("the model has no", 0) == 0)
        log::get("chat")->info("{}: using the {}", file.name(), t.description_);
    else
        log::get("chat")->warn("{}: using the {}", file.name(), t.description_);
    return t;
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const {
    const jinja::Value context = jinja::Value::dict({
        {"messages", toValue(messages)},
        {"add_generation_prompt", addGenerationPrompt},
        {"bos_token", bos_},
        {"eos_token", eos_},
        {"tools", jinja::Value::none()},
    });
    jinja::RenderOptions options;
    options.now = now_;
    return template_->render(context, options);
}

} // namespace lamp
