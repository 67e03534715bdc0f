#include "cli/model_options.h"

#include "model/model.h"
#include "model/session.h"

#include <QStandardPaths>

#include <cstdio>
#include <cstdlib>

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
    if (const auto device = args.integer({"--device"})) {
        if (*device < 0 || *device > 64)
            throw UsageError("--device takes a device index (see lamplight-cli devices)");
        if (o.backend == "cpu")
            throw UsageError("--device names a Vulkan device: it does not go with --backend cpu");
        o.device = static_cast<int>(*device);
    }
    o.keepMapped = args.flag("--mmap");
    return o;
}

std::filesystem::path pipelineCachePath() {
    if (const char* dir = std::getenv("LAMPLIGHT_CACHE_DIR"); dir != nullptr && *dir != '\0')
        return std::filesystem::path(dir) / "vulkan-pipelines.bin";
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    return std::filesystem::path(base.toStdString()) / "lamplight" / "vulkan-pipelines.bin";
}

std::unique_ptr<Model> ModelOptions::load() const {
    auto model = Model::load(path);
    BackendRequest request = BackendRequest::parse(backend);
    request.device = device;
    request.contextLength = contextLength;
    request.pipelineCache = pipelineCachePath();
    request.keepMapped = keepMapped;
    choice_ = chooseBackend(*model, request);
    std::fprintf(stderr, "backend: %s (%s)\n", choice_.summary().c_str(), choice_.reason.c_str());
    if (!choice_.weights.empty())
        std::fprintf(stderr, "weights: %s\n", choice_.weights.c_str());
    return model;
}

void reportFallback(const Session& session) {
    if (!session.fallbackReason().empty())
        std::fprintf(stderr, "backend: fell back to cpu (%s)\n", session.fallbackReason().c_str());
}

SessionOptions ModelOptions::session() const {
    SessionOptions s;
    s.contextLength = contextLength;
    s.threads = threads;
    s.backend = choice_.backend;
    return s;
}

} // namespace lamp::cli
