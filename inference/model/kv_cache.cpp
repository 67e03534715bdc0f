#include "model/kv_cache.h"

#include "model/model_error.h"
#include "quant/half.h"

#include <cstring>
#include <string>

namespace lamp {

size_t KvCache::bytesFor(int64_t layers, int64_t contextLength, int64_t kvHeads, int64_t keyLength,
                         int64_t valueLength, KvType type) {
    const size_t element = type == KvType::F16 ? 2 : 4;
    return element * static_cast<size_t>(layers * contextLength * kvHeads * (keyLength + valueLength));
}

KvCache::KvCache(int64_t layers, int64_t contextLength, int64_t kvHeads, int64_t keyLength,
                 int64_t valueLength, KvType type)
    : layers_(layers), contextLength_(contextLength), kvHeads_(kvHeads), keyLength_(keyLength),
      valueLength_(valueLength), type_(type) {
    if (layers <= 0 || contextLength <= 0 || kvHeads <= 0 || keyLength <= 0 || valueLength <= 0)
        throw ModelError("KV cache: every dimension must be positive (context length " +
                         std::to_string(contextLength) + ")");
    const size_t element = elementBytes();
    keys_.resize(element * static_cast<size_t>(layers * contextLength * kvHeads * keyLength));
    values_.resize(element * static_cast<size_t>(layers * contextLength * kvHeads * valueLength));
}

void KvCache::store(std::vector<std::byte>& dst, int64_t width, int64_t layer, int64_t pos, int64_t n,
                    const float* src) {
    if (layer < 0 || layer >= layers_ || pos < 0 || n < 0 || pos + n > contextLength_)
        throw ModelError("KV cache: positions " + std::to_string(pos) + ".." + std::to_string(pos + n) +
                         " are outside the context of " + std::to_string(contextLength_));
    const size_t count = static_cast<size_t>(n * width);
    const size_t first = static_cast<size_t>((layer * contextLength_ + pos) * width);
    if (type_ == KvType::F32) {
        std::memcpy(dst.data() + first * 4, src, count * 4);
        return;
    }
    auto* out = reinterpret_cast<uint16_t*>(dst.data()) + first;
    for (size_t i = 0; i < count; ++i)
        out[i] = fp32ToFp16(src[i]);
}

void KvCache::storeKeys(int64_t layer, int64_t pos, int64_t n, const float* src) {
    store(keys_, kvHeads_ * keyLength_, layer, pos, n, src);
}

void KvCache::storeValues(int64_t layer, int64_t pos, int64_t n, const float* src) {
    store(values_, kvHeads_ * valueLength_, layer, pos, n, src);
}

void KvCache::load(const void* src, int64_t n, float* dst) const {
    if (type_ == KvType::F32) {
        std::memcpy(dst, src, static_cast<size_t>(n) * 4);
        return;
    }
    const auto* in = static_cast<const uint16_t*>(src);
    for (int64_t i = 0; i < n; ++i)
        dst[i] = fp16ToFp32(in[i]);
}

} // namespace lamp
