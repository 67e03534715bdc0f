// One conversation with a model: its KV cache, the tokens in it, and the logits of the last one.
//
// Prefix reuse. evaluate(tokens) takes the whole sequence the caller wants in the context (e.g.
// the conversation rendered by its chat template). The longest prefix that is already in the cache
// is kept; only the tokens after it are evaluated, in batches of batchSize. So a follow-up turn
// costs only its new tokens. At least the last token is always (re-)evaluated when its logits are
// not at hand, so logits() is always the prediction after tokens().
//
// Context-full policy (documented rule, never silent corruption):
// - evaluate(tokens) with more tokens than the context throws ContextOverflowError and leaves the
//   session as it was. A prompt longer than the context is always this error, never a crash.
// - For a chat, fitTurns() chooses what to evaluate: the system prompt (the first segment) is
//   always kept, then the newest whole turns that fit; the oldest turns are dropped. Evaluating the
//   result re-uses the cached system prompt and re-evaluates everything after it (the surviving
//   turns now sit at new positions, so their cached keys cannot be reused). evaluateTurns() does
//   both in one call.
// - append(tokens) (generation, one token at a time) on a full context keeps the first keep()
//   tokens (set it to the system prompt's length), drops the oldest half of the tokens after them
//   (at least as many as needed to fit), and re-evaluates the rest at their new positions before
//   appending. The result says how many tokens were dropped.
//
// A session refers to its model, which must outlive it. Not thread-safe: one thread at a time per
// session. Sessions of one model are independent and may run at the same time.
#pragma once

#include "model/architecture.h"
#include "model/executor.h"
#include "model/kv_cache.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lamp {

class Model;

struct SessionOptions {
    // Tokens the KV cache holds. 0: the model's training context, at most kDefaultContextLimit
    // (and at most the positions a gpt2 model has embeddings for).
    int64_t contextLength = 0;
    int threads = 0;           // worker threads including the caller; 0: every hardware thread
    // Tokens per forward call while evaluating a prompt. The activation workspace is sized for
    // one call ([batch][ffn] twice is most of it: 19 MiB at 512 tokens on a 4864-wide FFN), and
    // stays resident: 256 keeps a 0.5B model's prompt + generation peak within file + KV + 10%,
    // for 1–5% of prompt speed against 512 (the GEMM's packed weight tiles are shared by 256
    // tokens already). The app's worker and memory estimate use the same default.
    static constexpr int64_t kDefaultBatchSize = 256;
    int64_t batchSize = kDefaultBatchSize;
    KvType kvType = KvType::F16;
    // Where the forward pass runs (see engine/backend_choice.h); null: the CPU.
    std::shared_ptr<const Backend> backend;

    static constexpr int64_t kDefaultContextLimit = 4096;
};

// Which logits an evaluation keeps.
enum class Logits : uint8_t {
    Last,  // the last token's only (what generation needs)
    All,   // one row per evaluated token, in allLogits()
};

class Session {
public:
    // Allocates the KV cache (see kvBytes()). Throws ModelError for a context the model cannot
    // address (gpt2 beyond its position table) or that memory cannot hold.
    explicit Session(const Model& model, SessionOptions options = {});
    Session(const Model& model, int64_t contextLength, int threads = 0);
    ~Session();

    // The context a session of `model` gets when asked for `requested` tokens (0: the default).
    // ModelError for one the model cannot address.
    static int64_t contextFor(const Model& model, int64_t requested);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    struct Result {
        int64_t reused = 0;     // tokens kept from the cache
        int64_t evaluated = 0;  // tokens run through the model by this call
        int64_t dropped = 0;    // tokens removed by the context-full policy (append only)
        bool cancelled = false; // the progress callback stopped the evaluation (see below)
    };

    // Called after each batch of a prompt with the tokens evaluated so far and the total of this
    // call. Returning false stops the evaluation after that batch: the result says `cancelled`,
    // tokens() holds what was evaluated (a later evaluate() reuses it), logits() is empty.
    using Progress = std::function<bool(int64_t evaluated, int64_t total)>;
    void setProgress(Progress progress) { progress_ = std::move(progress); }

    // Makes the context hold exactly `tokens`, evaluating only what follows the longest prefix
    // already cached. Throws ContextOverflowError when tokens.size() > contextLength(), ModelError
    // for a token id outside the vocabulary; either way the session is unchanged.
    Result evaluate(std::span<const int32_t> tokens, Logits which = Logits::Last);
    // Appends tokens after tokens(), applying the context-full policy when they do not fit.
    Result append(std::span<const int32_t> tokens, Logits which = Logits::Last);
    Result append(int32_t token) { return append(std::span<const int32_t>(&token, 1)); }
    // evaluate(fitTurns(turns, contextLength() − reserve)): keeps room for `reserve` new tokens.
    Result evaluateTurns(std::span<const std::vector<int32_t>> turns, int64_t reserve);

    // The logits after the last token of tokens(): [vocabSize]. Empty when the context is empty.
    std::span<const float> logits() const;
    // With Logits::All: the rows of the tokens the last call evaluated, [evaluated][vocabSize]
    // (row i belongs to position reused + i). Empty otherwise.
    std::span<const float> allLogits() const { return allLogits_; }

    const std::vector<int32_t>& tokens() const { return tokens_; }
    int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
    int64_t contextLength() const { return executor_->contextLength(); }
    int64_t remaining() const { return contextLength() - size(); }
    size_t kvBytes() const { return executor_->kvBytes(); }
    KvType kvType() const { return executor_->kvType(); }
    int64_t batchSize() const { return batchSize_; }
    int threads() const { return executor_->threads(); }
    // The backend the session runs on: the one asked for in SessionOptions, or the CPU when that
    // could not make the session's executor or failed during a forward pass (fallbackReason()
    // says why; the session re-evaluated its tokens on the CPU and went on).
    const Backend& backend() const { return *backend_; }
    const std::string& fallbackReason() const { return fallbackReason_; }
    const Model& model() const { return model_; }

    // Tokens at the start that the context-full policy of append() never drops (the system prompt).
    void setKeep(int64_t n) { keep_ = n < 0 ? 0 : n; }
    int64_t keep() const { return keep_; }

    // Forgets everything after the first n tokens (n ≥ size() changes nothing).
    void truncate(int64_t n);
    void clear() { truncate(0); }

private:
    // Evaluates `fresh` after the tokens in the cache (fresh must not point into tokens_), falling
    // back to the CPU when the backend fails; false when cancelled.
    bool run(std::span<const int32_t> fresh, Logits which);
    bool runBatches(std::span<const int32_t> fresh, Logits which);
    // Replaces the executor by a CPU one with the same context, after `reason`.
    void fallBackToCpu(const std::string& reason);
    void checkIds(std::span<const int32_t> tokens) const;

    const Model& model_;
    std::shared_ptr<const Backend> backend_;
    std::unique_ptr<Executor> executor_;
    std::string fallbackReason_;
    KvType kvType_;
    int threads_;
    int64_t batchSize_;
    int64_t keep_ = 0;
    std::vector<int32_t> tokens_;     // what the cache holds, position by position
    std::vector<float> logits_;       // [vocab] after tokens_.back(), valid when logitsValid_
    bool logitsValid_ = false;
    std::vector<float> allLogits_;    // [evaluated][vocab] of the last Logits::All call
    Progress progress_;
};

// The context-full policy for a chat, by whole turns. `turns` are the conversation's token
// segments in order: the first `keepLeading` (the system prompt) are always kept; of the rest, the
// newest that fit into `budget` tokens together are kept and the older ones dropped (a turn is
// never cut in half, and the kept turns are contiguous up to the newest). Returns their
// concatenation. Throws ContextOverflowError when the kept segments and the newest turn alone
// exceed the budget.
std::vector<int32_t> fitTurns(std::span<const std::vector<int32_t>> turns, int64_t budget,
                              size_t keepLeading = 1);

} // namespace lamp
