// Opening (pragmas, migrations, damaged files), transactions, and every write of the history.
// The reads are in history_queries.cpp.
#include "history/history_store.h"

#include "history/history_store_internal.h"
#include "history/schema.h"

#include "core/log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QThread>

#include <atomic>

namespace lamp::history {

using Kind = HistoryError::Kind;

namespace {

std::atomic<int> g_connectionCounter{0};

QString nextConnectionName() {
    return QStringLiteral("lamp-history-%1").arg(g_connectionCounter.fetch_add(1) + 1);
}

// Renames a damaged file (and its -wal/-shm companions) to "<name>.damaged-<time>.<suffix>".
QString moveAside(const QString& path, const std::string& reason) {
    const QFileInfo info(path);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString base = info.absolutePath() + QLatin1Char('/') + info.completeBaseName() +
                         QStringLiteral(".damaged-") + stamp;
    const QString suffix = info.suffix().isEmpty() ? QString() : QLatin1Char('.') + info.suffix();
    QString target = base + suffix;
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = base + QLatin1Char('-') + QString::number(n) + suffix;
    QFile file(path);
    if (!file.rename(target))
        throw HistoryError(Kind::Corrupt,
                           QStringLiteral("The history file %1 is damaged (%2), and it could not be moved "
                                          "aside to %3: %4. Move or rename it yourself, then start Lamplight "
                                          "again; nothing was deleted.")
                               .arg(path, QString::fromStdString(reason), target, file.errorString())
                               .toStdString());
    for (const char* companion : {"-wal", "-shm"}) {
        const QString from = path + QLatin1String(companion);
        if (QFileInfo::exists(from) && !QFile::rename(from, target + QLatin1String(companion)))
            log::get("app")->warn("history: could not move {} aside", from.toStdString());
    }
    return target;
}

} // namespace

// --- Transactions --------------------------------------------------------------------------------

HistoryStore::WriteScope::WriteScope(HistoryStore& store, const char* what)
    : store_(store), what_(what), own_(store.batchDepth_ == 0) {
    store_.checkThread();
    if (own_)
        store_.runRaw(QStringLiteral("BEGIN IMMEDIATE"), what_);
}

HistoryStore::WriteScope::~WriteScope() {
    if (own_ && !done_) {
        QSqlQuery rollback(store_.db_);
        rollback.exec(QStringLiteral("ROLLBACK")); // fails harmlessly when SQLite already rolled back
    }
}

void HistoryStore::WriteScope::commit() {
    if (own_)
        store_.runRaw(QStringLiteral("COMMIT"), what_);
    done_ = true;
}

HistoryStore::Batch::Batch(HistoryStore& store) : store_(store) {
    store_.checkThread();
    if (store_.batchDepth_ == 0)
        store_.runRaw(QStringLiteral("BEGIN IMMEDIATE"), "start a batch of history changes");
    ++store_.batchDepth_;
}

HistoryStore::Batch::~Batch() {
    if (done_)
        return;
    if (--store_.batchDepth_ == 0) {
        QSqlQuery rollback(store_.db_);
        rollback.exec(QStringLiteral("ROLLBACK"));
    }
}

void HistoryStore::Batch::commit() {
    if (done_)
        return;
    done_ = true;
    if (--store_.batchDepth_ == 0) {
        try {
            store_.runRaw(QStringLiteral("COMMIT"), "save a batch of history changes");
        } catch (...) {
            QSqlQuery rollback(store_.db_);
            rollback.exec(QStringLiteral("ROLLBACK"));
            throw;
        }
    }
}

// --- Opening -------------------------------------------------------------------------------------

QString HistoryStore::defaultPath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.sqlite");
}

std::unique_ptr<HistoryStore> HistoryStore::open(const QString& path, OpenReport* reportOut,
                                                 const OpenOptions& options) {
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        throw HistoryError(Kind::CannotOpen,
                           "Qt's SQLite driver (QSQLITE) is missing, so the history cannot be opened: install "
                           "the Qt SQL SQLite plugin (libqt6sql6-sqlite on Debian and Ubuntu).");
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString folder = QFileInfo(absolute).absolutePath();
    if (!QDir().mkpath(folder) || !QFileInfo(folder).isDir())
        throw HistoryError(Kind::CannotOpen,
                           QStringLiteral("Could not create the folder %1 for the history: check that its "
                                          "parent folder exists and is writable.")
                               .arg(folder)
                               .toStdString());
    if (QFileInfo(absolute).exists() && !QFileInfo(absolute).isFile())
        throw HistoryError(Kind::CannotOpen,
                           QStringLiteral("The history path %1 exists but is not a file: move it away or "
                                          "choose another place.")
                               .arg(absolute)
                               .toStdString());

    OpenReport report;
    std::unique_ptr<HistoryStore> store(new HistoryStore(absolute, nextConnectionName()));
    try {
        store->initialize(report, options);
    } catch (const HistoryError& error) {
        if (error.kind() != Kind::Corrupt)
            throw;
        store.reset(); // closes the connection before the file moves
        report.movedAsidePath = moveAside(absolute, error.what());
        report.notice = QStringLiteral("The history file could not be read because it is damaged. It was "
                                       "kept as %1 (recovery tools may rescue part of it), and a new, "
                                       "empty history was started.")
                            .arg(report.movedAsidePath);
        log::get("app")->error("history: {} ({})", report.notice.toStdString(), error.what());
        store.reset(new HistoryStore(absolute, nextConnectionName()));
        store->initialize(report, options);
    }
    if (reportOut)
        *reportOut = report;
    return store;
}

HistoryStore::HistoryStore(const QString& path, const QString& connectionName)
    : path_(path), connectionName_(connectionName), thread_(QThread::currentThread()) {
    db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
    db_.setDatabaseName(path_);
    db_.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
}

HistoryStore::~HistoryStore() {
    statements_.clear(); // every query goes before the connection
    if (db_.isOpen())
        db_.close();
    db_ = QSqlDatabase();
    QSqlDatabase::removeDatabase(connectionName_);
}

void HistoryStore::initialize(OpenReport& report, const OpenOptions& options) {
    if (!db_.open())
        throw schema::errorFromSql(db_.lastError(), QStringLiteral("open the history"), path_);
    const QString what = QStringLiteral("prepare the history");
    schema::exec(db_, QStringLiteral("PRAGMA foreign_keys = ON"), what, path_);
    {
        // The first statement that reads the file: a file that is not a database fails here.
        QSqlQuery query(db_);
        if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")))
            throw schema::errorFromSql(query.lastError(), what, path_);
        if (query.next() && query.value(0).toString() != QLatin1String("wal"))
            log::get("app")->warn("history: {} does not use WAL (journal mode {})", path_.toStdString(),
                                  query.value(0).toString().toStdString());
    }
    schema::exec(db_, QStringLiteral("PRAGMA synchronous = NORMAL"), what, path_);
    // Reads the schema: a damaged first page fails here.
    schema::exec(db_, QStringLiteral("SELECT count(*) FROM sqlite_master"), what, path_);
    if (options.checkIntegrity) {
        const QString result = integrityCheck();
        if (result != QLatin1String("ok"))
            throw HistoryError(Kind::Corrupt, QStringLiteral("Could not read the history (%1): the file is "
                                                             "damaged (%2).")
                                                  .arg(path_, result.left(300))
                                                  .toStdString());
    }
    report.fromVersion = schema::migrate(db_, path_);
    hasFts_ = schema::hasSearchIndex(db_);
    if (options.recoverInterrupted)
        report.interruptedAnswers = markInterruptedAnswers();
    log::get("app")->info("history: opened {} (schema {} -> {}, full-text search {})", path_.toStdString(),
                          report.fromVersion, schema::kCurrentVersion, hasFts_ ? "on" : "off");
}

// --- Helpers -------------------------------------------------------------------------------------

void HistoryStore::checkThread() const {
    if (QThread::currentThread() != thread_)
        throw HistoryError(Kind::Other, "The history store was used from a thread other than the one that "
                                        "opened it (a programming error): open one HistoryStore per thread.");
}

qint64 HistoryStore::now() const {
    return clock_ ? clock_() : QDateTime::currentMSecsSinceEpoch();
}

QSqlQuery& HistoryStore::prepared(const char* sql) {
    checkThread();
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        QSqlQuery query(db_);
        query.setForwardOnly(true);
        if (!query.prepare(QString::fromUtf8(sql)))
            throw schema::errorFromSql(query.lastError(), QStringLiteral("prepare a history query"), path_);
        it = statements_.emplace(sql, std::move(query)).first;
    }
    return it->second;
}

void HistoryStore::run(QSqlQuery& query, const char* what) {
    if (!query.exec()) {
        HistoryError error = schema::errorFromSql(query.lastError(), QString::fromUtf8(what), path_);
        query.finish();
        throw error;
    }
}

void HistoryStore::runRaw(const QString& sql, const char* what) {
    schema::exec(db_, sql, QString::fromUtf8(what), path_);
}

void HistoryStore::requireConversation(qint64 id) {
    QSqlQuery& query = prepared("SELECT 1 FROM conversations WHERE id = ? AND deleted_at IS NULL");
    query.bindValue(0, id);
    run(query, "find the conversation");
    const bool found = query.next();
    query.finish();
    if (!found)
        throw HistoryError(Kind::BadInput,
                           "conversation " + std::to_string(id) + " does not exist (or was deleted)");
}

void HistoryStore::touch(qint64 conversationId, qint64 activeLeaf) {
    QSqlQuery& query = prepared("UPDATE conversations SET updated_at = ?,"
                                " active_leaf_id = CASE WHEN ? = 0 THEN active_leaf_id ELSE ? END WHERE id = ?");
    query.bindValue(0, now());
    query.bindValue(1, activeLeaf);
    query.bindValue(2, activeLeaf);
    query.bindValue(3, conversationId);
    run(query, "update the conversation");
}

qint64 HistoryStore::insertMessage(qint64 conversationId, qint64 parentId, const NewMessage& message,
                                   qint64 created) {
    QSqlQuery& query = prepared(
        "INSERT INTO messages (conversation_id, parent_id, role, text, created_at, model, prompt_tokens,"
        " completion_tokens, generation_ms, finish_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    query.bindValue(0, conversationId);
    query.bindValue(1, parentId == 0 ? QVariant() : QVariant(parentId));
    query.bindValue(2, roleName(message.role));
    query.bindValue(3, detail::str(message.text));
    query.bindValue(4, created);
    query.bindValue(5, detail::str(message.model));
    query.bindValue(6, message.promptTokens);
    query.bindValue(7, message.completionTokens);
    query.bindValue(8, message.generationMs);
    query.bindValue(9, finishReasonName(message.finish));
    run(query, "save the message");
    return query.lastInsertId().toLongLong();
}

void HistoryStore::limitSizeForTesting(qint64 maxPages) {
    runRaw(QStringLiteral("PRAGMA max_page_count = %1").arg(maxPages), "limit the history's size");
}

// --- Conversations -------------------------------------------------------------------------------

qint64 HistoryStore::createConversation(const QString& model, const QString& systemPrompt,
                                        const QJsonObject& settings) {
    QSqlQuery& query = prepared("INSERT INTO conversations (title, title_is_auto, created_at, updated_at, model,"
                                " system_prompt, settings, pinned) VALUES ('', 1, ?, ?, ?, ?, ?, 0)");
    const qint64 time = now();
    query.bindValue(0, time);
    query.bindValue(1, time);
    query.bindValue(2, detail::str(model));
    query.bindValue(3, detail::str(systemPrompt));
    query.bindValue(4, detail::jsonText(settings));
    run(query, "create a conversation");
    return query.lastInsertId().toLongLong();
}

namespace {

// Runs an UPDATE on one live conversation; BadInput when there is none with that id.
void updateOne(const QSqlQuery& query, const char* what, qint64 id) {
    if (query.numRowsAffected() == 0)
        throw HistoryError(Kind::BadInput, std::string("could not ") + what + ": conversation " +
                                               std::to_string(id) + " does not exist (or was deleted)");
}

} // namespace

void HistoryStore::rename(qint64 id, const QString& title) {
    QSqlQuery& query =
        prepared("UPDATE conversations SET title = ?, title_is_auto = 0 WHERE id = ? AND deleted_at IS NULL");
    query.bindValue(0, detail::str(title.simplified()));
    query.bindValue(1, id);
    run(query, "rename the conversation");
    updateOne(query, "rename the conversation", id);
}

bool HistoryStore::setAutoTitle(qint64 id, const QString& title) {
    QSqlQuery& query = prepared("UPDATE conversations SET title = ? WHERE id = ? AND title_is_auto = 1");
    query.bindValue(0, detail::str(title.simplified()));
    query.bindValue(1, id);
    run(query, "set the conversation's title");
    return query.numRowsAffected() > 0;
}

// One column of a live conversation: `sql` is "UPDATE conversations SET <column> = ? WHERE id = ?
// AND deleted_at IS NULL"; an id that matches nothing is a BadInput error naming `what`.
void HistoryStore::updateConversation(qint64 id, const char* sql, const QVariant& value, const char* what) {
    QSqlQuery& query = prepared(sql);
    query.bindValue(0, value);
    query.bindValue(1, id);
    run(query, what);
    updateOne(query, what, id);
}

void HistoryStore::setPinned(qint64 id, bool pinned) {
    updateConversation(id, "UPDATE conversations SET pinned = ? WHERE id = ? AND deleted_at IS NULL", pinned ? 1 : 0,
                       "pin the conversation");
}

void HistoryStore::setModel(qint64 id, const QString& model) {
    updateConversation(id, "UPDATE conversations SET model = ? WHERE id = ? AND deleted_at IS NULL",
                       detail::str(model), "set the conversation's model");
}

void HistoryStore::setSystemPrompt(qint64 id, const QString& systemPrompt) {
    updateConversation(id, "UPDATE conversations SET system_prompt = ? WHERE id = ? AND deleted_at IS NULL",
                       detail::str(systemPrompt), "set the conversation's system prompt");
}

void HistoryStore::setSettings(qint64 id, const QJsonObject& settings) {
    updateConversation(id, "UPDATE conversations SET settings = ? WHERE id = ? AND deleted_at IS NULL",
                       detail::jsonText(settings), "save the conversation's settings");
}

void HistoryStore::deleteConversation(qint64 id) {
    QSqlQuery& query = prepared("UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
    query.bindValue(0, now());
    query.bindValue(1, id);
    run(query, "delete the conversation");
    updateOne(query, "delete the conversation", id);
}

void HistoryStore::restoreConversation(qint64 id) {
    QSqlQuery& query = prepared("UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL");
    query.bindValue(0, id);
    run(query, "restore the conversation");
    if (query.numRowsAffected() == 0)
        throw HistoryError(Kind::BadInput, "could not restore conversation " + std::to_string(id) +
                                               ": it is not among the deleted ones (purged already?)");
}

int HistoryStore::purgeDeleted(const QDateTime& deletedBefore) {
    WriteScope scope(*this, "remove deleted conversations");
    QSqlQuery& query = prepared("DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?");
    query.bindValue(0, deletedBefore.toMSecsSinceEpoch());
    run(query, "remove deleted conversations");
    const int removed = query.numRowsAffected();
    scope.commit();
    return removed;
}

// --- Messages ------------------------------------------------------------------------------------

qint64 HistoryStore::appendMessage(qint64 conversationId, qint64 parentId, const NewMessage& message) {
    WriteScope scope(*this, "save the message");
    requireConversation(conversationId);
    if (parentId != 0) {
        QSqlQuery& parent = prepared("SELECT conversation_id FROM messages WHERE id = ?");
        parent.bindValue(0, parentId);
        run(parent, "find the message's parent");
        const bool ok = parent.next() && parent.value(0).toLongLong() == conversationId;
        parent.finish();
        if (!ok)
            throw HistoryError(Kind::BadInput, "could not save the message: its parent " + std::to_string(parentId) +
                                                   " is not in conversation " + std::to_string(conversationId));
    }
    const qint64 id = insertMessage(conversationId, parentId, message, now());
    touch(conversationId, id);
    if (!message.model.isEmpty()) {
        QSqlQuery& model = prepared("UPDATE conversations SET model = ? WHERE id = ?");
        model.bindValue(0, detail::str(message.model));
        model.bindValue(1, conversationId);
        run(model, "save the conversation's model");
    }
    if (message.role == Role::User) {
        QSqlQuery& title = prepared("UPDATE conversations SET title = ? WHERE id = ? AND title_is_auto = 1 AND title = ''");
        title.bindValue(0, detail::str(titleFromText(message.text)));
        title.bindValue(1, conversationId);
        run(title, "set the conversation's title");
    }
    scope.commit();
    return id;
}

qint64 HistoryStore::beginAnswer(qint64 conversationId, qint64 parentId, const QString& model) {
    NewMessage answer;
    answer.role = Role::Assistant;
    answer.model = model;
    answer.finish = FinishReason::Generating;
    return appendMessage(conversationId, parentId, answer);
}

void HistoryStore::savePartialAnswer(qint64 messageId, const QString& text) {
    QSqlQuery& query = prepared("UPDATE messages SET text = ? WHERE id = ? AND finish_reason = 'generating'");
    query.bindValue(0, detail::str(text));
    query.bindValue(1, messageId);
    run(query, "save the partial answer");
    if (query.numRowsAffected() == 0)
        throw HistoryError(Kind::BadInput, "could not save the partial answer: message " + std::to_string(messageId) +
                                               " is not an answer being generated");
}

void HistoryStore::finishAnswer(qint64 messageId, const QString& text, const AnswerStats& stats) {
    if (stats.finish == FinishReason::Generating)
        throw HistoryError(Kind::BadInput, "finishAnswer needs a finish reason other than Generating");
    WriteScope scope(*this, "save the answer");
    QSqlQuery& find = prepared("SELECT conversation_id FROM messages WHERE id = ?");
    find.bindValue(0, messageId);
    run(find, "find the answer");
    const qint64 conversationId = find.next() ? find.value(0).toLongLong() : 0;
    find.finish();
    if (conversationId == 0)
        throw HistoryError(Kind::BadInput, "could not save the answer: message " + std::to_string(messageId) +
                                               " does not exist");
    QSqlQuery& query = prepared("UPDATE messages SET text = ?, prompt_tokens = ?, completion_tokens = ?,"
                                " generation_ms = ?, finish_reason = ? WHERE id = ?");
    query.bindValue(0, detail::str(text));
    query.bindValue(1, stats.promptTokens);
    query.bindValue(2, stats.completionTokens);
    query.bindValue(3, stats.generationMs);
    query.bindValue(4, finishReasonName(stats.finish));
    query.bindValue(5, messageId);
    run(query, "save the answer");
    touch(conversationId, 0);
    scope.commit();
}

int HistoryStore::markInterruptedAnswers() {
    QSqlQuery& query =
        prepared("UPDATE messages SET finish_reason = 'interrupted' WHERE finish_reason = 'generating'");
    run(query, "mark interrupted answers");
    const int count = query.numRowsAffected();
    if (count > 0)
        log::get("app")->warn("history: {} answer(s) were cut short when Lamplight last stopped; their partial "
                              "text is kept, marked interrupted",
                              count);
    return count;
}

QString HistoryStore::integrityCheck() {
    QSqlQuery query(db_);
    if (!query.exec(QStringLiteral("PRAGMA quick_check")))
        return query.lastError().text();
    QStringList problems;
    while (query.next())
        problems << query.value(0).toString();
    return problems.join(QLatin1Char('\n'));
}

qint64 HistoryStore::importConversation(const Conversation& conversation, const std::vector<Message>& messages) {
    WriteScope scope(*this, "import a conversation");
    QSqlQuery& insert = prepared("INSERT INTO conversations (title, title_is_auto, created_at, updated_at, model,"
                                 " system_prompt, settings, pinned) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bindValue(0, detail::str(conversation.title));
    insert.bindValue(1, conversation.titleIsAuto ? 1 : 0);
    insert.bindValue(2, conversation.created.toMSecsSinceEpoch());
    insert.bindValue(3, conversation.updated.toMSecsSinceEpoch());
    insert.bindValue(4, detail::str(conversation.model));
    insert.bindValue(5, detail::str(conversation.systemPrompt));
    insert.bindValue(6, detail::jsonText(conversation.settings));
    insert.bindValue(7, conversation.pinned ? 1 : 0);
    run(insert, "import a conversation");
    const qint64 id = insert.lastInsertId().toLongLong();

    std::map<qint64, qint64> newIds; // exported id -> new id
    qint64 leaf = 0;
    for (const Message& m : messages) {
        qint64 parent = 0;
        if (m.parentId != 0) {
            const auto found = newIds.find(m.parentId);
            if (found == newIds.end())
                throw HistoryError(Kind::BadInput, "could not import message " + std::to_string(m.id) + ": its parent " +
                                                       std::to_string(m.parentId) + " is missing or comes after it");
            parent = found->second;
        }
        const NewMessage copy{m.role, m.text, m.model, m.promptTokens, m.completionTokens, m.generationMs,
                              m.finish == FinishReason::Generating ? FinishReason::Interrupted : m.finish};
        const qint64 newId = insertMessage(id, parent, copy, m.created.toMSecsSinceEpoch());
        newIds[m.id] = newId;
        leaf = newId;
    }
    if (const auto active = newIds.find(conversation.activeLeafId); active != newIds.end())
        leaf = active->second;
    QSqlQuery& setLeaf = prepared("UPDATE conversations SET active_leaf_id = ? WHERE id = ?");
    setLeaf.bindValue(0, leaf == 0 ? QVariant() : QVariant(leaf));
    setLeaf.bindValue(1, id);
    run(setLeaf, "import a conversation");
    scope.commit();
    return id;
}

} // namespace lamp::history
