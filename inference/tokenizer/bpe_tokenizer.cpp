// Byte-level BPE (tokenizer.ggml.model = "gpt2"): the pre-tokenizer splits the text into words;
// each word starts as one symbol per byte (the token of that byte's character in GPT-2's
// byte-to-unicode alphabet); the adjacent pair with the lowest merge rank merges first (ties:
// leftmost), repeatedly, over a linked list with a priority queue of candidate pairs.
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer_backends.h"
#include "tokenizer/utf8.h"
#include "tokenizer/word_cache.h"

#include "core/log.h"

#include <algorithm>
#include <cstdio>

namespace lamp::detail {
namespace {

// GPT-2's bijection between bytes and printable characters: printable Latin-1 bytes stand for
// themselves, the other 68 bytes map to U+0100 onwards in byte order.
struct ByteAlphabet {
    std::array<int16_t, 324> toByte{};  // by code point; -1 where none
    std::array<std::string, 256> encoded;

    ByteAlphabet() {
        toByte.fill(-1);
        char32_t extra = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t c = printable ? static_cast<char32_t>(b) : extra++;
            toByte[c] = static_cast<int16_t>(b);
            utf8::append(encoded[static_cast<size_t>(b)], c);
        }
    }
};

const ByteAlphabet& alphabet() {
    static const ByteAlphabet a;
    return a;
}

class BpeTokenizer final : public Tokenizer {
public:
    explicit BpeTokenizer(Vocab vocab)
        : Tokenizer(std::move(vocab)), pre_(vocab_.pre(), vocab_.fileName()) {
        const ByteAlphabet& a = alphabet();
        std::string missing;          // bytes without a token, as " 0x03 0xC0 ..."
        bool missingMatters = false;  // ... some of which can occur in valid UTF-8
        for (int b = 0; b < 256; ++b) {
            byteIds_[static_cast<size_t>(b)] = vocab_.find(a.encoded[static_cast<size_t>(b)]);
            if (byteIds_[static_cast<size_t>(b)] != kNoToken)
                continue;
            char hex[8];
            std::snprintf(hex, sizeof hex, " 0x%02X", b);
            missing += hex;
            missingMatters = missingMatters || !(b == 0xC0 || b == 0xC1 || b >= 0xF5);
        }
        // Bytes that never occur in UTF-8 (C0, C1, F5..FF) are often left out; others drop out of
        // the text when it contains them.
        if (!missing.empty())
            log::get("tokenizer")
                ->log(missingMatters ? spdlog::level::info : spdlog::level::debug,
                      "{}: no byte-level token for byte(s){}; those bytes are dropped from text",
                      vocab_.fileName(), missing);

        std::vector<std::string> pieces(static_cast<size_t>(vocab_.size()));
        for (int32_t id = 0; id < vocab_.size(); ++id) {
            const std::string& text = vocab_.text(id);
            const TokenType t = vocab_.type(id);
            std::string& piece = pieces[static_cast<size_t>(id)];
            if (t == TokenType::Normal) {
                piece = decodeBytes(text);
            } else if (t == TokenType::Byte) {
                const int byte = vocab_.tokenByte(id);
                piece = byte >= 0 ? std::string(1, static_cast<char>(byte)) : decodeBytes(text);
            } else {
                piece = text;  // control, unknown, unused, user-defined: as written
            }
        }
        setPieces(std::move(pieces));
    }

protected:
    void encodeText(std::string_view text, bool afterSpecial, std::vector<int32_t>& out,
                    EncodeContext& context) const override;

private:
    struct Symbol {
        int32_t prev;
        int32_t next;
        int32_t id;  // kNoToken: a byte without a token (never merges)
    };
    struct Bigram {
        int32_t rank;
        int32_t left;
        int32_t right;
        int32_t leftId;
        int32_t rightId;
        int32_t result;
        // Max-heap order: lowest rank first, then the leftmost pair.
        bool operator<(const Bigram& o) const {
            return rank > o.rank || (rank == o.rank && left > o.left);
        }
    };

    static std::string decodeBytes(std::string_view text) {
        const ByteAlphabet& a = alphabet();
        std::string out;
        out.reserve(text.size());
        size_t pos = 0;
        while (pos < text.size()) {
            const utf8::Step s = utf8::decode(text, pos);
            const size_t length = s.status == utf8::Step::Status::Ok ? s.length : 1;
            if (s.status == utf8::Step::Status::Ok && s.codePoint < a.toByte.size() &&
                a.toByte[s.codePoint] >= 0)
                out += static_cast<char>(a.toByte[s.codePoint]);
            else  // not in the alphabet: keep the character as written
                out.append(text.substr(pos, length));
            pos += length;
        }
        return out;
    }

    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;
    void addBigram(const std::vector<Symbol>& symbols, int32_t left, int32_t right,
                   std::vector<Bigram>& heap) const {
        if (left < 0 || right < 0)
            return;
        const int32_t l = symbols[static_cast<size_t>(left)].id;
        const int32_t r = symbols[static_cast<size_t>(right)].id;
        if (l == kNoToken || r == kNoToken)
            return;
        if (const auto m = vocab_.findMerge(l, r)) {
            heap.push_back({m->rank, left, right, l, r, m->result});
            std::push_heap(heap.begin(), heap.end());
        }
    }

    PreTokenizer pre_;
    std::array<int32_t, 256> byteIds_{};
};

void BpeTokenizer::encodeText(std::string_view text, bool /*afterSpecial*/,
                              std::vector<int32_t>& out, EncodeContext& context) const {
    thread_local std::vector<PreTokenizer::Piece> pieces;
    pre_.split(text, pieces);
    WordCache& cache = context.cache;
    for (const PreTokenizer::Piece& p : pieces) {
        const std::string_view word = text.substr(p.offset, p.length);
        if (word.size() == 1) {  // a single byte is its own token
            if (const int32_t id = byteIds_[static_cast<unsigned char>(word[0])]; id != kNoToken)
                out.push_back(id);
            continue;
        }
        if (cache.replay(word, out))
            continue;
        const size_t begin = out.size();
        encodeWord(word, out);
        cache.remember(word, begin, out.size());
    }
}

void BpeTokenizer::encodeWord(std::string_view word, std::vector<int32_t>& out) const {
    const auto byteId = [&](char c) { return byteIds_[static_cast<unsigned char>(c)]; };
    if (pre_.ignoreMerges()) {
        // The whole word, when it is an ordinary token, is taken as is.
        std::string encoded;
        encoded.reserve(word.size() * 2);
        for (char c : word)
            encoded += alphabet().encoded[static_cast<unsigned char>(c)];
        const int32_t id = vocab_.find(encoded);
        if (id != kNoToken &&
            (vocab_.type(id) == TokenType::Normal || vocab_.type(id) == TokenType::UserDefined)) {
            out.push_back(id);
            return;
        }
    }

    thread_local std::vector<Symbol> symbols;
    thread_local std::vector<Bigram> heap;
    symbols.clear();
    heap.clear();
    const auto n = static_cast<int32_t>(word.size());
    for (int32_t i = 0; i < n; ++i)
        symbols.push_back({i - 1, i + 1 < n ? i + 1 : -1, byteId(word[static_cast<size_t>(i)])});
    for (int32_t i = 1; i < n; ++i)
        addBigram(symbols, i - 1, i, heap);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end());
        const Bigram b = heap.back();
        heap.pop_back();
        Symbol& left = symbols[static_cast<size_t>(b.left)];
        Symbol& right = symbols[static_cast<size_t>(b.right)];
        // Stale when either side merged since the pair was queued.
        if (left.id != b.leftId || right.id != b.rightId || left.next != b.right)
            continue;
        left.id = b.result;
        left.next = right.next;
        right.id = kNoToken;
        right.prev = right.next = -2;
        if (left.next >= 0)
            symbols[static_cast<size_t>(left.next)].prev = b.left;
        addBigram(symbols, left.prev, b.left, heap);
        addBigram(symbols, b.left, left.next, heap);
    }

    for (int32_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next)
        if (symbols[static_cast<size_t>(i)].id != kNoToken)
            out.push_back(symbols[static_cast<size_t>(i)].id);
}

} // namespace

std::unique_ptr<Tokenizer> makeBpeTokenizer(Vocab vocab) {
    return std::make_unique<BpeTokenizer>(std::move(vocab));
}

} // namespace lamp::detail
