// The window's side of the "Book assistant" persona (issue 6): a conversation whose settings JSON
// says {"persona": "books"} runs every user turn through lamp::books::BookAssistant before the
// request goes to the worker, and every answer through the grounding check after.
//
//   - The candidates' text (BookAssistant's modelMessage) replaces the user's text in the request
//     only; the history keeps what the user typed. It is saved in the conversation's settings JSON
//     (below), so later turns, regenerations and a reopened conversation send the model exactly
//     the text it saw before (the worker's KV cache is reused, and the model's view never shifts).
//   - The assistant's state (wishes in force, books shown, "the second one") is rebuilt for each new
//     turn by replaying the user turns of the active path: it follows branches and survives restarts
//     without a serialisation of BookAssistant's private state.
//   - A vague first request gets BookAssistant's clarifying question as the answer, without the model.
//   - The grounding result of an answer (candidates it recommends, titles it made up or took from
//     outside the candidates) is kept too and shown as cards / a warning line under the answer.
//
// The history has no per-message metadata, so all of it lives in the conversation's settings under
// "bookAssistant": {"prompts": {userId: text}, "clarify": {userId: question}, "candidates": {userId:
// [{id, why, partial}]}, "results": {answerId: {"recommended": [id...], "flags": [{text, kind, id}]}},
// "refused": [bookId...]} (ids as decimal strings). A per-message metadata column in the history
// would be the better home; the schema is not this file's to change.
//
// The books database (catalogue + the user's library) is opened on first use only, so windows and
// tests that never use the assistant never touch it. GUI thread only (Qt SQL connections are
// per-thread).
#pragma once

#include "worker/generation_types.h"

#include <QJsonObject>
#include <QObject>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace lamp::history {
class HistoryStore;
}

namespace lamp::app {

// What AppController does with a turn of a conversation.
struct BookTurnPlan {
    enum class Kind { Plain, Model, Clarify };
    Kind kind = Kind::Plain;  // Plain: not a book-assistant conversation, send as it is
    QList<ChatTurn> turns;    // Model: the path with the assistant's texts in the user turns
    QString systemPrompt;     // Model: BookAssistant::systemPrompt()
    QString reply;            // Clarify: the question to store as the answer
};

class BookAssistantController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by AppController")
    // The conversation on screen uses the assistant (or the empty page will start one).
    Q_PROPERTY(bool active READ active NOTIFY activeChanged)
    // Bumped whenever a result or a card's state changes: bindings read it to refresh.
    Q_PROPERTY(int revision READ revision NOTIFY resultsChanged)
    // The last library import's report ("" before any).
    Q_PROPERTY(QString importReport READ importReport NOTIFY importReportChanged)

public:
    // `databasePath`: the books database ("" = lamp::books::defaultDatabasePath(); ":memory:" for
    // tests). Nothing is opened until the assistant is used.
    explicit BookAssistantController(const QString& databasePath, QObject* parent = nullptr);
    ~BookAssistantController() override;

    static QString personaKey() { return QStringLiteral("books"); }

    void setStore(history::HistoryStore* store) { store_ = store; }
    // AppController tells which conversation is on screen (0 = the empty "new chat" page).
    void setCurrentConversation(qint64 conversationId);
    bool isBookConversation(qint64 conversationId) const;
    // The empty page starts a book-assistant conversation with its first message (or not).
    void setPending(bool pending);
    // The settings of a conversation created from the empty page: the persona when the page was
    // started with startConversation(), else {}. Consumes the pending persona.
    QJsonObject takeNewConversationSettings();

    // Plans the answer to user message `userMessageId` of `conversationId`.
    BookTurnPlan prepareTurn(qint64 conversationId, qint64 userMessageId);
    // The whole active path as the model saw it (Model), for a prompt-only request that fills the
    // worker's cache; Plain for other conversations. Nothing new is retrieved.
    BookTurnPlan storedTurns(qint64 conversationId) const;
    // The grounding check of a finished answer (connected to AppController::answerFinished).
    void checkAnswer(qint64 conversationId, qint64 answerId);

    bool active() const { return active_; }
    int revision() const { return revision_; }
    QString importReport() const { return importReport_; }

    // The cards under an answer: [{bookId, title, subtitle, author, year, why, description,
    // recommended, state ("", "read", "not-interested")}]. Recommended books first; when the answer
    // names no candidate, the best candidates (recommended: false). [] for other messages.
    Q_INVOKABLE QVariantList cards(qint64 answerId) const;
    // Titles the answer names that were not candidates, as sentences for the warning line.
    Q_INVOKABLE QStringList flagged(qint64 answerId) const;
    // The card buttons: the book leaves the candidates of every later turn (this conversation's,
    // by the assistant; every conversation's, by the user's state in the books database).
    Q_INVOKABLE void markRead(const QString& bookId);
    Q_INVOKABLE void notInterested(const QString& bookId);
    // Imports a Goodreads / StoryGraph CSV or a Calibre metadata.db (a path or file: URL). Returns
    // true when the file was read; importReport says what happened either way.
    Q_INVOKABLE bool importLibrary(const QString& pathOrUrl);

    // For tests and the automation: the text the model was given for a user message ("" = none).
    QString modelTextFor(qint64 conversationId, qint64 userMessageId) const;
    // Ids of the candidates of a user message, best first.
    QStringList candidateIdsFor(qint64 conversationId, qint64 userMessageId) const;
    // The books the user marked in this run or before (from the database).
    QString userShelf(const QString& bookId) const;

Q_SIGNALS:
    void activeChanged();
    void resultsChanged();
    void importReportChanged();
    void errorOccurred(const QString& message);

private:
    struct Engine;
    // Opens the database, syncs the catalogue, builds the retriever and grounding checker. False
    // (with errorOccurred) when that fails.
    bool ensureEngine() const;
    QJsonObject stateOf(qint64 conversationId) const;
    void saveState(qint64 conversationId, const QJsonObject& state);
    void mark(const QString& bookId, bool read);
    qint64 conversationOfMessage(qint64 messageId) const;
    void updateActive();

    QString databasePath_;
    history::HistoryStore* store_ = nullptr;
    mutable std::unique_ptr<Engine> engine_;
    qint64 current_ = 0;
    bool pendingNew_ = false;  // the empty page starts a book-assistant conversation
    bool active_ = false;      // see active()
    int revision_ = 0;
    QString importReport_;
};

} // namespace lamp::app
