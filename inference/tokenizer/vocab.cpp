#include "tokenizer/vocab.h"

#include "core/error.h"
#include "core/log.h"
#include "gguf/gguf_file.h"
#include "tokenizer/hash.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <limits>

namespace lamp {
namespace {

constexpr std::string_view kTokens = "tokenizer.ggml.tokens";
constexpr std::string_view kScores = "tokenizer.ggml.scores";
constexpr std::string_view kTypes = "tokenizer.ggml.token_type";
constexpr std::string_view kMerges = "tokenizer.ggml.merges";

// Pre-tokenizers whose models want a BOS by default (llama.cpp's llama3 family).
bool preAddsBos(std::string_view pre) {
    return pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3" ||
           pre == "pixtral";
}

// Names of end-of-turn tokens, in the order preferred for eot() when the file names none.
constexpr std::string_view kEotNames[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<EOT>",
    "<｜end▁of▁sentence｜>",
};
// Further names that also end generation.
constexpr std::string_view kEogNames[] = {
    "<|eom_id|>", "_<EOT>", "<|end_of_text|>", "<|return|>", "<|call|>", "<end_of_utterance>",
};

// The byte a "<0xNN>" text names, or -1.
int byteOfText(std::string_view t) {
    if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>')
        return -1;
    int value = 0;
    for (size_t i = 3; i < 5; ++i) {
        const char c = t[i];
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

void Vocab::fail(const std::string& problem) const {
    throw TokenizerError(fileName_ + ": " + problem);
}

void Vocab::checkId(int32_t id) const {
    if (!contains(id))
        fail("token id " + std::to_string(id) + " is out of range (the vocabulary has " +
             std::to_string(size()) + " tokens)");
}

Vocab::Vocab(const GgufFile& file) : fileName_(file.name()) {
    try {
        const auto model = file.getString("tokenizer.ggml.model");
        if (!model)
            fail("the file has no tokenizer (metadata key 'tokenizer.ggml.model' is missing)");
        model_ = *model;
        if (model_ == "llama") {
            kind_ = VocabKind::Spm;
        } else if (model_ == "gpt2") {
            kind_ = VocabKind::Bpe;
        } else if (model_ == "bert") {
            fail("WordPiece tokenizers (tokenizer.ggml.model = 'bert') are not supported; "
                 "Lamplight runs decoder-only chat models with SentencePiece ('llama') or "
                 "byte-level BPE ('gpt2') vocabularies");
        } else {
            fail("unsupported tokenizer model '" + model_ +
                 "' (supported: 'llama' SentencePiece-style, 'gpt2' byte-level BPE)");
        }
        pre_ = file.getString("tokenizer.ggml.pre").value_or("");
        generalName_ = file.getString("general.name").value_or("");

        readTokens(file);
        if (kind_ == VocabKind::Bpe)
            readMerges(file);
        readSpecialIds(file);
        if (file.getArray(kTypes) == nullptr)
            inferTypes();
        findEog();
        setStripAttributes();

        for (int b = 0; b < 256; ++b) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            byteTokens_[static_cast<size_t>(b)] = find(name);
        }
    } catch (const GgufError& e) {
        // A wrongly typed key: report it as a tokenizer problem, with the file name.
        const std::string what = e.what();
        throw TokenizerError(what.rfind(fileName_, 0) == 0 ? what : fileName_ + ": " + what);
    }
}

void Vocab::readTokens(const GgufFile& file) {
    const GgufArray* tokens = file.getArray(kTokens);
    if (tokens == nullptr)
        fail("metadata key 'tokenizer.ggml.tokens' is missing (the vocabulary's token texts)");
    if (tokens->elementType != GgufType::String)
        fail("tokenizer.ggml.tokens is an array of " +
             std::string(ggufTypeName(tokens->elementType)) + ", expected strings");
    const size_t n = tokens->items.size();
    if (n == 0)
        fail("tokenizer.ggml.tokens is empty");
    if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        fail("tokenizer.ggml.tokens has too many entries");

    const auto checkLength = [&](std::string_view key, const GgufArray& array) {
        if (array.items.size() != n)
            fail(std::string(key) + " has " + std::to_string(array.items.size()) +
                 " entries but tokenizer.ggml.tokens has " + std::to_string(n) +
                 "; the vocabulary arrays must have one entry per token");
    };

    texts_.reserve(n);
    for (size_t i = 0; i < n; ++i)
        texts_.push_back(tokens->items[i].asString());
    buildIndex();

    if (const GgufArray* scores = file.getArray(kScores)) {
        checkLength(kScores, *scores);
        scores_.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const GgufValue& v = scores->items[i];
            if (!v.isNumber())
                fail("tokenizer.ggml.scores[" + std::to_string(i) + "] is a " +
                     std::string(ggufTypeName(v.type())) + ", expected a number");
            scores_.push_back(static_cast<float>(v.asDouble()));
        }
    }

    types_.assign(n, TokenType::Normal);
    if (const GgufArray* types = file.getArray(kTypes)) {
        checkLength(kTypes, *types);
        for (size_t i = 0; i < n; ++i) {
            const GgufValue& v = types->items[i];
            if (!v.isInteger())
                fail("tokenizer.ggml.token_type[" + std::to_string(i) + "] is a " +
                     std::string(ggufTypeName(v.type())) + ", expected an integer");
            const int64_t t = v.asInt();
            if (t < 0 || t > 6)
                fail("tokenizer.ggml.token_type[" + std::to_string(i) + "] = " + std::to_string(t) +
                     " is not a token type (1 normal, 2 unknown, 3 control, 4 user-defined, "
                     "5 unused, 6 byte)");
            types_[i] = t == 0 ? TokenType::Normal : static_cast<TokenType>(t);
        }
    }
}

void Vocab::readMerges(const GgufFile& file) {
    const GgufArray* merges = file.getArray(kMerges);
    if (merges == nullptr)
        fail("a byte-level BPE vocabulary (tokenizer.ggml.model = 'gpt2') needs "
             "tokenizer.ggml.merges, which is missing");
    if (merges->elementType != GgufType::String)
        fail("tokenizer.ggml.merges is an array of " +
             std::string(ggufTypeName(merges->elementType)) + ", expected strings");

    std::vector<MergeSlot> pending;
    pending.reserve(merges->items.size());
    std::string firstSkipped;
    std::string joined;
    for (size_t i = 0; i < merges->items.size(); ++i) {
        const std::string& m = merges->items[i].asString();
        const size_t space = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (space == std::string::npos)
            fail("tokenizer.ggml.merges[" + std::to_string(i) + "] = '" + m +
                 "' is not two tokens separated by a space");
        const std::string_view left = std::string_view(m).substr(0, space);
        const std::string_view right = std::string_view(m).substr(space + 1);
        joined.assign(left);
        joined.append(right);
        const int32_t l = find(left), r = find(right), result = find(joined);
        if (l == kNoToken || r == kNoToken || result == kNoToken) {
            if (skippedMerges_++ == 0)
                firstSkipped = m;
            continue;
        }
        pending.push_back({mergeKey(l, r), static_cast<int32_t>(i), result});
    }
    size_t capacity = 16;
    while (capacity < pending.size() + pending.size() / 2)
        capacity *= 2;
    mergeSlots_.assign(capacity, MergeSlot{});
    mergeMask_ = capacity - 1;
    for (const MergeSlot& m : pending) {
        for (uint64_t slot = detail::mix64(m.key) & mergeMask_;; slot = (slot + 1) & mergeMask_) {
            if (mergeSlots_[slot].key == m.key)
                break;  // a repeated merge keeps its first (lowest) rank
            if (mergeSlots_[slot].key == kEmptyKey) {
                mergeSlots_[slot] = m;
                ++mergeCount_;
                break;
            }
        }
    }
    if (skippedMerges_ > 0)
        log::get("tokenizer")
            ->warn("{}: {} of {} merges name tokens that are not in the vocabulary (first: '{}'); "
                   "they are ignored",
                   fileName_, skippedMerges_, merges->items.size(), firstSkipped);
}

void Vocab::readSpecialIds(const GgufFile& file) {
    // nullopt: key absent; kNoToken: present but "none" (-1 or 0xFFFFFFFF).
    const auto readId = [&](std::string_view key) -> std::optional<int32_t> {
        const GgufValue* v = file.find(key);
        if (v == nullptr)
            return std::nullopt;
        if (!v->isInteger())
            fail(std::string(key) + " is a " + std::string(ggufTypeName(v->type())) +
                 ", expected an integer token id");
        const GgufType t = v->type();
        const bool isUnsigned =
            t == GgufType::U8 || t == GgufType::U16 || t == GgufType::U32 || t == GgufType::U64;
        if (isUnsigned) {
            const uint64_t u = v->asUInt();
            if (u == 0xFFFFFFFFull || u == std::numeric_limits<uint64_t>::max())
                return kNoToken;
            if (u >= static_cast<uint64_t>(size()))
                fail(std::string(key) + " = " + std::to_string(u) +
                     " is out of range (the vocabulary has " + std::to_string(size()) + " tokens)");
            return static_cast<int32_t>(u);
        }
        const int64_t s = v->asInt();
        if (s == -1)
            return kNoToken;
        if (s < 0 || s >= size())
            fail(std::string(key) + " = " + std::to_string(s) +
                 " is out of range (the vocabulary has " + std::to_string(size()) + " tokens)");
        return static_cast<int32_t>(s);
    };
    const bool spm = kind_ == VocabKind::Spm;
    const auto byName = [&](std::string_view text) { return spm ? find(text) : kNoToken; };

    bos_ = readId("tokenizer.ggml.bos_token_id").value_or(byName("<s>"));
    eos_ = readId("tokenizer.ggml.eos_token_id").value_or(byName("</s>"));
    unk_ = readId("tokenizer.ggml.unknown_token_id").value_or(byName("<unk>"));
    eot_ = readId("tokenizer.ggml.eot_token_id").value_or(kNoToken);
    eom_ = readId("tokenizer.ggml.eom_token_id").value_or(kNoToken);
    pad_ = readId("tokenizer.ggml.padding_token_id").value_or(kNoToken);
    sep_ = readId("tokenizer.ggml.seperator_token_id")  // sic: the key as converters spell it
               .value_or(readId("tokenizer.ggml.separator_token_id").value_or(kNoToken));
    readId("tokenizer.ggml.cls_token_id");   // validated only
    readId("tokenizer.ggml.mask_token_id");  // validated only

    const auto addBosKey = file.getBool("tokenizer.ggml.add_bos_token");
    const auto addEosKey = file.getBool("tokenizer.ggml.add_eos_token");
    addBos_ = addBosKey.value_or(spm || preAddsBos(pre_));
    addEos_ = addEosKey.value_or(false);
    if (addBos_ && bos_ == kNoToken) {
        if (addBosKey)
            fail("tokenizer.ggml.add_bos_token is true but the file names no BOS token "
                 "(tokenizer.ggml.bos_token_id)");
        addBos_ = false;
    }
    if (addEos_ && eos_ == kNoToken)
        fail("tokenizer.ggml.add_eos_token is true but the file names no EOS token "
             "(tokenizer.ggml.eos_token_id)");
    addSpacePrefix_ = file.getBool("tokenizer.ggml.add_space_prefix").value_or(spm);
}

void Vocab::findEog() {
    const auto controlNamed = [&](std::string_view name) {
        const int32_t id = find(name);
        return id != kNoToken && type(id) == TokenType::Control ? id : kNoToken;
    };
    if (eot_ == kNoToken) {
        for (std::string_view name : kEotNames)
            if ((eot_ = controlNamed(name)) != kNoToken)
                break;
    }
    const auto add = [&](int32_t id) {
        if (id != kNoToken && std::find(eog_.begin(), eog_.end(), id) == eog_.end())
            eog_.push_back(id);
    };
    add(eos_);
    add(eot_);
    add(eom_);
    for (std::string_view name : kEotNames)
        add(controlNamed(name));
    for (std::string_view name : kEogNames)
        add(controlNamed(name));
}

void Vocab::inferTypes() {
    // Without tokenizer.ggml.token_type every token reads as normal; the usual conventions give
    // the rest: <0xNN> pieces are bytes (SentencePiece), the named special ids are control tokens.
    if (kind_ == VocabKind::Spm) {
        for (size_t id = 0; id < texts_.size(); ++id)
            if (byteOfText(texts_[id]) >= 0)
                types_[id] = TokenType::Byte;
    }
    for (int32_t id : {bos_, eos_, eot_, eom_, pad_, sep_})
        if (id != kNoToken)
            types_[static_cast<size_t>(id)] = TokenType::Control;
    if (unk_ != kNoToken)
        types_[static_cast<size_t>(unk_)] = TokenType::Unknown;
}

bool Vocab::isEog(int32_t id) const {
    return std::find(eog_.begin(), eog_.end(), id) != eog_.end();
}

void Vocab::setStripAttributes() {
    // Phi-3's special tokens swallow the whitespace after them (its tokenizer.json says rstrip),
    // except <unk>, <s> and <|endoftext|>. The file does not carry these attributes; llama.cpp
    // recognises the model by name, and so do we.
    const std::string name = lower(generalName_);
    if (name.find("phi-3") == std::string::npos && name.find("phi3") == std::string::npos)
        return;
    attrs_.assign(texts_.size(), 0);
    for (size_t i = 0; i < texts_.size(); ++i) {
        const TokenType t = types_[i];
        if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown)
            attrs_[i] |= kRStrip;
    }
    for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"})
        if (const int32_t id = find(text); id != kNoToken)
            attrs_[static_cast<size_t>(id)] &= static_cast<uint8_t>(~kRStrip);
}

void Vocab::buildIndex() {
    size_t capacity = 16;
    while (capacity < texts_.size() * 2)
        capacity *= 2;
    slotIds_.assign(capacity, kNoToken);
    slotTags_.assign(capacity, 0);
    slotMask_ = capacity - 1;
    for (size_t id = 0; id < texts_.size(); ++id) {
        const uint64_t h = detail::hashBytes(texts_[id]);
        const auto tag = static_cast<uint32_t>(h >> 32);
        for (uint64_t slot = h & slotMask_;; slot = (slot + 1) & slotMask_) {
            const int32_t other = slotIds_[slot];
            if (other == kNoToken ||
                (slotTags_[slot] == tag && texts_[static_cast<size_t>(other)] == texts_[id])) {
                // A later duplicate replaces the earlier one.
                slotIds_[slot] = static_cast<int32_t>(id);
                slotTags_[slot] = tag;
                break;
            }
        }
    }
}

int32_t Vocab::find(std::string_view text) const {
    const uint64_t h = detail::hashBytes(text);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (uint64_t slot = h & slotMask_;; slot = (slot + 1) & slotMask_) {
        const int32_t id = slotIds_[slot];
        if (id == kNoToken)
            return kNoToken;
        if (slotTags_[slot] == tag && texts_[static_cast<size_t>(id)] == text)
            return id;
    }
}

std::optional<Vocab::Merge> Vocab::findMerge(int32_t left, int32_t right) const {
    if (mergeSlots_.empty())
        return std::nullopt;
    const uint64_t key = mergeKey(left, right);
    for (uint64_t slot = detail::mix64(key) & mergeMask_;; slot = (slot + 1) & mergeMask_) {
        const MergeSlot& m = mergeSlots_[slot];
        if (m.key == key)
            return Merge{m.rank, m.result};
        if (m.key == kEmptyKey)
            return std::nullopt;
    }
}

int32_t Vocab::mergeRank(std::string_view left, std::string_view right) const {
    const int32_t l = find(left), r = find(right);
    if (l == kNoToken || r == kNoToken)
        return -1;
    const auto m = findMerge(l, r);
    return m ? m->rank : -1;
}

int Vocab::tokenByte(int32_t id) const {
    if (!contains(id) || type(id) != TokenType::Byte)
        return -1;
    return byteOfText(text(id));
}

} // namespace lamp
