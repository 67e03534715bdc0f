// The KV caches of the most recently used conversations, so switching back to a conversation
// reuses its cache (only the new turn is evaluated). Bounded by a count and by bytes: the session
// being acquired is always kept; the least recently used others are dropped first.
// Lives on the worker thread; not thread-safe.
#pragma once

#include "model/session.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace lamp::app {

class SessionCache {
public:
    SessionCache(int maxSessions, int64_t budgetBytes);

    // The session of `conversationId`, made with `options` (a cached one made with other options
    // is replaced). Evicts other sessions first so that, with the new one, at most maxSessions are
    // kept and their KV caches fit the budget. Throws ModelError (memory) like Session's constructor.
    Session& acquire(const Model& model, const QString& conversationId, const SessionOptions& options);

    // The cached session of a conversation, or null.
    Session* find(const QString& conversationId);
    void forget(const QString& conversationId);
    void clear() { entries_.clear(); }

    int size() const { return static_cast<int>(entries_.size()); }
    int64_t bytes() const;
    void setLimits(int maxSessions, int64_t budgetBytes);

    // KV cache bytes a session of `model` with `contextLength` positions would allocate.
    static int64_t estimateBytes(const Model& model, const SessionOptions& options);

private:
    struct Entry {
        QString conversationId;
        SessionOptions options;  // as asked (0 = defaults), to tell when settings changed
        std::unique_ptr<Session> session;
        uint64_t lastUse = 0;
    };
    // Drops least recently used entries other than `keep` until `extraBytes` more fit.
    void evictFor(int64_t extraBytes, int extraSessions, const Entry* keep);

    int maxSessions_;
    int64_t budgetBytes_;
    uint64_t clock_ = 0;
    std::vector<Entry> entries_;
};

} // namespace lamp::app
