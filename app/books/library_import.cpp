#include "books/library_import.h"

#include "books/csv_reader.h"
#include "books/text_normalize.h"
#include "core/log.h"

#include <QFile>
#include <QSet>

namespace lamp::books {

BookMatcher::BookMatcher(const std::vector<Book>& books) {
    for (const Book& b : books)
        add(b);
}

void BookMatcher::add(const Book& b) {
    if (!b.isbn.isEmpty())
        byIsbn_.insert(b.isbn, b.id);
    for (const QString& title : {b.title, b.originalTitle, b.titleZh}) {
        if (title.isEmpty())
            continue;
        const QString t = normaliseTitle(title);
        byTitle_[t] << b.id;
        for (const QString& author : {b.author, b.authorZh})
            if (!author.isEmpty())
                byTitleAuthor_.insert(t + QLatin1Char('|') + normaliseAuthor(author), b.id);
    }
}

QString BookMatcher::match(const QString& isbn, const QString& title, const QString& author) const {
    if (!isbn.isEmpty())
        if (const auto it = byIsbn_.constFind(isbn); it != byIsbn_.constEnd())
            return *it;
    const QString t = normaliseTitle(title);
    if (!author.isEmpty())
        return byTitleAuthor_.value(t + QLatin1Char('|') + normaliseAuthor(author));
    const QStringList ids = byTitle_.value(t);
    return ids.size() == 1 ? ids.front() : QString(); // an unknown author must not guess between two
}

namespace {

// "user-" + author surname + title words, ascii kebab-case, made unique.
QString newId(const ImportedBook& row, const QSet<QString>& taken) {
    QString base = QStringLiteral("user");
    const QString surname = foldText(row.author).section(QLatin1Char(' '), -1);
    for (const QString& part : QStringList{surname, foldText(normaliseTitle(row.title))}) {
        QString ascii;
        for (const QChar c : part)
            ascii += (c.unicode() < 128 && c.isLetterOrNumber()) ? c : QLatin1Char(' ');
        const QStringList words = ascii.split(QLatin1Char(' '), Qt::SkipEmptyParts).mid(0, 4);
        if (!words.isEmpty())
            base += QLatin1Char('-') + words.join(QLatin1Char('-'));
    }
    QString id = base;
    for (int n = 2; taken.contains(id); ++n)
        id = base + QLatin1Char('-') + QString::number(n);
    return id;
}

Book bookFromRow(const ImportedBook& row, const QString& id) {
    Book b;
    b.id = id;
    b.title = row.title;
    if (containsCjk(row.title))
        b.titleZh = row.title;
    b.author = row.author;
    b.year = row.year;
    b.isbn = row.isbn;
    b.pages = row.pages;
    if (row.pages > 0)
        b.length = row.pages < 200 ? QStringLiteral("short") : row.pages <= 450 ? QStringLiteral("medium") : QStringLiteral("long");
    b.descriptionEn = row.description;
    b.imported = true;
    // Shelves and tags that name one of our genres or moods ("Science Fiction", "sci-fi") keep
    // their meaning; the rest become tags.
    for (const QString& tag : row.tags) {
        QString key = foldText(tag).replace(QLatin1Char(' '), QLatin1Char('-'));
        if (key == QLatin1String("sci-fi") || key == QLatin1String("scifi"))
            key = QStringLiteral("science-fiction");
        if (key == QLatin1String("nonfiction") || shelfFromName(tag) != Shelf::None)
            continue;
        if (allowedGenres().contains(key) && !b.genres.contains(key))
            b.genres << key;
        else if (allowedMoods().contains(key) && !b.moods.contains(key))
            b.moods << key;
        else if (!b.tags.contains(foldText(tag)))
            b.tags << foldText(tag);
    }
    return b;
}

} // namespace

ImportSummary applyImport(BookDatabase& db, const ImportResult& result) {
    ImportSummary summary;
    summary.format = result.format;
    summary.problems = result.problems;
    const std::vector<Book> existing = db.allBooks();
    BookMatcher matcher(existing);
    QSet<QString> taken;
    for (const Book& b : existing)
        taken.insert(b.id);
    db.transaction([&] {
        for (const ImportedBook& row : result.books) {
            QString id = matcher.match(row.isbn, row.title, row.author);
            if (id.isEmpty()) {
                id = newId(row, taken);
                const Book b = bookFromRow(row, id);
                db.upsertBook(b);
                matcher.add(b);
                taken.insert(id);
                ++summary.added;
            } else {
                ++summary.matched;
            }
            ++summary.rows;
            if (row.shelf != Shelf::None || row.rating > 0)
                db.setUserState({id, row.shelf, row.rating, false});
        }
    });
    log::get("books")->info("{} import: {} rows, {} matched, {} added, {} problems", result.format.toStdString(),
                            summary.rows, summary.matched, summary.added, summary.problems.size());
    return summary;
}

ImportResult readLibraryFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw BooksError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()).toStdString());
    const QByteArray start = file.peek(16);
    if (start.startsWith("SQLite format 3")) {
        file.close();
        return readCalibreLibrary(path);
    }
    const QByteArray data = file.readAll();
    CsvReader reader(data);
    const auto head = reader.next();
    const CsvHeader header(head ? head->fields : QStringList{});
    if (header.column({"Exclusive Shelf"}) >= 0 || header.column({"My Rating"}) >= 0)
        return readGoodreadsCsv(data);
    if (header.column({"Read Status"}) >= 0 || header.column({"Star Rating"}) >= 0)
        return readStoryGraphCsv(data);
    throw BooksError(QStringLiteral("%1 is not a library export Lamplight knows: import a Goodreads export CSV, a "
                                    "StoryGraph export CSV or a Calibre library's metadata.db").arg(path).toStdString());
}

ImportSummary importLibraryFile(BookDatabase& db, const QString& path) {
    return applyImport(db, readLibraryFile(path));
}

} // namespace lamp::books
