// The books database (SQLite through Qt SQL): the catalogue plus the books imported from the user's
// library, what the user said about each book (shelf, rating, not interested), and a full-text index
// over titles, authors, tags and descriptions in English and Chinese (FTS5 with the trigram
// tokenizer, which needs no word segmentation, so Chinese text is searchable as it is).
#pragma once

#include "books/book.h"

#include <QHash>
#include <QSqlDatabase>

#include <vector>

namespace lamp::books {

class BookDatabase {
public:
    static constexpr int kSchemaVersion = 1;

    // Opens or creates the database at `path` (":memory:" for a private in-memory one) and migrates
    // it. Throws BooksError when the file cannot be opened, is not a books database or is newer.
    explicit BookDatabase(const QString& path);
    ~BookDatabase();
    BookDatabase(const BookDatabase&) = delete;
    BookDatabase& operator=(const BookDatabase&) = delete;

    // Makes the catalogue part of the database equal to `catalogue` when it changed since the last
    // call (a content hash is kept). Imported books and the user's states are never touched.
    // Returns true when the database was updated.
    bool syncCatalogue(const std::vector<Book>& catalogue);

    // Inserts or replaces one book (and its full-text row).
    void upsertBook(const Book& book);

    std::vector<Book> allBooks() const;
    std::optional<Book> book(const QString& id) const;
    qsizetype bookCount() const;

    // The user's state of every book that has one, and its update (merged: a zero rating or a None
    // shelf leaves what was stored; nothing is ever deleted).
    std::vector<UserBookState> userStates() const;
    void setUserState(const UserBookState& state);

    // Full-text matches of each of `terms` (already folded with foldText): for each term, every
    // matching book's BM25-style score, titles weighted above authors, tags and descriptions. Terms
    // of three or more characters use the FTS5 index; shorter ones (two Chinese characters are a
    // word) are matched as substrings.
    struct TermHits {
        QString term;
        QHash<QString, double> scores; // book id -> score (> 0)
    };
    std::vector<TermHits> fullText(const QStringList& terms) const;

    // Runs `fn` inside one transaction: all of it is stored, or (on an exception) none of it.
    template <typename Fn>
    void transaction(Fn&& fn) {
        begin();
        try {
            fn();
        } catch (...) {
            rollback();
            throw;
        }
        commit();
    }

    const QString& path() const { return path_; }
    bool hasFullTextIndex() const { return fts_; }

private:
    void begin();
    void commit();
    void rollback();
    void migrate();
    void exec(const QString& sql, const char* what) const;

    QString path_;
    QString connection_;
    QSqlDatabase db_;
    bool fts_ = false;
};

// The default location: books.db in the application's data folder.
QString defaultDatabasePath();

} // namespace lamp::books
