// Goodreads "Export Library" CSV. Columns are found by header name (Goodreads has added and renamed
// columns over the years). ISBN cells come as ="0441478123" so spreadsheets keep leading zeros;
// "My Rating" 0 means unrated; "Exclusive Shelf" is read / to-read / currently-reading.
#include "books/csv_reader.h"
#include "books/importer.h"
#include "books/text_normalize.h"

namespace lamp::books {

namespace detail {

std::optional<CsvRecord> nextImportRow(CsvReader& reader, qsizetype headerFields,
                                       std::vector<ImportProblem>& problems) {
    while (auto rec = reader.next()) {
        if (!rec->problem.isEmpty()) {
            problems.push_back({rec->line, QStringLiteral("malformed CSV: %1").arg(rec->problem)});
            continue;
        }
        if (rec->fields.size() < headerFields) {
            problems.push_back({rec->line, QStringLiteral("the row has %1 fields but the header has %2")
                                               .arg(rec->fields.size())
                                               .arg(headerFields)});
            continue;
        }
        return rec;
    }
    return std::nullopt;
}

bool readTitleAndRating(const CsvRecord& record, int titleColumn, int ratingColumn, const char* ratingName,
                        ImportedBook& b, std::vector<ImportProblem>& problems) {
    b.title = CsvHeader::cell(record, titleColumn);
    if (b.title.isEmpty()) {
        problems.push_back({record.line, QStringLiteral("the title is empty")});
        return false;
    }
    const QString rawRating = CsvHeader::cell(record, ratingColumn);
    const auto rating = parseRating(rawRating);
    if (!rating) {
        problems.push_back({record.line, QStringLiteral("\"%1\" is \"%2\"; it must be 0 to 5")
                                             .arg(QLatin1String(ratingName), rawRating)});
        return false;
    }
    b.rating = *rating;
    return true;
}

std::optional<double> parseRating(const QString& text) {
    if (text.trimmed().isEmpty())
        return 0.0;
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || v < 0 || v > 5)
        return std::nullopt;
    return v;
}

int parseYear(const QString& text) {
    const QString t = text.trimmed();
    if (t.size() < 4)
        return 0;
    bool ok = false;
    const int y = t.left(4).toInt(&ok);
    return ok && y > 0 && y < 2100 ? y : 0;
}

} // namespace detail

ImportResult readGoodreadsCsv(const QByteArray& data) {
    ImportResult result;
    result.format = QStringLiteral("Goodreads");
    CsvReader reader(data);
    const auto head = reader.next();
    if (!head)
        return result;
    const CsvHeader header(head->fields);
    const int cTitle = header.column({"Title"});
    const int cAuthor = header.column({"Author"});
    const int cAuthorLf = header.column({"Author l-f"});
    const int cIsbn = header.column({"ISBN"});
    const int cIsbn13 = header.column({"ISBN13"});
    const int cRating = header.column({"My Rating"});
    const int cPages = header.column({"Number of Pages"});
    const int cYear = header.column({"Original Publication Year"});
    const int cYearPub = header.column({"Year Published"});
    const int cShelf = header.column({"Exclusive Shelf"});
    const int cShelves = header.column({"Bookshelves"});
    if (cTitle < 0 || (cAuthor < 0 && cAuthorLf < 0))
        throw BooksError("the Goodreads CSV has no \"Title\" and \"Author\" columns: export it again from "
                         "Goodreads (My Books > Import and export > Export Library)");
    while (auto rec = detail::nextImportRow(reader, head->fields.size(), result.problems)) {
        ImportedBook b;
        b.line = rec->line;
        if (!detail::readTitleAndRating(*rec, cTitle, cRating, "My Rating", b, result.problems))
            continue;
        b.author = CsvHeader::cell(*rec, cAuthor);
        if (b.author.isEmpty())
            b.author = CsvHeader::cell(*rec, cAuthorLf);
        b.isbn = normaliseIsbn(CsvHeader::cell(*rec, cIsbn13));
        if (b.isbn.isEmpty())
            b.isbn = normaliseIsbn(CsvHeader::cell(*rec, cIsbn));
        b.pages = CsvHeader::cell(*rec, cPages).toInt();
        b.year = detail::parseYear(CsvHeader::cell(*rec, cYear));
        if (b.year == 0)
            b.year = detail::parseYear(CsvHeader::cell(*rec, cYearPub));
        b.shelf = shelfFromName(CsvHeader::cell(*rec, cShelf));
        for (const QString& s : CsvHeader::cell(*rec, cShelves).split(QLatin1Char(','), Qt::SkipEmptyParts))
            b.tags << s.trimmed();
        if (b.shelf == Shelf::None && b.rating > 0)
            b.shelf = Shelf::Read; // a rating means it was read
        result.books.push_back(std::move(b));
    }
    return result;
}

} // namespace lamp::books
