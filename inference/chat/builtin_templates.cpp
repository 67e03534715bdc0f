// The built-in chat templates: each is the exact Jinja text of a real model's template (the same
// files as tests/data/chat_templates/templates/, which test_chat_template checks against jinja2).
#include "chat/builtin_templates.h"

#include "core/strings.h"

namespace lamp {
namespace {

struct BuiltinInfo {
    BuiltinTemplate kind;
    std::string_view name;
    std::string_view model;  // whose template it is
    std::string_view bos;
    std::string_view eos;
    std::string_view source;
};

// clang-format off
constexpr std::string_view kChatMLSource = R"jinja({% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %})jinja";

constexpr std::string_view kLlama2Source = R"jinja({% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %})jinja";

constexpr std::string_view kLlama3Source = R"jinja({% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>

'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>

' }}{% endif %})jinja";

constexpr std::string_view kZephyrSource = R"jinja({% for message in messages %}
{% if message['role'] == 'user' %}
{{ '<|user|>
' + message['content'] + eos_token }}
{% elif message['role'] == 'system' %}
{{ '<|system|>
' + message['content'] + eos_token }}
{% elif message['role'] == 'assistant' %}
{{ '<|assistant|>
'  + message['content'] + eos_token }}
{% endif %}
{% if loop.last and add_generation_prompt %}
{{ '<|assistant|>' }}
{% endif %}
{% endfor %})jinja";

constexpr std::string_view kMistralSource = R"jinja({%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {%- if loop.first and system_message is defined %}
            {{- ' [INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }}
        {%- else %}
            {{- ' [INST] ' + message['content'] + ' [/INST]' }}
        {%- endif %}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content'] + eos_token}}
    {%- else %}
        {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}
    {%- endif %}
{%- endfor %}
)jinja";

constexpr std::string_view kGemmaSource = R"jinja({{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '

' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '

' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '
' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>
' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model
'}}
{%- endif -%}
)jinja";

constexpr std::string_view kPhi3Source = R"jinja({% for message in messages %}{% if message['role'] == 'system' and message['content'] %}{{'<|system|>
' + message['content'] + '<|end|>
'}}{% elif message['role'] == 'user' %}{{'<|user|>
' + message['content'] + '<|end|>
'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>
' + message['content'] + '<|end|>
'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>
' }}{% else %}{{ eos_token }}{% endif %})jinja";

const BuiltinInfo kBuiltins[] = {
    {BuiltinTemplate::ChatML, "chatml", "teknium/OpenHermes-2.5-Mistral-7B", "<s>", "<|im_end|>", kChatMLSource},
    {BuiltinTemplate::Llama2, "llama2", "meta-llama/Llama-2-7b-chat-hf", "<s>", "</s>", kLlama2Source},
    {BuiltinTemplate::Llama3, "llama3", "meta-llama/Meta-Llama-3-8B-Instruct", "<|begin_of_text|>", "<|eot_id|>", kLlama3Source},
    {BuiltinTemplate::Zephyr, "zephyr", "HuggingFaceH4/zephyr-7b-beta and TinyLlama/TinyLlama-1.1B-Chat-v1.0", "<s>", "</s>", kZephyrSource},
    {BuiltinTemplate::Mistral, "mistral", "mistralai/Mistral-7B-Instruct-v0.1 and v0.2 (the 'v1' template)", "<s>", "</s>", kMistralSource},
    {BuiltinTemplate::Gemma, "gemma", "google/gemma-3-*-it", "<bos>", "<eos>", kGemmaSource},
    {BuiltinTemplate::Phi3, "phi3", "microsoft/Phi-3.5-mini-instruct", "<s>", "<|endoftext|>", kPhi3Source},
};
// clang-format on

const BuiltinInfo& info(BuiltinTemplate t) {
    for (const auto& b : kBuiltins)
        if (b.kind == t)
            return b;
    return kBuiltins[0];
}

} // namespace

std::string_view builtinTemplateName(BuiltinTemplate t) { return info(t).name; }

std::optional<BuiltinTemplate> builtinTemplateFromName(std::string_view name) {
    for (const auto& b : kBuiltins)
        if (equalsIgnoreCase(b.name, name))
            return b.kind;
    return std::nullopt;
}

std::string_view builtinTemplateSource(BuiltinTemplate t) { return info(t).source; }
std::string_view builtinTemplateModel(BuiltinTemplate t) { return info(t).model; }
std::string_view builtinTemplateBos(BuiltinTemplate t) { return info(t).bos; }
std::string_view builtinTemplateEos(BuiltinTemplate t) { return info(t).eos; }

} // namespace lamp
