// Runs the fuzz target over files without libFuzzer (any compiler), and writes the seed corpus.
//   fuzz_gguf_replay --write-seeds DIR   writes valid GGUF files made by our writer into DIR
//   fuzz_gguf_replay PATH...             runs every file (or every file in a folder) once
#include "gguf/gguf_writer.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void writeSeeds(const std::filesystem::path& dir) {
    using namespace lamp;
    std::filesystem::create_directories(dir);
    {
        GgufWriter w;
        w.set("general.architecture", std::string("llama"));
        w.set("llama.block_count", uint32_t{1});
        w.set("tokenizer.ggml.model", std::string("llama"));
        w.set("tokenizer.ggml.tokens", GgufValue::stringArray({"<unk>", "<s>", "</s>", "▁a", "<0x41>", "▁", "a"}));
        w.set("tokenizer.ggml.scores", GgufValue::array(GgufType::F32, std::vector<float>{0, 0, 0, -1, 0, -2, -3}));
        w.set("tokenizer.ggml.token_type", GgufValue::array(GgufType::I32, std::vector<int32_t>{2, 3, 3, 1, 6, 1, 1}));
        w.set("tokenizer.ggml.bos_token_id", uint32_t{1});
        w.addTensor("token_embd.weight", TensorType::F32, {4, 4}, std::vector<std::byte>(64));
        w.addTensor("blk.0.q", TensorType::Q4_0, {32, 1}, std::vector<std::byte>(18));
        w.write(dir / "seed-llama.gguf");
    }
    {
        GgufWriter w;
        w.setVersion(2);
        w.setAlignment(8);
        w.set("nested", GgufValue(GgufArray{GgufType::Array, {GgufValue::stringArray({"x", "y"})}}));
        w.set("f64", 1.5);
        w.set("i64", int64_t{-3});
        w.set("flag", true);
        w.addTensor("k", TensorType::Q4_K, {256}, std::vector<std::byte>(144));
        w.addTensor("h", TensorType::F16, {3, 2}, std::vector<std::byte>(12));
        w.write(dir / "seed-v2.gguf");
    }
    {
        // A byte-level BPE vocabulary: the 256 byte symbols, a few merges, a control token.
        GgufWriter w;
        std::vector<std::string> tokens;
        for (int b = 0; b < 256; ++b) {
            // GPT-2's byte alphabet: printable bytes stand for themselves, the rest map above U+0100.
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            const int cp = printable ? b : 0x100 + b;
            std::string s;
            if (cp < 0x80) {
                s += static_cast<char>(cp);
            } else {
                s += static_cast<char>(0xC0 | (cp >> 6));
                s += static_cast<char>(0x80 | (cp & 0x3F));
            }
            tokens.push_back(s);
        }
        for (const char* t : {"he", "ll", "hell", "hello", "Ġw", "<|endoftext|>"})
            tokens.emplace_back(t);
        std::vector<int32_t> types(tokens.size(), 1);
        types.back() = 3;
        w.set("tokenizer.ggml.model", std::string("gpt2"));
        w.set("tokenizer.ggml.pre", std::string("qwen2"));
        w.set("tokenizer.ggml.tokens", GgufValue::stringArray(tokens));
        w.set("tokenizer.ggml.token_type", GgufValue::array(GgufType::I32, types));
        w.set("tokenizer.ggml.merges", GgufValue::stringArray({"h e", "l l", "he ll", "hell o", "Ġ w"}));
        w.set("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(tokens.size() - 1));
        w.write(dir / "seed-bpe.gguf");
    }
}

int runFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--write-seeds") {
        writeSeeds(argv[2]);
        return 0;
    }
    int files = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path p = argv[i];
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::recursive_directory_iterator(p))
                if (e.is_regular_file()) {
                    runFile(e.path());
                    ++files;
                }
        } else {
            runFile(p);
            ++files;
        }
    }
    std::printf("replayed %d inputs without a crash\n", files);
    return 0;
}
