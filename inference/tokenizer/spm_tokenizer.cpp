// SentencePiece-style tokenization (tokenizer.ggml.model = "llama"): the text, with spaces written
// as ▁, starts as one symbol per UTF-8 character; the adjacent pair whose concatenation is the
// highest-scoring token merges first (ties: leftmost), repeatedly, over a linked list of symbols
// with a priority queue of candidate pairs. Symbols left that are not tokens become <0xNN> bytes.
//
// Speed: the text is first cut between two characters that no token contains side by side. No
// merge can cross such a cut, so each chunk merges alone with the same result as the whole text
// (llama.cpp merges the whole text in one queue), and repeated chunks are tokenized once per call.
#include "tokenizer/hash.h"
#include "tokenizer/tokenizer_backends.h"
#include "tokenizer/utf8.h"
#include "tokenizer/word_cache.h"

#include <algorithm>

namespace lamp::detail {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 ▁

class SpmTokenizer final : public Tokenizer {
public:
    explicit SpmTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)) {
        std::vector<std::string> pieces(static_cast<size_t>(vocab_.size()));
        for (int32_t id = 0; id < vocab_.size(); ++id) {
            const std::string& text = vocab_.text(id);
            std::string& piece = pieces[static_cast<size_t>(id)];
            switch (vocab_.type(id)) {
            case TokenType::Normal:
                piece = unescape(text);
                break;
            case TokenType::Byte: {
                const int byte = vocab_.tokenByte(id);
                piece = byte >= 0 ? std::string(1, static_cast<char>(byte)) : text;
                break;
            }
            default:  // control, unknown, unused and user-defined: as written
                piece = text;
                break;
            }
        }
        setPieces(std::move(pieces));

        // Adjacent character pairs inside the tokens merges can form: text splits where no token
        // spans the boundary, and the pieces merge independently (same result, far smaller queues).
        std::vector<uint64_t> pairs;
        for (int32_t id = 0; id < vocab_.size(); ++id) {
            if (pieceId(vocab_.text(id)) != id)
                continue;
            const std::string& text = vocab_.text(id);
            uint32_t prev = kNone;
            for (size_t pos = 0; pos < text.size();) {
                const auto [cp, length] = charAt(text, pos);
                if (prev != kNone) {
                    if (prev < 128 && cp < 128)
                        asciiPairs_[prev * 128 + cp] = true;
                    else
                        pairs.push_back(pairKey(prev, cp));
                }
                prev = cp;
                pos += length;
            }
        }
        otherPairs_.build(pairs);
    }

protected:
    void encodeText(std::string_view text, bool afterSpecial, std::vector<int32_t>& out,
                    EncodeContext& context) const override;

private:
    struct Symbol {
        uint32_t start;   // byte offset in the escaped text
        uint32_t length;  // 0: merged into its left neighbour
        int32_t prev;
        int32_t next;
        int32_t id;  // the token this symbol is, or kNoToken (a character without a token)
    };
    struct Bigram {
        float score;
        int32_t left;
        int32_t right;
        uint32_t length;  // bytes of the pair when it was queued
        int32_t id;
        // Max-heap order: higher score first, then the leftmost pair.
        bool operator<(const Bigram& o) const {
            return score < o.score || (score == o.score && left > o.left);
        }
    };

    static constexpr uint32_t kNone = 0xFFFFFFFFu;
    // The code point at text[pos] and its length; an ill-formed byte b counts as 0x110000 + b.
    static std::pair<uint32_t, size_t> charAt(std::string_view text, size_t pos) {
        const auto c = static_cast<unsigned char>(text[pos]);
        if (c < 0x80)
            return {c, 1};
        const utf8::Step s = utf8::decode(text, pos);
        if (s.status == utf8::Step::Status::Ok)
            return {static_cast<uint32_t>(s.codePoint), s.length};
        return {0x110000u + c, 1};
    }
    static uint64_t pairKey(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

    void encodeChunk(std::string_view text, std::vector<int32_t>& out) const;

    static std::string unescape(std::string_view text) {
        std::string out;
        out.reserve(text.size());
        size_t pos = 0;
        while (pos < text.size()) {
            if (text.compare(pos, kSpaceMark.size(), kSpaceMark) == 0) {
                out += ' ';
                pos += kSpaceMark.size();
            } else {
                out += text[pos++];
            }
        }
        return out;
    }

    // Tokens that tokenization may produce from text (control, unknown, byte and unused tokens
    // are never formed from characters).
    int32_t pieceId(std::string_view text) const {
        const int32_t id = vocab_.find(text);
        if (id == kNoToken)
            return kNoToken;
        const TokenType t = vocab_.type(id);
        return t == TokenType::Normal || t == TokenType::UserDefined ? id : kNoToken;
    }

    void tryAddBigram(std::string_view text, const std::vector<Symbol>& symbols, int32_t left,
                      int32_t right, std::vector<Bigram>& heap) const {
        if (left < 0 || right < 0)
            return;
        const Symbol& l = symbols[static_cast<size_t>(left)];
        const Symbol& r = symbols[static_cast<size_t>(right)];
        const uint32_t length = l.length + r.length;
        const int32_t id = pieceId(text.substr(l.start, length));
        if (id == kNoToken)
            return;
        heap.push_back({vocab_.score(id), left, right, length, id});
        std::push_heap(heap.begin(), heap.end());
    }

    // Whether some token has the two characters side by side.
    bool innerPair(uint32_t a, uint32_t b) const {
        if (a < 128 && b < 128)
            return asciiPairs_[a * 128 + b];
        return otherPairs_.contains(pairKey(a, b));
    }

    std::vector<bool> asciiPairs_ = std::vector<bool>(128 * 128, false);
    KeySet64 otherPairs_;
};

void SpmTokenizer::encodeText(std::string_view text, bool afterSpecial, std::vector<int32_t>& out,
                              EncodeContext& context) const {
    std::string& escaped = context.newBuffer();
    escaped.reserve(text.size() + text.size() / 4 + kSpaceMark.size());
    if (afterSpecial && vocab_.addSpacePrefix())
        escaped.append(kSpaceMark);
    for (char c : text) {
        if (c == ' ')
            escaped.append(kSpaceMark);
        else
            escaped += c;
    }

    // Cut where no token can span the boundary; each chunk merges on its own.
    WordCache& cache = context.cache;
    const auto encodeCached = [&](std::string_view chunk) {
        if (cache.replay(chunk, out))
            return;
        const size_t begin = out.size();
        encodeChunk(chunk, out);
        cache.remember(chunk, begin, out.size());
    };
    const std::string_view all = escaped;
    size_t chunkStart = 0;
    uint32_t prev = kNone;
    for (size_t pos = 0; pos < all.size();) {
        const auto [cp, length] = charAt(all, pos);
        if (prev != kNone && !innerPair(prev, cp)) {
            encodeCached(all.substr(chunkStart, pos - chunkStart));
            chunkStart = pos;
        }
        prev = cp;
        pos += length;
    }
    if (chunkStart < all.size())
        encodeCached(all.substr(chunkStart));
}

void SpmTokenizer::encodeChunk(std::string_view escaped, std::vector<int32_t>& out) const {
    thread_local std::vector<Symbol> symbols;
    thread_local std::vector<Bigram> heap;
    symbols.clear();
    heap.clear();
    for (size_t pos = 0; pos < escaped.size();) {
        const size_t length = utf8::charLength(escaped, pos);
        const auto index = static_cast<int32_t>(symbols.size());
        symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(length), index - 1,
                           index + 1, pieceId(escaped.substr(pos, length))});
        pos += length;
    }
    if (symbols.empty())
        return;
    symbols.back().next = -1;

    for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i)
        tryAddBigram(escaped, symbols, i - 1, i, heap);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end());
        const Bigram b = heap.back();
        heap.pop_back();
        Symbol& left = symbols[static_cast<size_t>(b.left)];
        Symbol& right = symbols[static_cast<size_t>(b.right)];
        // A symbol that merged since the pair was queued changed its length (or became empty).
        if (left.length == 0 || right.length == 0 || left.length + right.length != b.length)
            continue;
        left.length += right.length;
        left.id = b.id;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0)
            symbols[static_cast<size_t>(right.next)].prev = b.left;
        tryAddBigram(escaped, symbols, left.prev, b.left, heap);
        tryAddBigram(escaped, symbols, b.left, left.next, heap);
    }

    for (int32_t i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
        const Symbol& s = symbols[static_cast<size_t>(i)];
        if (s.id != kNoToken) {
            out.push_back(s.id);
            continue;
        }
        // Byte fallback; a character whose bytes have no <0xNN> tokens becomes <unk>.
        const auto byteAt = [&](uint32_t k) {
            return vocab_.byteToken(static_cast<uint8_t>(escaped[s.start + k]));
        };
        bool allBytes = true;
        for (uint32_t k = 0; k < s.length; ++k)
            allBytes = allBytes && byteAt(k) != kNoToken;
        if (allBytes) {
            for (uint32_t k = 0; k < s.length; ++k)
                out.push_back(byteAt(k));
        } else if (vocab_.unk() != kNoToken) {
            out.push_back(vocab_.unk());
        }
    }
}

} // namespace

std::unique_ptr<Tokenizer> makeSpmTokenizer(Vocab vocab) {
    return std::make_unique<SpmTokenizer>(std::move(vocab));
}

} // namespace lamp::detail
