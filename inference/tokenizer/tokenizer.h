// Text ↔ token ids for a model, built from its vocabulary (see vocab.h).
//
// Encoding, in order:
// 1. The text is cut at special tokens: user-defined tokens always, control and unknown tokens
//    (<s>, <|im_start|>, ...) only with EncodeOptions::parseSpecial. At each position the longest
//    token that starts there wins, scanning left to right (as Hugging Face's added-vocabulary
//    matching does; llama.cpp gives the globally longest token priority, which differs only when
//    two special texts overlap in the input).
// 2. Each piece of ordinary text is tokenized by the vocabulary's algorithm:
//    - SentencePiece-style ("llama"): spaces become ▁, a ▁ is prefixed when the piece starts the
//      text or follows a special token (add_space_prefix), pairs of adjacent symbols merge in order
//      of the merged token's score (ties: leftmost first), and what no token covers falls back to
//      <0xNN> byte tokens.
//    - byte-level BPE ("gpt2"): the pre-tokenizer splits words (pre_tokenizer.h), each word's bytes
//      merge by rank (ties: leftmost first).
// 3. With EncodeOptions::addSpecial, BOS and EOS are added as the vocabulary's add_bos_token /
//    add_eos_token say.
//
// Decoding concatenates the bytes of each token's piece: ▁ → space and <0xNN> → the byte (SPM),
// the byte-level alphabet → bytes (BPE), user-defined tokens as written. Control and unknown tokens
// give nothing unless DecodeOptions::renderSpecial. For SPM vocabularies that add a space prefix,
// the space that encode() added before the first token is removed again, so for plain text
// decode(encode(s)) == s. The result is bytes, not necessarily valid UTF-8 (a token sequence may
// end inside a character); see streaming_detokenizer.h for text that is always valid.
//
// Token for token this matches llama.cpp on every reference expectation in ../shared. Where we
// chose differently, on purpose:
// - special-token matching is leftmost-longest (see 1.);
// - SentencePiece merges only form normal and user-defined tokens, never control, unknown or byte
//   tokens (llama.cpp could form e.g. a control token whose prefixes happen to be tokens);
// - an unknown `tokenizer.ggml.pre` falls back to the gpt2 split with a warning (llama.cpp refuses
//   the file), and a missing one means gpt2 too (llama.cpp uses an older 4-regex split);
// - decode() does not "clean up tokenization spaces" (" ," → ","), so decoding is exact;
// - a byte that a byte-level vocabulary has no token for is dropped (some vocabularies lack
//   control characters; C0, C1 and F5..FF never occur in UTF-8).
//
// Thread safety: a Tokenizer is immutable after construction; encode and decode may run
// concurrently from several threads.
#pragma once

#include "tokenizer/vocab.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamp {

class GgufFile;
namespace detail {
struct EncodeContext;
}

struct EncodeOptions {
    bool addSpecial = false;    // add BOS / EOS where the vocabulary asks for them
    bool parseSpecial = false;  // control tokens written in the text become their ids (templates)
};

struct DecodeOptions {
    bool renderSpecial = false;     // control, unknown and unused tokens appear as their text
    bool stripLeadingSpace = true;  // SPM: remove the space prefix encode() adds (first token)
};

class Tokenizer {
public:
    virtual ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    const Vocab& vocab() const { return vocab_; }

    std::vector<int32_t> encode(std::string_view text, EncodeOptions options = {}) const;
    // Appends the ids of `text` to `out`.
    void encode(std::string_view text, std::vector<int32_t>& out, EncodeOptions options = {}) const;

    // Throws TokenizerError for an id outside the vocabulary.
    std::string decode(std::span<const int32_t> ids, DecodeOptions options = {}) const;

    // The bytes one token stands for, as decode() writes them in the middle of a text (no space
    // stripping); control and unknown tokens give their text. Throws for an id out of range.
    std::string tokenPiece(int32_t id) const;

    // Token-by-token decoding, as decode() does it (used by StreamingDetokenizer).
    struct DecodeState {
        size_t count = 0;          // tokens decoded so far
        bool stripPending = true;  // the leading space has not been dealt with yet
    };
    void decodeNext(int32_t id, DecodeState& state, const DecodeOptions& options,
                    std::string& out) const;

protected:
    explicit Tokenizer(Vocab vocab);

    // Tokenizes ordinary text (no special tokens in it) and appends the ids. `afterSpecial`: the
    // text starts the input or follows a special token. `context` lives for one encode() call.
    virtual void encodeText(std::string_view text, bool afterSpecial, std::vector<int32_t>& out,
                            detail::EncodeContext& context) const = 0;
    // Sets what decode() writes for each token; subclasses call it once from their constructor.
    void setPieces(std::vector<std::string> pieces);

    const Vocab vocab_;

private:
    struct TrieNode {
        int32_t id = kNoToken;  // a special token ends here
        bool always = false;    // ... and it is user-defined (matched without parseSpecial)
        std::vector<std::pair<unsigned char, int32_t>> next;  // sorted by byte
    };
    void buildSpecialTrie();
    // The longest special token starting at text[pos] that `parseSpecial` allows: {id, length}.
    std::pair<int32_t, size_t> matchSpecial(std::string_view text, size_t pos,
                                            bool parseSpecial) const;

    std::vector<std::string> pieces_;  // [n_vocab] decoded bytes per token
    std::vector<uint8_t> hidden_;      // [n_vocab] 1: shown only with renderSpecial
    std::vector<TrieNode> trie_;       // node 0 is the root
    // Per first byte: 1 some user-defined token starts with it, 2 some control/unknown one.
    std::array<uint8_t, 256> firstByte_{};
};

// Builds the tokenizer the vocabulary names. Throws TokenizerError.
std::unique_ptr<Tokenizer> makeTokenizer(Vocab vocab);
// Reads the vocabulary of `file` and builds its tokenizer. Throws TokenizerError.
std::unique_ptr<Tokenizer> makeTokenizer(const GgufFile& file);

} // namespace lamp
