#include "cli/model_options.h"

#include "model/model.h"
#include "model/session.h"

#include <cstdio>

namespace lamp::cli {

ModelOptions ModelOptions::parse(Args& args) {
    ModelOptions o;
    const auto path = args.value({"-m", "--model"});
    if (!path)
        throw UsageError("-m MODEL.gguf is required");
    o.path = *path;
    o.contextLength = args.integer({"-c", "--ctx"}).value_or(0);
    if (o.contextLength < 0)
        throw UsageError("--ctx must be 0 (the model's own) or more");
    const auto threads = args.integer({"-t", "--threads"}).value_or(0);
    if (threads < 0 || threads > 1024)
        throw UsageError("--threads must be between 0 (all) and 1024");
    o.threads = static_cast<int>(threads);
    o.backend = args.value({"--backend"}).value_or("auto");
    if (o.backend != "auto" && o.backend != "cpu" && o.backend != "vulkan")
        throw UsageError("--backend takes auto, cpu or vulkan, not '" + o.backend + "'");
    return o;
}

std::unique_ptr<Model> ModelOptions::load() const {
    if (backend == "vulkan")
        throw Error("the Vulkan backend is not built yet; use --backend cpu (or auto)");
    auto model = Model::load(path);
    // Which backend runs, and why: until the Vulkan backend exists, auto means the CPU.
    std::fprintf(stderr, "backend: cpu (%s)\n",
                 backend == "cpu" ? "chosen with --backend cpu" : "auto: no GPU backend in this build");
    return model;
}

SessionOptions ModelOptions::session() const {
    SessionOptions s;
    s.contextLength = contextLength;
    s.threads = threads;
    return s;
}

} // namespace lamp::cli
