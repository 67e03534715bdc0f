// Internal: the two tokenizer implementations behind makeTokenizer().
#pragma once

#include "tokenizer/tokenizer.h"

#include <memory>

namespace lamp::detail {

std::unique_ptr<Tokenizer> makeSpmTokenizer(Vocab vocab);  // spm_tokenizer.cpp
std::unique_ptr<Tokenizer> makeBpeTokenizer(Vocab vocab);  // bpe_tokenizer.cpp

} // namespace lamp::detail
