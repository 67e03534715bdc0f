// Choosing the backend (see backend_choice.h).
#include "engine/backend_choice.h"

#include "core/error.h"
#include "core/log.h"
#include "core/system_memory.h"
#include "cpu/interleave.h"
#include "gguf/model_info.h"  // humanBytes
#include "model/model.h"
#include "model/session.h"
#include "vulkan/instance.h"
#include "vulkan/vulkan_backend.h"
#include "vulkan/vulkan_error.h"

#include <charconv>
#include <vector>

namespace lamp {

BackendRequest BackendRequest::parse(std::string_view text) {
    BackendRequest r;
    if (text == "auto")
        r.kind = BackendKind::Auto;
    else if (text == "cpu")
        r.kind = BackendKind::Cpu;
    else if (text == "vulkan")
        r.kind = BackendKind::Vulkan;
    else if (text.starts_with("vulkan:")) {
        r.kind = BackendKind::Vulkan;
        const std::string_view digits = text.substr(7);
        int index = -1;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || end != digits.data() + digits.size() || index < 0)
            throw Error("backend '" + std::string(text) + "': the device after 'vulkan:' must be an index (see "
                        "lamplight-cli devices)");
        r.device = index;
    } else {
        throw Error("backend '" + std::string(text) + "' is unknown: choose auto, cpu, vulkan or vulkan:N");
    }
    return r;
}

std::string BackendChoice::summary() const { return backend->name() + " on " + backend->device(); }

namespace {

// The CPU backend streams every weight once per token: private memory in 2 MiB pages is read faster
// than page-cache pages wherever they happen to lie (core/mapped_file.h). Copied only when the file
// fits in what the system can give without swapping, with room left for the KV cache and the rest.
// In private memory, the Q4_0/Q5_0 matrices go into the layout the CPU's AVX-512 decode kernels
// read twice as fast (cpu/interleave.h); "" or what was done, for the weights line.
std::string interleave(const Model& model) {
    if (!cpu::interleavingPays())
        return "";
    const uint64_t bytes = model.interleaveForCpu();
    return bytes == 0 ? "" : "; " + humanBytes(bytes) + " of Q4_0/Q5_0 rows interleaved";
}

std::string placeWeights(const Model& model, const BackendRequest& request) {
    const GgufFile& file = model.file();
    if (file.inMemory()) {
        const std::string interleaved = interleave(model);
        return interleaved.empty() ? "in memory" : "in memory (" + interleaved.substr(2) + ")";
    }
    if (request.keepMapped)
        return "mapped from the file (asked for)";
    const uint64_t size = file.fileSize();
    const uint64_t headroom = size / 10 + (uint64_t{512} << 20);
    if (const auto available = availableMemoryBytes(); available && size + headroom > *available)
        return "mapped from the file (" + humanBytes(*available) + " of memory free, a private copy needs " +
               humanBytes(size + headroom) + ")";
    if (std::string why = file.copyIntoMemory(); !why.empty())
        return "mapped from the file (" + why + ")";
    const uint64_t huge = file.hugePageBytes();
    return "in memory (" + humanBytes(size) + (huge >= size / 2 ? ", 2 MiB pages" : ", 4 KiB pages") +
           interleave(model) + ")";
}

} // namespace

BackendChoice chooseBackend(const Model& model, const BackendRequest& request) {
    const auto logger = log::get("engine");
    BackendChoice choice;
    const auto onCpu = [&](std::string reason, bool fellBack) {
        choice.backend = cpuBackend();
        choice.reason = std::move(reason);
        choice.fellBack = fellBack;
        if (fellBack)
            logger->warn("{} — running on CPU", choice.reason);
        choice.weights = placeWeights(model, request);
        logger->info("CPU weights: {}", choice.weights);
        return choice;
    };
    if (request.kind == BackendKind::Cpu)
        return onCpu("asked for", false);

    const bool asked = request.kind == BackendKind::Vulkan;
    std::shared_ptr<vulkan::Instance> instance = request.instance;
    std::vector<int> candidates;
    try {
        if (!instance)
            instance = vulkan::Instance::create();
        if (request.device)
            candidates.push_back(instance->select(request.device).index);  // VulkanError when unusable
        else
            candidates = vulkan::devicePreference(instance->devices());
        if (candidates.empty())
            instance->select(std::nullopt);  // throws the "no device" reason
    } catch (const BackendUnavailable& e) {
        return onCpu(e.what(), asked);
    }
    // Auto: the preferred devices in turn, until one holds the model.
    std::string firstFailure;
    for (const int index : candidates) {
        const vulkan::DeviceInfo& device = instance->devices()[static_cast<size_t>(index)];
        // A software renderer (lavapipe) runs the same arithmetic on the same cores as our CPU
        // backend, only slower: Auto never picks it; --backend vulkan does.
        if (!asked && !request.device && device.type == vulkan::DeviceType::Cpu) {
            if (firstFailure.empty())
                return onCpu("auto: the only Vulkan device is the software renderer " + device.name +
                                 "; the CPU backend is faster (--backend vulkan runs on it anyway)",
                             false);
            break;
        }
        try {
            vulkan::BackendOptions options;
            options.instance = instance;
            options.device = index;
            options.memoryLimit = request.memoryLimit;
            options.pipelineCache = request.pipelineCache;
            options.contextLength = Session::contextFor(model, request.contextLength);
            options.progress = request.progress;
            choice.backend = vulkan::makeBackend(model, options);
            choice.reason = asked ? "asked for" : "auto: the fastest device that holds the model";
            logger->info("backend: {} ({})", choice.summary(), choice.reason);
            return choice;
        } catch (const BackendUnavailable& e) {
            logger->info("{}", e.what());
            if (firstFailure.empty())
                firstFailure = e.what();
        }
    }
    return onCpu(firstFailure, true);
}

} // namespace lamp
