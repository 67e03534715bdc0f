// StoryGraph export CSV: "Title", "Authors" (comma-separated), "ISBN/UID", "Read Status" (read,
// to-read, currently-reading, did-not-finish), "Star Rating" (may be fractional, empty = unrated),
// "Moods", "Tags". Columns found by header name.
#include "books/csv_reader.h"
#include "books/importer.h"
#include "books/text_normalize.h"

namespace lamp::books {

ImportResult readStoryGraphCsv(const QByteArray& data) {
    ImportResult result;
    result.format = QStringLiteral("StoryGraph");
    CsvReader reader(data);
    const auto head = reader.next();
    if (!head)
        return result;
    const CsvHeader header(head->fields);
    const int cTitle = header.column({"Title"});
    const int cAuthors = header.column({"Authors", "Author"});
    const int cIsbn = header.column({"ISBN/UID", "ISBN"});
    const int cStatus = header.column({"Read Status"});
    const int cRating = header.column({"Star Rating"});
    const int cMoods = header.column({"Moods"});
    const int cTags = header.column({"Tags"});
    if (cTitle < 0 || cAuthors < 0)
        throw BooksError("the StoryGraph CSV has no \"Title\" and \"Authors\" columns: export it again from "
                         "StoryGraph (Manage Account > Export StoryGraph Library)");
    while (auto rec = detail::nextImportRow(reader, head->fields.size(), result.problems)) {
        ImportedBook b;
        b.line = rec->line;
        if (!detail::readTitleAndRating(*rec, cTitle, cRating, "Star Rating", b, result.problems))
            continue;
        b.author = CsvHeader::cell(*rec, cAuthors).section(QLatin1Char(','), 0, 0).trimmed();
        b.isbn = normaliseIsbn(CsvHeader::cell(*rec, cIsbn));
        const QString status = CsvHeader::cell(*rec, cStatus);
        b.shelf = shelfFromName(status);
        if (status == QLatin1String("did-not-finish") && b.rating == 0)
            b.rating = 1.5; // abandoned: count it as disliked, and do not offer it again
        if (status == QLatin1String("did-not-finish"))
            b.shelf = Shelf::Read;
        for (const int c : {cMoods, cTags})
            for (const QString& s : CsvHeader::cell(*rec, c).split(QLatin1Char(','), Qt::SkipEmptyParts))
                b.tags << s.trimmed();
        result.books.push_back(std::move(b));
    }
    return result;
}

} // namespace lamp::books
