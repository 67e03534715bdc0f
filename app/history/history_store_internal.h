// Pieces shared by history_store.cpp and history_queries.cpp (not part of the API).
#pragma once

#include "history/history_store.h"

#include <QJsonDocument>

namespace lamp::history {

// One transaction around a write, unless a Batch already holds one. Rolls back unless committed.
class HistoryStore::WriteScope {
public:
    WriteScope(HistoryStore& store, const char* what);
    ~WriteScope();
    void commit();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;

private:
    HistoryStore& store_;
    const char* what_;
    bool own_;
    bool done_ = false;
};

namespace detail {

inline QString jsonText(const QJsonObject& object) {
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

inline QJsonObject jsonObject(const QString& text) {
    return QJsonDocument::fromJson(text.toUtf8()).object(); // {} for anything but an object
}

// A QString bound as text even when null (a null QString binds as SQL NULL).
inline QString str(const QString& text) {
    return text.isNull() ? QStringLiteral("") : text;
}

inline QDateTime utc(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

// The columns readMessage() expects, in order, from table alias m (a macro so that it joins string
// literals: prepared statements are keyed by their literal).
#define LAMP_HISTORY_MESSAGE_COLUMNS                                                                    \
    " m.id, m.conversation_id, m.parent_id, m.role, m.text, m.created_at, m.model, m.prompt_tokens,"   \
    " m.completion_tokens, m.generation_ms, m.finish_reason "

Message readMessage(const QSqlQuery& query);

} // namespace detail

} // namespace lamp::history
