// One named spdlog logger per subsystem ("gguf", "tokenizer", "quant", "cpu", "vulkan", "engine",
// "app"). Loggers write to stderr; the level comes from LAMPLIGHT_LOG (trace, debug, info, warn,
// error, off; default warn) or from setLogLevel().
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace lamp::log {

// The logger for a subsystem, created on first use. Thread-safe.
std::shared_ptr<spdlog::logger> get(std::string_view subsystem);

// Sets the level of every existing and future logger.
void setLevel(spdlog::level::level_enum level);

} // namespace lamp::log
