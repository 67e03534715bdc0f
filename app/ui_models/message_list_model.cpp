#include "ui_models/message_list_model.h"

#include "history/history_store.h"

namespace lamp::app {

MessageListModel::MessageListModel(QObject* parent) : QAbstractListModel(parent) {}

void MessageListModel::setStore(history::HistoryStore* store) {
    store_ = store;
    load(0);
}

void MessageListModel::load(qint64 conversationId) {
    std::vector<history::PathEntry> rows;
    if (store_ && conversationId > 0)
        rows = store_->activePath(conversationId);
    const bool countChanges = rows.size() != rows_.size();
    const bool idChanges = conversationId != conversationId_;
    beginResetModel();
    rows_ = std::move(rows);
    conversationId_ = conversationId;
    endResetModel();
    if (countChanges)
        Q_EMIT countChanged();
    if (idChanges)
        Q_EMIT conversationIdChanged();
}

void MessageListModel::setStreamingText(qint64 messageId, const QString& text) {
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    rows_[static_cast<size_t>(row)].message.text = text;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {TextRole});
}

int MessageListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= count())
        return {};
    const history::PathEntry& e = rows_[static_cast<size_t>(index.row())];
    const history::Message& m = e.message;
    switch (role) {
    case IdRole: return m.id;
    case RoleRole: return history::roleName(m.role);
    case Qt::DisplayRole:
    case TextRole: return m.text;
    case SiblingIndexRole: return e.siblingIndex;
    case SiblingCountRole: return e.siblingCount;
    case FinishRole: return history::finishReasonName(m.finish);
    case GeneratingRole: return m.finish == history::FinishReason::Generating;
    case ModelRole: return m.model;
    case CreatedRole: return m.created.toLocalTime();
    default: return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const {
    return {{IdRole, "messageId"},       {RoleRole, "role"},
            {TextRole, "text"},          {SiblingIndexRole, "siblingIndex"},
            {SiblingCountRole, "siblingCount"}, {FinishRole, "finish"},
            {GeneratingRole, "generating"},     {ModelRole, "model"},
            {CreatedRole, "created"}};
}

int MessageListModel::rowOf(qint64 messageId) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].message.id == messageId)
            return static_cast<int>(i);
    return -1;
}

QString MessageListModel::textAt(int row) const {
    if (row < 0 || row >= count())
        return {};
    return rows_[static_cast<size_t>(row)].message.text;
}

} // namespace lamp::app
