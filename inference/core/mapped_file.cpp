#include "core/mapped_file.h"

#include "core/error.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lamp {
namespace {

// Transparent huge pages need both the address and the length on this boundary.
constexpr size_t kHugePage = size_t{2} << 20;

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Closes a file descriptor on every path out of the constructor unless released.
struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0)
            ::close(fd);
    }
    int release() { return std::exchange(fd, -1); }
};

std::string systemError(const std::filesystem::path& path, const char* what) {
    return path.string() + ": " + what + ": " + std::strerror(errno);
}

// `length` bytes of address space starting at a 2 MiB boundary, PROT_NONE until something is mapped
// over it; nullptr (errno set) when the kernel refuses.
std::byte* reserveAligned(size_t length) {
    void* raw = ::mmap(nullptr, length + kHugePage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED)
        return nullptr;
    auto* base = static_cast<std::byte*>(raw);
    auto* aligned = reinterpret_cast<std::byte*>(roundUp(reinterpret_cast<uintptr_t>(base), kHugePage));
    // Give back the slack before and after the aligned range.
    if (aligned > base)
        ::munmap(base, static_cast<size_t>(aligned - base));
    const size_t tail = static_cast<size_t>(base + length + kHugePage - (aligned + length));
    if (tail > 0)
        ::munmap(aligned + length, tail);
    return aligned;
}

} // namespace

MappedFile::MappedFile(const std::filesystem::path& path) {
    FdGuard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0)
        throw Error(systemError(path, "cannot open"));
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0)
        throw Error(systemError(path, "cannot stat"));
    if (!S_ISREG(st.st_mode))
        throw Error(path.string() + ": not a regular file");
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0)
        return;  // mmap rejects empty mappings; an empty file is reported by the parser
    // The whole rounded range is ours, so copyIntoMemory can later put 2 MiB pages over it without
    // touching a neighbouring mapping.
    reserved_ = roundUp(size_, kHugePage);
    std::byte* at = reserveAligned(reserved_);
    if (at == nullptr)
        throw Error(systemError(path, "cannot map"));
    void* p = ::mmap(at, size_, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd.fd, 0);
    if (p == MAP_FAILED) {
        const int error = errno;
        ::munmap(at, reserved_);
        errno = error;
        throw Error(systemError(path, "cannot map"));
    }
    data_ = at;
    mapped_ = true;
    fd_ = fd.release();
}

MappedFile::MappedFile(std::vector<std::byte> bytes) : owned_(std::move(bytes)) {
    data_ = owned_.data();
    size_ = owned_.size();
}

MappedFile::~MappedFile() {
    if (mapped_)
        ::munmap(const_cast<std::byte*>(data_), reserved_);
    if (fd_ >= 0)
        ::close(fd_);
}

std::string MappedFile::copyIntoMemory() {
    if (inMemory() || size_ == 0)
        return {};
    std::byte* copy = reserveAligned(reserved_);
    if (copy == nullptr || ::mprotect(copy, reserved_, PROT_READ | PROT_WRITE) != 0) {
        const std::string why = std::string("no address space or memory for a private copy: ") + std::strerror(errno);
        if (copy != nullptr)
            ::munmap(copy, reserved_);
        return why;
    }
    // Only a hint: where transparent huge pages are off the copy still gets fresh, contiguous pages.
    ::madvise(copy, reserved_, MADV_HUGEPAGE);

    auto* mapping = const_cast<std::byte*>(data_);
    constexpr size_t kChunk = kHugePage;
    for (size_t offset = 0; offset < size_; offset += kChunk) {
        const size_t length = std::min(kChunk, size_ - offset);
        size_t done = 0;
        while (done < length) {
            const ssize_t n = ::pread(fd_, copy + offset + done, length - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                const std::string why = n < 0 ? std::string("reading the file failed: ") + std::strerror(errno)
                                              : std::string("the file became shorter while it was open");
                ::munmap(copy, reserved_);
                return why;
            }
            done += static_cast<size_t>(n);
        }
        // The mapped pages of this chunk (if something read them) leave our resident set; the page
        // cache keeps them, and they come back on a touch should the copy fail further on.
        ::madvise(mapping + offset, roundUp(length, static_cast<size_t>(::getpagesize())), MADV_DONTNEED);
    }
    ::mprotect(copy, reserved_, PROT_READ);  // a stray write into the weights faults, as with the mapping
    // Atomically replaces the file mapping (and the reserved tail) by the copy, at the same address.
    if (::mremap(copy, reserved_, reserved_, MREMAP_MAYMOVE | MREMAP_FIXED, mapping) == MAP_FAILED) {
        const std::string why = std::string("moving the copy into place failed: ") + std::strerror(errno);
        ::munmap(copy, reserved_);
        return why;
    }
    copied_ = true;
    ::close(fd_);
    fd_ = -1;
    return {};
}

bool MappedFile::editInMemory(const std::function<void(std::span<std::byte>)>& edit) {
    if (!inMemory())
        return false;
    auto* bytes = const_cast<std::byte*>(data_);
    if (!copied_) {  // the vector's own bytes
        edit({bytes, size_});
        return true;
    }
    if (::mprotect(bytes, reserved_, PROT_READ | PROT_WRITE) != 0)
        return false;
    edit({bytes, size_});
    ::mprotect(bytes, reserved_, PROT_READ);
    return true;
}

size_t MappedFile::hugePageBytes() const {
    if (!copied_)
        return 0;
    // /proc/self/smaps: the mapping's header line starts with its address, then "AnonHugePages: N kB".
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        uintptr_t begin = 0, end = 0;
        if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " ", &begin, &end) == 2) {
            inside = begin == reinterpret_cast<uintptr_t>(data_);
            continue;
        }
        size_t kb = 0;
        if (inside && std::sscanf(line.c_str(), "AnonHugePages: %zu kB", &kb) == 1)
            return std::min(kb * 1024, size_);  // the mapping's rounded-up tail is no weight
    }
    return 0;
}

} // namespace lamp
