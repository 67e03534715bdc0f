// The throughput benchmark behind `lamplight-cli bench`, in the manner of llama-bench: prompt
// processing (pp: a batch of prompt tokens from position 0) and text generation (tg: one token at a
// time after one token of context), tokens per second, peak resident memory, and the machine's
// memory bandwidth with the fraction of it that generation reaches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lamp::cpu {
class ThreadPool;
}

namespace lamp::bench {

struct ThroughputOptions {
    std::string modelPath;
    int64_t promptTokens = 512;    // -p; 0 skips prompt processing
    int64_t generateTokens = 128;  // -n; 0 skips generation
    int threads = 0;               // -t; 0: every hardware thread
    int repeats = 3;               // -r; the mean and spread are reported
    int64_t batchSize = 0;         // -b: prompt tokens per forward call; 0: the session's default
    int bandwidthPasses = 9;       // passes of each bandwidth reading (min/median/max reported)
    std::string backend = "cpu";   // --backend: auto, cpu, vulkan or vulkan:N (engine/backend_choice.h)
    bool keepMapped = false;       // --mmap: the CPU reads the weights from the file mapping, not a copy
    double deviceBandwidthGBs = 0;  // --device-bandwidth: the GPU's memory bandwidth (from its data
                                    // sheet), for the fraction a Vulkan run reaches; 0: not reported
};

// One reading of the read bandwidth: `passes` timed passes over the same bytes.
struct BandwidthReading {
    double minBytesPerSecond = 0, medianBytesPerSecond = 0, maxBytesPerSecond = 0;
    int passes = 0;
    uint64_t bytes = 0;  // read per pass
    std::vector<double> samples;  // bytes per second of every pass, in order
};

struct ThroughputResult {
    std::string model;
    std::string backend = "cpu";       // what ran: "vulkan on NVIDIA ... (discrete, device 0)"
    std::string backendReason;         // why (the fallback reason when Vulkan could not run)
    bool onGpu = false;                // a Vulkan device ran it (the bandwidth is the device's)
    std::string weights;               // CPU: where the weights are read from (BackendChoice::weights)
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
    // CPU: the bandwidth around the timed generation runs, with the same thread count: a reading
    // before the first run and one after every run, each run measured against the mean of the
    // medians of the two readings around it (bandwidthAround); this is their mean. GPU: as given.
    double bandwidthBytesPerSecond = 0;
    std::vector<BandwidthReading> bandwidthReadings;  // CPU: runs + 1 of them; empty on a GPU or with -n 0
    std::vector<double> tgRuns;                        // tokens/s of each timed generation run
    // The bandwidth generation run `run` had: the mean of the medians of the readings around it.
    double bandwidthAround(size_t run) const {
        return (bandwidthReadings[run].medianBytesPerSecond + bandwidthReadings[run + 1].medianBytesPerSecond) / 2;
    }
    uint64_t lastLevelCacheBytes = 0;  // from sysfs; 0 when unknown
    // The bytes the probe read were not far larger than the last-level cache (a tiny model):
    // generation and the probe then both run from the cache.
    bool bandwidthFromCache = false;
    // weightBytesPerToken × tg/s ÷ bandwidth: on the CPU the mean over the runs of each run's
    // share of the bandwidth around it. (This host's bandwidth moved between 30 and 75 GB/s from
    // minute to minute: one median over readings before and after all runs made the share swing
    // with whichever run met the slow minute.)
    double tgBandwidthFraction = 0;
};

// n token ids spread over the vocabulary, the same every run (what the benchmark evaluates).
std::vector<int32_t> benchTokens(int64_t n, int64_t vocab);

// Runs the benchmark; progress goes to stderr. Throws lamp::Error for an unusable model.
ThroughputResult runThroughput(const ThroughputOptions& options);

// The size of the largest data cache of CPU 0 (the last-level cache) from sysfs, or 0 when unknown.
// sysfs, not sysconf(_SC_LEVEL3_CACHE_SIZE): glibc derives that from CPUID, which on the
// development VM gives 512 MiB where sysfs and lscpu give the 32 MiB L3.
uint64_t lastLevelCacheBytes();

// Read bandwidth: the threads of `pool` sum 64-bit words of `regions` (read-only, in order, each
// thread a contiguous share as a matrix product splits its rows), `passes` times; every pass timed
// alone. The benchmark passes the model's weight matrices: the very pages generation streams.
BandwidthReading measureReadBandwidth(cpu::ThreadPool& pool, std::span<const std::span<const std::byte>> regions,
                                      int passes);

} // namespace lamp::bench
