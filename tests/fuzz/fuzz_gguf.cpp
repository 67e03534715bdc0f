// Fuzz target for the GGUF reader: any byte string must either parse into a consistent file or be
// rejected with lamp::Error — never crash, hang, read out of bounds or allocate without limit.
#include "core/error.h"
#include "gguf/gguf_file.h"

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
        volatile size_t keep = sink;
        (void)keep;
    } catch (const lamp::Error&) {
        // A clear rejection is the expected outcome for most inputs.
    }
    return 0;
}
