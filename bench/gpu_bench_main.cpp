// lamplight-gpu-bench: the throughput benchmark and a backend check without Qt, for a machine where
// only this program, its shared libraries and a Vulkan loader can be brought (the GPU machine some
// sessions are lent; see scripts/gpu-kit.sh and scripts/gpu-bench.sh). `lamplight-cli bench` is the
// everyday tool; this prints the same report.
//
//   lamplight-gpu-bench [-p 512] [-n 128] [-r 3] [-t T] [--backend cpu,vulkan]
//                       [--device-bandwidth GBPS] [--compare] MODEL.gguf...
#include "bench/backend_compare.h"
#include "bench/throughput.h"
#include "bench/throughput_report.h"
#include "core/error.h"
#include "engine/backend_choice.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: lamplight-gpu-bench [-p 512] [-n 128] [-r 3] [-t THREADS] [--backend cpu,vulkan]\n"
    "                           [--device-bandwidth GBPS] [--mmap] [--compare] MODEL.gguf...\n"
    "  --mmap      the CPU reads the weights from the file mapping instead of a private copy\n"
    "  --compare   first evaluate a prompt and 32 greedy tokens on the CPU and on each other\n"
    "              backend and print the logits' NMSE and how many greedy tokens agree\n";

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = list.find(',', start);
        const size_t end = comma == std::string::npos ? list.size() : comma;
        if (end > start)
            out.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

int usage(const char* problem) {
    std::fprintf(stderr, "lamplight-gpu-bench: %s\n%s", problem, kUsage);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    using namespace lamp;
    bench::ThroughputOptions o;
    std::vector<std::string> backends{"cpu"};
    std::vector<std::string> models;
    bool compare = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const bool hasValue = i + 1 < argc;
        const auto number = [&](auto& field) {
            field = static_cast<std::remove_reference_t<decltype(field)>>(std::atof(argv[++i]));
        };
        if (a == "--compare")
            compare = true;
        else if (a == "--mmap")
            o.keepMapped = true;
        else if (a == "-h" || a == "--help")
            return std::printf("%s", kUsage), 0;
        else if (!hasValue && a.starts_with("-"))
            return usage(("missing value after " + std::string(a)).c_str());
        else if (a == "-p")
            number(o.promptTokens);
        else if (a == "-n")
            number(o.generateTokens);
        else if (a == "-r")
            number(o.repeats);
        else if (a == "-t")
            number(o.threads);
        else if (a == "--device-bandwidth")
            number(o.deviceBandwidthGBs);
        else if (a == "--backend")
            backends = split(argv[++i]);
        else if (a.starts_with("-"))
            return usage(("unknown option " + std::string(a)).c_str());
        else
            models.emplace_back(a);
    }
    if (models.empty())
        return usage("no model given");
    if (o.promptTokens < 0 || o.generateTokens < 0 || o.repeats < 1 || o.threads < 0 || backends.empty())
        return usage("-p and -n must be 0 or more, -r at least 1, -t 0 (all) or more, --backend not empty");
    try {
        for (const std::string& b : backends)
            BackendRequest::parse(b);  // an unknown name fails before any work
        for (const std::string& model : models) {
            o.modelPath = model;
            if (compare) {
                for (const std::string& b : backends) {
                    if (b == "cpu")
                        continue;
                    bench::CompareOptions c;
                    c.modelPath = model;
                    c.backend = b;
                    c.threads = o.threads;
                    const bench::CompareResult r = bench::compareWithCpu(c);
                    std::printf("compare     %s vs cpu: %s%s — logits NMSE %.3g (prompt), %.3g (greedy steps); "
                                "greedy %lld/%lld tokens equal\n",
                                b.c_str(), r.backend.c_str(), r.fellBack ? " (FELL BACK: " : "",
                                r.promptNmse, r.decodeNmse, static_cast<long long>(r.greedyEqual),
                                static_cast<long long>(r.greedyTokens));
                    if (r.fellBack)
                        std::printf("            %s)\n", r.reason.c_str());
                }
            }
            std::vector<bench::ThroughputResult> results;
            for (const std::string& b : backends) {
                o.backend = b;
                results.push_back(bench::runThroughput(o));
                bench::printReport(results.back(), o);
            }
            bench::printRatios(backends, results);
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lamplight-gpu-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
