#include "sampling/sampler.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>

namespace lamp {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

template <class... Args>
std::string formatText(const char* fmt, Args... args) {
    const int n = std::snprintf(nullptr, 0, fmt, args...);
    std::string out(static_cast<size_t>(std::max(n, 0)), '\0');
    std::snprintf(out.data(), out.size() + 1, fmt, args...);
    return out;
}

// The ranking as a function object, so the sorts inline it (a function pointer would not be).
constexpr auto kRanksBefore = [](const TokenCandidate& a, const TokenCandidate& b) {
    return ranksBefore(a, b);
};

// e^x for x ≤ 0 (a logit minus the maximum): Cephes' single-precision polynomial, relative error
// below 1e-7 (measured against double exp over [-87, 0]), exactly 0 below -87 and for -inf. Plain
// arithmetic the compiler vectorizes (a call to expf it would not), the same on every platform.
// The underflow test is an integer compare on the bits (for x ≤ 0 the larger pattern is the more
// negative number): float compares would be branches, which keep the loop scalar.
inline float expNonPositive(float x) {
    constexpr uint32_t kLimit = std::bit_cast<uint32_t>(-87.0f);
    const uint32_t u = std::bit_cast<uint32_t>(x);
    const uint32_t under = u > kLimit ? ~0u : 0u;  // x < -87
    const float c = std::bit_cast<float>((u & ~under) | (kLimit & under));
    const float n = (c * 1.44269504f + 12582912.0f) - 12582912.0f;  // round(c / ln 2)
    const float f = (c - n * 0.693359375f) - n * -2.12194440e-4f;    // c − n·ln 2, in two parts
    float p = 1.9875691500e-4f;
    p = p * f + 1.3981999507e-3f;
    p = p * f + 8.3334519073e-3f;
    p = p * f + 4.1665795894e-2f;
    p = p * f + 1.6666665459e-1f;
    p = p * f + 5.0000001201e-1f;
    const float y = p * f * f + f + 1.0f;
    const float twoPowN = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
    return std::bit_cast<float>(std::bit_cast<uint32_t>(y * twoPowN) & ~under);
}

// Σ exp((logit − m) / t) over `items`; with `store`, each term also goes into its `prob`.
// Blocks of 8 keep the exps vectorizable; each block's sum is added in double. (Dividing, not
// multiplying by 1/t: with a tiny t, 1/t is inf and 0 · inf would be NaN.)
template <bool store, class Items>
double sumExp(Items& items, float m, float t) {
    constexpr size_t kBlock = 8;
    double total = 0;
    size_t i = 0;
    float x[kBlock], e[kBlock];
    for (; i + kBlock <= items.size(); i += kBlock) {
        for (size_t j = 0; j < kBlock; ++j)
            x[j] = (items[i + j].logit - m) / t;
        for (size_t j = 0; j < kBlock; ++j)
            e[j] = expNonPositive(x[j]);
        if constexpr (store)
            for (size_t j = 0; j < kBlock; ++j)
                items[i + j].prob = e[j];
        const float block = ((e[0] + e[1]) + (e[2] + e[3])) + ((e[4] + e[5]) + (e[6] + e[7]));
        total += static_cast<double>(block);
    }
    for (; i < items.size(); ++i) {
        const float v = expNonPositive((items[i].logit - m) / t);
        if constexpr (store)
            items[i].prob = v;
        total += static_cast<double>(v);
    }
    return total;
}

// Penalties can push a logit out of range only with absurd settings; say so instead of NaN.
void checkMax(float m) {
    if (m == -kInf)
        throw SamplingError("sampling: every candidate's logit is -inf after the penalties");
    if (!(m < kInf))
        throw SamplingError("sampling: the penalties pushed a logit to +inf: use smaller "
                            "frequency/presence penalties");
}

[[noreturn]] void invalid(const char* field, double value, const char* allowed) {
    throw SamplingError(formatText("sampling: %s is %g, but must be %s", field, value, allowed));
}

} // namespace

// ---- SamplingParams ------------------------------------------------------------------------

void SamplingParams::validate() const {
    if (!(std::isfinite(temperature) && temperature >= 0))
        invalid("temperature", temperature, "0 (greedy) or a positive number");
    if (topK < 0)
        invalid("top-k", topK, "0 (off) or a positive count");
    if (!(topP >= 0 && topP <= 1))
        invalid("top-p", topP, "between 0 and 1 (1 = off)");
    if (!(minP >= 0 && minP <= 1))
        invalid("min-p", minP, "between 0 and 1 (0 = off)");
    if (!(std::isfinite(repeatPenalty) && repeatPenalty > 0))
        invalid("repeat penalty", repeatPenalty, "a positive number (1 = off)");
    if (!std::isfinite(frequencyPenalty))
        invalid("frequency penalty", frequencyPenalty, "a finite number (0 = off)");
    if (!std::isfinite(presencePenalty))
        invalid("presence penalty", presencePenalty, "a finite number (0 = off)");
    if (repeatLastN < -1)
        invalid("repeat window", repeatLastN, "-1 (whole history), 0 (off) or a positive count");
}

uint64_t SamplingParams::randomSeed() {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ static_cast<uint64_t>(device());
}

// ---- Candidates ----------------------------------------------------------------------------

void Candidates::assign(std::span<const float> logits) {
    if (logits.empty())
        throw SamplingError("sampling: no logits to sample from (the vocabulary is empty)");
    items_.resize(logits.size());  // keeps the capacity: no allocation after the first token
    float maxLogit = -kInf;
    bool bad = false;  // a NaN or +inf somewhere (NaN < kInf is false)
    for (size_t i = 0; i < logits.size(); ++i) {
        const float l = logits[i];
        items_[i] = {static_cast<int32_t>(i), l, 0.0f};
        bad |= !(l < kInf);
        maxLogit = std::max(maxLogit, l);
    }
    if (bad) {
        for (size_t i = 0; i < logits.size(); ++i)
            if (!(logits[i] < kInf))
                throw SamplingError(formatText(
                    "sampling: the logit of token %zu is %s: the model's forward pass produced an "
                    "invalid number (a backend or model file problem; try the CPU backend or "
                    "another quantization)",
                    i, std::isnan(logits[i]) ? "NaN" : "+inf"));
    }
    if (maxLogit == -kInf)
        throw SamplingError("sampling: every logit is -inf, so no token is allowed");
    sortedPrefix_ = 0;
    idOrder_ = true;
    probsValid_ = false;
    selected = -1;
}

void Candidates::sortTop(size_t k) {
    k = std::min(k, items_.size());
    if (k <= sortedPrefix_)
        return;
    const auto first = items_.begin() + static_cast<std::ptrdiff_t>(sortedPrefix_);
    if (k == items_.size())
        std::sort(first, items_.end(), kRanksBefore);
    else
        std::partial_sort(first, items_.begin() + static_cast<std::ptrdiff_t>(k), items_.end(),
                          kRanksBefore);
    sortedPrefix_ = k;
    idOrder_ = false;
}

void Candidates::truncate(size_t n) {
    if (n >= items_.size())
        return;
    items_.resize(n);
    sortedPrefix_ = std::min(sortedPrefix_, n);
    idOrder_ = false;
    probsValid_ = false;
}

float Candidates::maxLogit() const {
    if (sortedPrefix_ > 0)
        return items_[0].logit;
    float m = -kInf;
    for (const TokenCandidate& t : items_)
        m = std::max(m, t.logit);
    return m;
}

void Candidates::computeProbs() {
    if (probsValid_)
        return;
    const float m = maxLogit();
    checkMax(m);
    const double sum = sumExp<true>(items_, m, 1.0f);
    const float scale = static_cast<float>(1.0 / sum);
    for (TokenCandidate& t : items_)
        t.prob *= scale;
    probsValid_ = true;
}

void Candidates::logitsChanged(bool orderKept) {
    probsValid_ = false;
    if (!orderKept)
        sortedPrefix_ = 0;
}

// ---- PenaltyStep ---------------------------------------------------------------------------

PenaltyStep::PenaltyStep(float repeat, float frequency, float presence, int32_t lastN)
    : repeat_(repeat), frequency_(frequency), presence_(presence), lastN_(lastN) {}

float PenaltyStep::penalize(float logit, int32_t count) const {
    if (count <= 0)
        return logit;
    // CTRL's penalty as llama.cpp applies it: dividing a negative logit would raise it.
    logit = logit <= 0 ? logit * repeat_ : logit / repeat_;
    return logit - (static_cast<float>(count) * frequency_ + presence_);
}

int32_t PenaltyStep::countOf(int32_t id) const {
    const auto it = std::lower_bound(counts_.begin(), counts_.end(), id,
                                     [](const auto& entry, int32_t v) { return entry.first < v; });
    return it != counts_.end() && it->first == id ? it->second : 0;
}

float PenaltyStep::penalized(int32_t id, float logit) const {
    return penalize(logit, countOf(id));
}

void PenaltyStep::apply(Candidates& c, std::span<const int32_t> history) {
    counts_.clear();
    const size_t n = lastN_ < 0 ? history.size()
                                : std::min(history.size(), static_cast<size_t>(lastN_));
    if (n == 0)
        return;
    const auto window = history.last(n);
    window_.assign(window.begin(), window.end());
    std::sort(window_.begin(), window_.end());
    for (size_t i = 0; i < window_.size();) {
        size_t j = i + 1;
        while (j < window_.size() && window_[j] == window_[i])
            ++j;
        counts_.emplace_back(window_[i], static_cast<int32_t>(j - i));
        i = j;
    }

    if (c.inIdOrder()) {
        // The usual case (penalties run first): the token's index is its id.
        for (const auto& [id, count] : counts_) {
            if (id < 0 || static_cast<size_t>(id) >= c.size())
                continue;
            float& logit = c[static_cast<size_t>(id)].logit;
            logit = penalize(logit, count);
        }
    } else {
        for (TokenCandidate& t : c.items())
            t.logit = penalize(t.logit, countOf(t.id));
    }
    c.logitsChanged(false);
}

std::string PenaltyStep::describe() const {
    return formatText("penalties(repeat %.2f, frequency %.2f, presence %.2f, last %d)",
                  static_cast<double>(repeat_), static_cast<double>(frequency_),
                  static_cast<double>(presence_), lastN_);
}

// ---- TopKStep ------------------------------------------------------------------------------

void TopKStep::apply(Candidates& c, std::span<const int32_t>) {
    if (k_ <= 0 || static_cast<size_t>(k_) >= c.size())
        return;
    c.sortTop(static_cast<size_t>(k_));
    c.truncate(static_cast<size_t>(k_));
}

std::string TopKStep::describe() const { return formatText("top-k %d", k_); }

// ---- TopPStep ------------------------------------------------------------------------------

void TopPStep::apply(Candidates& c, std::span<const int32_t>) {
    if (p_ >= 1 || c.size() <= 1)
        return;
    c.computeProbs();
    if (!c.sorted() && c.size() > kSortLimit) {
        applyByHistogram(c);
        return;
    }
    c.sortTop(c.size());
    double cumulative = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        cumulative += c[i].prob;
        if (cumulative >= p_) {
            c.truncate(i + 1);
            return;
        }
    }
    // Rounding left the sum just under p: keep everything.
}

void TopPStep::applyByHistogram(Candidates& c) {
    // Buckets of equal width in logit below the maximum; everything more than kRange below it
    // (probability < e^-32 of the top) shares the last bucket. A lower bucket means a strictly
    // higher logit, so whole buckets are kept or dropped in ranking order.
    constexpr size_t kBuckets = 1024;
    constexpr float kRange = 32.0f, kScale = kBuckets / kRange;
    const float m = c.maxLogit();
    const auto bucketOf = [m](const TokenCandidate& t) {
        const float d = m - t.logit;  // ≥ 0, +inf for masked tokens
        return d < kRange ? std::min(static_cast<size_t>(d * kScale), kBuckets - 1) : kBuckets - 1;
    };
    mass_.assign(kBuckets, 0.0);
    for (const TokenCandidate& t : c.items())
        mass_[bucketOf(t)] += t.prob;
    double cumulative = 0;
    size_t crossing = 0;
    while (crossing < kBuckets && cumulative + mass_[crossing] < p_)
        cumulative += mass_[crossing++];
    if (crossing == kBuckets)
        return;  // rounding left the sum just under p: keep everything

    boundary_.clear();
    for (const TokenCandidate& t : c.items())
        if (bucketOf(t) == crossing)
            boundary_.push_back(t);
    std::sort(boundary_.begin(), boundary_.end(), kRanksBefore);
    TokenCandidate last = boundary_.back();
    for (const TokenCandidate& t : boundary_) {
        cumulative += t.prob;
        if (cumulative >= p_) {
            last = t;
            break;
        }
    }
    // Keep every candidate that ranks at or before the last one needed, in the current order.
    c.removeIf([&last](const TokenCandidate& t) { return ranksBefore(last, t); });
}

std::string TopPStep::describe() const {
    return formatText("top-p %.3g", static_cast<double>(p_));
}

// ---- MinPStep ------------------------------------------------------------------------------

void MinPStep::apply(Candidates& c, std::span<const int32_t>) {
    if (minP_ <= 0 || c.size() <= 1)
        return;
    // p ≥ minP · pmax  ⇔  exp(logit − max) ≥ minP  ⇔  logit ≥ max + ln(minP): no softmax needed.
    const float threshold = c.maxLogit() + std::log(minP_);
    c.removeIf([threshold](const TokenCandidate& t) { return t.logit < threshold; });
}

std::string MinPStep::describe() const {
    return formatText("min-p %.3g", static_cast<double>(minP_));
}

// ---- TemperatureStep -----------------------------------------------------------------------

void TemperatureStep::apply(Candidates& c, std::span<const int32_t>) {
    const float m = c.maxLogit();
    for (TokenCandidate& t : c.items())
        t.logit = (t.logit - m) / temperature_;
    c.logitsChanged(true);
}

std::string TemperatureStep::describe() const {
    return formatText("temperature %.3g", static_cast<double>(temperature_));
}

// ---- GreedyStep ----------------------------------------------------------------------------

void GreedyStep::apply(Candidates& c, std::span<const int32_t>) {
    size_t best = 0;
    if (c.sortedPrefix() == 0)
        for (size_t i = 1; i < c.size(); ++i)
            if (ranksBefore(c[i], c[best]))
                best = i;
    c.selected = static_cast<std::ptrdiff_t>(best);
}

std::string GreedyStep::describe() const { return "greedy"; }

// ---- DistStep ------------------------------------------------------------------------------

void DistStep::apply(Candidates& c, std::span<const int32_t>) {
    c.computeProbs();
    double total = 0;
    for (const TokenCandidate& t : c.items())
        total += t.prob;
    const double target = rng_.uniform() * total;
    double cumulative = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        cumulative += c[i].prob;
        if (target < cumulative) {
            c.selected = static_cast<std::ptrdiff_t>(i);
            return;
        }
    }
    // Rounding kept the running sum below the target: the last candidate that has a chance.
    size_t last = c.size() - 1;
    while (last > 0 && c[last].prob <= 0)
        --last;
    c.selected = static_cast<std::ptrdiff_t>(last);
}

void DistStep::reseed(uint64_t seed) {
    seed_ = seed;
    rng_.seed(seed);
}

std::string DistStep::describe() const {
    return formatText("draw (seed %llu)", static_cast<unsigned long long>(seed_));
}

// ---- Sampler -------------------------------------------------------------------------------

Sampler::Sampler(const SamplingParams& params) : params_(params) {
    params_.validate();
    const bool penalize = params_.repeatLastN != 0 &&
                          (params_.repeatPenalty != 1.0f || params_.frequencyPenalty != 0.0f ||
                           params_.presencePenalty != 0.0f);
    if (penalize)
        penalties_ = std::make_unique<PenaltyStep>(params_.repeatPenalty, params_.frequencyPenalty,
                                                   params_.presencePenalty, params_.repeatLastN);
    if (params_.temperature == 0.0f) {
        steps_.push_back(std::make_unique<GreedyStep>());
        return;
    }
    if (params_.topK > 0)
        steps_.push_back(std::make_unique<TopKStep>(params_.topK));
    if (params_.topP < 1.0f)
        steps_.push_back(std::make_unique<TopPStep>(params_.topP));
    if (params_.minP > 0.0f)
        steps_.push_back(std::make_unique<MinPStep>(params_.minP));
    if (params_.temperature != 1.0f)
        steps_.push_back(std::make_unique<TemperatureStep>(params_.temperature));
    auto dist = std::make_unique<DistStep>(params_.seed);
    dist_ = dist.get();
    steps_.push_back(std::move(dist));
}

Sampler::Result Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
    candidates_.assign(logits);
    if (penalties_)
        penalties_->apply(candidates_, history);

    // Normalizer of the reported log-probability: log Σ exp((l − m) / t) over the whole vocabulary,
    // taken now, before top-k and friends shrink the candidates.
    const float t = params_.temperature > 0 ? params_.temperature : 1.0f;
    const float m = candidates_.maxLogit();
    checkMax(m);
    const std::span<const TokenCandidate> all = candidates_.items();
    const double sum = sumExp<false>(all, m, t);

    for (const auto& step : steps_)
        step->apply(candidates_, history);

    const int32_t token = candidates_[static_cast<size_t>(candidates_.selected)].id;
    const float raw = logits[static_cast<size_t>(token)];
    const float logit = penalties_ ? penalties_->penalized(token, raw) : raw;
    const double logProb = static_cast<double>((logit - m) / t) - std::log(sum);
    return {token, static_cast<float>(logProb)};
}

void Sampler::reseed(uint64_t seed) {
    params_.seed = seed;
    if (dist_)
        dist_->reseed(seed);
}

std::string Sampler::describe() const {
    std::string out;
    if (penalties_)
        out = penalties_->describe();
    for (const auto& step : steps_) {
        if (!out.empty())
            out += " → ";
        out += step->describe();
    }
    return out;
}

} // namespace lamp
