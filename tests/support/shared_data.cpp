#include "support/shared_data.h"

#include <cstdlib>
#include <cstring>

namespace lamp::test {

std::optional<std::filesystem::path> sharedDir() {
    const char* env = std::getenv("LAMPLIGHT_SHARED_DIR");
    std::filesystem::path dir = (env != nullptr && *env != '\0') ? env : LAMP_SHARED_DIR;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "models", ec))
        return std::nullopt;
    return std::filesystem::weakly_canonical(dir, ec);
}

bool inCi() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && (std::strcmp(ci, "true") == 0 || std::strcmp(ci, "1") == 0);
}

} // namespace lamp::test
