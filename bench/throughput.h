// The throughput benchmark behind `lamplight-cli bench`, in the manner of llama-bench: prompt
// processing (pp: a batch of prompt tokens from position 0) and text generation (tg: one token at a
// time after one token of context), tokens per second, peak resident memory, and the machine's
// memory bandwidth with the fraction of it that generation reaches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lamp::bench {

struct ThroughputOptions {
    std::string modelPath;
    int64_t promptTokens = 512;    // -p; 0 skips prompt processing
    int64_t generateTokens = 128;  // -n; 0 skips generation
    int threads = 0;               // -t; 0: every hardware thread
    int repeats = 3;               // -r; the mean and spread are reported
    size_t bandwidthBytes = size_t{1} << 30;  // buffer of the bandwidth measurement (tests: small)
    std::string backend = "cpu";   // --backend: auto, cpu, vulkan or vulkan:N (engine/backend_choice.h)
    double deviceBandwidthGBs = 0;  // --device-bandwidth: the GPU's memory bandwidth (from its data
                                    // sheet), for the fraction a Vulkan run reaches; 0: not reported
};

struct ThroughputResult {
    std::string model;
    std::string backend = "cpu";       // what ran: "vulkan on NVIDIA ... (discrete, device 0)"
    std::string backendReason;         // why (the fallback reason when Vulkan could not run)
    bool onGpu = false;                // a Vulkan device ran it (the bandwidth is the device's)
    int threads = 0;
    uint64_t modelBytes = 0;
    uint64_t parameters = 0;
    uint64_t weightBytesPerToken = 0;  // weight bytes a generated token reads (every matrix once)
    double ppTokensPerSecond = 0, ppStddev = 0;
    double tgTokensPerSecond = 0, tgStddev = 0;
    uint64_t kvCacheBytes = 0;         // the session's KV cache (context = max(-p, -n + 1))
    uint64_t peakRssBytes = 0;         // over the whole run (prompt processing included)
    // Resident memory should stay within the mapped file plus the KV cache plus 10%.
    uint64_t memoryLimitBytes() const { return (modelBytes + kvCacheBytes) * 11 / 10; }
    double bandwidthBytesPerSecond = 0;  // CPU: measured in the same run, same threads; GPU: as given
    double tgBandwidthFraction = 0;      // weightBytesPerToken × tg/s ÷ bandwidth
};

// Runs the benchmark; progress goes to stderr. Throws lamp::Error for an unusable model.
ThroughputResult runThroughput(const ThroughputOptions& options);

// Read bandwidth of main memory: threads summing a buffer far larger than the caches, best of a
// few passes, in bytes per second.
double measureReadBandwidth(int threads, size_t bytes = size_t{1} << 30);

} // namespace lamp::bench
