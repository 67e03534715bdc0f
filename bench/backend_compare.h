// A first check of a backend on a new machine (Qt-free, for lamplight-gpu-bench): the same prompt
// evaluated on the CPU and on another backend, every row of logits compared by NMSE, then greedy
// continuations from both compared token by token. What the ctest parity suites check on lavapipe,
// run where those suites cannot (a GPU machine without Qt).
#pragma once

#include <cstdint>
#include <string>

namespace lamp::bench {

struct CompareOptions {
    std::string modelPath;
    std::string backend = "vulkan";  // compared with the CPU
    int64_t promptTokens = 64;
    int64_t greedyTokens = 32;
    int threads = 0;  // the CPU session's
};

struct CompareResult {
    std::string backend;          // what ran (BackendChoice::summary)
    std::string reason;           // why, or the fallback reason
    bool fellBack = false;        // the backend could not run: the figures compare CPU with CPU
    double promptNmse = 0;        // all prompt rows: Σ(other − cpu)² / Σcpu²
    double decodeNmse = 0;        // the logits after each greedy step, over all steps
    int64_t greedyEqual = 0;      // leading tokens of the two greedy continuations that agree
    int64_t greedyTokens = 0;
};

// Throws lamp::Error for an unusable model.
CompareResult compareWithCpu(const CompareOptions& options);

} // namespace lamp::bench
