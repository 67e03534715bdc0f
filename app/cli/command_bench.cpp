// `lamplight-cli bench -m MODEL [-p 512] [-n 128] [-t THREADS] [-r REPEATS] [-b BATCH] [--backend cpu,vulkan]
// [--device-bandwidth GBPS] [--json]`: prompt processing and generation speed, peak memory, and
// generation's share of the memory bandwidth, for each backend named, with their ratio.
// The measuring code lives in bench/throughput.cpp.
#include "cli/model_options.h"

#include "bench/throughput.h"
#include "gguf/model_info.h"

#include <QJsonObject>
#include <QStringList>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace lamp::cli {

namespace {

// A bandwidth reading for --json: bytes per second, the bytes one pass reads.
QJsonObject readingJson(const bench::BandwidthReading& b) {
    return QJsonObject{{"min", b.minBytesPerSecond},   {"median", b.medianBytesPerSecond},
                       {"max", b.maxBytesPerSecond},   {"passes", b.passes},
                       {"bytes", static_cast<double>(b.bytes)}};
}

// "min / median / max" of a reading, in GB/s.
void printReading(const char* when, const bench::BandwidthReading& b) {
    std::printf("bandwidth   %s: %.1f / %.1f / %.1f GB/s (min / median / max of %d passes over %s)\n", when,
                b.minBytesPerSecond / 1e9, b.medianBytesPerSecond / 1e9, b.maxBytesPerSecond / 1e9, b.passes,
                humanBytes(b.bytes).c_str());
}

void report(const bench::ThroughputResult& r, const bench::ThroughputOptions& o, bool json) {
    if (json) {
        QJsonObject obj{{"model", QString::fromStdString(r.model)},
                        {"backend", QString::fromStdString(r.backend)},
                        {"backend_reason", QString::fromStdString(r.backendReason)},
                        {"threads", r.threads},
                        {"model_bytes", static_cast<double>(r.modelBytes)},
                        {"parameters", static_cast<double>(r.parameters)},
                        {"n_prompt", static_cast<double>(o.promptTokens)},
                        {"n_gen", static_cast<double>(o.generateTokens)},
                        {"pp_tokens_per_s", r.ppTokensPerSecond},
                        {"pp_stddev", r.ppStddev},
                        {"tg_tokens_per_s", r.tgTokensPerSecond},
                        {"tg_stddev", r.tgStddev},
                        {"peak_rss_bytes", static_cast<double>(r.peakRssBytes)},
                        {"kv_cache_bytes", static_cast<double>(r.kvCacheBytes)},
                        {"bandwidth_bytes_per_s", r.bandwidthBytesPerSecond},
                        {"weight_bytes_per_token", static_cast<double>(r.weightBytesPerToken)},
                        {"tg_bandwidth_fraction", r.tgBandwidthFraction}};
        if (r.bandwidthBefore.passes > 0) {
            obj.insert("bandwidth_before", readingJson(r.bandwidthBefore));
            obj.insert("bandwidth_after", readingJson(r.bandwidthAfter));
            obj.insert("last_level_cache_bytes", static_cast<double>(r.lastLevelCacheBytes));
            obj.insert("bandwidth_from_cache", r.bandwidthFromCache);
        }
        const QByteArray line = QJsonDocument(obj).toJson(QJsonDocument::Compact);
        std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
        std::fputc('\n', stdout);
        return;
    }
    std::printf("model       %s (%s, %s parameters)\n", r.model.c_str(), humanBytes(r.modelBytes).c_str(),
                humanCount(r.parameters).c_str());
    std::printf("backend     %s, %d threads (%s)\n", r.backend.c_str(), r.threads, r.backendReason.c_str());
    if (o.promptTokens > 0)
        std::printf("pp%-8lld %10.2f ± %.2f tokens/s\n", static_cast<long long>(o.promptTokens), r.ppTokensPerSecond,
                    r.ppStddev);
    if (o.generateTokens > 0 && r.bandwidthBytesPerSecond > 0)
        std::printf("tg%-8lld %10.2f ± %.2f tokens/s  (%s of weights per token: %.1f%% of the %.1f GB/s %s)\n",
                    static_cast<long long>(o.generateTokens), r.tgTokensPerSecond, r.tgStddev,
                    humanBytes(r.weightBytesPerToken).c_str(), 100.0 * r.tgBandwidthFraction,
                    r.bandwidthBytesPerSecond / 1e9,
                    r.onGpu ? "given for the device" : "measured (median of the passes below)");
    else if (o.generateTokens > 0)
        std::printf("tg%-8lld %10.2f ± %.2f tokens/s  (%s of weights per token; --device-bandwidth GBPS gives the "
                    "share of the GPU's bandwidth)\n",
                    static_cast<long long>(o.generateTokens), r.tgTokensPerSecond, r.tgStddev,
                    humanBytes(r.weightBytesPerToken).c_str());
    if (r.bandwidthBefore.passes > 0) {
        printReading("before tg", r.bandwidthBefore);
        printReading("after tg ", r.bandwidthAfter);
    }
    std::printf("peak memory %s resident (limit: file + %s KV cache + 10%% = %s)\n",
                humanBytes(r.peakRssBytes).c_str(), humanBytes(r.kvCacheBytes).c_str(),
                humanBytes(r.memoryLimitBytes()).c_str());
}

} // namespace

int runBench(Args& args) {
    bench::ThroughputOptions o;
    const auto model = args.value({"-m", "--model"});
    if (!model)
        throw UsageError("-m MODEL.gguf is required");
    o.modelPath = *model;
    o.promptTokens = args.integer({"-p", "--n-prompt"}).value_or(512);
    o.generateTokens = args.integer({"-n", "--n-gen"}).value_or(128);
    o.threads = static_cast<int>(args.integer({"-t", "--threads"}).value_or(0));
    o.repeats = static_cast<int>(args.integer({"-r", "--repetitions"}).value_or(3));
    o.batchSize = args.integer({"-b", "--batch-size"}).value_or(0);
    // Several backends (--backend cpu,vulkan) run one after another on the same model.
    const QStringList backends = QString::fromStdString(args.value({"--backend"}).value_or("cpu")).split(QLatin1Char(','));
    const auto deviceBandwidth = args.value({"--device-bandwidth"});
    o.deviceBandwidthGBs = deviceBandwidth ? std::atof(deviceBandwidth->c_str()) : 0.0;
    const bool json = args.flag("--json");
    if (!args.positionals().empty())
        throw UsageError("bench takes no positional arguments");
    if (o.promptTokens < 0 || o.generateTokens < 0 || o.threads < 0 || o.repeats < 1 || o.batchSize < 0)
        throw UsageError("-p and -n must be 0 or more, -t 0 (all) or more, -r at least 1, -b 0 (the default) or more");
    for (const QString& b : backends)
        BackendRequest::parse(b.toStdString());  // an unknown name fails before any work

    std::vector<bench::ThroughputResult> results;
    for (const QString& b : backends) {
        o.backend = b.toStdString();
        results.push_back(bench::runThroughput(o));
        report(results.back(), o, json);
    }
    // Each further backend against the first, in one run on one model.
    for (size_t i = 1; i < results.size() && !json; ++i) {
        const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
        std::printf("%s / %s: pp %.3gx, tg %.3gx\n", backends[static_cast<qsizetype>(i)].toUtf8().constData(),
                    backends[0].toUtf8().constData(), ratio(results[i].ppTokensPerSecond, results[0].ppTokensPerSecond),
                    ratio(results[i].tgTokensPerSecond, results[0].tgTokensPerSecond));
    }
    return 0;
}

} // namespace lamp::cli
