// A read-only memory mapping of a whole file (RAII). Model weights are used where they lie in the
// page cache; nothing is copied, so opening a multi-gigabyte file costs only its metadata.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace lamp {

class MappedFile {
public:
    // Maps `path` read-only. Throws lamp::Error naming the file and the system error.
    explicit MappedFile(const std::filesystem::path& path);
    // Owns a private copy of `bytes` instead of a mapping (tests, fuzzing).
    explicit MappedFile(std::vector<std::byte> bytes);
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    std::span<const std::byte> bytes() const { return {data_, size_}; }
    size_t size() const { return size_; }

private:
    const std::byte* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
    std::vector<std::byte> owned_;
};

} // namespace lamp
