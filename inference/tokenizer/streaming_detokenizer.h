// Turns generated token ids into text one token at a time without ever emitting half a UTF-8
// character: a token may end inside a character (Chinese and emoji split over byte-fallback or
// byte-level tokens), so the bytes of an unfinished character are held back until the tokens that
// complete it arrive.
//
// What comes out, concatenated, equals utf8::sanitize(tokenizer.decode(ids, options)): the same as
// decode() whenever that is valid UTF-8, and otherwise with each ill-formed part replaced by U+FFFD
// (an unfinished character at the very end becomes U+FFFD on flush()). Every chunk returned is
// valid UTF-8.
#pragma once

#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <string>

namespace lamp {

class StreamingDetokenizer {
public:
    // `tokenizer` must outlive this object.
    explicit StreamingDetokenizer(const Tokenizer& tokenizer, DecodeOptions options = {});

    // Adds one token; returns the text that is complete now (possibly empty). Throws
    // TokenizerError for an id outside the vocabulary (and then leaves the state unchanged).
    std::string push(int32_t id);
    // Returns what is held back (an unfinished character becomes U+FFFD) and starts over.
    std::string flush();
    // Forgets everything, as for a new text.
    void reset();

    // Bytes held back waiting for the rest of a character (at most 3).
    size_t pendingBytes() const { return pending_.size(); }

private:
    const Tokenizer* tokenizer_;
    DecodeOptions options_;
    Tokenizer::DecodeState state_;
    std::string pending_;
};

} // namespace lamp
