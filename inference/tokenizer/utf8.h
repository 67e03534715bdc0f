// UTF-8 helpers shared by the tokenizers and the streaming detokenizer: decoding one code point
// with the Unicode rules for well-formed sequences (Table 3-7), and replacing ill-formed bytes with
// U+FFFD by "maximal subparts", so a batch decode and a streamed one agree byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lamp::utf8 {

inline constexpr char32_t kReplacement = U'\uFFFD';

struct Step {
    enum class Status : uint8_t {
        Ok,         // a well-formed sequence of `length` bytes encoding `codePoint`
        Invalid,    // `length` bytes (at least 1) that can never start a well-formed sequence
        Truncated,  // the input ends inside a sequence that is well-formed so far (`length` bytes)
    };
    char32_t codePoint = 0;
    uint32_t length = 0;
    Status status = Status::Ok;
};

// Decodes the sequence starting at text[pos] (pos < text.size()).
Step decode(std::string_view text, size_t pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for surrogates and values above U+10FFFF).
void append(std::string& out, char32_t cp);

// True when the whole text is well-formed UTF-8.
bool isValid(std::string_view text);

// The text with each maximal ill-formed subpart (and a truncated sequence at the end) replaced by
// U+FFFD.
std::string sanitize(std::string_view text);

// Length of a well-formed sequence starting at text[pos], or 1 for an ill-formed or truncated one:
// how the tokenizers step through user text that may not be valid UTF-8.
inline size_t charLength(std::string_view text, size_t pos) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80)
        return 1;
    const Step s = decode(text, pos);
    return s.status == Step::Status::Ok ? s.length : 1;
}

} // namespace lamp::utf8
