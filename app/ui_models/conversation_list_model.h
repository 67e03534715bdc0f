// The sidebar's list: live conversations from the HistoryStore (pinned first, then newest), or the
// search hits when a filter is set. GUI thread only; the AppController calls reload() after every
// change it makes to the history.
#pragma once

#include "history/history_types.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace lamp::history {
class HistoryStore;
}

namespace lamp::app {

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by AppController")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, // qint64 conversation id
        TitleRole,                 // the title, or "New chat" while it has none
        UpdatedRole,               // QDateTime (local time)
        PinnedRole,                // bool
        GroupRole,                 // "Pinned", "Today", "Yesterday", "Previous 7 days", "Older", or "Results"
        SnippetRole,               // search: the matching text ("" for title matches and no filter)
    };

    explicit ConversationListModel(QObject* parent = nullptr);

    void setStore(history::HistoryStore* store);
    // Reads the list again (or runs the search again when filtered).
    void reload();
    // Tests: the "now" that picks the date groups (invalid = the current time).
    void setNowForTesting(const QDateTime& now) { now_ = now; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(rows_.size()); }
    QString filter() const { return filter_; }
    void setFilter(const QString& filter);
    // The row of a conversation, -1 when not listed.
    Q_INVOKABLE int rowOf(qint64 conversationId) const;

    static QString groupName(history::DateGroup group);

Q_SIGNALS:
    void countChanged();
    void filterChanged();

private:
    struct Row {
        qint64 id = 0;
        QString title;
        QDateTime updated;
        bool pinned = false;
        QString group;
        QString snippet;
    };

    history::HistoryStore* store_ = nullptr;
    std::vector<Row> rows_;
    QString filter_;
    QDateTime now_;
};

} // namespace lamp::app
