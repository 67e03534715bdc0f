// Options shared by the commands that run a model: -m MODEL, --ctx, --threads, --backend.
#pragma once

#include "cli/cli.h"

#include "engine/backend_choice.h"
#include "sampling/sampler.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace lamp {
class Model;
struct SessionOptions;
class Session;
}

namespace lamp::cli {

struct ModelOptions {
    std::string path;
    int64_t contextLength = 0;  // 0: the model's own, capped (see SessionOptions)
    int threads = 0;            // 0: every hardware thread
    std::string backend = "auto";  // auto, cpu, vulkan
    std::optional<int> device;     // --device INDEX (a Vulkan device, see `lamplight-cli devices`)
    bool keepMapped = false;       // --mmap (BackendRequest::keepMapped)

    // Reads -m/--model, -c/--ctx, -t/--threads, --backend, --device, --mmap. UsageError when the model is
    // missing or the backend is unknown.
    static ModelOptions parse(Args& args);
    // Loads the model, chooses the backend and says on stderr which one runs, on what, and why.
    std::unique_ptr<Model> load() const;
    // Session options for the model load() returned, on the backend it chose.
    SessionOptions session() const;
    const BackendChoice& backendChoice() const { return choice_; }

private:
    mutable BackendChoice choice_;
};

// Says on stderr when `session` left its backend for the CPU (at creation or mid-run) and why.
void reportFallback(const Session& session);

// Where the Vulkan pipeline cache lives: $LAMPLIGHT_CACHE_DIR, else the user's cache folder
// (~/.cache/lamplight), + vulkan-pipelines.bin.
std::filesystem::path pipelineCachePath();

// Reads the sampling options (--temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n,
// --frequency-penalty, --presence-penalty, --seed; a random seed when none is given).
SamplingParams samplingFrom(Args& args);

} // namespace lamp::cli
