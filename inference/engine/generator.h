// Text generation: a prompt in, one or more sampled continuations out, streamed as they grow.
// Ties together a Session (KV cache), a Sampler (the chain of sampling steps) and StopConditions
// (end-of-generation tokens, stop strings, maximum length).
//
// Several sequences (num_return_sequences) share the prompt's cache: they are generated one after
// another, and each starts by asking the session for the prompt again, which keeps the cached prompt
// and drops the previous sequence's tokens, so the prompt is evaluated once.
#pragma once

#include "sampling/sampler.h"
#include "sampling/stop_conditions.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class Session;

struct GenerateOptions {
    SamplingParams sampling;
    int32_t maxTokens = 256;               // per sequence; 0: until end of generation or the context is full
    std::vector<std::string> stopStrings;  // the text stops before any of these
    int32_t numSequences = 1;
};

enum class FinishReason : uint8_t {
    EndOfGeneration,  // the model produced an end-of-generation token
    StopString,       // a stop string appeared
    MaxLength,        // maxTokens were generated
    Cancelled,        // the caller's callback asked to stop
};
const char* toString(FinishReason reason);

struct GeneratedSequence {
    std::string text;              // what was shown: the continuation up to a stop
    std::vector<int32_t> tokens;   // every sampled token, the stopping one included
    std::vector<float> logProbs;   // ln P of each sampled token (see Sampler::Result)
    FinishReason finish = FinishReason::MaxLength;
    int64_t promptTokensEvaluated = 0;  // prompt tokens this sequence had to run (0 when cached)
};

// Called after every sampled token with the sequence's index and the text that became final (valid
// UTF-8; empty while a character or a possible stop string is held back). Returning false stops
// that sequence (FinishReason::Cancelled) and the ones after it, before another token is sampled.
using TextCallback = std::function<bool(int32_t sequence, std::string_view delta)>;

// Generates options.numSequences continuations of `prompt` (token ids, BOS included if wanted).
// Throws ContextOverflowError when the prompt does not fit the session's context, SamplingError
// for invalid sampling parameters.
std::vector<GeneratedSequence> generate(Session& session, std::span<const int32_t> prompt,
                                        const GenerateOptions& options, const TextCallback& onText = {});

} // namespace lamp
