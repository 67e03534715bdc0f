// The history database's schema, versioned with PRAGMA user_version, and the migrations that bring
// any older file up to date. A fresh file goes through every migration from 0, so the upgrade path
// is the path every database takes.
//
//   v1  conversations (title, times, model, system prompt, pinned) and messages (role, text, time,
//       model, parent) with foreign keys.
//   v2  per-conversation settings, automatic-title flag, active branch, soft delete; token counts,
//       generation time and finish reason per message; indexes for the sidebar and for siblings.
//   v3  full-text search over message text (FTS5, trigram tokenizer: substring matches in any
//       script, CJK included), kept in step by triggers. Skipped when SQLite lacks FTS5; search
//       then falls back to LIKE.
#pragma once

#include "history/history_types.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QStringList>

namespace lamp::history::schema {

inline constexpr int kCurrentVersion = 3;

// The statements that made a version-1 database (tests build old files with them).
QStringList version1Statements();

// Reads PRAGMA user_version.
int version(QSqlDatabase& db, const QString& path);

// Brings `db` (open, with foreign keys on) from its version to kCurrentVersion, one transaction per
// step. Returns the version it found. Throws HistoryError (NewerSchema when the file is newer).
int migrate(QSqlDatabase& db, const QString& path);

// Whether this SQLite can build the FTS5 trigram index.
bool ftsAvailable(QSqlDatabase& db);

// Whether the search index exists in this file.
bool hasSearchIndex(QSqlDatabase& db);

// Creates the search index (and fills it) when FTS5 is available and it is missing.
void ensureSearchIndex(QSqlDatabase& db, const QString& path);

// Runs one statement; throws HistoryError saying `what` failed on `path`.
void exec(QSqlDatabase& db, const QString& sql, const QString& what, const QString& path);

// The HistoryError for a failed SQL operation: picks the kind from SQLite's error code and words
// the advice ("could not save the message (…/history.sqlite): the disk is full. Free some space …").
HistoryError errorFromSql(const QSqlError& error, const QString& what, const QString& path);

} // namespace lamp::history::schema
