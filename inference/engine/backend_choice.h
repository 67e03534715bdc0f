// Which backend runs a model, and why. The user asks for auto, cpu or vulkan (and optionally a
// device); the answer is a Backend to give sessions plus a sentence for the status bar / stderr.
// Every way Vulkan can fail (no loader, no device, a device or pipeline that cannot be created, a
// shape or format without a kernel, not enough device memory) ends on the CPU with the reason.
#pragma once

#include "model/executor.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lamp {

class Model;

namespace vulkan {
class Instance;
}

enum class BackendKind : uint8_t { Auto, Cpu, Vulkan };

struct BackendRequest {
    BackendKind kind = BackendKind::Auto;
    std::optional<int> device;  // a Vulkan device index (lamplight-cli devices); nullopt: the best
    int64_t contextLength = 0;  // the context sessions will use (0: the model's default), for the memory check
    std::optional<std::filesystem::path> pipelineCache;  // the Vulkan pipeline cache file
    std::shared_ptr<vulkan::Instance> instance;           // tests: a prepared instance
    std::optional<uint64_t> memoryLimit;                  // tests: pretend the device has this much
    std::function<void(uint64_t done, uint64_t total)> progress;  // weight bytes uploaded
    // On the CPU the weights move from the file mapping into private memory, where generation reads
    // them faster (GgufFile::copyIntoMemory), if free memory allows; true keeps them mapped (a model
    // near the size of free memory that should page, or several processes sharing one file).
    bool keepMapped = false;

    // "auto", "cpu", "vulkan" or "vulkan:N" (the device). Error for anything else.
    static BackendRequest parse(std::string_view text);
};

struct BackendChoice {
    std::shared_ptr<const Backend> backend;
    std::string reason;     // why this one: "auto: ...", "asked for", or the fallback reason
    bool fellBack = false;  // Vulkan was asked for (or auto tried it) and could not run
    // CPU: where the weights are read from: "in memory (1.0 GiB, 2 MiB pages)" (with "; 165 MiB of
    // Q4_0/Q5_0 rows interleaved" where those took the CPU's faster layout) or "mapped from the
    // file (why)". Empty for a GPU backend (the weights live on the device).
    std::string weights;

    // "vulkan on NVIDIA GeForce RTX 4070 (discrete, device 0)" / "cpu on CPU (avx512)".
    std::string summary() const;
};

BackendChoice chooseBackend(const Model& model, const BackendRequest& request);

} // namespace lamp
