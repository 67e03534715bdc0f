// Reads a GGUF model file (versions 2 and 3). The file is memory-mapped, not read in as a whole
// (the CPU backend later asks for a private copy at the same addresses: copyIntoMemory); every
// count, length, offset and size is checked against the file before it is used, so a truncated or
// malicious file is a GgufError naming the file and the problem, never a crash.
#pragma once

#include "gguf/gguf_value.h"
#include "quant/tensor_type.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lamp {

class MappedFile;

struct GgufKeyValue {
    std::string key;
    GgufValue value;
};

struct GgufTensorInfo {
    std::string name;
    uint32_t nDims = 0;
    std::array<int64_t, 4> dims{1, 1, 1, 1};  // dims[0] is the row length (innermost); unused are 1
    TensorType type = TensorType::F32;
    uint64_t offset = 0;     // relative to the start of the data section
    uint64_t nElements = 0;  // product of dims
    uint64_t nBytes = 0;     // bytes of data in the file

    int64_t rows() const { return dims[1] * dims[2] * dims[3]; }
    // "[2048, 32000]" as tools print shapes
    std::string shapeString() const;
};

// A tensor's bytes inside the mapping; valid while the GgufFile lives.
struct TensorView {
    const GgufTensorInfo* info = nullptr;
    std::span<const std::byte> data;
};

class GgufFile {
public:
    static constexpr uint32_t kDefaultAlignment = 32;

    // Maps and validates a file. Throws GgufError.
    static GgufFile open(const std::filesystem::path& path);
    // Validates a buffer (tests, fuzzing); `name` is used in error messages. The bytes are copied.
    static GgufFile fromBytes(std::span<const std::byte> bytes, std::string name = "<memory>");

    GgufFile(GgufFile&&) noexcept;
    GgufFile& operator=(GgufFile&&) noexcept;
    ~GgufFile();

    const std::string& name() const { return name_; }  // the path, for messages
    uint32_t version() const { return version_; }
    uint64_t fileSize() const;
    uint32_t alignment() const { return alignment_; }
    uint64_t dataOffset() const { return dataOffset_; }

    // Metadata in file order.
    const std::vector<GgufKeyValue>& metadata() const { return metadata_; }
    const GgufValue* find(std::string_view key) const;
    // The value, or GgufError "<file>: missing metadata key '<key>'".
    const GgufValue& get(std::string_view key) const;
    // Typed optional getters: nullopt when absent, GgufError when present with an unusable type.
    std::optional<std::string> getString(std::string_view key) const;
    std::optional<int64_t> getInt(std::string_view key) const;
    std::optional<uint64_t> getUInt(std::string_view key) const;
    std::optional<double> getFloat(std::string_view key) const;
    std::optional<bool> getBool(std::string_view key) const;
    const GgufArray* getArray(std::string_view key) const;

    // Tensors in file order.
    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* findTensor(std::string_view name) const;
    TensorView tensor(std::string_view name) const;  // GgufError when absent
    TensorView tensor(const GgufTensorInfo& info) const;

    // Moves the bytes from the file mapping into private memory at the same addresses (see
    // MappedFile::copyIntoMemory): generation reads them faster there. Every TensorView stays valid
    // and unchanged, hence const. Returns "" on success, else why the bytes stay mapped.
    std::string copyIntoMemory() const;
    bool inMemory() const;
    uint64_t hugePageBytes() const;  // of the private copy, as the kernel reports it
    // Lets `edit` rewrite the private copy in place (MappedFile::editInMemory); false while mapped.
    // Const like copyIntoMemory: the caller (Model) answers for what the bytes then mean.
    bool editInMemory(const std::function<void(std::span<std::byte>)>& edit) const;

private:
    GgufFile() = default;
    void parse();

    std::string name_;
    std::unique_ptr<MappedFile> file_;
    uint32_t version_ = 0;
    uint32_t alignment_ = kDefaultAlignment;
    uint64_t dataOffset_ = 0;
    std::vector<GgufKeyValue> metadata_;
    std::vector<GgufTensorInfo> tensors_;
};

} // namespace lamp
