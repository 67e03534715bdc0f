// The logits of a fresh CPU session, for comparing one model whose weights were placed two ways
// (mapped, copied, interleaved): they must agree bit for bit.
#pragma once

#include "model/model.h"
#include "model/session.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lamp::test {

// The logits after `tokens` (the prompt-processing path from 12 tokens on), then those after one
// more token `next` (the decode path), one after the other. Context 32, 2 threads.
inline std::vector<float> promptAndNextLogits(const Model& model, std::span<const int32_t> tokens, int32_t next = 5) {
    SessionOptions so;
    so.contextLength = 32;
    so.threads = 2;
    Session session(model, so);
    session.evaluate(tokens);
    std::vector<float> out(session.logits().begin(), session.logits().end());
    session.append(next);
    out.insert(out.end(), session.logits().begin(), session.logits().end());
    return out;
}

} // namespace lamp::test
