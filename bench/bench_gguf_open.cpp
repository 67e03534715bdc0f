// Opening a model file costs milliseconds however large it is: the file is mapped, not read.
// Writes a TinyLlama-shaped F16 model (~2.2 GB, 22 layers, 32,000-token vocabulary) once into the
// build folder, then times GgufFile::open and a metadata read, and shows that the resident memory
// grows by about the metadata, not by the tensor bytes.
//   bench_gguf_open [PATH]     PATH: where to keep the generated model (default: ./bench-model.gguf)
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf/model_info.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace lamp;
using Clock = std::chrono::steady_clock;

namespace {

// Resident set size in bytes, from /proc.
uint64_t residentBytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * 4096;
}

void writeModel(const std::filesystem::path& path) {
    constexpr int64_t width = 2048, layers = 22, ffn = 5632, vocab = 32000, kv = 256;
    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    w.set("general.name", std::string("bench TinyLlama-shaped F16"));
    w.set("llama.context_length", uint32_t{2048});
    w.set("llama.embedding_length", uint32_t{width});
    w.set("llama.block_count", uint32_t{layers});
    w.set("llama.feed_forward_length", uint32_t{ffn});
    w.set("llama.attention.head_count", uint32_t{32});
    w.set("llama.attention.head_count_kv", uint32_t{4});
    std::vector<std::string> tokens;
    std::vector<float> scores;
    for (int i = 0; i < vocab; ++i) {
        tokens.push_back("▁token" + std::to_string(i));
        scores.push_back(-static_cast<float>(i));
    }
    w.set("tokenizer.ggml.model", std::string("llama"));
    w.set("tokenizer.ggml.tokens", GgufValue::stringArray(tokens));
    w.set("tokenizer.ggml.scores", GgufValue::array(GgufType::F32, scores));
    const auto zeros = [](std::span<std::byte> out) { std::memset(out.data(), 0, out.size()); };
    const auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
        w.addTensor(name, TensorType::F16, {cols, rows}, zeros);
    };
    matrix("token_embd.weight", width, vocab);
    for (int64_t l = 0; l < layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        w.addTensor(p + "attn_norm.weight", TensorType::F32, {width}, zeros);
        matrix(p + "attn_q.weight", width, width);
        matrix(p + "attn_k.weight", width, kv);
        matrix(p + "attn_v.weight", width, kv);
        matrix(p + "attn_output.weight", width, width);
        w.addTensor(p + "ffn_norm.weight", TensorType::F32, {width}, zeros);
        matrix(p + "ffn_gate.weight", width, ffn);
        matrix(p + "ffn_up.weight", width, ffn);
        matrix(p + "ffn_down.weight", ffn, width);
    }
    w.addTensor("output_norm.weight", TensorType::F32, {width}, zeros);
    matrix("output.weight", width, vocab);
    w.write(path);
}

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void measure(const std::filesystem::path& path) {
    constexpr int kRuns = 5;
    double best = 1e9, total = 0;
    uint64_t rssGrowth = 0;
    for (int i = 0; i < kRuns; ++i) {
        const uint64_t before = residentBytes();
        const auto start = Clock::now();
        const auto file = GgufFile::open(path);
        const auto info = describeModel(file);
        const double ms = msSince(start);
        rssGrowth = residentBytes() - before;
        best = std::min(best, ms);
        total += ms;
        if (i == 0)
            std::printf("%s: %s, %zu tensors, %zu metadata keys, vocabulary %llu\n", path.filename().c_str(),
                        humanBytes(info.fileSize).c_str(), info.tensorCount, info.metadataCount,
                        static_cast<unsigned long long>(info.vocabSize));
    }
    std::printf("  open + metadata: best %.2f ms, mean %.2f ms over %d runs; resident memory +%s\n", best,
                total / kRuns, kRuns, humanBytes(rssGrowth).c_str());
}

} // namespace

int main(int argc, char** argv) {
    const std::filesystem::path path = argc > 1 ? argv[1] : "bench-model.gguf";
    if (!std::filesystem::exists(path)) {
        std::printf("writing %s (once) ...\n", path.c_str());
        const auto start = Clock::now();
        writeModel(path);
        std::printf("  written in %.1f s\n", msSince(start) / 1000.0);
    }
    measure(path);
    // Real vocabularies from ../shared when present (150k-token Qwen2 vocab: the largest metadata).
    const std::filesystem::path qwen2 = std::filesystem::path(LAMP_SHARED_DIR) / "models/vocab/ggml-vocab-qwen2.gguf";
    if (std::filesystem::exists(qwen2))
        measure(qwen2);
    return 0;
}
