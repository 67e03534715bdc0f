#include "model/session.h"

#include "core/log.h"
#include "model/model.h"
#include "model/model_error.h"

#include <algorithm>
#include <functional>
#include <new>
#include <string>

namespace lamp {

namespace {

std::string mib(size_t bytes) {
    return std::to_string((bytes + (size_t{1} << 19)) >> 20) + " MiB";
}

// The context a session of `model` gets for `requested` tokens (0: the default), checked.
int64_t resolveContext(const Model& model, int64_t requested) {
    const ModelSpec& s = model.spec();
    int64_t ctx = requested;
    if (ctx == 0) {
        ctx = std::min(s.contextLength, SessionOptions::kDefaultContextLimit);
        if (model.maxPositions() > 0)
            ctx = std::min(ctx, model.maxPositions());
    }
    if (ctx <= 0)
        throw ModelError("context length " + std::to_string(ctx) + " is invalid: it must be positive");
    if (model.maxPositions() > 0 && ctx > model.maxPositions())
        throw ModelError(s.fileName + ": a context of " + std::to_string(ctx) + " tokens is longer than the " +
                         std::to_string(model.maxPositions()) + " positions this " + s.architecture +
                         " model has embeddings for; choose a context of at most " +
                         std::to_string(model.maxPositions()));
    if (ctx > s.contextLength)
        log::get("engine")->warn("{}: context of {} tokens is longer than the {} the model was trained for; "
                                 "expect worse text past that point",
                                 s.fileName, ctx, s.contextLength);
    return ctx;
}

std::unique_ptr<Executor> makeExecutor(const Model& model, const Backend& backend, int64_t ctx,
                                       const SessionOptions& options) {
    const ModelSpec& s = model.spec();
    try {
        return backend.makeExecutor(model, ctx, options.kvType, options.threads);
    } catch (const std::bad_alloc&) {
        throw ModelError("not enough memory for the KV cache of a " + std::to_string(ctx) + "-token context (" +
                         mib(KvCache::bytesFor(s.blockCount, ctx, s.headCountKv, s.keyLength, s.valueLength,
                                               options.kvType)) +
                         "); choose a shorter context");
    }
}

} // namespace

Session::Session(const Model& model, SessionOptions options)
    : model_(model), backend_(options.backend ? options.backend : cpuBackend()), kvType_(options.kvType),
      threads_(options.threads), batchSize_(options.batchSize) {
    const int64_t ctx = resolveContext(model, options.contextLength);
    try {
        executor_ = makeExecutor(model, *backend_, ctx, options);
    } catch (const BackendUnavailable& e) {
        if (backend_ == cpuBackend())
            throw;
        fallbackReason_ = e.what();
        log::get("engine")->warn("{} — running this session on CPU", fallbackReason_);
        backend_ = cpuBackend();
        executor_ = makeExecutor(model, *backend_, ctx, options);
    }
    tokens_.reserve(static_cast<size_t>(ctx));  // appending a token never reallocates
    if (batchSize_ <= 0)
        throw ModelError("batch size " + std::to_string(batchSize_) + " is invalid: it must be positive");
}

int64_t Session::contextFor(const Model& model, int64_t requested) { return resolveContext(model, requested); }

Session::Session(const Model& model, int64_t contextLength, int threads)
    : Session(model, [&] {
          SessionOptions o;
          o.contextLength = contextLength;
          o.threads = threads;
          return o;
      }()) {}

Session::~Session() = default;

std::span<const float> Session::logits() const {
    if (!logitsValid_)
        return {};
    return logits_;
}

void Session::truncate(int64_t n) {
    if (n < 0)
        n = 0;
    if (n >= size())
        return;
    tokens_.resize(static_cast<size_t>(n));
    logitsValid_ = false;
    allLogits_.clear();
}

void Session::checkIds(std::span<const int32_t> tokens) const {
    const int64_t vocab = model_.vocabSize();
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] < 0 || tokens[i] >= vocab)
            throw ModelError("token id " + std::to_string(tokens[i]) + " (at index " + std::to_string(i) +
                             ") is outside the vocabulary of " + std::to_string(vocab) + " tokens");
}

Session::Result Session::evaluate(std::span<const int32_t> tokens, Logits which) {
    const int64_t n = static_cast<int64_t>(tokens.size());
    if (n > contextLength())
        throw ContextOverflowError(std::to_string(n) + " tokens do not fit the context of " +
                                   std::to_string(contextLength()) +
                                   " tokens: shorten the prompt, start a new conversation, or choose a "
                                   "longer context (the model was trained for " +
                                   std::to_string(model_.trainingContext()) + ")");
    checkIds(tokens);
    // evaluate(tokens()) and other views into tokens_: work on a copy, tokens_ changes below.
    const std::less<const int32_t*> before;
    if (!tokens.empty() && !tokens_.empty() && !before(tokens.data(), tokens_.data()) &&
        before(tokens.data(), tokens_.data() + tokens_.size())) {
        const std::vector<int32_t> copy(tokens.begin(), tokens.end());
        return evaluate(copy, which);
    }

    // The longest prefix already in the cache.
    size_t common = 0;
    while (common < tokens.size() && common < tokens_.size() && tokens[common] == tokens_[common])
        ++common;
    if (common == tokens.size() && common == tokens_.size() && which == Logits::Last && logitsValid_) {
        allLogits_.clear();
        return {static_cast<int64_t>(common), 0, 0};  // nothing new, the logits are at hand
    }
    // The last token is evaluated again when its logits are needed and not at hand.
    if (common == tokens.size() && common > 0)
        --common;

    truncate(static_cast<int64_t>(common));
    const bool finished = run(tokens.subspan(common), which);
    return {static_cast<int64_t>(common), size() - static_cast<int64_t>(common), 0, !finished};
}

void Session::fallBackToCpu(const std::string& reason) {
    fallbackReason_ = reason;
    log::get("engine")->warn("{} — continuing this session on CPU", reason);
    SessionOptions options;
    options.kvType = kvType_;
    options.threads = threads_;
    const int64_t ctx = contextLength();
    backend_ = cpuBackend();
    executor_.reset();  // the device memory first
    executor_ = makeExecutor(model_, *backend_, ctx, options);
}

bool Session::run(std::span<const int32_t> fresh, Logits which) {
    const size_t from = tokens_.size();
    try {
        return runBatches(fresh, which);
    } catch (const BackendUnavailable& e) {
        if (backend_ == cpuBackend())
            throw;
        // The cache on the failed device is gone: evaluate everything again on the CPU, keeping
        // only the logits rows this call would have produced.
        fallBackToCpu(e.what());
        std::vector<int32_t> all(tokens_.begin(), tokens_.begin() + static_cast<std::ptrdiff_t>(from));
        all.insert(all.end(), fresh.begin(), fresh.end());
        tokens_.clear();
        const bool finished = runBatches(all, which);
        if (which == Logits::All && finished)
            allLogits_.erase(allLogits_.begin(),
                             allLogits_.begin() + static_cast<std::ptrdiff_t>(from * static_cast<size_t>(model_.vocabSize())));
        return finished;
    }
}

bool Session::runBatches(std::span<const int32_t> fresh, Logits which) {
    const int64_t vocab = model_.vocabSize();
    const size_t total = fresh.size();
    const size_t base = tokens_.size();
    allLogits_.clear();
    logitsValid_ = false;
    if (total == 0)
        return true;
    if (which == Logits::All)
        allLogits_.resize(total * static_cast<size_t>(vocab));
    logits_.resize(static_cast<size_t>(vocab));

    for (size_t done = 0; done < total;) {
        const size_t count = std::min(static_cast<size_t>(batchSize_), total - done);
        const bool last = done + count == total;
        ForwardBatch batch;
        batch.tokens = fresh.subspan(done, count);
        batch.startPos = static_cast<int64_t>(base + done);
        batch.allLogits = which == Logits::All;
        if (which == Logits::All)
            batch.logits = allLogits_.data() + done * static_cast<size_t>(vocab);
        else if (last)
            batch.logits = logits_.data();
        executor_->forward(batch);
        // The cache now holds this batch: record it before the next one can fail.
        tokens_.insert(tokens_.end(), batch.tokens.begin(), batch.tokens.end());
        done += count;
        if (progress_ && !progress_(static_cast<int64_t>(done), static_cast<int64_t>(total)) && done < total) {
            allLogits_.clear();
            return false;
        }
    }
    if (which == Logits::All)
        std::copy(allLogits_.end() - vocab, allLogits_.end(), logits_.begin());
    logitsValid_ = true;
    return true;
}

Session::Result Session::append(std::span<const int32_t> tokens, Logits which) {
    // The common case (generation, a token at a time): the new tokens fit after the cached ones and
    // run at once, without copying the sequence.
    const std::less<const int32_t*> before;
    const bool aliases = !tokens.empty() && !tokens_.empty() && !before(tokens.data(), tokens_.data()) &&
                         before(tokens.data(), tokens_.data() + tokens_.size());
    if (!tokens.empty() && !aliases && size() + static_cast<int64_t>(tokens.size()) <= contextLength()) {
        checkIds(tokens);
        const int64_t reused = size();
        const bool finished = run(tokens, which);
        return {reused, size() - reused, 0, !finished};
    }
    std::vector<int32_t> wanted(tokens_);
    wanted.insert(wanted.end(), tokens.begin(), tokens.end());
    const int64_t ctx = contextLength();
    int64_t dropped = 0;
    if (static_cast<int64_t>(wanted.size()) > ctx) {
        // Context full: keep the first keep_ tokens, drop the oldest half of the rest (at least
        // enough to fit), re-evaluate the survivors at their new positions.
        const int64_t keep = std::min<int64_t>(keep_, size());
        const int64_t after = size() - keep;
        const int64_t needed = static_cast<int64_t>(wanted.size()) - ctx;
        dropped = std::max(after / 2, needed);
        if (dropped > after)
            throw ContextOverflowError(std::to_string(tokens.size()) + " new tokens do not fit the context of " +
                                       std::to_string(ctx) + " tokens even after dropping everything but the " +
                                       std::to_string(keep) + " kept tokens");
        checkIds(tokens);
        log::get("engine")->info("context full ({} tokens): keeping the first {}, dropping the {} after them",
                                 size(), keep, dropped);
        wanted.erase(wanted.begin() + keep, wanted.begin() + keep + dropped);
    }
    Result r = evaluate(wanted, which);
    r.dropped = dropped;
    return r;
}

Session::Result Session::evaluateTurns(std::span<const std::vector<int32_t>> turns, int64_t reserve) {
    return evaluate(fitTurns(turns, contextLength() - std::max<int64_t>(reserve, 0)));
}

std::vector<int32_t> fitTurns(std::span<const std::vector<int32_t>> turns, int64_t budget,
                              size_t keepLeading) {
    keepLeading = std::min(keepLeading, turns.size());
    int64_t used = 0;
    for (size_t i = 0; i < keepLeading; ++i)
        used += static_cast<int64_t>(turns[i].size());
    // Walk back from the newest turn while whole turns fit.
    size_t first = turns.size();
    while (first > keepLeading && used + static_cast<int64_t>(turns[first - 1].size()) <= budget) {
        used += static_cast<int64_t>(turns[first - 1].size());
        --first;
    }
    if (first == turns.size() && first > keepLeading)
        throw ContextOverflowError("the newest turn (" + std::to_string(turns.back().size()) +
                                   " tokens) and the system prompt do not fit into " + std::to_string(budget) +
                                   " tokens of context: shorten the message or choose a longer context");
    if (used > budget)
        throw ContextOverflowError("the system prompt (" + std::to_string(used) + " tokens) does not fit into " +
                                   std::to_string(budget) + " tokens of context");
    std::vector<int32_t> out;
    out.reserve(static_cast<size_t>(used));
    for (size_t i = 0; i < keepLeading; ++i)
        out.insert(out.end(), turns[i].begin(), turns[i].end());
    for (size_t i = first; i < turns.size(); ++i)
        out.insert(out.end(), turns[i].begin(), turns[i].end());
    return out;
}

} // namespace lamp
