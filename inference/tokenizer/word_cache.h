// Internal: within one call that tokenizes a long text, words repeat (natural language is Zipfian),
// so the ids of each word are computed once and copied for its later occurrences. The cache maps a
// word (a view into the text being tokenized) to where its ids were first written in the output:
// an open-addressing table of plain entries, so a lookup costs one hash and, mostly, one cache
// line.
#pragma once

#include "tokenizer/hash.h"

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace lamp::detail {

class WordCache {
public:
    // Caching pays off only for texts with many words; long words rarely repeat.
    static constexpr size_t kMinTextBytes = 512;
    static constexpr size_t kMaxWordBytes = 64;
    static constexpr size_t kMaxEntries = size_t{1} << 22;

    explicit WordCache(size_t textBytes) : enabled_(textBytes >= kMinTextBytes) {}

    // Appends the ids remembered for `word` and returns true; otherwise returns false and
    // remembers the word's hash for the remember() call that follows.
    bool replay(std::string_view word, std::vector<int32_t>& out) {
        pendingHash_ = 0;
        if (!enabled_ || word.size() > kMaxWordBytes)
            return false;
        const uint64_t hash = hashBytes(word) | 1;  // 0 marks an empty slot
        if (!slots_.empty()) {
            for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
                const Entry& e = slots_[i];
                if (e.hash == 0)
                    break;
                if (e.hash == hash && e.length == word.size() &&
                    std::memcmp(e.data, word.data(), word.size()) == 0) {
                    for (uint32_t k = e.begin; k < e.end; ++k) {
                        const int32_t id = out[k];  // (push_back may reallocate)
                        out.push_back(id);
                    }
                    return true;
                }
            }
        }
        pendingHash_ = hash;
        return false;
    }

    // Remembers that out[begin, end) are the ids of `word` (the word replay() just missed).
    void remember(std::string_view word, size_t begin, size_t end) {
        if (pendingHash_ == 0 || end > 0xFFFFFFFFu || count_ >= kMaxEntries)
            return;
        if ((count_ + 1) * 2 > slots_.size())
            grow();
        insert({pendingHash_, word.data(), static_cast<uint32_t>(word.size()),
                static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
        ++count_;
        pendingHash_ = 0;
    }

private:
    struct Entry {
        uint64_t hash = 0;
        const char* data = nullptr;
        uint32_t length = 0;
        uint32_t begin = 0;
        uint32_t end = 0;
    };

    void insert(const Entry& entry) {
        size_t i = entry.hash & mask_;
        while (slots_[i].hash != 0)
            i = (i + 1) & mask_;
        slots_[i] = entry;
    }

    void grow() {
        std::vector<Entry> old = std::move(slots_);
        slots_.assign(old.empty() ? 1024 : old.size() * 2, Entry{});
        mask_ = slots_.size() - 1;
        for (const Entry& e : old)
            if (e.hash != 0)
                insert(e);
    }

    bool enabled_;
    std::vector<Entry> slots_;
    size_t mask_ = 0;
    size_t count_ = 0;
    uint64_t pendingHash_ = 0;
};

// Scratch state of one Tokenizer::encode() call, shared by its text fragments.
struct EncodeContext {
    explicit EncodeContext(size_t textBytes) : cache(textBytes) {}
    // A buffer that lives until the call ends (cache keys may point into it).
    std::string& newBuffer() { return buffers.emplace_back(); }

    WordCache cache;
    std::deque<std::string> buffers;
};

} // namespace lamp::detail
