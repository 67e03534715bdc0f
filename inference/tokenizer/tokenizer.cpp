#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer_backends.h"
#include "tokenizer/word_cache.h"

#include <algorithm>

namespace lamp {
namespace {

bool isAsciiSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constexpr size_t kMaxTextBytes = size_t{1} << 30;  // offsets inside stay below 2^32
constexpr uint8_t kFirstUserDefined = 1;
constexpr uint8_t kFirstSpecial = 2;

} // namespace

Tokenizer::Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {
    hidden_.assign(static_cast<size_t>(vocab_.size()), 0);
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        const TokenType t = vocab_.type(id);
        if (t == TokenType::Control || t == TokenType::Unknown || t == TokenType::Unused)
            hidden_[static_cast<size_t>(id)] = 1;
    }
    buildSpecialTrie();
}

Tokenizer::~Tokenizer() = default;

void Tokenizer::setPieces(std::vector<std::string> pieces) {
    pieces_ = std::move(pieces);
}

void Tokenizer::buildSpecialTrie() {
    trie_.assign(1, TrieNode{});
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        const TokenType t = vocab_.type(id);
        const bool always = t == TokenType::UserDefined;
        if (!always && t != TokenType::Control && t != TokenType::Unknown)
            continue;
        const std::string& text = vocab_.text(id);
        if (text.empty())
            continue;
        size_t node = 0;
        for (char ch : text) {
            const auto c = static_cast<unsigned char>(ch);
            auto& next = trie_[node].next;
            auto it = std::lower_bound(next.begin(), next.end(), c,
                                       [](const auto& e, unsigned char v) { return e.first < v; });
            if (it != next.end() && it->first == c) {
                node = static_cast<size_t>(it->second);
            } else {
                const auto child = static_cast<int32_t>(trie_.size());
                next.insert(it, {c, child});
                trie_.emplace_back();
                node = static_cast<size_t>(child);
            }
        }
        // Two tokens with one text: the one text lookups find (the last) wins.
        trie_[node].id = id;
        trie_[node].always = always;
        firstByte_[static_cast<unsigned char>(text[0])] |=
            always ? kFirstUserDefined : kFirstSpecial;
    }
}

std::pair<int32_t, size_t> Tokenizer::matchSpecial(std::string_view text, size_t pos,
                                                   bool parseSpecial) const {
    std::pair<int32_t, size_t> best{kNoToken, 0};
    size_t node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto& next = trie_[node].next;
        auto it = std::lower_bound(next.begin(), next.end(), c,
                                   [](const auto& e, unsigned char v) { return e.first < v; });
        if (it == next.end() || it->first != c)
            break;
        node = static_cast<size_t>(it->second);
        const TrieNode& n = trie_[node];
        if (n.id != kNoToken && (n.always || parseSpecial))
            best = {n.id, i + 1 - pos};
    }
    return best;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    encode(text, out, options);
    return out;
}

void Tokenizer::encode(std::string_view text, std::vector<int32_t>& out,
                       EncodeOptions options) const {
    if (text.size() > kMaxTextBytes)
        throw TokenizerError("cannot tokenize " + std::to_string(text.size()) +
                             " bytes at once (the limit is 1 GiB); split the text");
    if (options.addSpecial && vocab_.addBos())
        out.push_back(vocab_.bos());

    const uint8_t firstMask =
        options.parseSpecial ? (kFirstUserDefined | kFirstSpecial) : kFirstUserDefined;
    detail::EncodeContext context(text.size());
    bool afterSpecial = true;
    size_t fragmentStart = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        if ((firstByte_[static_cast<unsigned char>(text[pos])] & firstMask) == 0) {
            ++pos;
            continue;
        }
        const auto [id, length] = matchSpecial(text, pos, options.parseSpecial);
        if (id == kNoToken) {
            ++pos;
            continue;
        }
        std::string_view fragment = text.substr(fragmentStart, pos - fragmentStart);
        if (vocab_.stripsLeft(id))
            while (!fragment.empty() && isAsciiSpace(fragment.back()))
                fragment.remove_suffix(1);
        if (!fragment.empty()) {
            encodeText(fragment, afterSpecial, out, context);
            afterSpecial = false;
        }
        out.push_back(id);
        afterSpecial = true;
        pos += length;
        if (vocab_.stripsRight(id))
            while (pos < text.size() && isAsciiSpace(text[pos]))
                ++pos;
        fragmentStart = pos;
    }
    if (fragmentStart < text.size())
        encodeText(text.substr(fragmentStart), afterSpecial, out, context);

    if (options.addSpecial && vocab_.addEos())
        out.push_back(vocab_.eos());
}

void Tokenizer::decodeNext(int32_t id, DecodeState& state, const DecodeOptions& options,
                           std::string& out) const {
    vocab_.checkId(id);
    const auto index = static_cast<size_t>(id);
    const bool shown = hidden_[index] == 0 || options.renderSpecial;
    std::string_view piece = pieces_[index];
    if (state.stripPending) {
        if (!options.stripLeadingSpace || !vocab_.addSpacePrefix()) {
            state.stripPending = false;
        } else if (!(state.count == 0 && id == vocab_.bos())) {
            // The first token after an optional BOS carries the prefixed space.
            state.stripPending = false;
            if (shown && !piece.empty() && piece.front() == ' ')
                piece.remove_prefix(1);
        }
    }
    ++state.count;
    if (shown)
        out.append(piece);
}

std::string Tokenizer::decode(std::span<const int32_t> ids, DecodeOptions options) const {
    std::string out;
    out.reserve(ids.size() * 4);
    DecodeState state;
    for (int32_t id : ids)
        decodeNext(id, state, options, out);
    return out;
}

std::string Tokenizer::tokenPiece(int32_t id) const {
    vocab_.checkId(id);
    return pieces_[static_cast<size_t>(id)];
}

std::unique_ptr<Tokenizer> makeTokenizer(Vocab vocab) {
    switch (vocab.kind()) {
    case VocabKind::Spm:
        return detail::makeSpmTokenizer(std::move(vocab));
    case VocabKind::Bpe:
        return detail::makeBpeTokenizer(std::move(vocab));
    }
    throw TokenizerError(vocab.fileName() + ": unsupported tokenizer model '" + vocab.model() +
                         "'");
}

std::unique_ptr<Tokenizer> makeTokenizer(const GgufFile& file) {
    return makeTokenizer(Vocab(file));
}

} // namespace lamp
