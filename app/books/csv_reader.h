// An RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF, fields in double quotes
// may hold commas, quotes (doubled) and line breaks. Exports from Goodreads and StoryGraph are CSV
// with review texts spanning lines, so a line-based split would tear records apart.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace lamp::books {

struct CsvRecord {
    QStringList fields;
    int line = 0;        // the file line the record starts on (1-based)
    QString problem;     // non-empty for a malformed record (the fields are what could be read)
};

class CsvReader {
public:
    // `data` is UTF-8; a leading byte-order mark is skipped.
    explicit CsvReader(QByteArray data);

    // The next record, or nullopt at the end. Blank lines are skipped.
    std::optional<CsvRecord> next();

private:
    QString text_;
    qsizetype pos_ = 0;
    int line_ = 1;
};

// A header row turned into a column lookup: columns are found by name, case and spaces ignored, so
// exports that add, drop or reorder columns still import.
class CsvHeader {
public:
    explicit CsvHeader(const QStringList& names);
    // Index of the first column named any of `names`, or -1.
    int column(std::initializer_list<const char*> names) const;
    // The cell of `record` in that column, trimmed; empty when the column or cell is absent.
    static QString cell(const CsvRecord& record, int column);

private:
    QStringList names_; // normalised
};

} // namespace lamp::books
