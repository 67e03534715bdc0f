// `lamplight-cli bench -m MODEL [-p 512] [-n 128] [-t THREADS] [-r REPEATS] [-b BATCH] [--backend cpu,vulkan]
// [--device-bandwidth GBPS] [--mmap] [--json]`: prompt processing and generation speed, peak memory, and
// generation's share of the memory bandwidth, for each backend named, with their ratio.
// The measuring code lives in bench/throughput.cpp.
#include "cli/model_options.h"

#include "bench/throughput.h"
#include "bench/throughput_report.h"

#include <QJsonArray>
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

// One backend's result: a JSON line, or the text report.
void report(const bench::ThroughputResult& r, const bench::ThroughputOptions& o, bool json) {
    if (json) {
        QJsonObject obj{{"model", QString::fromStdString(r.model)},
                        {"backend", QString::fromStdString(r.backend)},
                        {"backend_reason", QString::fromStdString(r.backendReason)},
                        {"weights", QString::fromStdString(r.weights)},
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
        if (!r.bandwidthReadings.empty()) {
            obj.insert("bandwidth_before", readingJson(r.bandwidthReadings.front()));
            obj.insert("bandwidth_after", readingJson(r.bandwidthReadings.back()));
            QJsonArray runs;
            for (size_t i = 0; i < r.tgRuns.size(); ++i)
                runs.append(QJsonObject{{"tg_tokens_per_s", r.tgRuns[i]},
                                        {"bandwidth_bytes_per_s", r.bandwidthAround(i)}});
            obj.insert("tg_runs", runs);
            obj.insert("last_level_cache_bytes", static_cast<double>(r.lastLevelCacheBytes));
            obj.insert("bandwidth_from_cache", r.bandwidthFromCache);
        }
        const QByteArray line = QJsonDocument(obj).toJson(QJsonDocument::Compact);
        std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
        std::fputc('\n', stdout);
        return;
    }
    bench::printReport(r, o);
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
    o.keepMapped = args.flag("--mmap");
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
    if (!json) {
        std::vector<std::string> names;
        for (const QString& b : backends)
            names.push_back(b.toStdString());
        bench::printRatios(names, results);
    }
    return 0;
}

} // namespace lamp::cli
