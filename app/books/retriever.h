// Chooses the catalogue books that best fit what the user asked: a score made of the full-text match
// of the topic words, genre, mood, pace and origin matches, similarity to books named as examples
// and to books the user rated well, minus similarity to books rated badly. Books the user has read,
// refused or already been shown (when asked for another) never come back; stated limits (genre,
// "not sci-fi", length, age) are kept strictly unless too few books pass them.
#pragma once

#include "books/book_database.h"
#include "books/request_parser.h"

#include <QHash>

#include <vector>

namespace lamp::books {

// Everything one retrieval considers: the wishes in force (merged over the conversation by the
// assistant), example books and books to leave out.
struct RetrievalQuery {
    ParsedRequest wishes;
    QStringList exampleIds;  // "like Dune", "more like the second one"
    QStringList excludeIds;  // already shown (for "another"), refused in this conversation
    int maxPages = 0;        // "shorter": strictly fewer pages than this (0 = no limit)
    int minPages = 0;        // "longer": strictly more pages than this
    QStringList likeAuthors; // "like García Márquez" (normaliseAuthor): their books are the examples and stay candidates
};

struct ScoredBook {
    Book book;
    double score = 0;
    QStringList reasons; // short English phrases: "science-fiction", "dark", "like Dune", "on your to-read shelf"
    bool partial = false; // found only with the genre/length limits relaxed (too few books met them all)
};

class Retriever {
public:
    // Reads the books and the user's states from `db`; call reload() after the database changed.
    explicit Retriever(const BookDatabase& db);
    void reload();

    std::vector<ScoredBook> retrieve(const RetrievalQuery& query, int limit) const;

    // Ids of the books whose title (English, original or Chinese) appears in `text`.
    QStringList findMentioned(const QString& text) const;
    // Authors (normaliseAuthor) whose full name, in English or Chinese, appears in `text`.
    QStringList findMentionedAuthors(const QString& text) const;
    // Ids of an author's books (normaliseAuthor), in catalogue order.
    QStringList booksBy(const QString& author) const;

    const Book* find(const QString& id) const;
    const std::vector<Book>& books() const { return books_; }
    const QHash<QString, UserBookState>& userStates() const { return states_; }

    // How alike two books are, 0..1: shared genres, moods, tags, author, pace, age and original language.
    static double similarity(const Book& a, const Book& b);

private:
    std::vector<ScoredBook> pass(const RetrievalQuery& query, bool strict, const QHash<QString, double>& text,
                                 const QHash<QString, double>& refused) const;
    // 0..1 per book: how well it matches `terms`, each weighted by its rarity (see retrieve()).
    QHash<QString, double> textScores(const QStringList& terms) const;

    const BookDatabase& db_;
    std::vector<Book> books_;
    QHash<QString, qsizetype> index_;            // id -> position in books_
    QHash<QString, UserBookState> states_;
    std::vector<std::pair<QString, QString>> titleKeys_; // folded title -> id, longest first
    std::vector<std::pair<QString, QString>> authorKeys_; // folded full name -> normaliseAuthor
    QHash<QString, QString> haystacks_;          // id -> folded searchable text, to check word starts
};

} // namespace lamp::books
