// Internal: a fast hash for the short byte strings tokenizers look up (token texts, words).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace lamp::detail {

inline uint64_t mix64(uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

// 8 bytes at a time with multiply-xorshift rounds, then a final mix.
inline uint64_t hashBytes(std::string_view s) noexcept {
    constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
    uint64_t h = (s.size() + 1) * kMul;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * kMul;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    for (size_t k = 0; i + k < s.size(); ++k)
        w |= static_cast<uint64_t>(static_cast<unsigned char>(s[i + k])) << (8 * k);
    return mix64(h ^ w);
}

struct BytesHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return hashBytes(s); }
};

// A set of 64-bit keys (never ~0) in one open-addressing array, built once and then only read.
class KeySet64 {
public:
    void build(const std::vector<uint64_t>& keys) {
        size_t capacity = 16;
        while (capacity < keys.size() * 2)
            capacity *= 2;
        slots_.assign(capacity, kEmpty);
        mask_ = capacity - 1;
        for (uint64_t key : keys) {
            size_t i = mix64(key) & mask_;
            while (slots_[i] != kEmpty && slots_[i] != key)
                i = (i + 1) & mask_;
            slots_[i] = key;
        }
    }
    bool contains(uint64_t key) const {
        if (slots_.empty())
            return false;
        for (size_t i = mix64(key) & mask_;; i = (i + 1) & mask_) {
            if (slots_[i] == key)
                return true;
            if (slots_[i] == kEmpty)
                return false;
        }
    }

private:
    static constexpr uint64_t kEmpty = ~0ull;
    std::vector<uint64_t> slots_;
    size_t mask_ = 0;
};

} // namespace lamp::detail
