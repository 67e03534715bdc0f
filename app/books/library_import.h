// Bringing the user's library into the books database: each imported row is matched to a catalogue
// entry (same ISBN, else the same normalised title and author); a book the catalogue lacks joins it
// as a new entry. The shelf and rating are stored as the user's state of the book. An import only
// adds and updates, inside one transaction, so nothing imported before is ever lost.
#pragma once

#include "books/book_database.h"
#include "books/importer.h"

#include <QHash>

namespace lamp::books {

// Finds the catalogue entry of a book described loosely.
class BookMatcher {
public:
    explicit BookMatcher(const std::vector<Book>& books);
    // The id of the matching book, or empty.
    QString match(const QString& isbn, const QString& title, const QString& author) const;
    void add(const Book& book);

private:
    QHash<QString, QString> byIsbn_;
    QHash<QString, QString> byTitleAuthor_;  // "title|author" normalised
    QHash<QString, QStringList> byTitle_;     // normalised title -> ids (used when the author is unknown)
};

struct ImportSummary {
    QString format;
    int rows = 0;       // rows read without problems
    int matched = 0;    // found in the catalogue
    int added = 0;      // new books added to the catalogue
    std::vector<ImportProblem> problems;
};

// Stores `result` in `db`.
ImportSummary applyImport(BookDatabase& db, const ImportResult& result);

// readLibraryFile + applyImport.
ImportSummary importLibraryFile(BookDatabase& db, const QString& path);

} // namespace lamp::books
