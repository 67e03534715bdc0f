// GenerationWorker::summarizeTitle(): a new conversation's title, written by the loaded model on a
// session of its own (titleSession_), so that the conversation's KV cache and the session cache's
// order stay exactly as the answer left them.
#include "worker/generation_worker.h"

#include "worker/prompt_render.h"
#include "worker/title_summary.h"

#include "chat/chat_template.h"
#include "core/log.h"
#include "model/model.h"
#include "model/model_error.h"
#include "model/session.h"
#include "sampling/sampler.h"
#include "sampling/stop_conditions.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <new>
#include <string>
#include <vector>

namespace lamp::app {
namespace {

// The title session's context: the prompt holds two excerpts of kTitleExcerptChars characters
// (a few hundred tokens), so 1024 positions are plenty and the KV cache stays small.
constexpr int64_t kTitleContext = 1024;

// Greedy: the same exchange always gets the same title, and no setting of the user's applies.
SamplingParams greedy() {
    SamplingParams p;
    p.temperature = 0.0f;
    p.topK = 0;
    p.topP = 1.0f;
    p.minP = 0.0f;
    p.repeatPenalty = 1.0f;
    p.repeatLastN = 0;
    return p;
}

// A title is one line: once a line with text has ended, the rest is not needed.
bool lineEnded(const std::string& text) {
    const size_t content = text.find_first_not_of(" \t\r\n\"'*#");
    return content != std::string::npos && text.find('\n', content) != std::string::npos;
}

} // namespace

void GenerationWorker::summarizeTitle(const TitleRequest& request) {
    QString title;
    try {
        title = cleanTitle(writeTitle(request));
    } catch (const std::bad_alloc&) {
        log::get("app")->warn("no title for conversation {}: not enough memory", request.conversationId.toStdString());
    } catch (const std::exception& e) {
        // Not the user's concern: the conversation keeps the title from its first message.
        log::get("app")->warn("no title for conversation {}: {}", request.conversationId.toStdString(), e.what());
    }
    Q_EMIT titleFinished(request.id, request.conversationId, title);
}

QString GenerationWorker::writeTitle(const TitleRequest& request) {
    if (stopRequested(request.id) || !model_)
        return {};
    if (!titleSession_ || titleThreads_ != request.threads) {
        SessionOptions options;
        options.contextLength = std::min(kTitleContext, Session::contextFor(*model_, 0));
        options.threads = request.threads;
        options.batchSize = std::max<int64_t>(1, options_.batchSize);
        options.backend = backend_;
        titleSession_.reset();  // one KV cache at a time
        titleSession_ = std::make_unique<Session>(*model_, options);
        titleThreads_ = request.threads;
    }
    Session& session = *titleSession_;
    const int64_t context = session.contextLength();

    // The prompt, with shorter excerpts until it fits with room for the title.
    std::vector<int32_t> prompt;
    for (int chars = kTitleExcerptChars;; chars /= 2) {
        const std::vector<ChatMessage> messages{
            {"user", titlePrompt(request.userText, request.answerText, chars).toStdString()}};
        prompt = renderPrompt(*model_, *template_, messages);
        if (static_cast<int64_t>(prompt.size()) + kTitleMaxTokens <= context)
            break;
        if (chars < 32)
            throw ContextOverflowError("the title prompt needs " + std::to_string(prompt.size()) +
                                       " tokens and the title context holds " + std::to_string(context));
    }

    session.setProgress([this, &request](int64_t, int64_t) { return !stopRequested(request.id); });
    struct ClearProgress {
        Session& s;
        ~ClearProgress() { s.setProgress({}); }
    } clearProgress{session};
    if (session.evaluate(prompt).cancelled)
        return {};

    Sampler sampler(greedy());
    const Tokenizer& tokenizer = model_->tokenizer();
    StreamingDetokenizer detokenizer(tokenizer);
    StopConditions stops(tokenizer.vocab().eogIds(), {}, kTitleMaxTokens);
    std::vector<int32_t> history(prompt.begin(), prompt.end());
    std::string text;
    while (true) {
        if (stopRequested(request.id))
            return {};  // a new request is waiting: it goes first, the title is not needed that much
        const Sampler::Result pick = sampler.sample(session.logits(), history);
        const StopCheck check = stops.feed(pick.token, detokenizer.push(pick.token));
        text += check.text;
        if (check.stopped || lineEnded(text))
            break;
        history.push_back(pick.token);
        session.append(pick.token);
    }
    text += stops.flush();
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

} // namespace lamp::app
