// Writes a model with random weights in the shape of a real one, for the throughput benchmark:
//   lamplight-make-bench-model SHAPE TYPE OUTPUT.gguf
//   SHAPE: small (llama, 124M: 768 wide, 12 layers), tinyllama (llama, 1.1B: 2048 wide, 22 layers,
//          32 heads / 4 KV heads, FFN 5632, vocabulary 32000), qwen05 (qwen2, 0.5B: 896 wide,
//          24 layers, 14 / 2 heads, FFN 4864, vocabulary 151936, tied output)
//   TYPE:  f16, q8_0, q4_0, q4_k_m (the usual mix: Q6_K output and some attn_v/ffn_down)
// Weights are drawn N(0, 0.02) row by row while the file is written, quantized with our own
// quantizer, so no copy of the model is held in memory.
#include "core/error.h"
#include "cpu/thread_pool.h"
#include "gguf/gguf_writer.h"
#include "quant/model_quantizer.h"
#include "quant/quantize.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

using namespace lamp;

namespace {

struct Shape {
    const char* arch;
    int64_t width, layers, heads, kvHeads, ffn, vocab;
    bool tied, qkvBias;
};

// Gaussian numbers from a small, fast generator (the benchmark needs plausible values, not rigour).
void randomRow(uint64_t seed, float* out, int64_t n) {
    std::mt19937_64 rng(seed);
    for (int64_t i = 0; i + 1 < n; i += 2) {
        const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
        const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;
        const double r = 0.02 * std::sqrt(-2.0 * std::log(u1));
        out[i] = static_cast<float>(r * std::cos(6.283185307179586 * u2));
        out[i + 1] = static_cast<float>(r * std::sin(6.283185307179586 * u2));
    }
    if (n % 2 != 0)
        out[n - 1] = 0.0f;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s small|tinyllama|qwen05 f16|q8_0|q4_0|q4_k_m OUTPUT.gguf\n", argv[0]);
        return 2;
    }
    const std::string shapeName = argv[1], typeName = argv[2];
    Shape s{};
    if (shapeName == "small")
        s = {"llama", 768, 12, 12, 4, 2048, 32000, false, false};
    else if (shapeName == "tinyllama")
        s = {"llama", 2048, 22, 32, 4, 5632, 32000, false, false};
    else if (shapeName == "qwen05")
        s = {"qwen2", 896, 24, 14, 2, 4864, 151936, true, true};
    else {
        std::fprintf(stderr, "unknown shape '%s'\n", shapeName.c_str());
        return 2;
    }
    const bool f16 = typeName == "f16" || typeName == "F16";
    const auto target = quantTargetFromName(typeName);
    if (!f16 && !target) {
        std::fprintf(stderr, "unknown type '%s'\n", typeName.c_str());
        return 2;
    }

    try {
        const auto start = std::chrono::steady_clock::now();
        const std::string a = s.arch;
        const int64_t headDim = s.width / s.heads, kvWidth = s.kvHeads * headDim;
        GgufWriter w;
        w.set("general.architecture", a);
        w.set("general.name", "bench " + shapeName + " " + typeName);
        w.set(a + ".context_length", uint32_t{4096});
        w.set(a + ".embedding_length", static_cast<uint32_t>(s.width));
        w.set(a + ".block_count", static_cast<uint32_t>(s.layers));
        w.set(a + ".feed_forward_length", static_cast<uint32_t>(s.ffn));
        w.set(a + ".attention.head_count", static_cast<uint32_t>(s.heads));
        w.set(a + ".attention.head_count_kv", static_cast<uint32_t>(s.kvHeads));
        w.set(a + ".rope.dimension_count", static_cast<uint32_t>(headDim));
        w.set(a + ".rope.freq_base", a == "qwen2" ? 1000000.0f : 10000.0f);
        w.set(a + ".attention.layer_norm_rms_epsilon", 1e-6f);
        if (target)
            w.set("general.file_type", llamaFileType(*target));

        cpu::ThreadPool pool;
        uint64_t seed = 1;
        const auto add = [&](const std::string& name, std::vector<int64_t> dims, bool matrix) {
            TensorType type = TensorType::F32;
            if (matrix) {
                if (f16) {
                    type = TensorType::F16;
                } else {
                    GgufTensorInfo info;
                    info.name = name;
                    info.nDims = static_cast<uint32_t>(dims.size());
                    for (size_t i = 0; i < dims.size(); ++i)
                        info.dims[i] = dims[i];
                    info.type = TensorType::F32;
                    type = chooseTensorType(info, *target, static_cast<int>(s.layers), !s.tied).newType;
                }
            }
            const int64_t cols = dims[0], rows = dims.size() > 1 ? dims[1] : 1;
            const size_t rowSize = rowBytes(type, cols);
            const uint64_t tensorSeed = seed++ * 1000003;
            w.addTensor(name, type, dims, [=, &pool](std::span<std::byte> out) {
                pool.run(rows, [&](int64_t begin, int64_t end, int) {
                    std::vector<float> row(static_cast<size_t>(cols));
                    for (int64_t r = begin; r < end; ++r) {
                        if (matrix)
                            randomRow(tensorSeed + static_cast<uint64_t>(r), row.data(), cols);
                        else
                            std::fill(row.begin(), row.end(), 1.0f);  // norms: identity scale
                        quantizeRow(type, row.data(), out.data() + static_cast<size_t>(r) * rowSize, cols);
                    }
                });
            });
        };
        add("token_embd.weight", {s.width, s.vocab}, true);
        for (int64_t l = 0; l < s.layers; ++l) {
            const std::string p = "blk." + std::to_string(l) + ".";
            add(p + "attn_norm.weight", {s.width}, false);
            add(p + "attn_q.weight", {s.width, s.width}, true);
            add(p + "attn_k.weight", {s.width, kvWidth}, true);
            add(p + "attn_v.weight", {s.width, kvWidth}, true);
            if (s.qkvBias) {
                add(p + "attn_q.bias", {s.width}, false);
                add(p + "attn_k.bias", {kvWidth}, false);
                add(p + "attn_v.bias", {kvWidth}, false);
            }
            add(p + "attn_output.weight", {s.width, s.width}, true);
            add(p + "ffn_norm.weight", {s.width}, false);
            add(p + "ffn_gate.weight", {s.width, s.ffn}, true);
            add(p + "ffn_up.weight", {s.width, s.ffn}, true);
            add(p + "ffn_down.weight", {s.ffn, s.width}, true);
        }
        add("output_norm.weight", {s.width}, false);
        if (!s.tied)
            add("output.weight", {s.width, s.vocab}, true);
        w.write(argv[3]);
        std::printf("wrote %s in %.1f s\n", argv[3],
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    } catch (const Error& e) {
        std::fprintf(stderr, "lamplight-make-bench-model: %s\n", e.what());
        return 1;
    }
    return 0;
}
