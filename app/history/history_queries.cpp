// The reads of the history: the sidebar, a conversation's active path and branches, search.
#include "history/history_store.h"

#include "history/history_store_internal.h"

#include <unordered_map>

namespace lamp::history {

using Kind = HistoryError::Kind;

Message detail::readMessage(const QSqlQuery& query) {
    Message m;
    m.id = query.value(0).toLongLong();
    m.conversationId = query.value(1).toLongLong();
    m.parentId = query.value(2).toLongLong(); // NULL reads as 0: a root
    m.role = roleFromName(query.value(3).toString()).value_or(Role::User);
    m.text = query.value(4).toString();
    m.created = utc(query.value(5).toLongLong());
    m.model = query.value(6).toString();
    m.promptTokens = query.value(7).toInt();
    m.completionTokens = query.value(8).toInt();
    m.generationMs = query.value(9).toLongLong();
    m.finish = finishReasonFromName(query.value(10).toString()).value_or(FinishReason::Complete);
    return m;
}

namespace {

// Finishes a reused prepared SELECT when the reading is done, so it holds no read transaction.
struct Finish {
    QSqlQuery& query;
    ~Finish() { query.finish(); }
};

QString likePattern(const QString& word) {
    QString escaped = word;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// An FTS5 query matching every word as a substring (the trigram tokenizer needs 3+ characters).
QString ftsQuery(const QStringList& words) {
    QStringList phrases;
    for (QString word : words)
        phrases << QLatin1Char('"') + word.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
    return phrases.join(QLatin1Char(' '));
}

// About 80 characters of `text` around the first `word`, on one line.
QString snippetAround(const QString& text, const QString& word) {
    const QString flat = text.simplified();
    const qsizetype at = std::max<qsizetype>(0, flat.indexOf(word, 0, Qt::CaseInsensitive));
    qsizetype start = std::max<qsizetype>(0, at - 30);
    qsizetype end = std::min<qsizetype>(flat.size(), at + word.size() + 50);
    if (start > 0 && flat.at(start).isLowSurrogate())
        --start;
    if (end < flat.size() && flat.at(end).isLowSurrogate())
        ++end;
    QString out = flat.mid(start, end - start);
    if (start > 0)
        out.prepend(QChar(0x2026));
    if (end < flat.size())
        out.append(QChar(0x2026));
    return out;
}

} // namespace

std::optional<Conversation> HistoryStore::conversation(qint64 id) {
    QSqlQuery& query = prepared("SELECT id, title, title_is_auto, created_at, updated_at, model, system_prompt,"
                                " settings, pinned FROM conversations WHERE id = ? AND deleted_at IS NULL");
    query.bindValue(0, id);
    run(query, "read the conversation");
    std::optional<Conversation> out;
    {
        Finish finish{query};
        if (!query.next())
            return std::nullopt;
        Conversation c;
        c.id = query.value(0).toLongLong();
        c.title = query.value(1).toString();
        c.titleIsAuto = query.value(2).toInt() != 0;
        c.created = detail::utc(query.value(3).toLongLong());
        c.updated = detail::utc(query.value(4).toLongLong());
        c.model = query.value(5).toString();
        c.systemPrompt = query.value(6).toString();
        c.settings = detail::jsonObject(query.value(7).toString());
        c.pinned = query.value(8).toInt() != 0;
        out = std::move(c);
    }
    out->activeLeafId = activeLeaf(id);
    return out;
}

std::vector<SidebarEntry> HistoryStore::listConversations(const QDateTime& now) {
    // Local midnights, computed once: cheaper than converting every row's time.
    const QDate today = now.toLocalTime().date();
    const qint64 startToday = today.startOfDay().toMSecsSinceEpoch();
    const qint64 startYesterday = today.addDays(-1).startOfDay().toMSecsSinceEpoch();
    const qint64 startWeek = today.addDays(-7).startOfDay().toMSecsSinceEpoch();

    QSqlQuery& query = prepared("SELECT id, title, updated_at, pinned FROM conversations WHERE deleted_at IS NULL"
                                " ORDER BY pinned DESC, updated_at DESC, id DESC");
    run(query, "list the conversations");
    Finish finish{query};
    std::vector<SidebarEntry> out;
    out.reserve(256);
    while (query.next()) {
        SidebarEntry e;
        e.id = query.value(0).toLongLong();
        e.title = query.value(1).toString();
        const qint64 updated = query.value(2).toLongLong();
        e.updated = detail::utc(updated);
        e.pinned = query.value(3).toInt() != 0;
        e.group = updated >= startToday       ? DateGroup::Today
                  : updated >= startYesterday ? DateGroup::Yesterday
                  : updated >= startWeek      ? DateGroup::Last7Days
                                              : DateGroup::Older;
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<Message> HistoryStore::message(qint64 id) {
    QSqlQuery& query = prepared("SELECT" LAMP_HISTORY_MESSAGE_COLUMNS "FROM messages m WHERE m.id = ?");
    query.bindValue(0, id);
    run(query, "read the message");
    Finish finish{query};
    if (!query.next())
        return std::nullopt;
    return detail::readMessage(query);
}

qint64 HistoryStore::activeLeaf(qint64 conversationId) {
    {
        QSqlQuery& query = prepared("SELECT m.id FROM conversations c JOIN messages m ON m.id = c.active_leaf_id"
                                    " AND m.conversation_id = c.id WHERE c.id = ?");
        query.bindValue(0, conversationId);
        run(query, "read the active branch");
        Finish finish{query};
        if (query.next())
            return query.value(0).toLongLong();
    }
    // No leaf recorded (or it names a message that is gone): the newest message.
    QSqlQuery& newest = prepared("SELECT max(id) FROM messages WHERE conversation_id = ?");
    newest.bindValue(0, conversationId);
    run(newest, "read the active branch");
    Finish finish{newest};
    return newest.next() ? newest.value(0).toLongLong() : 0;
}

std::vector<PathEntry> HistoryStore::activePath(qint64 conversationId) {
    const qint64 leaf = activeLeaf(conversationId);
    if (leaf == 0)
        return {};
    std::vector<PathEntry> path;
    {
        QSqlQuery& query = prepared(
            "WITH RECURSIVE path(id, depth) AS (SELECT ?, 0 UNION ALL SELECT m.parent_id, path.depth + 1"
            " FROM messages m JOIN path ON m.id = path.id WHERE m.parent_id IS NOT NULL)"
            " SELECT" LAMP_HISTORY_MESSAGE_COLUMNS "FROM path JOIN messages m ON m.id = path.id ORDER BY path.depth DESC");
        query.bindValue(0, leaf);
        run(query, "read the conversation's messages");
        Finish finish{query};
        while (query.next())
            path.push_back(PathEntry{detail::readMessage(query), 0, 1});
    }
    // Sibling positions from one pass over the conversation's (id, parent) pairs.
    std::unordered_map<qint64, std::vector<qint64>> children; // parent (0 = root) -> ids, oldest first
    {
        QSqlQuery& query = prepared("SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY id");
        query.bindValue(0, conversationId);
        run(query, "read the conversation's branches");
        Finish finish{query};
        while (query.next())
            children[query.value(1).toLongLong()].push_back(query.value(0).toLongLong());
    }
    for (PathEntry& entry : path) {
        const std::vector<qint64>& same = children[entry.message.parentId];
        entry.siblingCount = static_cast<int>(same.size());
        entry.siblingIndex =
            static_cast<int>(std::find(same.begin(), same.end(), entry.message.id) - same.begin());
    }
    return path;
}

std::vector<qint64> HistoryStore::siblings(qint64 messageId) {
    const std::optional<Message> self = message(messageId);
    if (!self)
        throw HistoryError(Kind::BadInput, "could not list the alternatives of message " + std::to_string(messageId) +
                                               ": it does not exist");
    QSqlQuery& query = self->parentId == 0
                           ? prepared("SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL ORDER BY id")
                           : prepared("SELECT id FROM messages WHERE parent_id = ? ORDER BY id");
    query.bindValue(0, self->parentId == 0 ? self->conversationId : self->parentId);
    run(query, "list the message's alternatives");
    Finish finish{query};
    std::vector<qint64> out;
    while (query.next())
        out.push_back(query.value(0).toLongLong());
    return out;
}

qint64 HistoryStore::selectBranch(qint64 messageId) {
    const std::optional<Message> self = message(messageId);
    if (!self)
        throw HistoryError(Kind::BadInput, "could not show the branch of message " + std::to_string(messageId) +
                                               ": it does not exist");
    // A child always has a larger id than its parent, so the largest id below a message is a leaf:
    // the one written last in that branch.
    qint64 leaf = messageId;
    {
        QSqlQuery& query = prepared("WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT m.id FROM messages m"
                                    " JOIN sub ON m.parent_id = sub.id) SELECT max(id) FROM sub");
        query.bindValue(0, messageId);
        run(query, "find the branch's last message");
        Finish finish{query};
        if (query.next())
            leaf = query.value(0).toLongLong();
    }
    QSqlQuery& update = prepared("UPDATE conversations SET active_leaf_id = ? WHERE id = ?");
    update.bindValue(0, leaf);
    update.bindValue(1, self->conversationId);
    run(update, "save the active branch");
    return leaf;
}

std::vector<Message> HistoryStore::allMessages(qint64 conversationId) {
    QSqlQuery& query =
        prepared("SELECT" LAMP_HISTORY_MESSAGE_COLUMNS "FROM messages m WHERE m.conversation_id = ? ORDER BY m.id");
    query.bindValue(0, conversationId);
    run(query, "read the conversation's messages");
    Finish finish{query};
    std::vector<Message> out;
    while (query.next())
        out.push_back(detail::readMessage(query));
    return out;
}

std::vector<SearchHit> HistoryStore::search(const QString& text, int limit) {
    checkThread();
    const QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.isEmpty() || limit <= 0)
        return {};
    std::vector<SearchHit> hits;

    QString titleSql = QStringLiteral("SELECT id, title FROM conversations WHERE deleted_at IS NULL");
    for (qsizetype i = 0; i < words.size(); ++i)
        titleSql += QStringLiteral(" AND title LIKE ? ESCAPE '\\'");
    titleSql += QStringLiteral(" ORDER BY updated_at DESC, id DESC LIMIT ?");
    QSqlQuery titles(db_);
    titles.setForwardOnly(true);
    titles.prepare(titleSql);
    for (qsizetype i = 0; i < words.size(); ++i)
        titles.bindValue(static_cast<int>(i), likePattern(words[i]));
    titles.bindValue(static_cast<int>(words.size()), limit);
    run(titles, "search the conversation titles");
    while (titles.next())
        hits.push_back(SearchHit{titles.value(0).toLongLong(), titles.value(1).toString(), 0, {}});

    // The trigram index finds substrings of 3+ characters; shorter words (a two-character Chinese
    // word, say) scan the messages with LIKE.
    bool useIndex = hasFts_;
    for (const QString& word : words)
        useIndex = useIndex && word.toUcs4().size() >= 3;
    QString sql = QStringLiteral("SELECT m.id, m.conversation_id, c.title, m.text FROM ");
    if (useIndex) {
        sql += QStringLiteral("messages_fts JOIN messages m ON m.id = messages_fts.rowid"
                              " JOIN conversations c ON c.id = m.conversation_id"
                              " WHERE messages_fts MATCH ? AND c.deleted_at IS NULL");
    } else {
        sql += QStringLiteral("messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.deleted_at IS NULL");
        for (qsizetype i = 0; i < words.size(); ++i)
            sql += QStringLiteral(" AND m.text LIKE ? ESCAPE '\\'");
    }
    sql += QStringLiteral(" ORDER BY m.id DESC LIMIT ?");
    QSqlQuery messages(db_);
    messages.setForwardOnly(true);
    messages.prepare(sql);
    int bound = 0;
    if (useIndex) {
        messages.bindValue(bound++, ftsQuery(words));
    } else {
        for (const QString& word : words)
            messages.bindValue(bound++, likePattern(word));
    }
    messages.bindValue(bound, limit);
    run(messages, "search the messages");
    while (messages.next())
        hits.push_back(SearchHit{messages.value(1).toLongLong(), messages.value(2).toString(),
                                 messages.value(0).toLongLong(), snippetAround(messages.value(3).toString(), words.front())});
    return hits;
}

} // namespace lamp::history
