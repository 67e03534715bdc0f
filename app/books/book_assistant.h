// The "Book assistant" conversation state, independent of any model or window: it reads each user
// turn, keeps the wishes in force across turns (genres, refusals, length, age...), asks one clarifying
// question when a request gives nothing to choose by, retrieves candidates, and writes the text the
// model sees: a fixed system prompt and, with each user message, the candidates it may recommend.
// "Mark as read" and "Not interested" leave the candidates of every later turn.
#pragma once

#include "books/retriever.h"

#include <vector>

namespace lamp::books {

struct AssistantTurn {
    enum class Kind { Clarify, Recommend };
    Kind kind = Kind::Recommend;
    QString reply;                       // Clarify: the question to show as the assistant's answer
    std::vector<ScoredBook> candidates;  // Recommend: best first
    QString modelMessage;                // Recommend: the user's text with the candidates, for the model
    ParsedRequest parsed;                // this turn alone
    RetrievalQuery query;                // the wishes in force after this turn
};

class BookAssistant {
public:
    explicit BookAssistant(const Retriever& retriever, int candidates = 5);

    // The system prompt of a book-assistant conversation (constant, so the model's cache is reused).
    static QString systemPrompt();

    AssistantTurn handle(const QString& userText);

    // The candidates for `text` as a first turn, never a clarifying question (the benchmark's view).
    std::vector<ScoredBook> candidatesFor(const QString& text, int limit) const;

    // The user's buttons on a card: the book leaves every later turn's candidates. Storing the state
    // in the database (so later conversations honour it too) is the caller's part.
    void markRead(const QString& bookId);
    void notInterested(const QString& bookId);

    const std::vector<ScoredBook>& lastCandidates() const { return last_; }
    const QStringList& shownIds() const { return shown_; }
    void reset();

private:
    RetrievalQuery merge(const ParsedRequest& p, const QString& text) const;
    QString candidateText(const std::vector<ScoredBook>& books, const QString& language) const;

    const Retriever& retriever_;
    int count_;
    RetrievalQuery state_;            // the wishes in force
    std::vector<ScoredBook> last_;    // the previous turn's candidates, best first
    QStringList shown_;               // every book offered in this conversation
    QStringList refused_;             // marked read or not interested
    bool asked_ = false;              // the clarifying question was asked already
};

} // namespace lamp::books
