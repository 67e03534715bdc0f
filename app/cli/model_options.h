// Options shared by the commands that run a model: -m MODEL, --ctx, --threads, --backend.
#pragma once

#include "cli/cli.h"

#include "sampling/sampler.h"

#include <memory>
#include <string>

namespace lamp {
class Model;
struct SessionOptions;
}

namespace lamp::cli {

struct ModelOptions {
    std::string path;
    int64_t contextLength = 0;  // 0: the model's own, capped (see SessionOptions)
    int threads = 0;            // 0: every hardware thread
    std::string backend = "auto";

    // Reads -m/--model, -c/--ctx, -t/--threads, --backend. UsageError when the model is missing or
    // the backend is unknown.
    static ModelOptions parse(Args& args);
    // Loads the model (and says on stderr which backend runs and why).
    std::unique_ptr<Model> load() const;
    SessionOptions session() const;
};

// Reads the sampling options (--temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n,
// --frequency-penalty, --presence-penalty, --seed; a random seed when none is given).
SamplingParams samplingFrom(Args& args);

} // namespace lamp::cli
