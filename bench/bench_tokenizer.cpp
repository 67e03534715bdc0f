// Tokenizer throughput (MB/s) on a large text, for the SentencePiece and byte-level BPE tokenizers.
// The text (~8 MB) is generated deterministically: English prose words, invented words, numbers,
// punctuation, code-like lines and Chinese, so word caches cannot make it trivially repetitive.
//   bench_tokenizer [VOCAB.gguf ...]   default: the llama-spm, llama-bpe, qwen2 and gpt-2 vocabs
//                                     from ../shared/models/vocab
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace lamp;
using Clock = std::chrono::steady_clock;

namespace {

std::string makeText(size_t bytes) {
    static const char* kWords[] = {
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by",
        "on", "not", "he", "I", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
        "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been",
        "if", "more", "when", "will", "would", "who", "so", "no", "lamp", "light", "model", "token",
        "conversation", "remarkable", "understanding", "quickly", "library", "mountain", "evening",
        "don't", "it's", "we'll", "Hello", "World", "Lamplight", "story", "river", "children", "garden"};
    static const char* kChinese[] = {"你好", "世界", "我们", "今天", "天气", "很好", "图书馆", "推荐",
                                     "一本", "好书", "科学", "历史", "小说", "。", "，"};
    static const char* kCode[] = {"for (int i = 0; i < n; ++i) {\n", "    sum += x[i] * w[i];\n", "}\n",
                                  "def main():\n", "    return 42\n", "if (a != b) return -1;\n"};
    std::mt19937 rng(42);
    std::string text;
    text.reserve(bytes + 64);
    std::uniform_int_distribution<int> pick(0, 99);
    while (text.size() < bytes) {
        const int r = pick(rng);
        if (r < 72) {
            text += kWords[rng() % std::size(kWords)];
        } else if (r < 80) {
            const int len = 3 + static_cast<int>(rng() % 7);  // an invented word
            for (int i = 0; i < len; ++i)
                text += static_cast<char>('a' + rng() % 26);
        } else if (r < 85) {
            text += std::to_string(rng() % 100000);
        } else if (r < 92) {
            text += kChinese[rng() % std::size(kChinese)];
        } else if (r < 95) {
            text += kCode[rng() % std::size(kCode)];
            continue;
        } else {
            text += ",.;!?"[rng() % 5];
        }
        text += (rng() % 12 == 0) ? "\n" : " ";
    }
    return text;
}

void bench(const std::filesystem::path& path, const std::string& text) {
    const auto file = GgufFile::open(path);
    const auto start = Clock::now();
    const auto tokenizer = makeTokenizer(file);
    const double loadMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    // Warm up once (page faults, caches), then take the best of three.
    size_t tokens = tokenizer->encode(text).size();
    double best = 1e9;
    for (int i = 0; i < 3; ++i) {
        const auto t0 = Clock::now();
        tokens = tokenizer->encode(text).size();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    const double mb = static_cast<double>(text.size()) / 1e6;
    const auto ids = tokenizer->encode(text);
    const auto t1 = Clock::now();
    const std::string back = tokenizer->decode(ids);
    const double decodeS = std::chrono::duration<double>(Clock::now() - t1).count();
    std::printf("%-34s %-5s %-10s load %6.1f ms  encode %6.2f MB/s (%5.2f Mtok/s, %.2f bytes/token)  "
                "decode %7.1f MB/s%s\n",
                path.filename().c_str(), tokenizer->vocab().model().c_str(), tokenizer->vocab().pre().c_str(),
                loadMs, mb / best, static_cast<double>(tokens) / best / 1e6,
                static_cast<double>(text.size()) / static_cast<double>(tokens), mb / decodeS,
                back == text ? "" : "  (round trip differs)");
}

} // namespace

int main(int argc, char** argv) {
    const std::string text = makeText(8u << 20);
    std::printf("text: %.1f MB\n", static_cast<double>(text.size()) / 1e6);
    std::vector<std::filesystem::path> vocabs;
    for (int i = 1; i < argc; ++i)
        vocabs.emplace_back(argv[i]);
    if (vocabs.empty()) {
        const std::filesystem::path dir = std::filesystem::path(LAMP_SHARED_DIR) / "models" / "vocab";
        for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf",
                                 "ggml-vocab-qwen2.gguf", "ggml-vocab-gpt-2.gguf"})
            if (std::filesystem::exists(dir / name))
                vocabs.push_back(dir / name);
    }
    if (vocabs.empty()) {
        std::fprintf(stderr, "no vocabularies: pass GGUF files, or put ../shared beside the checkout\n");
        return 1;
    }
    for (const auto& v : vocabs)
        bench(v, text);
    return 0;
}
