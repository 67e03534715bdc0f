#include "worker/session_cache.h"

#include "model/model.h"

#include <algorithm>

namespace lamp::app {

SessionCache::SessionCache(int maxSessions, int64_t budgetBytes) {
    setLimits(maxSessions, budgetBytes);
}

void SessionCache::setLimits(int maxSessions, int64_t budgetBytes) {
    maxSessions_ = std::max(1, maxSessions);
    budgetBytes_ = std::max<int64_t>(0, budgetBytes);
}

int64_t SessionCache::bytes() const {
    int64_t total = 0;
    for (const Entry& e : entries_)
        total += static_cast<int64_t>(e.session->kvBytes());
    return total;
}

int64_t SessionCache::estimateBytes(const Model& model, const SessionOptions& options) {
    const ModelSpec& spec = model.spec();
    int64_t context = options.contextLength;
    if (context <= 0) {
        context = spec.contextLength > 0 ? std::min(spec.contextLength, SessionOptions::kDefaultContextLimit)
                                         : SessionOptions::kDefaultContextLimit;
    }
    const int64_t element = options.kvType == KvType::F16 ? 2 : 4;
    return spec.blockCount * context * (spec.kvWidth() + spec.vWidth()) * element;
}

Session* SessionCache::find(const QString& conversationId) {
    for (Entry& e : entries_)
        if (e.conversationId == conversationId)
            return e.session.get();
    return nullptr;
}

void SessionCache::forget(const QString& conversationId) {
    std::erase_if(entries_, [&](const Entry& e) { return e.conversationId == conversationId; });
}

void SessionCache::evictFor(int64_t extraBytes, int extraSessions, const Entry* keep) {
    while (true) {
        const int count = size() + extraSessions;
        const int64_t total = bytes() + extraBytes;
        if (count <= maxSessions_ && total <= budgetBytes_)
            return;
        auto oldest = entries_.end();
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
            if (&*it != keep && (oldest == entries_.end() || it->lastUse < oldest->lastUse))
                oldest = it;
        if (oldest == entries_.end())
            return;  // only the kept one is left: it stays even over the budget
        entries_.erase(oldest);
    }
}

Session& SessionCache::acquire(const Model& model, const QString& conversationId, const SessionOptions& options) {
    const auto same = [&](const SessionOptions& o) {
        return o.contextLength == options.contextLength && o.threads == options.threads &&
               o.batchSize == options.batchSize && o.kvType == options.kvType;
    };
    for (Entry& e : entries_) {
        if (e.conversationId != conversationId)
            continue;
        if (same(e.options) && &e.session->model() == &model) {
            e.lastUse = ++clock_;
            return *e.session;
        }
        forget(conversationId);  // other settings: a new session below
        break;
    }
    evictFor(estimateBytes(model, options), 1, nullptr);
    Entry entry{conversationId, options, std::make_unique<Session>(model, options), ++clock_};
    entries_.push_back(std::move(entry));
    return *entries_.back().session;
}

} // namespace lamp::app
