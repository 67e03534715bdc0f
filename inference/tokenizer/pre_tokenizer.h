// The pre-tokenizer of byte-level BPE vocabularies: splits text into words before merges, with the
// regular expressions of the model's own tokenizer, chosen by `tokenizer.ggml.pre`.
//
// A split is a list of regexes applied in turn (as llama.cpp does): each one cuts every piece made
// so far into its matches and the text between them, matching inside that piece alone (lookaheads
// and `$` see the end of the piece). Patterns run on PCRE2 (UTF, Unicode properties, JIT), are
// compiled once per process and shared; text that is not valid UTF-8 is allowed (no pattern
// matches an ill-formed byte, so it ends up in a piece of its own or between matches).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class CompiledRegex;

class PreTokenizer {
public:
    // Picks the split for `preName` ("gpt-2", "llama-bpe", "qwen2", ...). Missing ("") and
    // "default" use the gpt2 split; an unknown name logs a warning naming `fileName` and uses it
    // too.
    explicit PreTokenizer(std::string_view preName, std::string_view fileName = {});
    ~PreTokenizer();
    PreTokenizer(PreTokenizer&&) noexcept;
    PreTokenizer& operator=(PreTokenizer&&) noexcept;

    // The split family used: "gpt2", "llama3", "qwen2", "deepseek-llm", "deepseek-coder", ...
    const std::string& family() const { return family_; }
    // Llama 3 style vocabularies take a whole word as one token when the vocabulary has it,
    // before trying merges (tokenizer.json "ignore_merges").
    bool ignoreMerges() const { return ignoreMerges_; }

    // A piece of the text: [offset, offset + length) in bytes.
    struct Piece {
        uint32_t offset;
        uint32_t length;
    };
    // Replaces `out` with the pieces of `text`, in order, covering it entirely.
    void split(std::string_view text, std::vector<Piece>& out) const;

    // Names that choose a known split (for tests and diagnostics).
    static std::vector<std::string> knownNames();

private:
    std::string family_;
    bool ignoreMerges_ = false;
    std::vector<std::shared_ptr<const CompiledRegex>> regexes_;
};

} // namespace lamp
