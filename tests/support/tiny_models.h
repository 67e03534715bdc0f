// Small GGUF files made by our own writer, so tests need nothing from outside the repository.
#pragma once

#include "gguf/gguf_writer.h"

#include <cstdint>

namespace lamp::test {

// A tiny SentencePiece-style vocabulary (`tokenizer.ggml.model = llama`) added to `writer`:
// <unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF>, and a handful of scored pieces.
// Returns the number of tokens.
int64_t addTinySpmVocab(GgufWriter& writer);

// A complete tiny llama-architecture model (random weights from `seed`) with the vocabulary above.
GgufWriter tinyLlamaModel(unsigned seed = 7);

} // namespace lamp::test
