// The key/value cache of one sequence: for every layer, the keys and values of every position
// evaluated so far, so each new token attends to the past without recomputing it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lamp {

// Element format of the cache. F16 halves the memory and is what established engines use by
// default (its rounding stays well inside the reference tolerances); F32 is exact.
enum class KvType : uint8_t { F16, F32 };

class KvCache {
public:
    // layers × contextLength positions, each position kvHeads × keyLength keys and kvHeads ×
    // valueLength values. Allocates everything up front (see bytes()).
    KvCache(int64_t layers, int64_t contextLength, int64_t kvHeads, int64_t keyLength,
            int64_t valueLength, KvType type);

    int64_t layers() const { return layers_; }
    int64_t contextLength() const { return contextLength_; }
    int64_t kvHeads() const { return kvHeads_; }
    int64_t keyLength() const { return keyLength_; }
    int64_t valueLength() const { return valueLength_; }
    KvType type() const { return type_; }
    size_t bytes() const { return keys_.size() + values_.size(); }

    // Writes the keys / values of `n` consecutive positions from `pos`: src is [n][kvHeads × length]
    // floats, rounded to the cache format.
    void storeKeys(int64_t layer, int64_t pos, int64_t n, const float* src);
    void storeValues(int64_t layer, int64_t pos, int64_t n, const float* src);

    // The keys / values of (layer, pos, head): keyLength / valueLength elements of type().
    const void* key(int64_t layer, int64_t pos, int64_t head) const {
        return keys_.data() + elementBytes() * static_cast<size_t>(
            ((layer * contextLength_ + pos) * kvHeads_ + head) * keyLength_);
    }
    const void* value(int64_t layer, int64_t pos, int64_t head) const {
        return values_.data() + elementBytes() * static_cast<size_t>(
            ((layer * contextLength_ + pos) * kvHeads_ + head) * valueLength_);
    }
    // Bytes from one position's keys (values) of a head to the next position's.
    size_t keyStride() const { return elementBytes() * static_cast<size_t>(kvHeads_ * keyLength_); }
    size_t valueStride() const { return elementBytes() * static_cast<size_t>(kvHeads_ * valueLength_); }

    // Decodes `n` elements of the cache format at `src` into floats.
    void load(const void* src, int64_t n, float* dst) const;

    // Bytes needed for a cache of this shape (what the constructor would allocate).
    static size_t bytesFor(int64_t layers, int64_t contextLength, int64_t kvHeads, int64_t keyLength,
                           int64_t valueLength, KvType type);

private:
    size_t elementBytes() const { return type_ == KvType::F16 ? 2 : 4; }
    void store(std::vector<std::byte>& dst, int64_t width, int64_t layer, int64_t pos, int64_t n,
               const float* src);

    int64_t layers_, contextLength_, kvHeads_, keyLength_, valueLength_;
    KvType type_;
    std::vector<std::byte> keys_;    // [layers][contextLength][kvHeads][keyLength]
    std::vector<std::byte> values_;  // [layers][contextLength][kvHeads][valueLength]
};

} // namespace lamp
