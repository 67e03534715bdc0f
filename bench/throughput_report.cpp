#include "bench/throughput_report.h"

#include "gguf/model_info.h"  // humanBytes, humanCount

#include <cstdio>
#include <string>

namespace lamp::bench {
namespace {

void printReading(const char* when, const BandwidthReading& b) {
    std::printf("bandwidth   %s: %.1f / %.1f / %.1f GB/s (min / median / max of %d passes over %s)\n", when,
                b.minBytesPerSecond / 1e9, b.medianBytesPerSecond / 1e9, b.maxBytesPerSecond / 1e9, b.passes,
                humanBytes(b.bytes).c_str());
}

} // namespace

void printReport(const ThroughputResult& r, const ThroughputOptions& o) {
    std::printf("model       %s (%s, %s parameters)\n", r.model.c_str(), humanBytes(r.modelBytes).c_str(),
                humanCount(r.parameters).c_str());
    std::printf("backend     %s, %d threads (%s)\n", r.backend.c_str(), r.threads, r.backendReason.c_str());
    if (!r.weights.empty())
        std::printf("weights     %s\n", r.weights.c_str());
    if (o.promptTokens > 0)
        std::printf("pp%-8lld %10.2f ± %.2f tokens/s\n", static_cast<long long>(o.promptTokens), r.ppTokensPerSecond,
                    r.ppStddev);
    if (o.generateTokens > 0 && r.bandwidthBytesPerSecond > 0)
        std::printf("tg%-8lld %10.2f ± %.2f tokens/s  (%s of weights per token: %.1f%% of the %.1f GB/s %s)\n",
                    static_cast<long long>(o.generateTokens), r.tgTokensPerSecond, r.tgStddev,
                    humanBytes(r.weightBytesPerToken).c_str(), 100.0 * r.tgBandwidthFraction,
                    r.bandwidthBytesPerSecond / 1e9,
                    r.onGpu ? "given for the device" : "measured around each run (readings below)");
    else if (o.generateTokens > 0)
        std::printf("tg%-8lld %10.2f ± %.2f tokens/s  (%s of weights per token; --device-bandwidth GBPS gives the "
                    "share of the GPU's bandwidth)\n",
                    static_cast<long long>(o.generateTokens), r.tgTokensPerSecond, r.tgStddev,
                    humanBytes(r.weightBytesPerToken).c_str());
    for (size_t i = 0; i < r.bandwidthReadings.size(); ++i) {
        const std::string when = i == 0 ? "before tg" : "after " + std::to_string(i) + "  ";
        printReading(when.c_str(), r.bandwidthReadings[i]);
        if (i > 0 && i - 1 < r.tgRuns.size())
            std::printf("  tg run %zu  %10.2f tokens/s: %.1f%% of %.1f GB/s (the mean of the medians around it)\n", i,
                        r.tgRuns[i - 1], 100.0 * static_cast<double>(r.weightBytesPerToken) * r.tgRuns[i - 1] /
                                             r.bandwidthAround(i - 1),
                        r.bandwidthAround(i - 1) / 1e9);
    }
    std::printf("peak memory %s resident (limit: file + %s KV cache + 10%% = %s)\n",
                humanBytes(r.peakRssBytes).c_str(), humanBytes(r.kvCacheBytes).c_str(),
                humanBytes(r.memoryLimitBytes()).c_str());
}

void printRatios(const std::vector<std::string>& backends, const std::vector<ThroughputResult>& results) {
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    for (size_t i = 1; i < results.size() && i < backends.size(); ++i)
        std::printf("%s / %s: pp %.3gx, tg %.3gx\n", backends[i].c_str(), backends[0].c_str(),
                    ratio(results[i].ppTokensPerSecond, results[0].ppTokensPerSecond),
                    ratio(results[i].tgTokensPerSecond, results[0].tgTokensPerSecond));
}

} // namespace lamp::bench
