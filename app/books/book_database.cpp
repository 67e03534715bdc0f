#include "books/book_database.h"

#include "books/text_normalize.h"
#include "core/log.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QSet>
#include <QVariant>

#include <algorithm>
#include <atomic>

namespace lamp::books {

namespace {

std::atomic<int> g_connections{0};

// Lists are stored as text: genres and moods comma-separated (they never hold commas), tags with
// "; " (a free tag could).
QString joinList(const QStringList& l, const char* sep) { return l.join(QLatin1String(sep)); }
// A null QString binds as SQL NULL; the text columns are NOT NULL, so absent text is stored as ''.
QVariant text(const QString& s) { return QVariant(s.isNull() ? QStringLiteral("") : s); }
QStringList splitList(const QString& s, const char* sep) {
    return s.isEmpty() ? QStringList{} : s.split(QLatin1String(sep), Qt::SkipEmptyParts);
}

const char* const kSchema[] = {
    "CREATE TABLE books ("
    " num INTEGER PRIMARY KEY," // the full-text row id
    " id TEXT NOT NULL UNIQUE,"
    " title TEXT NOT NULL, original_title TEXT NOT NULL DEFAULT '', title_zh TEXT NOT NULL DEFAULT '',"
    " author TEXT NOT NULL DEFAULT '', author_zh TEXT NOT NULL DEFAULT '',"
    " year INTEGER NOT NULL DEFAULT 0, language TEXT NOT NULL DEFAULT '',"
    " genres TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '', moods TEXT NOT NULL DEFAULT '',"
    " pace TEXT NOT NULL DEFAULT '', length TEXT NOT NULL DEFAULT '', pages INTEGER NOT NULL DEFAULT 0,"
    " age TEXT NOT NULL DEFAULT '', isbn TEXT NOT NULL DEFAULT '',"
    " description_en TEXT NOT NULL DEFAULT '', description_zh TEXT NOT NULL DEFAULT '',"
    " imported INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX books_by_isbn ON books(isbn)",
    // What the user said about a book. Never deleted by an import: imports only add and update.
    "CREATE TABLE user_books ("
    " book_id TEXT PRIMARY KEY REFERENCES books(id),"
    " shelf TEXT NOT NULL DEFAULT '',"
    " rating REAL NOT NULL DEFAULT 0," // 1-5, 0 = unrated
    " not_interested INTEGER NOT NULL DEFAULT 0,"
    " updated_at INTEGER NOT NULL)",   // ms since the epoch, UTC
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
};

} // namespace

QString defaultDatabasePath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("books.db"));
}

BookDatabase::BookDatabase(const QString& path)
    : path_(path), connection_(QStringLiteral("lamp-books-%1").arg(g_connections.fetch_add(1) + 1)) {
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        throw BooksError("the Qt SQLite driver is missing: install libqt6sql6-sqlite");
    if (path != QLatin1String(":memory:")) {
        const QString dir = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(dir))
            throw BooksError(QStringLiteral("cannot create the folder %1 for the books database; check its "
                                            "permissions").arg(dir).toStdString());
    }
    db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection_);
    db_.setDatabaseName(path);
    // The window and the command-line tool may use the database at once: wait for the other's
    // write instead of failing at once.
    db_.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db_.open())
        throw BooksError(QStringLiteral("cannot open the books database %1: %2").arg(path, db_.lastError().text()).toStdString());
    try {
        exec(QStringLiteral("PRAGMA foreign_keys = ON"), "enable foreign keys");
        if (path != QLatin1String(":memory:"))
            exec(QStringLiteral("PRAGMA journal_mode = WAL"), "switch to write-ahead logging");
        migrate();
    } catch (...) {
        db_.close();
        db_ = QSqlDatabase();
        QSqlDatabase::removeDatabase(connection_);
        throw;
    }
}

BookDatabase::~BookDatabase() {
    db_.close();
    db_ = QSqlDatabase();
    QSqlDatabase::removeDatabase(connection_);
}

void BookDatabase::exec(const QString& sql, const char* what) const {
    QSqlQuery q(db_);
    if (!q.exec(sql))
        throw BooksError(QStringLiteral("books database %1: cannot %2: %3")
                             .arg(path_, QLatin1String(what), q.lastError().text())
                             .toStdString());
}

void BookDatabase::begin() { exec(QStringLiteral("BEGIN IMMEDIATE"), "start a transaction"); }
void BookDatabase::commit() { exec(QStringLiteral("COMMIT"), "commit"); }
void BookDatabase::rollback() {
    QSqlQuery q(db_);
    q.exec(QStringLiteral("ROLLBACK"));
}

void BookDatabase::migrate() {
    QSqlQuery q(db_);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        throw BooksError(QStringLiteral("%1 is not a SQLite database (%2); move it away and Lamplight will "
                                        "create a new one").arg(path_, q.lastError().text()).toStdString());
    const int version = q.value(0).toInt();
    q.finish();
    if (version > kSchemaVersion)
        throw BooksError(QStringLiteral("the books database %1 was written by a newer Lamplight (schema %2, this "
                                        "one reads up to %3); update Lamplight").arg(path_).arg(version).arg(kSchemaVersion).toStdString());
    {
        QSqlQuery probe(db_);
        fts_ = probe.exec(QStringLiteral("CREATE VIRTUAL TABLE temp.books_fts_probe USING fts5(x, tokenize='trigram')"));
        if (fts_)
            exec(QStringLiteral("DROP TABLE temp.books_fts_probe"), "drop the FTS probe");
        else
            log::get("books")->warn("SQLite has no FTS5 trigram tokenizer; book search scans the catalogue");
    }
    if (version == kSchemaVersion) {
        QSqlQuery t(db_);
        fts_ = fts_ && t.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE name = 'books_fts'")) && t.next() &&
               t.value(0).toString().contains(QLatin1String("fts5"));
        return;
    }
    transaction([&] {
        for (const char* sql : kSchema)
            exec(QString::fromUtf8(sql), "create the books schema");
        // The searchable text of each book, folded (lowercase, no accents) so that matching is
        // case- and accent-insensitive in both the index and the substring fallback.
        exec(fts_ ? QStringLiteral("CREATE VIRTUAL TABLE books_fts USING fts5(title_all, author_all, tags_all,"
                                   " description_all, tokenize='trigram')")
                  : QStringLiteral("CREATE TABLE books_fts (rowid INTEGER PRIMARY KEY, title_all, author_all,"
                                   " tags_all, description_all)"),
             "create the books search index");
        exec(QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion), "set the schema version");
    });
}

bool BookDatabase::syncCatalogue(const std::vector<Book>& catalogue) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const Book& b : catalogue)
        for (const QString& s : {b.id, b.title, b.originalTitle, b.titleZh, b.author, b.authorZh, QString::number(b.year),
                                 b.language, b.genres.join(','), b.tags.join(';'), b.moods.join(','), b.pace, b.length,
                                 QString::number(b.pages), b.age, b.isbn, b.descriptionEn, b.descriptionZh})
            hash.addData((s + QChar(0x1F)).toUtf8());
    const QString digest = QString::fromLatin1(hash.result().toHex());
    {
        QSqlQuery q(db_);
        q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = 'catalogue_hash'"));
        if (q.exec() && q.next() && q.value(0).toString() == digest)
            return false;
    }
    transaction([&] {
        QSet<QString> ids;
        for (const Book& b : catalogue) {
            Book copy = b;
            copy.imported = false;
            upsertBook(copy);
            ids.insert(b.id);
        }
        // Catalogue books that left the catalogue go, unless the user said something about them.
        QSqlQuery old(db_);
        old.exec(QStringLiteral("SELECT num, id FROM books WHERE imported = 0 AND id NOT IN (SELECT book_id FROM user_books)"));
        std::vector<qlonglong> gone;
        while (old.next())
            if (!ids.contains(old.value(1).toString()))
                gone.push_back(old.value(0).toLongLong());
        for (const qlonglong num : gone) {
            exec(QStringLiteral("DELETE FROM books_fts WHERE rowid = %1").arg(num), "remove an old catalogue book");
            exec(QStringLiteral("DELETE FROM books WHERE num = %1").arg(num), "remove an old catalogue book");
        }
        QSqlQuery q(db_);
        q.prepare(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES ('catalogue_hash', ?)"));
        q.addBindValue(digest);
        if (!q.exec())
            throw BooksError("books database: cannot store the catalogue hash: " + q.lastError().text().toStdString());
    });
    log::get("books")->info("catalogue synchronised: {} books", catalogue.size());
    return true;
}

void BookDatabase::upsertBook(const Book& b) {
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "INSERT INTO books(id, title, original_title, title_zh, author, author_zh, year, language, genres, tags,"
        " moods, pace, length, pages, age, isbn, description_en, description_zh, imported)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(id) DO UPDATE SET title=excluded.title, original_title=excluded.original_title,"
        " title_zh=excluded.title_zh, author=excluded.author, author_zh=excluded.author_zh, year=excluded.year,"
        " language=excluded.language, genres=excluded.genres, tags=excluded.tags, moods=excluded.moods,"
        " pace=excluded.pace, length=excluded.length, pages=excluded.pages, age=excluded.age, isbn=excluded.isbn,"
        " description_en=excluded.description_en, description_zh=excluded.description_zh,"
        " imported=excluded.imported"));
    for (const QVariant& v :
         {text(b.id), text(b.title), text(b.originalTitle), text(b.titleZh), text(b.author), text(b.authorZh),
          QVariant(b.year), text(b.language), text(joinList(b.genres, ",")), text(joinList(b.tags, "; ")),
          text(joinList(b.moods, ",")), text(b.pace), text(b.length), QVariant(b.pages), text(b.age), text(b.isbn),
          text(b.descriptionEn), text(b.descriptionZh),
          QVariant(b.imported ? 1 : 0)})
        q.addBindValue(v);
    if (!q.exec())
        throw BooksError(QStringLiteral("books database %1: cannot store the book \"%2\": %3")
                             .arg(path_, b.id, q.lastError().text()).toStdString());
    QSqlQuery num(db_);
    num.prepare(QStringLiteral("SELECT num FROM books WHERE id = ?"));
    num.addBindValue(b.id);
    if (!num.exec() || !num.next())
        throw BooksError("books database: a stored book vanished: " + b.id.toStdString());
    const qlonglong rowid = num.value(0).toLongLong();
    exec(QStringLiteral("DELETE FROM books_fts WHERE rowid = %1").arg(rowid), "update the search index");
    QSqlQuery fts(db_);
    fts.prepare(QStringLiteral("INSERT INTO books_fts(rowid, title_all, author_all, tags_all, description_all)"
                               " VALUES (?,?,?,?,?)"));
    fts.addBindValue(rowid);
    fts.addBindValue(text(foldText(b.title + QLatin1Char(' ') + b.originalTitle + QLatin1Char(' ') + b.titleZh)));
    fts.addBindValue(text(foldText(b.author + QLatin1Char(' ') + b.authorZh)));
    fts.addBindValue(text(foldText(b.tags.join(QLatin1String(" ; ")) + QLatin1String(" ; ") + b.genres.join(QLatin1Char(' ')))));
    fts.addBindValue(text(foldText(b.descriptionEn + QLatin1Char(' ') + b.descriptionZh)));
    if (!fts.exec())
        throw BooksError("books database: cannot index the book \"" + b.id.toStdString() + "\": " +
                         fts.lastError().text().toStdString());
}

namespace {

Book bookFromQuery(const QSqlQuery& q) {
    Book b;
    b.id = q.value(0).toString();
    b.title = q.value(1).toString();
    b.originalTitle = q.value(2).toString();
    b.titleZh = q.value(3).toString();
    b.author = q.value(4).toString();
    b.authorZh = q.value(5).toString();
    b.year = q.value(6).toInt();
    b.language = q.value(7).toString();
    b.genres = splitList(q.value(8).toString(), ",");
    b.tags = splitList(q.value(9).toString(), "; ");
    b.moods = splitList(q.value(10).toString(), ",");
    b.pace = q.value(11).toString();
    b.length = q.value(12).toString();
    b.pages = q.value(13).toInt();
    b.age = q.value(14).toString();
    b.isbn = q.value(15).toString();
    b.descriptionEn = q.value(16).toString();
    b.descriptionZh = q.value(17).toString();
    b.imported = q.value(18).toInt() != 0;
    return b;
}

const char* const kBookColumns =
    "SELECT id, title, original_title, title_zh, author, author_zh, year, language, genres, tags, moods, pace,"
    " length, pages, age, isbn, description_en, description_zh, imported FROM books";

} // namespace

std::vector<Book> BookDatabase::allBooks() const {
    std::vector<Book> out;
    QSqlQuery q(db_);
    q.setForwardOnly(true);
    if (!q.exec(QString::fromUtf8(kBookColumns) + QStringLiteral(" ORDER BY num")))
        throw BooksError("books database: cannot read the books: " + q.lastError().text().toStdString());
    while (q.next())
        out.push_back(bookFromQuery(q));
    return out;
}

std::optional<Book> BookDatabase::book(const QString& id) const {
    QSqlQuery q(db_);
    q.prepare(QString::fromUtf8(kBookColumns) + QStringLiteral(" WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return bookFromQuery(q);
}

qsizetype BookDatabase::bookCount() const {
    QSqlQuery q(db_);
    if (!q.exec(QStringLiteral("SELECT count(*) FROM books")) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

std::vector<UserBookState> BookDatabase::userStates() const {
    std::vector<UserBookState> out;
    QSqlQuery q(db_);
    if (!q.exec(QStringLiteral("SELECT book_id, shelf, rating, not_interested FROM user_books ORDER BY book_id")))
        throw BooksError("books database: cannot read your shelves: " + q.lastError().text().toStdString());
    while (q.next())
        out.push_back({q.value(0).toString(), shelfFromName(q.value(1).toString()), q.value(2).toDouble(),
                       q.value(3).toInt() != 0});
    return out;
}

void BookDatabase::setUserState(const UserBookState& s) {
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "INSERT INTO user_books(book_id, shelf, rating, not_interested, updated_at) VALUES (?,?,?,?,?)"
        " ON CONFLICT(book_id) DO UPDATE SET"
        " shelf = CASE WHEN excluded.shelf = '' THEN shelf ELSE excluded.shelf END,"
        " rating = CASE WHEN excluded.rating = 0 THEN rating ELSE excluded.rating END,"
        " not_interested = max(not_interested, excluded.not_interested),"
        " updated_at = excluded.updated_at"));
    q.addBindValue(text(s.bookId));
    q.addBindValue(text(shelfName(s.shelf)));
    q.addBindValue(s.rating);
    q.addBindValue(s.notInterested ? 1 : 0);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        throw BooksError(QStringLiteral("books database %1: cannot store your state of \"%2\": %3")
                             .arg(path_, s.bookId, q.lastError().text()).toStdString());
}

std::vector<BookDatabase::TermHits> BookDatabase::fullText(const QStringList& terms) const {
    std::vector<TermHits> out;
    QHash<qlonglong, QString> ids;
    {
        QSqlQuery q(db_);
        q.exec(QStringLiteral("SELECT num, id FROM books"));
        while (q.next())
            ids.insert(q.value(0).toLongLong(), q.value(1).toString());
    }
    for (const QString& term : terms) {
        if (term.isEmpty())
            continue;
        TermHits hits{term, {}};
        QSqlQuery q(db_);
        if (fts_ && term.size() >= 3) {
            // bm25() is smaller for better matches; the column weights favour titles, then authors,
            // then tags and genres, then descriptions.
            q.prepare(QStringLiteral("SELECT rowid, -bm25(books_fts, 8.0, 5.0, 3.0, 1.0) FROM books_fts"
                                     " WHERE books_fts MATCH ?"));
            QString phrase = term;
            phrase.replace(QLatin1Char('"'), QLatin1String("\"\""));
            q.addBindValue(QLatin1Char('"') + phrase + QLatin1Char('"'));
        } else {
            q.prepare(QStringLiteral("SELECT rowid, w FROM (SELECT rowid, (instr(title_all, ?) > 0) * 8 +"
                                     " (instr(author_all, ?) > 0) * 5 + (instr(tags_all, ?) > 0) * 3 +"
                                     " (instr(description_all, ?) > 0) AS w FROM books_fts) WHERE w > 0"));
            for (int i = 0; i < 4; ++i)
                q.addBindValue(term);
        }
        if (!q.exec())
            continue;
        while (q.next())
            hits.scores.insert(ids.value(q.value(0).toLongLong()), std::max(q.value(1).toDouble(), 1e-6));
        out.push_back(std::move(hits));
    }
    return out;
}

} // namespace lamp::books
