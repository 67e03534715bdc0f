#include "books/book.h"

namespace lamp::books {

const QStringList& allowedGenres() {
    static const QStringList genres = {
        "literary-fiction", "classic", "science-fiction", "fantasy", "mystery", "thriller", "horror",
        "romance", "historical-fiction", "wuxia", "humor", "short-stories", "poetry", "drama",
        "young-adult", "children", "graphic-novel", "biography", "memoir", "history", "science",
        "popular-science", "philosophy", "psychology", "economics", "politics", "sociology", "self-help",
        "business", "travel", "nature", "religion", "art", "essays", "true-crime", "technology",
        "mathematics", "cooking", "health"};
    return genres;
}

const QStringList& allowedMoods() {
    static const QStringList moods = {
        "adventurous", "dark", "emotional", "funny", "hopeful", "inspiring", "lighthearted", "mysterious",
        "reflective", "relaxing", "sad", "tense", "thought-provoking", "challenging", "informative",
        "romantic"};
    return moods;
}

QString shelfName(Shelf shelf) {
    switch (shelf) {
    case Shelf::Read: return QStringLiteral("read");
    case Shelf::ToRead: return QStringLiteral("to-read");
    case Shelf::CurrentlyReading: return QStringLiteral("currently-reading");
    case Shelf::None: break;
    }
    return {};
}

Shelf shelfFromName(const QString& name) {
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("read"))
        return Shelf::Read;
    if (n == QLatin1String("to-read") || n == QLatin1String("to read") || n == QLatin1String("want to read"))
        return Shelf::ToRead;
    if (n == QLatin1String("currently-reading") || n == QLatin1String("currently reading"))
        return Shelf::CurrentlyReading;
    return Shelf::None;
}

QString describe(const Book& book) {
    QString out = book.title.isEmpty() ? book.titleZh : book.title;
    if (!book.author.isEmpty())
        out += QStringLiteral(" — ") + book.author;
    if (book.year != 0)
        out += QStringLiteral(" (%1)").arg(book.year < 0 ? QStringLiteral("%1 BCE").arg(-book.year)
                                                        : QString::number(book.year));
    return out;
}

} // namespace lamp::books
