#include "books/catalogue_loader.h"

#include "books/text_normalize.h"
#include "core/log.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace lamp::books {

namespace {

// The keys of the format, all required. Their order in the file is a convention for people; the
// reader does not depend on it.
const char* const kKeys[] = {"id", "title", "original_title", "title_zh", "author", "author_zh", "year",
                             "language", "genres", "tags", "mood", "pace", "length", "pages", "age",
                             "isbn", "description_en", "description_zh"};

QStringList stringList(const QJsonValue& value, bool* ok) {
    QStringList out;
    if (!value.isArray()) {
        *ok = false;
        return out;
    }
    for (const QJsonValue& v : value.toArray()) {
        if (!v.isString())
            *ok = false;
        out << v.toString().trimmed();
    }
    return out;
}

QString checkVocabulary(const QStringList& values, const QStringList& allowed, const char* key, qsizetype min,
                        qsizetype max) {
    if (values.size() < min || values.size() > max)
        return QStringLiteral("\"%1\" has %2 entries; it needs %3 to %4").arg(QLatin1String(key)).arg(values.size()).arg(min).arg(max);
    for (const QString& v : values)
        if (!allowed.isEmpty() && !allowed.contains(v))
            return QStringLiteral("\"%1\" value \"%2\" is not in the allowed list (see resources/books/README.md)")
                .arg(QLatin1String(key), v);
    return {};
}

} // namespace

std::optional<Book> parseCatalogueLine(const QByteArray& line, QString* problem) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        *problem = QStringLiteral("not a JSON object (%1 at column %2); each line must be one complete object")
                       .arg(error.errorString())
                       .arg(error.offset + 1);
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    for (const char* key : kKeys)
        if (!o.contains(QLatin1String(key))) {
            *problem = QStringLiteral("the key \"%1\" is missing").arg(QLatin1String(key));
            return std::nullopt;
        }
    Book b;
    b.id = o.value("id").toString();
    b.title = o.value("title").toString().trimmed();
    b.originalTitle = o.value("original_title").toString().trimmed();
    b.titleZh = o.value("title_zh").toString().trimmed();
    b.author = o.value("author").toString().trimmed();
    b.authorZh = o.value("author_zh").toString().trimmed();
    b.language = o.value("language").toString();
    b.pace = o.value("pace").toString();
    b.length = o.value("length").toString();
    b.age = o.value("age").toString();
    b.isbn = o.value("isbn").toString();
    b.descriptionEn = o.value("description_en").toString().trimmed();
    b.descriptionZh = o.value("description_zh").toString().trimmed();
    bool listsOk = true;
    b.genres = stringList(o.value("genres"), &listsOk);
    b.tags = stringList(o.value("tags"), &listsOk);
    b.moods = stringList(o.value("mood"), &listsOk);
    if (!listsOk) {
        *problem = QStringLiteral("\"genres\", \"tags\" and \"mood\" must be arrays of strings");
        return std::nullopt;
    }
    const QJsonValue year = o.value("year");
    const QJsonValue pages = o.value("pages");
    if (!year.isDouble() || year.toDouble() != static_cast<double>(year.toInt()) || year.toInt() == 0 ||
        year.toInt() > 2100) {
        *problem = QStringLiteral("\"year\" must be a whole number (negative for BCE), not %1")
                       .arg(QString::fromUtf8(QJsonDocument(QJsonArray{year}).toJson(QJsonDocument::Compact)));
        return std::nullopt;
    }
    if (!pages.isDouble() || pages.toInt() <= 0) {
        *problem = QStringLiteral("\"pages\" must be a positive whole number");
        return std::nullopt;
    }
    b.year = year.toInt();
    b.pages = pages.toInt();

    static const QRegularExpression idPattern(QStringLiteral("^[a-z0-9]+(-[a-z0-9]+)*$"));
    static const QRegularExpression languagePattern(QStringLiteral("^[a-z]{2}$"));
    QString why;
    if (!idPattern.match(b.id).hasMatch())
        why = QStringLiteral("\"id\" \"%1\" is not lowercase ascii kebab-case").arg(b.id);
    else if (b.title.isEmpty() || b.author.isEmpty() || b.titleZh.isEmpty())
        why = QStringLiteral("\"title\", \"title_zh\" and \"author\" must not be empty");
    else if (b.descriptionEn.isEmpty() || b.descriptionZh.isEmpty())
        why = QStringLiteral("\"description_en\" and \"description_zh\" must not be empty");
    else if (!languagePattern.match(b.language).hasMatch())
        why = QStringLiteral("\"language\" \"%1\" is not an ISO 639-1 code such as \"en\"").arg(b.language);
    else if (!b.isbn.isEmpty() && (b.isbn.size() != 13 || normaliseIsbn(b.isbn) != b.isbn))
        why = QStringLiteral("\"isbn\" \"%1\" is not a valid ISBN-13 (digits only); leave it \"\" when unsure").arg(b.isbn);
    else if (!QStringList{"slow", "medium", "fast"}.contains(b.pace))
        why = QStringLiteral("\"pace\" must be slow, medium or fast");
    else if (!QStringList{"short", "medium", "long"}.contains(b.length))
        why = QStringLiteral("\"length\" must be short, medium or long");
    else if (!QStringList{"children", "teen", "adult", "all"}.contains(b.age))
        why = QStringLiteral("\"age\" must be children, teen, adult or all");
    else if (why = checkVocabulary(b.genres, allowedGenres(), "genres", 1, 3); !why.isEmpty()) {
    } else if (why = checkVocabulary(b.moods, allowedMoods(), "mood", 1, 3); !why.isEmpty()) {
    } else if (why = checkVocabulary(b.tags, {}, "tags", 3, 6); !why.isEmpty()) {
    }
    if (!why.isEmpty()) {
        *problem = why;
        return std::nullopt;
    }
    return b;
}

void loadCatalogueFile(const QString& path, CatalogueLoad& into) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw BooksError(QStringLiteral("cannot read the book catalogue file %1: %2")
                             .arg(path, file.errorString())
                             .toStdString());
    into.files << path;
    QSet<QString> seen;
    for (const Book& b : into.books)
        seen.insert(b.id);
    int lineNo = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty())
            continue;
        QString problem;
        auto book = parseCatalogueLine(line, &problem);
        if (book && seen.contains(book->id)) {
            problem = QStringLiteral("the id \"%1\" is used by an earlier line; ids must be unique across all "
                                     "catalogue files").arg(book->id);
            book.reset();
        }
        if (!book) {
            into.problems.push_back({path, lineNo, problem});
            continue;
        }
        seen.insert(book->id);
        into.books.push_back(std::move(*book));
    }
}

CatalogueLoad loadCatalogue(const QString& dir) {
    CatalogueLoad load;
    const QDir d(dir);
    const QStringList names = d.entryList({QStringLiteral("catalogue_*.jsonl")}, QDir::Files, QDir::Name);
    for (const QString& name : names)
        loadCatalogueFile(d.filePath(name), load);
    for (const CatalogueProblem& p : load.problems)
        log::get("books")->warn("catalogue {}:{}: {} (line skipped)", p.file.toStdString(), p.line,
                                p.message.toStdString());
    return load;
}

} // namespace lamp::books
