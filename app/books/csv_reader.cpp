#include "books/csv_reader.h"

namespace lamp::books {

CsvReader::CsvReader(QByteArray data) : text_(QString::fromUtf8(data)) {
    if (text_.startsWith(QChar(0xFEFF)))
        text_.remove(0, 1);
}

std::optional<CsvRecord> CsvReader::next() {
    // Skip blank lines between records.
    while (pos_ < text_.size() && (text_[pos_] == QLatin1Char('\n') || text_[pos_] == QLatin1Char('\r'))) {
        if (text_[pos_] == QLatin1Char('\n'))
            ++line_;
        ++pos_;
    }
    if (pos_ >= text_.size())
        return std::nullopt;

    CsvRecord record;
    record.line = line_;
    QString field;
    bool quoted = false;     // inside a quoted field
    bool wasQuoted = false;  // the current field started with a quote
    const qsizetype n = text_.size();
    while (pos_ < n) {
        const QChar c = text_[pos_];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (pos_ + 1 < n && text_[pos_ + 1] == QLatin1Char('"')) {
                    field += QLatin1Char('"');
                    pos_ += 2;
                    continue;
                }
                quoted = false;
                ++pos_;
                continue;
            }
            if (c == QLatin1Char('\n'))
                ++line_;
            if (!(c == QLatin1Char('\r') && pos_ + 1 < n && text_[pos_ + 1] == QLatin1Char('\n')))
                field += c; // a CRLF inside a field is kept as LF
            ++pos_;
            continue;
        }
        if (c == QLatin1Char('"')) {
            if ((field.isEmpty() || field == QLatin1String("=")) && !wasQuoted) {
                // `="0441478123"` unquoted is the spreadsheet way of keeping leading zeros.
                quoted = wasQuoted = true;
            } else {
                // A quote inside an unquoted field (or after a closing quote) breaks RFC 4180;
                // keep the character so nothing is lost, and report the record.
                if (record.problem.isEmpty())
                    record.problem = QStringLiteral("a stray double quote in field %1").arg(record.fields.size() + 1);
                field += c;
            }
            ++pos_;
            continue;
        }
        if (c == QLatin1Char(',')) {
            record.fields << field;
            field.clear();
            wasQuoted = false;
            ++pos_;
            continue;
        }
        if (c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            if (c == QLatin1Char('\r') && pos_ + 1 < n && text_[pos_ + 1] == QLatin1Char('\n'))
                ++pos_;
            ++pos_;
            ++line_;
            break;
        }
        if (wasQuoted && record.problem.isEmpty())
            record.problem = QStringLiteral("text after the closing quote of field %1").arg(record.fields.size() + 1);
        field += c;
        ++pos_;
    }
    if (quoted)
        record.problem = QStringLiteral("a quoted field opened on line %1 is never closed").arg(record.line);
    record.fields << field;
    return record;
}

namespace {

QString headerKey(const QString& name) {
    QString out;
    for (const QChar c : name)
        if (c.isLetterOrNumber())
            out += c.toLower();
    return out;
}

} // namespace

CsvHeader::CsvHeader(const QStringList& names) {
    for (const QString& n : names)
        names_ << headerKey(n);
}

int CsvHeader::column(std::initializer_list<const char*> names) const {
    for (const char* name : names) {
        const qsizetype i = names_.indexOf(headerKey(QString::fromUtf8(name)));
        if (i >= 0)
            return static_cast<int>(i);
    }
    return -1;
}

QString CsvHeader::cell(const CsvRecord& record, int column) {
    if (column < 0 || column >= record.fields.size())
        return {};
    return record.fields[column].trimmed();
}

} // namespace lamp::books
