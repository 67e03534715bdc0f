// A Calibre library's metadata.db, opened read-only (Calibre may be running, and the library is the
// user's). Books, authors, tags, comments, series, ratings and identifiers are joined in plain SQL.
// Newer Calibre versions dropped books.isbn (ISBNs live in identifiers only), and any of the side
// tables may be missing in a trimmed copy: each part is used only when its table and columns exist.
#include "books/importer.h"
#include "books/text_normalize.h"

#include <QFileInfo>
#include <QDir>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <atomic>

namespace lamp::books {

namespace {

std::atomic<int> g_calibreConnections{0};

QSet<QString> columnsOf(QSqlDatabase& db, const QString& table) {
    QSet<QString> out;
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table)))
        while (q.next())
            out.insert(q.value(1).toString().toLower());
    return out;
}

QString stripHtml(const QString& html) {
    static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QString t = html;
    t.replace(tags, QStringLiteral(" "));
    t.replace(QLatin1String("&amp;"), QLatin1String("&")).replace(QLatin1String("&lt;"), QLatin1String("<"));
    t.replace(QLatin1String("&gt;"), QLatin1String(">")).replace(QLatin1String("&quot;"), QLatin1String("\""));
    t.replace(QLatin1String("&#39;"), QLatin1String("'")).replace(QLatin1String("&nbsp;"), QLatin1String(" "));
    return t.replace(spaces, QStringLiteral(" ")).trimmed();
}

ImportResult readOpen(QSqlDatabase& db, const QString& path) {
    ImportResult result;
    result.format = QStringLiteral("Calibre");
    const QSet<QString> books = columnsOf(db, QStringLiteral("books"));
    if (!books.contains(QStringLiteral("id")) || !books.contains(QStringLiteral("title")) ||
        columnsOf(db, QStringLiteral("authors")).isEmpty())
        throw BooksError(QStringLiteral("%1 is not a Calibre library (no books and authors tables); choose the "
                                        "metadata.db in your Calibre library folder").arg(path).toStdString());
    auto has = [&](const char* table, std::initializer_list<const char*> cols) {
        const QSet<QString> c = columnsOf(db, QString::fromUtf8(table));
        for (const char* col : cols)
            if (!c.contains(QString::fromUtf8(col)))
                return false;
        return true;
    };
    const QString null = QStringLiteral("NULL");
    const QString author = has("books_authors_link", {"id", "book", "author"}) && has("authors", {"id", "name"})
        ? QStringLiteral("(SELECT a.name FROM books_authors_link l JOIN authors a ON a.id = l.author"
                         " WHERE l.book = b.id ORDER BY l.id LIMIT 1)") : null;
    const QString tags = has("books_tags_link", {"book", "tag"}) && has("tags", {"id", "name"})
        ? QStringLiteral("(SELECT group_concat(t.name, char(31)) FROM books_tags_link l JOIN tags t ON t.id = l.tag"
                         " WHERE l.book = b.id)") : null;
    const QString comment = has("comments", {"book", "text"})
        ? QStringLiteral("(SELECT c.text FROM comments c WHERE c.book = b.id LIMIT 1)") : null;
    const QString series = has("books_series_link", {"book", "series"}) && has("series", {"id", "name"})
        ? QStringLiteral("(SELECT s.name FROM books_series_link l JOIN series s ON s.id = l.series"
                         " WHERE l.book = b.id LIMIT 1)") : null;
    const QString rating = has("books_ratings_link", {"book", "rating"}) && has("ratings", {"id", "rating"})
        ? QStringLiteral("(SELECT r.rating FROM books_ratings_link l JOIN ratings r ON r.id = l.rating"
                         " WHERE l.book = b.id LIMIT 1)") : null;
    const QString identifier = has("identifiers", {"book", "type", "val"})
        ? QStringLiteral("(SELECT i.val FROM identifiers i WHERE i.book = b.id AND lower(i.type) = 'isbn' LIMIT 1)")
        : null;
    const QString oldIsbn = books.contains(QStringLiteral("isbn")) ? QStringLiteral("b.isbn") : null;
    const QString pubdate = books.contains(QStringLiteral("pubdate")) ? QStringLiteral("b.pubdate") : null;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    const QString sql = QStringLiteral("SELECT b.id, b.title, %1, %2, %3, %4, %5, %6, %7, %8 FROM books b ORDER BY b.id")
                            .arg(author, tags, comment, series, rating, identifier, oldIsbn, pubdate);
    if (!q.exec(sql))
        throw BooksError(QStringLiteral("cannot read the books of the Calibre library %1: %2")
                             .arg(path, q.lastError().text()).toStdString());
    while (q.next()) {
        ImportedBook b;
        b.line = q.value(0).toInt();
        b.title = q.value(1).toString().trimmed();
        b.author = q.value(2).toString().trimmed();
        if (b.title.isEmpty()) {
            result.problems.push_back({b.line, QStringLiteral("Calibre book id %1 has no title").arg(b.line)});
            continue;
        }
        b.tags = q.value(3).toString().split(QChar(31), Qt::SkipEmptyParts);
        b.description = stripHtml(q.value(4).toString());
        b.series = q.value(5).toString();
        // Calibre stores ratings as 0-10 (two per star); 0 or none = unrated.
        b.rating = std::clamp(q.value(6).toDouble() / 2.0, 0.0, 5.0);
        b.isbn = normaliseIsbn(q.value(7).toString());
        if (b.isbn.isEmpty())
            b.isbn = normaliseIsbn(q.value(8).toString());
        // Calibre writes year 101 for "no date".
        const int year = detail::parseYear(q.value(9).toString());
        b.year = year > 1000 ? year : 0;
        for (const QString& t : b.tags) {
            const Shelf s = shelfFromName(t);
            if (s != Shelf::None)
                b.shelf = s;
        }
        if (b.shelf == Shelf::None && b.rating > 0)
            b.shelf = Shelf::Read;
        result.books.push_back(std::move(b));
    }
    return result;
}

} // namespace

ImportResult readCalibreLibrary(const QString& metadataDb) {
    QString path = metadataDb;
    if (QFileInfo(path).isDir())
        path = QDir(path).filePath(QStringLiteral("metadata.db"));
    if (!QFileInfo::exists(path))
        throw BooksError(QStringLiteral("the Calibre library file %1 does not exist; choose the metadata.db in "
                                        "your Calibre library folder").arg(path).toStdString());
    const QString name = QStringLiteral("lamp-calibre-%1").arg(g_calibreConnections.fetch_add(1) + 1);
    ImportResult result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        try {
            if (!db.open())
                throw BooksError(QStringLiteral("cannot open the Calibre library %1 read-only: %2")
                                     .arg(path, db.lastError().text()).toStdString());
            result = readOpen(db, path);
        } catch (...) {
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            throw;
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

} // namespace lamp::books
