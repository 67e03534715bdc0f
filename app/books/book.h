// A book as the assistant knows it: one entry of the catalogue (resources/books/catalogue_*.jsonl)
// or a book imported from the user's own library. Plain data, shared by every part of lamp_books.
#pragma once

#include "core/error.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace lamp::books {

// Anything in lamp_books that fails on purpose: a malformed catalogue line, an unreadable import
// file, a database that cannot be opened. The message says what, where and how to fix it.
class BooksError : public lamp::Error {
public:
    using lamp::Error::Error;
};

struct Book {
    QString id;             // lowercase kebab-case, unique ("orwell-1984"; imported: "user-...")
    QString title;          // common English title
    QString originalTitle;  // title in the original language when not English, else empty
    QString titleZh;        // Chinese title (original or usual translation)
    QString author;
    QString authorZh;
    int year = 0;           // first publication; negative for BCE; 0 = unknown (imported books)
    QString language;       // ISO 639-1 of the original
    QStringList genres;     // 1-3 of kGenres
    QStringList tags;       // free lowercase themes
    QStringList moods;      // 1-3 of kMoods
    QString pace;           // slow | medium | fast (empty when unknown)
    QString length;         // short | medium | long (empty when unknown)
    int pages = 0;          // approximate; 0 = unknown
    QString age;            // children | teen | adult | all (empty when unknown)
    QString isbn;           // ISBN-13 digits or empty
    QString descriptionEn;
    QString descriptionZh;
    bool imported = false;  // came from the user's library, not the catalogue
};

// What the user told us about a book (from an import or "Mark as read / Not interested").
enum class Shelf { None, Read, ToRead, CurrentlyReading };

struct UserBookState {
    QString bookId;
    Shelf shelf = Shelf::None;
    double rating = 0;          // 1-5; 0 = unrated
    bool notInterested = false;
};

// The closed vocabularies of the catalogue format.
const QStringList& allowedGenres();
const QStringList& allowedMoods();

QString shelfName(Shelf shelf);
Shelf shelfFromName(const QString& name); // "read", "to-read", "currently-reading"; else None

// "Title — Author (year)" for messages and listings.
QString describe(const Book& book);

} // namespace lamp::books
