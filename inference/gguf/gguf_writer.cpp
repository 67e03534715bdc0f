#include "gguf/gguf_writer.h"

#include "core/error.h"

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include <unistd.h>

namespace lamp {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF"

// Appends to a byte vector.
struct VectorSink {
    std::vector<std::byte>& out;
    void write(const void* p, size_t n) {
        // resize + memcpy rather than insert(): gcc 12 at -O3 reports a false -Wstringop-overflow
        // for insert() of a few bytes here, which broke Release builds with -Werror.
        const size_t at = out.size();
        out.resize(at + n);
        if (n != 0)
            std::memcpy(out.data() + at, p, n);
    }
    uint64_t position() const { return out.size(); }
};

// Writes to a stdio FILE, failing loudly (a full disk must never pass unnoticed).
struct FileSink {
    std::FILE* f;
    const std::string& name;
    uint64_t written = 0;
    void write(const void* p, size_t n) {
        if (n != 0 && std::fwrite(p, 1, n, f) != n)
            throw GgufError(name + ": write failed: " + std::strerror(errno));
        written += n;
    }
    uint64_t position() const { return written; }
};

template <typename Sink, typename T>
void put(Sink& sink, T v) {
    sink.write(&v, sizeof v);
}

template <typename Sink>
void putString(Sink& sink, const std::string& s) {
    put<Sink, uint64_t>(sink, s.size());
    sink.write(s.data(), s.size());
}

template <typename Sink>
void putValue(Sink& sink, const GgufValue& value) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                putString(sink, v);
            } else if constexpr (std::is_same_v<T, GgufArray>) {
                put<Sink, uint32_t>(sink, static_cast<uint32_t>(v.elementType));
                put<Sink, uint64_t>(sink, v.items.size());
                for (const auto& item : v.items) {
                    if (item.type() != v.elementType)
                        throw GgufError("array element of type " + std::string(ggufTypeName(item.type())) +
                                        " in an array of " + std::string(ggufTypeName(v.elementType)));
                    putValue(sink, item);
                }
            } else if constexpr (std::is_same_v<T, bool>) {
                put<Sink, uint8_t>(sink, v ? 1 : 0);
            } else {
                put(sink, v);
            }
        },
        value.storage());
}

template <typename Sink>
void pad(Sink& sink, uint32_t alignment) {
    static constexpr std::byte zeros[64] = {};
    uint64_t n = (alignment - sink.position() % alignment) % alignment;
    while (n > 0) {
        const auto chunk = std::min<uint64_t>(n, sizeof zeros);
        sink.write(zeros, chunk);
        n -= chunk;
    }
}

} // namespace

void GgufWriter::setVersion(uint32_t version) {
    if (version != 2 && version != 3)
        throw GgufError("GGUF writer: version " + std::to_string(version) + " is not supported (2 or 3)");
    version_ = version;
}

void GgufWriter::setAlignment(uint32_t alignment) {
    if (alignment == 0 || !std::has_single_bit(alignment))
        throw GgufError("GGUF writer: alignment " + std::to_string(alignment) + " is not a power of two");
    alignment_ = alignment;
    for (auto& [key, value] : metadata_)
        if (key == "general.alignment") {
            value = GgufValue(alignment);
            return;
        }
    metadata_.emplace_back("general.alignment", GgufValue(alignment));
}

void GgufWriter::set(std::string key, GgufValue value) {
    for (const auto& kv : metadata_)
        if (kv.first == key)
            throw GgufError("GGUF writer: duplicate metadata key '" + key + "'");
    if (key == "general.alignment") {
        setAlignment(static_cast<uint32_t>(value.asUInt()));
        return;
    }
    metadata_.emplace_back(std::move(key), std::move(value));
}

void GgufWriter::checkNewTensor(const std::string& name, TensorType type, const std::vector<int64_t>& dims) const {
    for (const auto& t : tensors_)
        if (t.name == name)
            throw GgufError("GGUF writer: duplicate tensor name '" + name + "'");
    if (dims.empty() || dims.size() > 4)
        throw GgufError("GGUF writer: tensor '" + name + "' has " + std::to_string(dims.size()) +
                        " dimensions (1 to 4 are allowed)");
    for (auto d : dims)
        if (d < 0)
            throw GgufError("GGUF writer: tensor '" + name + "' has a negative dimension");
    (void)rowBytes(type, dims[0]);  // throws when the row is not a whole number of blocks
}

namespace {
uint64_t tensorBytes(TensorType type, const std::vector<int64_t>& dims) {
    uint64_t rows = 1;
    for (size_t i = 1; i < dims.size(); ++i)
        rows *= static_cast<uint64_t>(dims[i]);
    return rows * rowBytes(type, dims[0]);
}
} // namespace

void GgufWriter::addTensor(std::string name, TensorType type, std::vector<int64_t> dims,
                           std::span<const std::byte> data) {
    addTensor(std::move(name), type, std::move(dims), std::vector<std::byte>(data.begin(), data.end()));
}

void GgufWriter::addTensor(std::string name, TensorType type, std::vector<int64_t> dims, std::vector<std::byte> data) {
    checkNewTensor(name, type, dims);
    const uint64_t n = tensorBytes(type, dims);
    if (data.size() != n)
        throw GgufError("GGUF writer: tensor '" + name + "' has " + std::to_string(data.size()) +
                        " bytes of data, its type and shape need " + std::to_string(n));
    tensors_.push_back({std::move(name), type, std::move(dims), n, std::move(data), {}});
}

void GgufWriter::addTensor(std::string name, TensorType type, std::vector<int64_t> dims, TensorFiller fill) {
    checkNewTensor(name, type, dims);
    const uint64_t n = tensorBytes(type, dims);
    tensors_.push_back({std::move(name), type, std::move(dims), n, {}, std::move(fill)});
}

template <typename Sink>
void GgufWriter::writeTo(Sink& sink) const {
    put<Sink, uint32_t>(sink, kMagic);
    put<Sink, uint32_t>(sink, version_);
    put<Sink, uint64_t>(sink, tensors_.size());
    put<Sink, uint64_t>(sink, metadata_.size());
    for (const auto& [key, value] : metadata_) {
        putString(sink, key);
        put<Sink, uint32_t>(sink, static_cast<uint32_t>(value.type()));
        putValue(sink, value);
    }
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        putString(sink, t.name);
        put<Sink, uint32_t>(sink, static_cast<uint32_t>(t.dims.size()));
        for (auto d : t.dims)
            put<Sink, uint64_t>(sink, static_cast<uint64_t>(d));
        put<Sink, uint32_t>(sink, static_cast<uint32_t>(t.type));
        put<Sink, uint64_t>(sink, offset);
        offset += (t.nBytes + alignment_ - 1) / alignment_ * alignment_;
    }
    pad(sink, alignment_);
    std::vector<std::byte> buffer;
    for (const auto& t : tensors_) {
        if (t.fill) {
            buffer.assign(t.nBytes, std::byte{0});
            t.fill(buffer);
            sink.write(buffer.data(), buffer.size());
        } else {
            sink.write(t.data.data(), t.data.size());
        }
        pad(sink, alignment_);
    }
}

std::vector<std::byte> GgufWriter::toBytes() const {
    std::vector<std::byte> out;
    VectorSink sink{out};
    writeTo(sink);
    return out;
}

void GgufWriter::write(const std::filesystem::path& path) const {
    const std::string name = path.string();
    const std::filesystem::path tmp = path.string() + ".part";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr)
        throw GgufError(name + ": cannot create: " + std::strerror(errno));
    try {
        FileSink sink{f, name};
        writeTo(sink);
        if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0)
            throw GgufError(name + ": write failed: " + std::strerror(errno));
    } catch (...) {
        std::fclose(f);
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
    if (std::fclose(f) != 0) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw GgufError(name + ": write failed: " + std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw GgufError(name + ": cannot move the finished file into place: " + ec.message());
    }
}

} // namespace lamp
