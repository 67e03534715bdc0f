// `lamplight-cli chat -m MODEL [--system TEXT]`: a multi-turn conversation in the terminal. Each turn
// is rendered with the model's chat template; the session keeps the conversation's KV cache, so a
// follow-up only evaluates its new tokens. When the conversation outgrows the context, the oldest
// turns are dropped (the system prompt stays) and the rest is re-evaluated.
//   /reset starts over, /exit (or end of input) ends. --show-prompt prints each rendered prompt.
//   --assistant books: the book assistant picks catalogue candidates for each turn and checks the
//   answer names only them (see command_books.cpp).
#include "cli/model_options.h"

#include "chat/chat_template.h"
#include "engine/generator.h"
#include "model/model.h"
#include "model/session.h"
#include "tokenizer/tokenizer.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

namespace lamp::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The conversation rendered and tokenized; BOS added when the model wants it and the template did
// not write it.
std::vector<int32_t> renderPrompt(const Model& model, const ChatTemplate& tmpl,
                                  const std::vector<ChatMessage>& messages) {
    const std::string text = tmpl.render(messages, /*addGenerationPrompt=*/true);
    EncodeOptions options;
    options.parseSpecial = true;  // the template's control tokens are real tokens
    std::vector<int32_t> ids = model.tokenizer().encode(text, options);
    const Vocab& vocab = model.vocab();
    if (vocab.addBos() && vocab.bos() != kNoToken && (ids.empty() || ids.front() != vocab.bos()))
        ids.insert(ids.begin(), vocab.bos());
    return ids;
}

} // namespace

int runChat(Args& args) {
    const ModelOptions modelOptions = ModelOptions::parse(args);
    const std::string system = args.value({"--system", "-s"}).value_or("");
    const auto templateName = args.value({"--template"});
    const bool showPrompt = args.flag("--show-prompt");
    const auto assistantName = args.value({"--assistant"});
    const auto booksDb = args.value({"--books-db"});
    if (assistantName && *assistantName != "books")
        throw UsageError("unknown assistant '" + *assistantName + "' (books)");
    if (booksDb && !assistantName)
        throw UsageError("--books-db goes with --assistant books");
    GenerateOptions options;
    options.maxTokens = static_cast<int32_t>(args.integer({"-n", "--n-predict"}).value_or(0));
    options.stopStrings = args.values({"--stop"});
    options.sampling = samplingFrom(args);
    if (!args.positionals().empty())
        throw UsageError("chat takes no positional arguments");

    const auto model = modelOptions.load();
    ChatTemplate tmpl = ChatTemplate::fromModel(model->file());
    if (templateName) {
        const auto kind = builtinTemplateFromName(*templateName);
        if (!kind)
            throw UsageError("unknown template '" + *templateName +
                             "' (chatml, llama2, llama3, zephyr, mistral, gemma, phi3)");
        tmpl = ChatTemplate::builtin(*kind, model->vocab().bos() != kNoToken ? model->vocab().text(model->vocab().bos()) : "",
                                     model->vocab().eos() != kNoToken ? model->vocab().text(model->vocab().eos()) : "");
    }
    Session session(*model, modelOptions.session());
    const bool interactive = ::isatty(STDIN_FILENO) != 0;
    std::fprintf(stderr, "chat template: %s\ncontext: %lld tokens. /reset starts over, /exit ends.\n",
                 tmpl.description().c_str(), static_cast<long long>(session.contextLength()));

    // --assistant books: each user line goes through the book assistant (BookChat, command_books.cpp).
    std::unique_ptr<BookChat> books;
    if (assistantName)
        books = std::make_unique<BookChat>(booksDb);
    std::vector<ChatMessage> messages;
    if (!system.empty() || books)
        messages.push_back({"system", system.empty() ? books->systemPrompt() : system});
    const size_t keep = messages.size();
    std::string line;
    while (true) {
        if (interactive)
            std::fputs("\n> ", stderr);
        if (!std::getline(std::cin, line) || line == "/exit")
            break;
        if (line == "/reset") {
            messages.resize(keep);
            session.clear();
            if (books)
                books->reset();
            std::fputs("(conversation cleared)\n", stderr);
            continue;
        }
        if (line.empty())
            continue;
        if (books) {
            const BookChat::Turn turn = books->handle(line);
            if (turn.kind == BookChat::Turn::Kind::Command) {
                std::fprintf(stderr, "%s\n", turn.text.c_str());
                continue;
            }
            if (turn.kind == BookChat::Turn::Kind::Reply) { // the assistant asks before the model answers
                std::printf("%s\n", turn.text.c_str());
                std::fflush(stdout);
                messages.push_back({"user", line});
                messages.push_back({"assistant", turn.text});
                continue;
            }
            messages.push_back({"user", turn.text});
        } else {
            messages.push_back({"user", line});
        }

        // Drop the oldest exchanges (never the system prompt) until the prompt fits with room to answer.
        std::vector<int32_t> prompt = renderPrompt(*model, tmpl, messages);
        const int64_t room = std::max<int64_t>(options.maxTokens > 0 ? options.maxTokens : 64, 16);
        while (static_cast<int64_t>(prompt.size()) + room > session.contextLength() && messages.size() > keep + 1) {
            const size_t drop = messages.size() > keep + 2 ? 2 : 1;  // a user turn and its answer
            messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(keep),
                           messages.begin() + static_cast<std::ptrdiff_t>(keep + drop));
            prompt = renderPrompt(*model, tmpl, messages);
            std::fputs("(the oldest turn no longer fits the context and was dropped)\n", stderr);
        }

        if (showPrompt) {
            // The prompt as the model sees it, decoded from its tokens: shows the template at work
            // and that the user's text survived tokenization intact.
            DecodeOptions decode;
            decode.renderSpecial = true;
            const std::string text = model->tokenizer().decode(prompt, decode);
            std::fprintf(stderr, "[prompt]\n%s\n[/prompt]\n", text.c_str());
        }
        const auto start = Clock::now();
        const auto results = generate(session, prompt, options, [](int32_t, std::string_view delta) {
            std::fwrite(delta.data(), 1, delta.size(), stdout);
            std::fflush(stdout);
            return true;
        });
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::fputc('\n', stdout);
        std::fflush(stdout);
        const GeneratedSequence& answer = results.front();
        messages.push_back({"assistant", answer.text});
        if (books)
            books->checkAnswer(answer.text);
        std::fprintf(stderr, "[%lld prompt tokens evaluated of %zu; %zu tokens in %.2f s; %s]\n",
                     static_cast<long long>(answer.promptTokensEvaluated), prompt.size(), answer.tokens.size(),
                     seconds, toString(answer.finish));
    }
    return 0;
}

} // namespace lamp::cli
