// Causal multi-head attention over the KV cache, with grouped-query attention (several query heads
// share one key/value head).
#pragma once

#include <cstdint>

namespace lamp::cpu {
class ThreadPool;
}

namespace lamp {

class KvCache;

struct AttentionArgs {
    const KvCache* kv = nullptr;  // keys and values of positions 0 .. startPos + n − 1 are stored
    int64_t layer = 0;
    const float* q = nullptr;     // [n][headCount][keyLength] queries (RoPE already applied)
    int64_t n = 0;                // tokens in the batch, at positions startPos .. startPos + n − 1
    int64_t startPos = 0;
    int64_t headCount = 0;        // query heads; headCount / kv->kvHeads() share each KV head
    float scale = 1.0f;           // applied to q·k before the softmax (1/√keyLength)
    float* out = nullptr;         // [n][headCount][valueLength]
};

// out[t][h] = Σ_{j ≤ startPos+t} softmax_j(scale · q[t][h] · K[j][g]) · V[j][g], g = h / group.
// Each task handles one (token, KV head) pair and reads that head's keys and values once for all
// the query heads of its group.
void attention(const AttentionArgs& args, cpu::ThreadPool& pool);

} // namespace lamp
