// Writes GGUF files (version 3 by default, or 2): metadata of every type and tensors, aligned as
// `general.alignment` says. Used by tests, the quantizer and tools. What it writes, GgufFile reads
// back unchanged.
#pragma once

#include "gguf/gguf_value.h"
#include "quant/tensor_type.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace lamp {

class GgufWriter {
public:
    // Called at write time to produce a tensor's bytes into `out` (exactly the declared size).
    using TensorFiller = std::function<void(std::span<std::byte> out)>;

    void setVersion(uint32_t version);      // 2 or 3
    void setAlignment(uint32_t alignment);  // power of two; also written as general.alignment

    // Adds a metadata pair. Throws GgufError on a duplicate key.
    void set(std::string key, GgufValue value);

    // Adds a tensor with its bytes (copied). dims[0] is the row length. Throws on a duplicate name,
    // more than 4 dims, or a byte count that does not match type and dims.
    void addTensor(std::string name, TensorType type, std::vector<int64_t> dims,
                   std::span<const std::byte> data);
    void addTensor(std::string name, TensorType type, std::vector<int64_t> dims,
                   std::vector<std::byte> data);
    // Adds a tensor whose bytes are produced when the file is written (no copy held meanwhile).
    void addTensor(std::string name, TensorType type, std::vector<int64_t> dims, TensorFiller fill);

    // Writes to a temporary file beside `path` and renames it into place, so a failure (a full disk)
    // never leaves a half-written model under the final name. Throws GgufError.
    void write(const std::filesystem::path& path) const;
    // The whole file as bytes (tests, fuzz seeds).
    std::vector<std::byte> toBytes() const;

private:
    struct PendingTensor {
        std::string name;
        TensorType type;
        std::vector<int64_t> dims;
        uint64_t nBytes;
        std::vector<std::byte> data;  // empty when `fill` is set
        TensorFiller fill;
    };
    void checkNewTensor(const std::string& name, TensorType type, const std::vector<int64_t>& dims) const;
    template <typename Sink>
    void writeTo(Sink& sink) const;  // (not "emit": Qt defines that word as a macro)

    uint32_t version_ = 3;
    uint32_t alignment_ = 32;
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::vector<PendingTensor> tensors_;
};

} // namespace lamp
