#include "engine/generator.h"

#include "model/model.h"
#include "model/session.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>

namespace lamp {

const char* toString(FinishReason reason) {
    switch (reason) {
    case FinishReason::EndOfGeneration: return "end of generation";
    case FinishReason::StopString: return "stop string";
    case FinishReason::MaxLength: return "maximum length";
    case FinishReason::Cancelled: return "cancelled";
    }
    return "unknown";
}

namespace {

FinishReason finishFrom(StopReason reason) {
    switch (reason) {
    case StopReason::EndOfGeneration: return FinishReason::EndOfGeneration;
    case StopReason::StopString: return FinishReason::StopString;
    default: return FinishReason::MaxLength;
    }
}

} // namespace

std::vector<GeneratedSequence> generate(Session& session, std::span<const int32_t> prompt,
                                        const GenerateOptions& options, const TextCallback& onText) {
    const Model& model = session.model();
    const Tokenizer& tokenizer = model.tokenizer();
    Sampler sampler(options.sampling);
    std::vector<GeneratedSequence> results;
    const int32_t count = options.numSequences < 1 ? 1 : options.numSequences;
    bool cancelled = false;

    for (int32_t seq = 0; seq < count && !cancelled; ++seq) {
        GeneratedSequence out;
        // The prompt is cached after the first sequence: this only drops the previous sequence's
        // tokens (and re-runs the last prompt token, whose logits were overwritten).
        out.promptTokensEvaluated = session.evaluate(prompt).evaluated;
        // Without a maximum, the context is the limit: the answer never pushes its prompt out.
        const auto room = static_cast<int32_t>(session.contextLength() - static_cast<int64_t>(prompt.size()));
        const int32_t maxTokens = options.maxTokens > 0 ? options.maxTokens : std::max(room, 1);
        StopConditions stops(tokenizer.vocab().eogIds(), options.stopStrings, maxTokens);
        std::vector<int32_t> history(prompt.begin(), prompt.end());

        // Called once per token, with an empty delta when the token's text is held back (half a
        // character, a possible stop string), so a caller can stop within one token.
        const auto emit = [&](const std::string& text) {
            out.text += text;
            if (onText && !cancelled && !onText(seq, text))
                cancelled = true;
        };

        while (true) {
            const Sampler::Result pick = sampler.sample(session.logits(), history);
            out.tokens.push_back(pick.token);
            out.logProbs.push_back(pick.logProb);
            const StopCheck check = stops.feed(pick.token, tokenizer.tokenPiece(pick.token));
            emit(check.text);
            if (check.stopped) {
                out.finish = finishFrom(check.reason);
                break;
            }
            if (cancelled) {
                out.text += stops.flush();
                out.finish = FinishReason::Cancelled;
                break;
            }
            history.push_back(pick.token);
            session.append(pick.token);
        }
        results.push_back(std::move(out));
    }
    return results;
}

} // namespace lamp
