#include "bench/backend_compare.h"

#include "bench/throughput.h"  // benchTokens
#include "engine/backend_choice.h"
#include "model/model.h"
#include "model/session.h"

#include <algorithm>
#include <span>
#include <vector>

namespace lamp::bench {
namespace {

struct Sums {
    double err = 0, norm = 0;
    void add(std::span<const float> got, std::span<const float> ref) {
        for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
            const double d = static_cast<double>(got[i]) - ref[i];
            err += d * d;
            norm += static_cast<double>(ref[i]) * ref[i];
        }
    }
    double nmse() const { return norm > 0 ? err / norm : err; }
};

int32_t argmax(std::span<const float> v) {
    return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

} // namespace

CompareResult compareWithCpu(const CompareOptions& options) {
    const auto model = Model::load(options.modelPath);
    SessionOptions so;
    so.contextLength = std::min(options.promptTokens + options.greedyTokens + 1, model->maxPositions());
    so.threads = options.threads;
    Session cpu(*model, so);

    BackendRequest request = BackendRequest::parse(options.backend);
    request.contextLength = so.contextLength;
    const BackendChoice choice = chooseBackend(*model, request);
    CompareResult r;
    r.backend = choice.summary();
    r.reason = choice.reason;
    r.fellBack = choice.fellBack;
    so.backend = choice.backend;
    Session other(*model, so);

    const int64_t promptLength = std::min(options.promptTokens, so.contextLength - options.greedyTokens - 1);
    const auto prompt = benchTokens(std::max<int64_t>(promptLength, 1), model->vocabSize());
    cpu.evaluate(prompt, Logits::All);
    other.evaluate(prompt, Logits::All);
    Sums prompts;
    prompts.add(other.allLogits(), cpu.allLogits());
    r.promptNmse = prompts.nmse();

    // Each follows its own greedy choice; the logits are compared while the two agree.
    Sums decode;
    r.greedyTokens = options.greedyTokens;
    bool agree = true;
    for (int64_t i = 0; i < options.greedyTokens; ++i) {
        const int32_t a = argmax(cpu.logits()), b = argmax(other.logits());
        agree = agree && a == b;
        if (!agree)
            break;
        ++r.greedyEqual;
        cpu.append(a);
        other.append(b);
        decode.add(other.logits(), cpu.logits());
    }
    r.decodeNmse = decode.nmse();
    if (!other.fallbackReason().empty()) {
        r.fellBack = true;
        r.reason = other.fallbackReason();
    }
    return r;
}

} // namespace lamp::bench
