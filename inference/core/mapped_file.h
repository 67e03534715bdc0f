// A read-only memory mapping of a whole file (RAII). Model weights are used where they lie in the
// page cache; nothing is copied, so opening a multi-gigabyte file costs only its metadata.
//
// The CPU backend then asks for a private copy (copyIntoMemory): the bytes move into anonymous memory
// at the same addresses, so every pointer into the file stays valid. Generation streams all weights
// once per token, and it reads page-cache pages scattered over physical memory (a file written or
// downloaded in pieces) up to a third slower than fresh anonymous memory in 2 MiB pages: on a 2-core
// Zen 5 VM, TinyLlama Q8_0 at 1 thread went from 14.6 to 20.6 tokens/s (bench/README.md).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace lamp {

class MappedFile {
public:
    // Maps `path` read-only at a 2 MiB boundary. Throws lamp::Error naming the file and the system error.
    explicit MappedFile(const std::filesystem::path& path);
    // Owns a private copy of `bytes` instead of a mapping (tests, fuzzing).
    explicit MappedFile(std::vector<std::byte> bytes);
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    std::span<const std::byte> bytes() const { return {data_, size_}; }
    size_t size() const { return size_; }

    // Reads the whole file into private anonymous memory (transparent huge pages requested) and
    // puts it in place of the mapping: bytes() keeps its address and content. Resident memory does
    // not double on the way (each chunk's mapped pages are released once copied). Not thread-safe:
    // call it before other threads read the bytes. Returns "" on success (or when already copied),
    // else why the bytes stay mapped from the file — nothing is lost then, the mapping is untouched.
    std::string copyIntoMemory();
    // True once the bytes live in private memory (copyIntoMemory, or the vector constructor).
    bool inMemory() const { return !mapped_ || copied_; }
    // Whether the kernel backs the private copy with 2 MiB pages (0 when mapped or unknown).
    size_t hugePageBytes() const;
    // Lets `edit` change the bytes of the private copy in place (the CPU backend rearranges some
    // weights for its kernels: cpu/interleave.h); the copy is writable only meanwhile. Returns
    // false, calling nothing, while the bytes are still the file's mapping. Not thread-safe, like
    // copyIntoMemory.
    bool editInMemory(const std::function<void(std::span<std::byte>)>& edit);

private:
    const std::byte* data_ = nullptr;
    size_t size_ = 0;
    size_t reserved_ = 0;  // the address range this object owns: size_ rounded up to 2 MiB
    int fd_ = -1;          // kept open for copyIntoMemory: a path could name another file by then
    bool mapped_ = false;
    bool copied_ = false;
    std::vector<std::byte> owned_;
};

} // namespace lamp
