// The chat view's list: the active path of one conversation (root to active leaf), each message with
// its place among its siblings for the "‹ 2/3 ›" switcher. The answer being generated is a row whose
// text the AppController grows in place (setStreamingText) from the GenerationController's deltas:
// only that row's text changes, so the view neither resets nor jumps. GUI thread only.
#pragma once

#include "history/history_types.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace lamp::history {
class HistoryStore;
}

namespace lamp::app {

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by AppController")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(qint64 conversationId READ conversationId NOTIFY conversationIdChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, // qint64 message id
        RoleRole,                  // "user", "assistant", "system"
        TextRole,                  // the text (grows while generating)
        SiblingIndexRole,          // 0-based
        SiblingCountRole,          // 1 when there are no alternatives
        FinishRole,                // "complete", "length", "stopped", "interrupted", "error", "generating"
        GeneratingRole,            // bool: this answer is being written now
        ModelRole,                 // the model that wrote an answer
        CreatedRole,               // QDateTime (local time)
    };

    explicit MessageListModel(QObject* parent = nullptr);

    void setStore(history::HistoryStore* store);
    // Shows `conversationId`'s active path (0 = none: an empty list).
    void load(qint64 conversationId);
    // Reads the current conversation's active path again.
    void reload() { load(conversationId_); }
    // Replaces the text of message `messageId` (when shown) and emits dataChanged for its row only.
    void setStreamingText(qint64 messageId, const QString& text);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(rows_.size()); }
    qint64 conversationId() const { return conversationId_; }
    Q_INVOKABLE int rowOf(qint64 messageId) const;
    // The text of row `row` ("" when out of range): for copy buttons and tests.
    Q_INVOKABLE QString textAt(int row) const;

Q_SIGNALS:
    void countChanged();
    void conversationIdChanged();

private:
    history::HistoryStore* store_ = nullptr;
    qint64 conversationId_ = 0;
    std::vector<history::PathEntry> rows_;
};

} // namespace lamp::app
