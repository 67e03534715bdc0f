// When generation ends, and which generated text may be shown while it streams.
//
// Three conditions, checked on each token in this order:
// 1. End of generation: the token is one of the model's end-of-generation ids (EOS, EOT,
//    <|im_end|>, <|eot_id|>, … — the caller passes Vocab::eogIds()). The token's own text is not
//    shown.
// 2. A user stop string appears in the generated text, wherever the token boundaries fall ("###"
//    may arrive as "#" + "##"). The text before it is shown; the stop string and anything after it
//    are not. When several stop strings occur, the one that is complete first in the text wins
//    (the earliest end; on a tie the earliest start), exactly as if the text had streamed in one
//    byte at a time.
// 3. Maximum length: this was the maxTokens-th token (counting every token fed, including the one
//    that stops). An end-of-generation token or a completed stop string on that token wins.
//
// Streaming: text that might be the start of a stop string ("#" or "##" at the end, with stop
// string "###") is held back until the following text decides it; if it turns out not to be a
// stop, it is shown then, unchanged. The end of an unfinished UTF-8 character is held back the same
// way, so given valid UTF-8 (even split inside a character between pieces), every chunk this
// returns is valid UTF-8 and the chunks concatenate to the generated text up to the stop.
//
// Pure logic, independent of the model: feed it token ids and their text (the output of the
// StreamingDetokenizer or raw token pieces).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

enum class StopReason : uint8_t {
    None,             // still generating
    EndOfGeneration,  // an end-of-generation token
    StopString,       // a user stop string
    MaxLength,        // the maximum number of tokens
};

// "none", "end of generation", "stop string", "maximum length".
const char* toString(StopReason reason);

// What feed() decided.
struct StopCheck {
    std::string text;  // text that is final now and may be shown (possibly empty)
    bool stopped = false;
    StopReason reason = StopReason::None;
};

class StopConditions {
public:
    // `eogIds`: the end-of-generation token ids (Vocab::eogIds()). `stopStrings`: user stop
    // strings; empty ones are ignored, one that is not valid UTF-8 is a lamp::Error.
    // `maxTokens`: the most tokens to generate; 0 or less means no limit.
    StopConditions(std::vector<int32_t> eogIds, std::vector<std::string> stopStrings,
                   int32_t maxTokens = 0);

    // Adds one generated token and its text. After a stop, further calls return {"", true, reason}
    // and change nothing.
    StopCheck feed(int32_t token, std::string_view piece);

    // Generation ended for another reason (the user stopped it, the context is full): returns the
    // held-back text (an unfinished UTF-8 character at its end becomes U+FFFD) and clears it.
    std::string flush();

    // Forgets the generated text and the stop, for a new answer (same settings).
    void reset();

    bool stopped() const { return reason_ != StopReason::None; }
    StopReason reason() const { return reason_; }
    // The stop string that matched (reason StopString), else empty.
    const std::string& matchedStopString() const { return matched_; }
    // Tokens fed so far (after a stop, including the stopping token).
    int32_t tokenCount() const { return count_; }
    int32_t maxTokens() const { return maxTokens_; }
    // Bytes generated but not yet returned: a possible start of a stop string or an unfinished
    // character.
    size_t heldBackBytes() const { return pending_.size(); }
    const std::vector<std::string>& stopStrings() const { return stops_; }

private:
    StopCheck finish(StopReason reason, std::string text);
    size_t holdLength() const;

    std::vector<int32_t> eog_;         // sorted
    std::vector<std::string> stops_;   // non-empty, valid UTF-8
    int32_t maxTokens_;
    int32_t count_ = 0;
    StopReason reason_ = StopReason::None;
    std::string matched_;
    std::string pending_;              // generated text not yet returned
};

} // namespace lamp
