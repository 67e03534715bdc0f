#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace lamp::log {
namespace {

std::mutex& registryMutex() {
    static std::mutex m;
    return m;
}

spdlog::level::level_enum& currentLevel() {
    static spdlog::level::level_enum level = [] {
        const char* env = std::getenv("LAMPLIGHT_LOG");
        if (env == nullptr || *env == '\0')
            return spdlog::level::warn;
        return spdlog::level::from_str(env);
    }();
    return level;
}

} // namespace

std::shared_ptr<spdlog::logger> get(std::string_view subsystem) {
    std::lock_guard lock(registryMutex());
    const std::string name(subsystem);
    if (auto existing = spdlog::get(name))
        return existing;
    auto logger = spdlog::stderr_color_mt(name);
    logger->set_level(currentLevel());
    logger->set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
    return logger;
}

void setLevel(spdlog::level::level_enum level) {
    std::lock_guard lock(registryMutex());
    currentLevel() = level;
    spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

} // namespace lamp::log
