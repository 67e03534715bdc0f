// Readers of the user's own library: a Goodreads export CSV, a StoryGraph export CSV and a Calibre
// library's metadata.db. Each turns its source into ImportedBook rows; a malformed row is reported
// with its line number and skipped, and the rest still import. Matching the rows to the catalogue
// and storing them is library_import.h's job.
#pragma once

#include "books/book.h"
#include "books/csv_reader.h"

#include <vector>

namespace lamp::books {

struct ImportedBook {
    int line = 0;            // the source line (CSV) or Calibre book id
    QString title;
    QString author;          // the first author, "First Last"
    QString isbn;            // ISBN-13, or empty
    int year = 0;            // 0 = unknown
    int pages = 0;
    double rating = 0;       // 1-5, 0 = unrated
    Shelf shelf = Shelf::None;
    QStringList tags;        // shelves / tags / genres as the source calls them
    QString description;
    QString series;
};

struct ImportProblem {
    int line = 0;
    QString message;
};

struct ImportResult {
    QString format;          // "Goodreads", "StoryGraph", "Calibre"
    std::vector<ImportedBook> books;
    std::vector<ImportProblem> problems;
};

ImportResult readGoodreadsCsv(const QByteArray& data);
ImportResult readStoryGraphCsv(const QByteArray& data);
// Opens `metadataDb` read-only (a library folder is accepted too); throws BooksError when it cannot
// be opened or is not a Calibre library.
ImportResult readCalibreLibrary(const QString& metadataDb);

// Recognises the source by its content (a SQLite file, or a CSV by its header) and reads it.
// Throws BooksError for an unreadable file or an unknown format, saying which formats are known.
ImportResult readLibraryFile(const QString& path);

namespace detail {
// Shared by the CSV importers: the next record with at least `headerFields` fields; malformed and
// short rows go to `problems` with their line and are skipped. nullopt at the end.
std::optional<CsvRecord> nextImportRow(CsvReader& reader, qsizetype headerFields,
                                       std::vector<ImportProblem>& problems);
// The row's title and rating into `b`; false, with the problem recorded, when the title is empty
// or the rating (column `ratingName` in the message) is not 0 to 5.
bool readTitleAndRating(const CsvRecord& record, int titleColumn, int ratingColumn, const char* ratingName,
                        ImportedBook& b, std::vector<ImportProblem>& problems);
// The rating text ("4", "3.5", "" or "0" = unrated); nullopt when
// it is not a number from 0 to 5.
std::optional<double> parseRating(const QString& text);
// "2015", "2015/03/01", "2015-03-01" -> 2015; 0 when empty or not a year.
int parseYear(const QString& text);
} // namespace detail

} // namespace lamp::books
