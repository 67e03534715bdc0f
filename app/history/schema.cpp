#include "history/schema.h"

#include "core/log.h"

#include <QSqlQuery>

namespace lamp::history::schema {

namespace {

// v1: the first schema.
const char* const kVersion1[] = {
    "CREATE TABLE conversations ("
    " id INTEGER PRIMARY KEY,"
    " title TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL," // ms since the epoch, UTC
    " updated_at INTEGER NOT NULL,"
    " model TEXT NOT NULL DEFAULT '',"
    " system_prompt TEXT NOT NULL DEFAULT '',"
    " pinned INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE messages ("
    " id INTEGER PRIMARY KEY,"
    " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    " parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE," // NULL = a root
    " role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),"
    " text TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " model TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX messages_by_conversation ON messages(conversation_id, id)",
};

// v1 -> v2: settings, title flag, active branch, soft delete, per-message figures, indexes.
const char* const kVersion2[] = {
    "ALTER TABLE conversations ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'",
    // Titles written by v1 came from the first message: they stay automatic.
    "ALTER TABLE conversations ADD COLUMN title_is_auto INTEGER NOT NULL DEFAULT 1",
    // Not a foreign key (that would make every message delete scan conversations); the store
    // falls back to the newest message when it names a message that is gone.
    "ALTER TABLE conversations ADD COLUMN active_leaf_id INTEGER",
    "ALTER TABLE conversations ADD COLUMN deleted_at INTEGER", // NULL = live; else ms, UTC
    "ALTER TABLE messages ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN generation_ms INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN finish_reason TEXT NOT NULL DEFAULT 'complete'",
    // Siblings, and the ON DELETE CASCADE of parent_id, need this index.
    "CREATE INDEX messages_by_parent ON messages(parent_id)",
    "CREATE INDEX conversations_for_sidebar ON conversations(deleted_at, pinned, updated_at)",
    // v1 had no branches on screen: the newest message of each conversation is its leaf.
    "UPDATE conversations SET active_leaf_id ="
    " (SELECT max(m.id) FROM messages m WHERE m.conversation_id = conversations.id)",
};

bool execNoThrow(QSqlDatabase& db, const QString& sql) {
    QSqlQuery query(db);
    return query.exec(sql);
}

void runStep(QSqlDatabase& db, int toVersion, const QString& path) {
    const QString what = QStringLiteral("upgrade the history to schema version %1").arg(toVersion);
    exec(db, QStringLiteral("BEGIN IMMEDIATE"), what, path);
    try {
        if (toVersion == 1) {
            for (const char* sql : kVersion1)
                exec(db, QString::fromUtf8(sql), what, path);
        } else if (toVersion == 2) {
            for (const char* sql : kVersion2)
                exec(db, QString::fromUtf8(sql), what, path);
        } else if (toVersion == 3) {
            ensureSearchIndex(db, path);
        }
        exec(db, QStringLiteral("PRAGMA user_version = %1").arg(toVersion), what, path);
        exec(db, QStringLiteral("COMMIT"), what, path);
    } catch (...) {
        execNoThrow(db, QStringLiteral("ROLLBACK"));
        throw;
    }
}

} // namespace

QStringList version1Statements() {
    QStringList out;
    for (const char* sql : kVersion1)
        out << QString::fromUtf8(sql);
    out << QStringLiteral("PRAGMA user_version = 1");
    return out;
}

void exec(QSqlDatabase& db, const QString& sql, const QString& what, const QString& path) {
    QSqlQuery query(db);
    if (!query.exec(sql))
        throw errorFromSql(query.lastError(), what, path);
}

int version(QSqlDatabase& db, const QString& path) {
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        throw errorFromSql(query.lastError(), QStringLiteral("read the history's schema version"), path);
    return query.value(0).toInt();
}

int migrate(QSqlDatabase& db, const QString& path) {
    const int found = version(db, path);
    if (found > kCurrentVersion)
        throw HistoryError(HistoryError::Kind::NewerSchema,
                           QStringLiteral("The history file %1 was written by a newer Lamplight (schema "
                                          "version %2; this version reads up to %3). Update Lamplight "
                                          "to open it; the file was left untouched.")
                               .arg(path)
                               .arg(found)
                               .arg(kCurrentVersion)
                               .toStdString());
    for (int next = found + 1; next <= kCurrentVersion; ++next) {
        log::get("app")->info("history: migrating {} to schema version {}", path.toStdString(), next);
        runStep(db, next, path);
    }
    if (found == kCurrentVersion)
        ensureSearchIndex(db, path); // FTS5 may have arrived with a newer SQLite
    return found;
}

bool ftsAvailable(QSqlDatabase& db) {
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("CREATE VIRTUAL TABLE temp.lamp_fts_probe USING fts5(x, tokenize='trigram')")))
        return false;
    execNoThrow(db, QStringLiteral("DROP TABLE temp.lamp_fts_probe"));
    return true;
}

bool hasSearchIndex(QSqlDatabase& db) {
    QSqlQuery query(db);
    return query.exec(QStringLiteral("SELECT 1 FROM sqlite_master WHERE name = 'messages_fts'")) && query.next();
}

void ensureSearchIndex(QSqlDatabase& db, const QString& path) {
    if (hasSearchIndex(db))
        return;
    if (!ftsAvailable(db)) {
        log::get("app")->warn("history: SQLite has no FTS5 trigram tokenizer; search scans the messages");
        return;
    }
    const QString what = QStringLiteral("build the history's search index");
    const char* const statements[] = {
        "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id',"
        " tokenize='trigram')",
        "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
        " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
        "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
        " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
        "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN"
        " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
        " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
        "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    };
    for (const char* sql : statements)
        exec(db, QString::fromUtf8(sql), what, path);
}

HistoryError errorFromSql(const QSqlError& error, const QString& what, const QString& path) {
    using Kind = HistoryError::Kind;
    const int code = error.nativeErrorCode().toInt() & 0xff; // SQLite's primary result code
    Kind kind = Kind::Other;
    QString advice;
    switch (code) {
    case 13: // SQLITE_FULL
        kind = Kind::DiskFull;
        advice = QStringLiteral("the disk is full. Free some disk space and try again; everything saved "
                                "before is still there");
        break;
    case 10: // SQLITE_IOERR
        kind = Kind::DiskFull;
        advice = QStringLiteral("the disk reported a write error (it may be full, removed or failing). "
                                "Free some space or check the disk; everything saved before is still there");
        break;
    case 8: // SQLITE_READONLY
    case 23: // SQLITE_AUTH
    case 3: // SQLITE_PERM
        kind = Kind::ReadOnly;
        advice = QStringLiteral("the file or its folder is read-only. Check the permissions of the "
                                "folder and the file");
        break;
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
        kind = Kind::Corrupt;
        advice = QStringLiteral("the file is damaged or is not a Lamplight history");
        break;
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
        kind = Kind::Busy;
        advice = QStringLiteral("another program holds the history locked. Close other Lamplight "
                                "windows and try again");
        break;
    case 14: // SQLITE_CANTOPEN
        kind = Kind::CannotOpen;
        advice = QStringLiteral("the file cannot be opened or created. Check that the folder exists and "
                                "is writable");
        break;
    default:
        advice = QStringLiteral("SQLite reported an error");
        break;
    }
    const QString detail = error.text().trimmed();
    return HistoryError(kind, QStringLiteral("Could not %1 (%2): %3 [%4].")
                                  .arg(what, path, advice, detail.isEmpty() ? QStringLiteral("no detail") : detail)
                                  .toStdString());
}

} // namespace lamp::history::schema
