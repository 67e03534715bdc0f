// lamplight-quantize INPUT.gguf OUTPUT.gguf TYPE
//
// Writes a quantized copy of a GGUF model. TYPE is q8_0, q4_0 or q4_k_m (any case). Prints one line
// per tensor as it is converted, then the totals; errors go to stderr with exit status 1 (2 for
// wrong usage). The type rules are documented in inference/quant/model_quantizer.h.
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "quant/model_quantizer.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr const char* kUsage =
    "usage: lamplight-quantize INPUT.gguf OUTPUT.gguf TYPE\n"
    "\n"
    "Writes a quantized copy of a GGUF model.\n"
    "TYPE: q8_0    8-bit, nearly lossless (about 8.5 bits per weight)\n"
    "      q4_0    4-bit, simple blocks (about 4.5 bits per weight)\n"
    "      q4_k_m  4-bit K-quant mix with 6-bit output and sensitive layers\n";

std::string humanBytes(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.2f %s", value, units[unit]);
    return buf;
}

std::string shapeString(const std::vector<int64_t>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

int run(int argc, char** argv) {
    if (argc == 2 && (std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (argc != 4) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::filesystem::path input = argv[1];
    const std::filesystem::path output = argv[2];
    const auto target = lamp::quantTargetFromName(argv[3]);
    if (!target) {
        std::fprintf(stderr, "lamplight-quantize: unknown type '%s' (use q8_0, q4_0 or q4_k_m)\n",
                     argv[3]);
        return 2;
    }
    std::error_code ec;
    if (std::filesystem::equivalent(input, output, ec)) {
        std::fprintf(stderr,
                     "lamplight-quantize: the output %s is the input file; choose another name\n",
                     output.string().c_str());
        return 2;
    }

    const auto start = std::chrono::steady_clock::now();
    const lamp::GgufFile source = lamp::GgufFile::open(input);
    const lamp::QuantizePlan plan = lamp::planQuantization(source, *target);
    std::printf("%s: %zu tensors, %d layers -> %s\n", source.name().c_str(), plan.tensors.size(),
                plan.layerCount, std::string(lamp::quantTargetName(*target)).c_str());

    lamp::QuantizeOptions options;
    options.onTensor = [](const lamp::TensorPlan& t, size_t index, size_t count) {
        std::printf("[%4zu/%zu] %-32s %-18s %-5s -> %-5s %10s -> %10s%s%s\n", index + 1, count,
                    t.name.c_str(), shapeString(t.dims).c_str(),
                    std::string(lamp::tensorTypeName(t.oldType)).c_str(),
                    std::string(lamp::tensorTypeName(t.newType)).c_str(),
                    humanBytes(t.oldBytes).c_str(), humanBytes(t.newBytes).c_str(),
                    t.reason.empty() ? "" : "  ", t.reason.c_str());
        std::fflush(stdout);
    };
    lamp::makeQuantizedWriter(source, plan, options).write(output);

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const uint64_t inFile = source.fileSize();
    const uint64_t outFile = std::filesystem::file_size(output);
    std::printf("tensor data: %s -> %s (%.1f%%)\n", humanBytes(plan.oldBytes()).c_str(),
                humanBytes(plan.newBytes()).c_str(),
                plan.oldBytes() ? 100.0 * static_cast<double>(plan.newBytes()) /
                                      static_cast<double>(plan.oldBytes())
                                : 100.0);
    std::printf("file: %s -> %s, written to %s in %.1f s\n", humanBytes(inFile).c_str(),
                humanBytes(outFile).c_str(), output.string().c_str(), seconds);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lamplight-quantize: %s\n", e.what());
        return 1;
    }
}
