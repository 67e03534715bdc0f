// Fuzz target for the GGUF reader: any byte string must either parse into a consistent file or be
// rejected with lamp::Error — never crash, hang, read out of bounds or allocate without limit.
// Files that parse go on to the vocabulary and tokenizer, which read the tokenizer.ggml.* metadata.
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto file = lamp::GgufFile::fromBytes(
            std::span(reinterpret_cast<const std::byte*>(data), size), "fuzz-input.gguf");
        // Touch everything a caller might: values, rendering, tensor views.
        size_t sink = 0;
        for (const auto& kv : file.metadata())
            sink += kv.value.toString(4).size();
        for (const auto& t : file.tensors()) {
            const auto view = file.tensor(t);
            if (!view.data.empty())
                sink += static_cast<size_t>(view.data.front()) + static_cast<size_t>(view.data.back());
        }
        (void)file.getString("general.architecture");
        (void)file.getUInt("general.alignment");
        if (file.find("tokenizer.ggml.model") != nullptr) {
            const auto tokenizer = lamp::makeTokenizer(file);
            const auto ids = tokenizer->encode("Hello world, <s> 你好 🦙\n  x", {true, true});
            sink += tokenizer->decode(ids).size();
            lamp::StreamingDetokenizer stream(*tokenizer);
            for (const int32_t id : ids)
                sink += stream.push(id).size();
            sink += stream.flush().size();
        }
        volatile size_t keep = sink;
        (void)keep;
    } catch (const lamp::Error&) {
        // A clear rejection is the expected outcome for most inputs.
    }
    return 0;
}
