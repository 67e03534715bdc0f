#include "gguf/gguf_file.h"

#include "core/error.h"
#include "core/log.h"
#include "core/mapped_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace lamp {
namespace {

constexpr uint32_t kMagic = 0x46554747;   // "GGUF" read as a little-endian u32
constexpr uint32_t kMaxDims = 4;
constexpr int kMaxArrayDepth = 8;
// Every metadata element costs ~40 bytes in memory but may take 1 byte in the file; cap the total
// so a small malicious file cannot ask for gigabytes. Real vocabularies stay far below this.
constexpr uint64_t kMaxMetadataElements = 8u << 20;

// Bounds-checked reader over the mapped bytes. Every read says what it was reading when it fails.
class Cursor {
public:
    Cursor(std::span<const std::byte> bytes, const std::string& file) : bytes_(bytes), file_(file) {}

    uint64_t pos() const { return pos_; }
    uint64_t remaining() const { return bytes_.size() - pos_; }

    [[noreturn]] void fail(const std::string& problem) const {
        throw GgufError(file_ + ": " + problem + " (at byte " + std::to_string(pos_) + ")");
    }

    template <typename T>
    T read(const char* what) {
        if (remaining() < sizeof(T))
            fail(std::string("file is truncated: it ends inside ") + what);
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    std::string readString(const char* what) {
        const auto length = read<uint64_t>(what);
        if (length > remaining())
            fail(std::string(what) + " claims " + std::to_string(length) + " bytes but only " +
                 std::to_string(remaining()) + " remain in the file");
        std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
        pos_ += length;
        return s;
    }

    // Fails unless `count` items of at least `minBytes` each could still fit in the file, so no
    // count from the file drives an allocation larger than the file itself.
    void checkCount(uint64_t count, uint64_t minBytes, const std::string& what) const {
        if (minBytes != 0 && count > remaining() / minBytes)
            fail(what + " claims " + std::to_string(count) + " entries, more than the " +
                 std::to_string(remaining()) + " remaining bytes can hold");
    }

private:
    std::span<const std::byte> bytes_;
    const std::string& file_;
    uint64_t pos_ = 0;
};

// Smallest encoding of one value of `type` in the file.
uint64_t minEncodedSize(GgufType type) {
    switch (type) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: case GgufType::String: return 8;
    case GgufType::Array: return 12;
    }
    return 1;
}

class MetadataParser {
public:
    MetadataParser(Cursor& cursor) : c_(cursor) {}

    GgufValue readValue(GgufType type, const std::string& key, int depth) {
        switch (type) {
        case GgufType::U8: return c_.read<uint8_t>("a u8 value");
        case GgufType::I8: return c_.read<int8_t>("an i8 value");
        case GgufType::U16: return c_.read<uint16_t>("a u16 value");
        case GgufType::I16: return c_.read<int16_t>("an i16 value");
        case GgufType::U32: return c_.read<uint32_t>("a u32 value");
        case GgufType::I32: return c_.read<int32_t>("an i32 value");
        case GgufType::F32: return c_.read<float>("an f32 value");
        case GgufType::U64: return c_.read<uint64_t>("a u64 value");
        case GgufType::I64: return c_.read<int64_t>("an i64 value");
        case GgufType::F64: return c_.read<double>("an f64 value");
        case GgufType::Bool: {
            const auto b = c_.read<uint8_t>("a bool value");
            if (b > 1)
                c_.fail("metadata '" + key + "': bool value " + std::to_string(b) + " is neither 0 nor 1");
            return b == 1;
        }
        case GgufType::String: return c_.readString("a string value");
        case GgufType::Array: return readArray(key, depth + 1);
        }
        c_.fail("metadata '" + key + "': unknown value type");
    }

    GgufValue readArray(const std::string& key, int depth) {
        if (depth > kMaxArrayDepth)
            c_.fail("metadata '" + key + "': arrays nested deeper than " + std::to_string(kMaxArrayDepth));
        const auto rawType = c_.read<uint32_t>("an array element type");
        if (!isKnownGgufType(rawType))
            c_.fail("metadata '" + key + "': unknown array element type " + std::to_string(rawType));
        const auto elementType = static_cast<GgufType>(rawType);
        const auto count = c_.read<uint64_t>("an array length");
        c_.checkCount(count, minEncodedSize(elementType), "metadata '" + key + "' array");
        elements_ += count;
        if (elements_ > kMaxMetadataElements)
            c_.fail("metadata '" + key + "': more than " + std::to_string(kMaxMetadataElements) +
                    " array elements in all; this is not a model file Lamplight can use");
        GgufArray array{elementType, {}};
        array.items.reserve(count);
        for (uint64_t i = 0; i < count; ++i)
            array.items.push_back(readValue(elementType, key, depth));
        return GgufValue(std::move(array));
    }

private:
    Cursor& c_;
    uint64_t elements_ = 0;
};

bool mulOverflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

} // namespace

std::string GgufTensorInfo::shapeString() const {
    std::string s = "[";
    for (uint32_t i = 0; i < nDims; ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

GgufFile GgufFile::open(const std::filesystem::path& path) {
    GgufFile f;
    f.name_ = path.string();
    try {
        f.file_ = std::make_unique<MappedFile>(path);
    } catch (const GgufError&) {
        throw;
    } catch (const Error& e) {
        throw GgufError(e.what());
    }
    f.parse();
    return f;
}

GgufFile GgufFile::fromBytes(std::span<const std::byte> bytes, std::string name) {
    GgufFile f;
    f.name_ = std::move(name);
    f.file_ = std::make_unique<MappedFile>(std::vector<std::byte>(bytes.begin(), bytes.end()));
    f.parse();
    return f;
}

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

uint64_t GgufFile::fileSize() const { return file_->size(); }

std::string GgufFile::copyIntoMemory() const { return file_->copyIntoMemory(); }
bool GgufFile::inMemory() const { return file_->inMemory(); }
uint64_t GgufFile::hugePageBytes() const { return file_->hugePageBytes(); }
bool GgufFile::editInMemory(const std::function<void(std::span<std::byte>)>& edit) const {
    return file_->editInMemory(edit);
}

void GgufFile::parse() {
    const auto bytes = file_->bytes();
    Cursor c(bytes, name_);
    if (bytes.empty())
        c.fail("file is empty, not a GGUF model");

    const auto magic = c.read<uint32_t>("the magic number");
    if (magic != kMagic)
        throw GgufError(name_ + ": not a GGUF file (the first four bytes are not \"GGUF\")");
    version_ = c.read<uint32_t>("the version");
    if (version_ == 1)
        c.fail("GGUF version 1 is obsolete and not supported; convert the model again with a current tool");
    if (version_ != 2 && version_ != 3) {
        if (__builtin_bswap32(version_) == 2 || __builtin_bswap32(version_) == 3)
            c.fail("big-endian GGUF files are not supported");
        c.fail("unsupported GGUF version " + std::to_string(version_) + " (this build reads versions 2 and 3)");
    }
    const auto tensorCount = c.read<uint64_t>("the tensor count");
    const auto kvCount = c.read<uint64_t>("the metadata count");

    // Metadata: key, type, value.
    c.checkCount(kvCount, 8 + 4 + 1, "the metadata count");
    metadata_.reserve(kvCount);
    // Views into metadata_ stay valid: the vector was reserved for every entry up front.
    std::unordered_set<std::string_view> keys;
    MetadataParser parser(c);
    for (uint64_t i = 0; i < kvCount; ++i) {
        std::string key = c.readString("a metadata key");
        const auto rawType = c.read<uint32_t>("a metadata value type");
        if (!isKnownGgufType(rawType))
            c.fail("metadata '" + key + "' has unknown value type " + std::to_string(rawType));
        GgufValue value = parser.readValue(static_cast<GgufType>(rawType), key, 0);
        metadata_.push_back({std::move(key), std::move(value)});
        if (!keys.insert(metadata_.back().key).second)
            c.fail("duplicate metadata key '" + metadata_.back().key + "'");
    }

    if (const GgufValue* a = find("general.alignment")) {
        if (!a->isInteger())
            throw GgufError(name_ + ": general.alignment is a " + std::string(ggufTypeName(a->type())) +
                            ", expected an unsigned integer");
        const int64_t v = a->asInt();
        if (v <= 0 || v > (1 << 30) || !std::has_single_bit(static_cast<uint64_t>(v)))
            throw GgufError(name_ + ": general.alignment " + std::to_string(v) + " is not a power of two");
        alignment_ = static_cast<uint32_t>(v);
    }

    // Tensor infos: name, n_dims, dims, type, offset.
    c.checkCount(tensorCount, 8 + 4 + 8 + 4 + 8, "the tensor count");
    tensors_.reserve(tensorCount);
    std::unordered_set<std::string_view> names;  // views stay valid: tensors_ was reserved
    for (uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo t;
        t.name = c.readString("a tensor name");
        const std::string what = "tensor '" + t.name + "'";
        t.nDims = c.read<uint32_t>("a tensor's dimension count");
        if (t.nDims == 0 || t.nDims > kMaxDims)
            c.fail(what + " has " + std::to_string(t.nDims) + " dimensions (1 to 4 are allowed)");
        uint64_t elements = 1;
        for (uint32_t d = 0; d < t.nDims; ++d) {
            const auto dim = c.read<uint64_t>("a tensor dimension");
            if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) || mulOverflows(elements, dim, elements))
                c.fail(what + ": the product of its dimensions overflows 64 bits");
            t.dims[d] = static_cast<int64_t>(dim);
        }
        t.nElements = elements;
        const auto rawType = c.read<uint32_t>("a tensor type");
        const auto info = tensorTypeInfo(rawType);
        if (!info)
            c.fail(what + " has unknown tensor type " + std::to_string(rawType) +
                   "; this file needs a newer Lamplight or is damaged");
        t.type = info->type;
        if (t.dims[0] % info->blockSize != 0)
            c.fail(what + ": row length " + std::to_string(t.dims[0]) + " is not a multiple of the " +
                   std::string(info->name) + " block size " + std::to_string(info->blockSize));
        const uint64_t blocks = elements / info->blockSize;
        if (mulOverflows(blocks, info->blockBytes, t.nBytes))
            c.fail(what + ": its size in bytes overflows 64 bits");
        t.offset = c.read<uint64_t>("a tensor offset");
        if (t.offset % alignment_ != 0)
            c.fail(what + ": data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                   std::to_string(alignment_));
        tensors_.push_back(std::move(t));
        if (!names.insert(tensors_.back().name).second)
            c.fail("duplicate tensor name '" + tensors_.back().name + "'");
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t infoEnd = c.pos();
    dataOffset_ = (infoEnd + alignment_ - 1) / alignment_ * alignment_;
    const uint64_t size = bytes.size();
    if (!tensors_.empty() && dataOffset_ > size)
        throw GgufError(name_ + ": file is truncated: the tensor data section would start at byte " +
                        std::to_string(dataOffset_) + " but the file has " + std::to_string(size) + " bytes");
    const uint64_t dataSize = size > dataOffset_ ? size - dataOffset_ : 0;
    for (const auto& t : tensors_) {
        if (t.offset > dataSize || t.nBytes > dataSize - t.offset)
            throw GgufError(name_ + ": tensor '" + t.name + "' " + t.shapeString() + " " +
                            std::string(tensorTypeName(t.type)) + " needs bytes " + std::to_string(t.offset) +
                            "+" + std::to_string(t.nBytes) + " of the data section, which has only " +
                            std::to_string(dataSize) + " bytes (file truncated or damaged)");
    }

    // No two tensors may share bytes: a file where they do is damaged or crafted.
    std::vector<const GgufTensorInfo*> byOffset;
    byOffset.reserve(tensors_.size());
    for (const auto& t : tensors_)
        byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(),
              [](const auto* a, const auto* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        const auto* prev = byOffset[i - 1];
        if (prev->nBytes > 0 && byOffset[i]->offset < prev->offset + prev->nBytes)
            throw GgufError(name_ + ": tensors '" + prev->name + "' and '" + byOffset[i]->name +
                            "' overlap in the data section");
    }

    log::get("gguf")->debug("{}: GGUF v{}, {} metadata keys, {} tensors, data at byte {}", name_, version_,
                            metadata_.size(), tensors_.size(), dataOffset_);
}

const GgufValue* GgufFile::find(std::string_view key) const {
    for (const auto& kv : metadata_)
        if (kv.key == key)
            return &kv.value;
    return nullptr;
}

const GgufValue& GgufFile::get(std::string_view key) const {
    if (const auto* v = find(key))
        return *v;
    throw GgufError(name_ + ": missing metadata key '" + std::string(key) + "'");
}

namespace {
template <typename F>
auto typed(const GgufFile& f, std::string_view key, F convert) -> std::optional<decltype(convert(GgufValue()))> {
    const GgufValue* v = f.find(key);
    if (v == nullptr)
        return std::nullopt;
    try {
        return convert(*v);
    } catch (const GgufError& e) {
        throw GgufError(f.name() + ": metadata '" + std::string(key) + "': " + e.what());
    }
}
} // namespace

std::optional<std::string> GgufFile::getString(std::string_view key) const {
    return typed(*this, key, [](const GgufValue& v) { return v.asString(); });
}
std::optional<int64_t> GgufFile::getInt(std::string_view key) const {
    return typed(*this, key, [](const GgufValue& v) { return v.asInt(); });
}
std::optional<uint64_t> GgufFile::getUInt(std::string_view key) const {
    return typed(*this, key, [](const GgufValue& v) { return v.asUInt(); });
}
std::optional<double> GgufFile::getFloat(std::string_view key) const {
    return typed(*this, key, [](const GgufValue& v) { return v.asDouble(); });
}
std::optional<bool> GgufFile::getBool(std::string_view key) const {
    return typed(*this, key, [](const GgufValue& v) { return v.asBool(); });
}

const GgufArray* GgufFile::getArray(std::string_view key) const {
    const GgufValue* v = find(key);
    if (v == nullptr)
        return nullptr;
    if (!v->isArray())
        throw GgufError(name_ + ": metadata '" + std::string(key) + "' is a " +
                        std::string(ggufTypeName(v->type())) + ", expected an array");
    return &v->asArray();
}

const GgufTensorInfo* GgufFile::findTensor(std::string_view name) const {
    for (const auto& t : tensors_)
        if (t.name == name)
            return &t;
    return nullptr;
}

TensorView GgufFile::tensor(std::string_view name) const {
    if (const auto* t = findTensor(name))
        return tensor(*t);
    throw GgufError(name_ + ": missing tensor '" + std::string(name) + "'");
}

TensorView GgufFile::tensor(const GgufTensorInfo& info) const {
    return {&info, file_->bytes().subspan(dataOffset_ + info.offset, info.nBytes)};
}

} // namespace lamp
