// Choosing the next token from the model's logits: a chain of small steps, each a class of its own
// that can be used and tested alone, composed by Sampler from the user's SamplingParams.
//
// The chain, in this order (a step whose setting turns it off is left out):
//
//   penalties → top-k → top-p → min-p → temperature → seeded draw      (temperature > 0)
//   penalties → greedy                                                  (temperature = 0)
//
// Why this order (the one llama.cpp uses by default):
// - Penalties come first: they change logits, and every later step must see the changed ones.
//   They also need the candidates still in vocabulary order to find the repeated tokens cheaply.
// - Top-k next: it cuts a 150k vocabulary to k candidates with a partial sort that looks at most
//   candidates once, so top-p and min-p work on a handful instead of the whole vocabulary. (With
//   top-k off they still never sort the whole vocabulary: see TopPStep and MinPStep.)
// - Top-p and min-p cut the tail of the distribution at temperature 1, before temperature: their
//   cut-offs then do not move with the temperature, so a high temperature makes the choice among
//   the plausible tokens more even without letting the long tail of nonsense back in (the reason
//   min-p pairs well with high temperatures).
// - Temperature then reshapes what is left, and the draw picks one token from it.
// - At temperature 0 the answer is the most likely token after penalties (ties → lowest id). Top-k,
//   top-p and min-p always keep the most likely token, so they cannot change that answer and are
//   skipped.
//
// Reproducibility: the draw uses std::mt19937_64, whose output sequence the C++ standard fixes, and
// turns its top 53 bits into a uniform number itself (std::uniform_real_distribution is
// implementation-defined). Every sort and selection uses a total order (logit, then lower id) or
// keeps the existing order, so the candidates' order never depends on the standard library, and
// the exponentials are our own polynomial, not the platform's expf. Same seed, same logits, same
// history ⇒ same tokens; across machines only the logits themselves (and a compiler that fuses
// multiply-adds) can differ.
//
// Invalid logits: NaN or +inf is a SamplingError (the forward pass went wrong — hiding it would
// turn a broken model into quiet nonsense); -inf is a valid "never this token" mask, but when every
// logit is -inf there is nothing to sample and that is a SamplingError too.
#pragma once

#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace lamp {

// Bad sampling settings, or logits that cannot be sampled (NaN, +inf, all -inf).
class SamplingError : public Error {
public:
    using Error::Error;
};

// What the user sets. The defaults are those of the popular local apps (llama.cpp, Ollama):
struct SamplingParams {
    // Seed used when the caller does not choose one. Fixed, so a default run is reproducible; the
    // app picks a fresh one per answer (randomSeed()) and keeps it to reproduce that answer.
    static constexpr uint64_t kDefaultSeed = 0x4C616D70;  // "Lamp"

    // Softmax temperature. 0 = greedy (always the most likely token); < 1 sharper, > 1 flatter.
    // Default 0.8 (llama.cpp, Ollama).
    float temperature = 0.8f;
    // Keep only the k most likely tokens; 0 = off. Default 40 (llama.cpp, Ollama).
    int32_t topK = 40;
    // Nucleus: keep the fewest most likely tokens whose probabilities add up to at least topP;
    // 1 = off, range [0, 1]. Default 0.95 (llama.cpp).
    float topP = 0.95f;
    // Keep tokens at least minP times as likely as the most likely one; 0 = off, range [0, 1].
    // Default 0.05 (llama.cpp).
    float minP = 0.05f;
    // Repetition penalty (CTRL, Keskar et al. 2019, as llama.cpp applies it): the logit of each
    // token seen in the window is divided by this when positive and multiplied when negative;
    // 1 = off, must be > 0. Default 1.1 (Ollama; llama.cpp's old default).
    float repeatPenalty = 1.1f;
    // OpenAI-style penalties: a token seen c times in the window loses
    // c·frequencyPenalty + (c > 0)·presencePenalty from its logit; 0 = off, negative values
    // encourage repeats. Default 0 (OpenAI, llama.cpp).
    float frequencyPenalty = 0.0f;
    float presencePenalty = 0.0f;
    // The penalty window: the last repeatLastN tokens of the history; 0 = no penalties,
    // -1 = the whole history. Default 64 (llama.cpp, Ollama).
    int32_t repeatLastN = 64;
    // Seed of the draw. Same seed (and same logits) ⇒ same tokens.
    uint64_t seed = kDefaultSeed;

    // Throws SamplingError naming the first bad field, its value and the allowed range.
    void validate() const;

    // A seed from std::random_device, for callers that want a different answer each time.
    static uint64_t randomSeed();
};

// One candidate token.
struct TokenCandidate {
    int32_t id = 0;     // token id in the vocabulary
    float logit = 0;    // current (possibly penalized, temperature-scaled) logit
    float prob = 0;     // softmax of `logit` over the current candidates; valid when
                        // Candidates::probsValid()
};

// The ranking every sort and selection uses: higher logit first, equal logits by lower id. A total
// order (given no NaN), so results are the same with any standard library.
inline bool ranksBefore(const TokenCandidate& a, const TokenCandidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

// The candidate tokens the steps narrow down: at first the whole vocabulary in id order. The
// buffer keeps its capacity between tokens, so sampling allocates nothing after the first token.
class Candidates {
public:
    // One candidate per logit, id = index. Throws SamplingError for an empty span, a NaN or +inf
    // logit (naming the token) or when every logit is -inf.
    void assign(std::span<const float> logits);

    size_t size() const { return items_.size(); }
    bool empty() const { return items_.empty(); }
    TokenCandidate& operator[](size_t i) { return items_[i]; }
    const TokenCandidate& operator[](size_t i) const { return items_[i]; }
    std::span<TokenCandidate> items() { return items_; }
    std::span<const TokenCandidate> items() const { return items_; }

    // True while the candidates are the whole vocabulary in id order (items()[i].id == i).
    bool inIdOrder() const { return idOrder_; }
    // How many leading candidates are known to be the best ones, in ranking order.
    size_t sortedPrefix() const { return sortedPrefix_; }
    bool sorted() const { return sortedPrefix_ >= items_.size(); }
    bool probsValid() const { return probsValid_; }

    // Puts the best min(k, size) candidates first, in ranking order (partial sort: O(n log k),
    // about one comparison per candidate when k is small). Extends an already sorted prefix.
    void sortTop(size_t k);
    // Keeps the first n candidates.
    void truncate(size_t n);
    // Removes the candidates for which `drop` is true, keeping the order of the rest.
    template <class Pred>
    void removeIf(Pred drop);
    // Softmax of the logits over the current candidates into `prob` (no-op when valid).
    void computeProbs();
    // The highest logit among the candidates (size() > 0).
    float maxLogit() const;
    // Call after changing logits: probabilities become stale; the order is kept only when every
    // logit moved by the same increasing function (shift, positive scale).
    void logitsChanged(bool orderKept);

    // Index of the chosen candidate, set by a selecting step (GreedyStep, DistStep); -1 before.
    std::ptrdiff_t selected = -1;

private:
    std::vector<TokenCandidate> items_;
    size_t sortedPrefix_ = 0;
    bool idOrder_ = false;
    bool probsValid_ = false;
};

template <class Pred>
void Candidates::removeIf(Pred drop) {
    size_t kept = 0;
    for (size_t i = 0; i < items_.size(); ++i)
        if (!drop(items_[i]))
            items_[kept++] = items_[i];
    if (kept == items_.size())
        return;
    // A stable filter of a fully sorted list is still sorted; a partly sorted one is not known.
    const bool wasSorted = sorted();
    items_.resize(kept);
    sortedPrefix_ = wasSorted ? kept : 0;
    idOrder_ = false;
    probsValid_ = false;
}

// The random numbers of the draw: std::mt19937_64 (its sequence is fixed by the C++ standard) and
// a uniform double in [0, 1) made from the top 53 bits of one 64-bit output: (x >> 11) · 2⁻⁵³.
class Rng {
public:
    explicit Rng(uint64_t seed) : engine_(seed) {}
    void seed(uint64_t s) { engine_.seed(s); }
    uint64_t next() { return engine_(); }
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

private:
    std::mt19937_64 engine_;
};

// One step of the chain. `history` is the token history (oldest first); only PenaltyStep reads it.
class SamplerStep {
public:
    virtual ~SamplerStep() = default;
    virtual void apply(Candidates& c, std::span<const int32_t> history) = 0;
    // A short description for logs, e.g. "top-k 40".
    virtual std::string describe() const = 0;
};

// Repetition, frequency and presence penalties over the last `lastN` tokens of the history
// (-1 = all of it). Tokens of the history outside the candidates' vocabulary are ignored.
class PenaltyStep : public SamplerStep {
public:
    PenaltyStep(float repeat, float frequency, float presence, int32_t lastN);
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;

    // The logit a token seen `count` times in the window gets.
    float penalize(float logit, int32_t count) const;
    // The penalized value of `logit` for token `id` under the window of the last apply().
    float penalized(int32_t id, float logit) const;

private:
    int32_t countOf(int32_t id) const;

    float repeat_, frequency_, presence_;
    int32_t lastN_;
    std::vector<int32_t> window_;                      // [window] sorted copy, reused
    std::vector<std::pair<int32_t, int32_t>> counts_;  // [distinct ids] (id, count), by id
};

// Keeps the k best candidates, in ranking order; k ≤ 0 or k ≥ size keeps all.
class TopKStep : public SamplerStep {
public:
    explicit TopKStep(int32_t k) : k_(k) {}
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;

private:
    int32_t k_;
};

// Keeps the shortest prefix of the ranking whose probabilities add up to at least p (at least one
// candidate); p ≥ 1 keeps all. A sorted or short list (as after top-k) is walked in ranking order
// and stays sorted. A long unsorted one (top-k off, a whole vocabulary) is not sorted: a histogram
// of the logits finds the bucket where the sum crosses p, only that bucket is sorted, and the
// kept candidates stay in their previous order — O(n) instead of O(n log n).
class TopPStep : public SamplerStep {
public:
    explicit TopPStep(float p) : p_(p) {}
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;

    // Lists up to this long are sorted outright.
    static constexpr size_t kSortLimit = 4096;

private:
    void applyByHistogram(Candidates& c);

    float p_;
    std::vector<double> mass_;              // [kBuckets] probability per logit bucket, reused
    std::vector<TokenCandidate> boundary_;  // the bucket where the sum crosses p, reused
};

// Keeps candidates with prob ≥ minP · (highest prob), i.e. logit ≥ max logit + ln(minP); the order
// of the rest is kept. minP ≤ 0 keeps all.
class MinPStep : public SamplerStep {
public:
    explicit MinPStep(float minP) : minP_(minP) {}
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;

private:
    float minP_;
};

// Divides the logits by the temperature (t > 0). The logits are shifted first so the highest is 0:
// the distribution is softmax(logit / t) exactly, and a tiny t cannot overflow to inf.
class TemperatureStep : public SamplerStep {
public:
    explicit TemperatureStep(float temperature) : temperature_(temperature) {}
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;

private:
    float temperature_;
};

// Selects the best candidate: highest logit, ties → lowest id.
class GreedyStep : public SamplerStep {
public:
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;
};

// Selects a candidate at random with its softmax probability: u = rng.uniform(), then the first
// candidate (in the current order) whose cumulative probability exceeds u · total.
class DistStep : public SamplerStep {
public:
    explicit DistStep(uint64_t seed) : seed_(seed), rng_(seed) {}
    void apply(Candidates& c, std::span<const int32_t> history) override;
    std::string describe() const override;
    void reseed(uint64_t seed);

private:
    uint64_t seed_;
    Rng rng_;
};

// The chain built from SamplingParams. Not thread-safe: one per generation stream. The random
// state advances with each draw; reseed() starts the sequence over.
class Sampler {
public:
    struct Result {
        int32_t token = 0;
        // ln P(token) under the softmax over the whole vocabulary of the penalized logits divided
        // by the temperature (temperature 1 when greedy) — the model's distribution as the user's
        // penalties and temperature shape it, before top-k/top-p/min-p cut it. ≤ 0; -inf only when
        // that probability underflows.
        float logProb = 0;
    };

    // Throws SamplingError for invalid params.
    explicit Sampler(const SamplingParams& params);

    // Picks the next token. `logits` has one entry per vocabulary token; `history` is the tokens
    // so far (prompt and generated, oldest first), of which the last repeatLastN are penalized.
    // Throws SamplingError for NaN/+inf logits or when every logit is -inf.
    Result sample(std::span<const float> logits, std::span<const int32_t> history);

    // Starts the random sequence over with `seed`.
    void reseed(uint64_t seed);

    const SamplingParams& params() const { return params_; }
    // The steps, e.g. "penalties(repeat 1.10, freq 0.00, presence 0.00, last 64) → top-k 40 → …".
    std::string describe() const;
    // The candidates as the last sample() left them (for tests and debugging).
    const Candidates& candidates() const { return candidates_; }

private:
    SamplingParams params_;
    std::unique_ptr<PenaltyStep> penalties_;  // null when every penalty is off
    std::vector<std::unique_ptr<SamplerStep>> steps_;
    DistStep* dist_ = nullptr;  // in steps_, null when greedy
    Candidates candidates_;
};

} // namespace lamp
