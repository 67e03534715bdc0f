#include "ui_models/conversation_list_model.h"

#include "history/history_store.h"

#include <set>

namespace lamp::app {

ConversationListModel::ConversationListModel(QObject* parent) : QAbstractListModel(parent) {}

void ConversationListModel::setStore(history::HistoryStore* store) {
    store_ = store;
    reload();
}

QString ConversationListModel::groupName(history::DateGroup group) {
    switch (group) {
    case history::DateGroup::Today: return tr("Today");
    case history::DateGroup::Yesterday: return tr("Yesterday");
    case history::DateGroup::Last7Days: return tr("Previous 7 days");
    case history::DateGroup::Older: return tr("Older");
    }
    return {};
}

void ConversationListModel::reload() {
    std::vector<Row> rows;
    if (store_) {
        if (filter_.trimmed().isEmpty()) {
            const QDateTime now = now_.isValid() ? now_ : QDateTime::currentDateTime();
            for (const auto& e : store_->listConversations(now)) {
                rows.push_back({e.id, e.title, e.updated.toLocalTime(), e.pinned,
                                e.pinned ? tr("Pinned") : groupName(e.group), {}});
            }
        } else {
            std::set<qint64> seen;
            for (const auto& hit : store_->search(filter_)) {
                if (!seen.insert(hit.conversationId).second)
                    continue;
                const auto c = store_->conversation(hit.conversationId);
                rows.push_back({hit.conversationId, hit.title, c ? c->updated.toLocalTime() : QDateTime{},
                                c && c->pinned, tr("Results"), hit.snippet});
            }
        }
    }
    const bool countChanges = rows.size() != rows_.size();
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
    if (countChanges)
        Q_EMIT countChanged();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= count())
        return {};
    const Row& r = rows_[static_cast<size_t>(index.row())];
    switch (role) {
    case IdRole: return r.id;
    case Qt::DisplayRole:
    case TitleRole: return r.title.isEmpty() ? tr("New chat") : r.title;
    case UpdatedRole: return r.updated;
    case PinnedRole: return r.pinned;
    case GroupRole: return r.group;
    case SnippetRole: return r.snippet;
    default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    return {{IdRole, "conversationId"}, {TitleRole, "title"},  {UpdatedRole, "updated"},
            {PinnedRole, "pinned"},     {GroupRole, "group"},  {SnippetRole, "snippet"}};
}

void ConversationListModel::setFilter(const QString& filter) {
    if (filter == filter_)
        return;
    filter_ = filter;
    Q_EMIT filterChanged();
    reload();
}

int ConversationListModel::rowOf(qint64 conversationId) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == conversationId)
            return static_cast<int>(i);
    return -1;
}

} // namespace lamp::app
