// The vocabulary of a model, read from the file's own `tokenizer.ggml.*` metadata: token texts,
// scores, types, BPE merges, special token ids and the flags that steer tokenization.
//
// Rules this class enforces (each violation is a TokenizerError naming the file):
// - `tokens` must exist and be non-empty; `scores` and `token_type`, when present, must have one
//   entry per token; token types must be 0..6 (0 "undefined" is read as normal).
// - Special token ids (`bos_token_id`, `eos_token_id`, ...) must be inside the vocabulary. The
//   values -1 and 0xFFFFFFFF mean "none", as converters write them.
// - `add_bos_token` / `add_eos_token` set to true require the matching id.
// - BPE (`gpt2`) vocabularies need `merges`. A merge whose two parts or whose result are not tokens
//   cannot take part in tokenization; such merges are skipped, with one warning on the "tokenizer"
//   logger that counts them and names the first (a malformed merge without a space is an error).
// - When two tokens share a text, text lookups find the last one (as llama.cpp does).
//
// Defaults where the file is silent: SentencePiece vocabularies take <s>, </s> and <unk> by name as
// BOS, EOS and unknown, add BOS and a space prefix; byte-level BPE ones add neither (except the
// Llama 3 family, which adds BOS). Without `token_type`, <0xNN> pieces of a SentencePiece
// vocabulary are byte tokens, the special ids control tokens (unknown for <unk>) and the rest
// normal.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class GgufFile;

inline constexpr int32_t kNoToken = -1;

// Values of `tokenizer.ggml.token_type`.
enum class TokenType : uint8_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

enum class VocabKind : uint8_t {
    Spm,  // tokenizer.ggml.model = "llama": SentencePiece-style, merges by score, byte fallback
    Bpe,  // tokenizer.ggml.model = "gpt2": byte-level BPE, merges by rank, a pre-tokenizer
};

class Vocab {
public:
    // Reads the tokenizer metadata of `file`. Throws TokenizerError (unsupported model kinds such
    // as "bert" included) with the file name and the problem.
    explicit Vocab(const GgufFile& file);

    const std::string& fileName() const { return fileName_; }
    VocabKind kind() const { return kind_; }
    const std::string& model() const { return model_; }  // "llama" or "gpt2"
    const std::string& pre() const { return pre_; }      // tokenizer.ggml.pre, "" when absent
    const std::string& generalName() const { return generalName_; }

    int32_t size() const { return static_cast<int32_t>(texts_.size()); }
    bool contains(int32_t id) const { return id >= 0 && id < size(); }

    // Per-token data. The id must be in range (checkId throws otherwise).
    const std::string& text(int32_t id) const { return texts_[static_cast<size_t>(id)]; }
    float score(int32_t id) const {
        return scores_.empty() ? 0.0f : scores_[static_cast<size_t>(id)];
    }
    TokenType type(int32_t id) const { return types_[static_cast<size_t>(id)]; }
    // Control and unknown tokens: never produced from plain text, hidden when decoding by default.
    bool isSpecial(int32_t id) const {
        const TokenType t = type(id);
        return t == TokenType::Control || t == TokenType::Unknown;
    }
    // Throws TokenizerError "<file>: token id N is out of range (the vocabulary has M tokens)".
    void checkId(int32_t id) const;

    // The id of the token with exactly this text, or kNoToken.
    int32_t find(std::string_view text) const;

    // BPE merges, by token ids: the rank (lower merges first) and the merged token.
    struct Merge {
        int32_t rank = 0;
        int32_t result = kNoToken;
    };
    std::optional<Merge> findMerge(int32_t left, int32_t right) const;
    // The rank of merging the two texts, or -1.
    int32_t mergeRank(std::string_view left, std::string_view right) const;
    size_t mergeCount() const { return mergeCount_; }
    size_t skippedMerges() const { return skippedMerges_; }

    // Special ids (kNoToken when the file names none).
    int32_t bos() const { return bos_; }
    int32_t eos() const { return eos_; }
    int32_t eot() const { return eot_; }
    int32_t eom() const { return eom_; }
    int32_t unk() const { return unk_; }
    int32_t pad() const { return pad_; }
    int32_t sep() const { return sep_; }
    // End-of-generation ids: eos, eot, eom and control tokens named like an end of turn
    // (<|im_end|>, <|eot_id|>, <|end|>, <end_of_turn>, <|endoftext|>, ...).
    const std::vector<int32_t>& eogIds() const { return eog_; }
    bool isEog(int32_t id) const;

    bool addBos() const { return addBos_; }
    bool addEos() const { return addEos_; }
    // SentencePiece adds a space before the text (and after each special token) before tokenizing.
    bool addSpacePrefix() const { return addSpacePrefix_; }

    // SPM byte fallback: the id of <0xNN> for each byte, kNoToken where missing.
    int32_t byteToken(uint8_t byte) const { return byteTokens_[byte]; }
    // The byte a Byte-type token stands for (its text is <0xNN>), or -1.
    int tokenByte(int32_t id) const;

    // Whitespace that a special token absorbs when matched in text (llama.cpp's lstrip/rstrip
    // attributes; set for Phi-3's special tokens, as its tokenizer does).
    bool stripsLeft(int32_t id) const { return hasAttr(id, kLStrip); }
    bool stripsRight(int32_t id) const { return hasAttr(id, kRStrip); }

private:
    static constexpr uint8_t kLStrip = 1, kRStrip = 2;

    void readTokens(const GgufFile& file);
    void readMerges(const GgufFile& file);
    void readSpecialIds(const GgufFile& file);
    void inferTypes();
    void findEog();
    void setStripAttributes();
    bool hasAttr(int32_t id, uint8_t attr) const {
        return !attrs_.empty() && (attrs_[static_cast<size_t>(id)] & attr) != 0;
    }
    [[noreturn]] void fail(const std::string& problem) const;

    // Text → id: open addressing over a power-of-two table, 32 bits of the hash kept per slot.
    void buildIndex();
    // Merges: open addressing by (left << 32 | right).
    static constexpr uint64_t kEmptyKey = ~0ull;
    struct MergeSlot {
        uint64_t key = kEmptyKey;
        int32_t rank = 0;
        int32_t result = kNoToken;
    };
    static uint64_t mergeKey(int32_t left, int32_t right) {
        return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
               static_cast<uint32_t>(right);
    }

    std::string fileName_;
    std::string model_;
    std::string pre_;
    std::string generalName_;
    VocabKind kind_ = VocabKind::Spm;

    std::vector<std::string> texts_;  // [n_vocab]
    std::vector<float> scores_;       // [n_vocab] or empty (all 0)
    std::vector<TokenType> types_;    // [n_vocab]
    std::vector<uint8_t> attrs_;      // [n_vocab] or empty: kLStrip | kRStrip
    std::vector<int32_t> slotIds_;    // [table size] token id or kNoToken
    std::vector<uint32_t> slotTags_;  // [table size] high hash bits of that token's text
    uint64_t slotMask_ = 0;
    std::vector<MergeSlot> mergeSlots_;
    uint64_t mergeMask_ = 0;
    size_t mergeCount_ = 0;
    size_t skippedMerges_ = 0;

    int32_t bos_ = kNoToken, eos_ = kNoToken, eot_ = kNoToken, eom_ = kNoToken;
    int32_t unk_ = kNoToken, pad_ = kNoToken, sep_ = kNoToken;
    std::vector<int32_t> eog_;
    bool addBos_ = false, addEos_ = false, addSpacePrefix_ = false;
    std::array<int32_t, 256> byteTokens_{};
};

} // namespace lamp
