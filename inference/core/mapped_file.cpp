#include "core/mapped_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lamp {
namespace {

// Closes a file descriptor on every path out of the constructor.
struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0)
            ::close(fd);
    }
};

std::string systemError(const std::filesystem::path& path, const char* what) {
    return path.string() + ": " + what + ": " + std::strerror(errno);
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
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (p == MAP_FAILED)
        throw Error(systemError(path, "cannot map"));
    data_ = static_cast<const std::byte*>(p);
    mapped_ = true;
}

MappedFile::MappedFile(std::vector<std::byte> bytes) : owned_(std::move(bytes)) {
    data_ = owned_.data();
    size_ = owned_.size();
}

MappedFile::~MappedFile() {
    if (mapped_)
        ::munmap(const_cast<std::byte*>(data_), size_);
}

} // namespace lamp
