#include "ui_models/book_assistant_controller.h"

#include "books/book_assistant.h"
#include "books/book_database.h"
#include "books/catalogue_loader.h"
#include "books/grounding.h"
#include "books/library_import.h"
#include "books/reason_text.h"
#include "books/text_normalize.h"
#include "books/retriever.h"
#include "core/log.h"
#include "history/history_store.h"

#include <QJsonArray>
#include <QUrl>

namespace lamp::app {

namespace {

const QString kPersona = QStringLiteral("persona");
const QString kState = QStringLiteral("bookAssistant");
const QString kPrompts = QStringLiteral("prompts");
const QString kClarify = QStringLiteral("clarify");
const QString kCandidates = QStringLiteral("candidates");
const QString kResults = QStringLiteral("results");
const QString kRefused = QStringLiteral("refused");

QString key(qint64 id) { return QString::number(id); }

// The shown problems of an import: the first few, so the report stays readable.
constexpr size_t kProblemsShown = 5;

} // namespace

struct BookAssistantController::Engine {
    std::unique_ptr<books::BookDatabase> db;
    std::unique_ptr<books::Retriever> retriever;
    std::unique_ptr<books::GroundingChecker> checker;
};

BookAssistantController::BookAssistantController(const QString& databasePath, QObject* parent)
    : QObject(parent), databasePath_(databasePath) {}

BookAssistantController::~BookAssistantController() = default;

bool BookAssistantController::ensureEngine() const {
    if (engine_)
        return true;
    const QString path = databasePath_.isEmpty() ? books::defaultDatabasePath() : databasePath_;
    try {
        auto engine = std::make_unique<Engine>();
        engine->db = std::make_unique<books::BookDatabase>(path);
        const books::CatalogueLoad catalogue = books::loadCatalogue();
        if (catalogue.books.empty())
            throw books::BooksError("the book catalogue is missing from this build (resources/books/catalogue_*.jsonl): "
                                    "rebuild Lamplight from a complete checkout");
        engine->db->syncCatalogue(catalogue.books);
        engine->retriever = std::make_unique<books::Retriever>(*engine->db);
        engine->checker = std::make_unique<books::GroundingChecker>(engine->retriever->books());
        engine_ = std::move(engine);
        log::get("app")->info("book assistant: {} books in {}", engine_->retriever->books().size(), path.toStdString());
        return true;
    } catch (const lamp::Error& e) {
        const QString message = tr("The book assistant could not open its books database (%1): %2")
                                    .arg(path, QString::fromStdString(e.what()));
        log::get("app")->error("{}", message.toStdString());
        Q_EMIT const_cast<BookAssistantController*>(this)->errorOccurred(message);
        return false;
    }
}

void BookAssistantController::setCurrentConversation(qint64 conversationId) {
    current_ = conversationId;
    if (conversationId != 0)
        pendingNew_ = false;
    updateActive();
    Q_EMIT resultsChanged();  // the cards of the conversation now on screen
}

void BookAssistantController::setPending(bool pending) {
    pendingNew_ = pending;
    updateActive();
}

void BookAssistantController::updateActive() {
    // Kept, not computed on each read: every message row's binding reads it.
    const bool now = current_ == 0 ? pendingNew_ : isBookConversation(current_);
    if (now == active_)
        return;
    active_ = now;
    Q_EMIT activeChanged();
}

bool BookAssistantController::isBookConversation(qint64 conversationId) const {
    if (!store_ || conversationId <= 0)
        return false;
    const auto c = store_->conversation(conversationId);
    return c && c->settings.value(kPersona).toString() == personaKey();
}

QJsonObject BookAssistantController::takeNewConversationSettings() {
    if (!pendingNew_)
        return {};
    pendingNew_ = false;
    return QJsonObject{{kPersona, personaKey()}};
}

QJsonObject BookAssistantController::stateOf(qint64 conversationId) const {
    if (!store_ || conversationId <= 0)
        return {};
    const auto c = store_->conversation(conversationId);
    return c ? c->settings.value(kState).toObject() : QJsonObject{};
}

void BookAssistantController::saveState(qint64 conversationId, const QJsonObject& state) {
    const auto c = store_->conversation(conversationId);
    if (!c)
        return;
    QJsonObject settings = c->settings;
    settings.insert(kState, state);
    store_->setSettings(conversationId, settings);
}

BookTurnPlan BookAssistantController::prepareTurn(qint64 conversationId, qint64 userMessageId) {
    BookTurnPlan plan;
    if (!isBookConversation(conversationId) || !ensureEngine())
        return plan;  // sent as a plain turn; a failed database says so in the notice bar
    QJsonObject state = stateOf(conversationId);
    QJsonObject prompts = state.value(kPrompts).toObject();
    QJsonObject clarify = state.value(kClarify).toObject();

    // The path up to the user message; earlier user turns carry the text the model saw then.
    QStringList earlier;
    QString userText;
    for (const auto& e : store_->activePath(conversationId)) {
        const history::Message& m = e.message;
        if (m.finish == history::FinishReason::Generating)
            continue;
        const bool user = m.role == history::Role::User;
        if (m.id == userMessageId) {
            userText = m.text;
            break;
        }
        if (user)
            earlier << m.text;
        plan.turns.append({history::roleName(m.role), user ? prompts.value(key(m.id)).toString(m.text) : m.text});
    }

    if (clarify.contains(key(userMessageId))) {  // regenerating the clarifying question
        plan.kind = BookTurnPlan::Kind::Clarify;
        plan.reply = clarify.value(key(userMessageId)).toString();
        return plan;
    }
    plan.systemPrompt = books::BookAssistant::systemPrompt();
    plan.kind = BookTurnPlan::Kind::Model;
    if (prompts.contains(key(userMessageId))) {  // regenerating: the same candidates again
        plan.turns.append({QStringLiteral("user"), prompts.value(key(userMessageId)).toString()});
        return plan;
    }

    // A new turn: the assistant's state replayed from the earlier user turns, then this one.
    books::BookAssistant assistant(*engine_->retriever);
    for (const QString& text : earlier)
        assistant.handle(text);
    for (const QJsonValue id : state.value(kRefused).toArray())
        assistant.markRead(id.toString());
    const books::AssistantTurn turn = assistant.handle(userText);
    if (turn.kind == books::AssistantTurn::Kind::Clarify) {
        clarify.insert(key(userMessageId), turn.reply);
        state.insert(kClarify, clarify);
        saveState(conversationId, state);
        plan.kind = BookTurnPlan::Kind::Clarify;
        plan.reply = turn.reply;
        return plan;
    }
    QJsonArray candidates;
    const bool chinese = books::containsCjk(userText);  // the cards speak the reader's language
    for (const books::ScoredBook& s : turn.candidates)
        candidates.append(QJsonObject{{QStringLiteral("id"), s.book.id},
                                      {QStringLiteral("why"), books::reasonsFor(s.reasons, chinese).join(
                                                                  chinese ? QStringLiteral("、") : QStringLiteral(", "))},
                                      {QStringLiteral("partial"), s.partial}});
    prompts.insert(key(userMessageId), turn.modelMessage);
    QJsonObject allCandidates = state.value(kCandidates).toObject();
    allCandidates.insert(key(userMessageId), candidates);
    state.insert(kPrompts, prompts);
    state.insert(kCandidates, allCandidates);
    saveState(conversationId, state);
    plan.turns.append({QStringLiteral("user"), turn.modelMessage});
    return plan;
}

BookTurnPlan BookAssistantController::storedTurns(qint64 conversationId) const {
    BookTurnPlan plan;
    if (!isBookConversation(conversationId))
        return plan;
    const QJsonObject prompts = stateOf(conversationId).value(kPrompts).toObject();
    for (const auto& e : store_->activePath(conversationId)) {
        const history::Message& m = e.message;
        if (m.finish == history::FinishReason::Generating)
            continue;
        const bool user = m.role == history::Role::User;
        plan.turns.append({history::roleName(m.role), user ? prompts.value(key(m.id)).toString(m.text) : m.text});
    }
    plan.kind = BookTurnPlan::Kind::Model;
    plan.systemPrompt = books::BookAssistant::systemPrompt();
    return plan;
}

void BookAssistantController::checkAnswer(qint64 conversationId, qint64 answerId) {
    if (!isBookConversation(conversationId) || !ensureEngine())
        return;
    const auto answer = store_->message(answerId);
    if (!answer || answer->role != history::Role::Assistant)
        return;
    QJsonObject state = stateOf(conversationId);
    const QJsonObject allCandidates = state.value(kCandidates).toObject();
    if (!allCandidates.contains(key(answer->parentId)))
        return;  // a clarifying question: nothing to check
    QStringList ids;
    for (const QJsonValue c : allCandidates.value(key(answer->parentId)).toArray())
        ids << c.toObject().value(QStringLiteral("id")).toString();
    const books::GroundingReport report = engine_->checker->check(answer->text, ids);
    QJsonArray flags;
    for (const books::GroundingFlag& f : report.flags)
        flags.append(QJsonObject{
            {QStringLiteral("text"), f.text},
            {QStringLiteral("kind"), f.kind == books::GroundingFlag::Kind::NotACandidate ? QStringLiteral("not-a-candidate")
                                                                                        : QStringLiteral("not-in-catalogue")},
            {QStringLiteral("id"), f.bookId}});
    QJsonObject results = state.value(kResults).toObject();
    results.insert(key(answerId), QJsonObject{{QStringLiteral("recommended"), QJsonArray::fromStringList(report.mentionedCandidates)},
                                              {QStringLiteral("flags"), flags}});
    state.insert(kResults, results);
    try {
        saveState(conversationId, state);
    } catch (const history::HistoryError& e) {
        Q_EMIT errorOccurred(QString::fromStdString(e.what()));
    }
    ++revision_;
    Q_EMIT resultsChanged();
}

qint64 BookAssistantController::conversationOfMessage(qint64 messageId) const {
    if (!store_ || messageId <= 0)
        return 0;
    const auto m = store_->message(messageId);
    return m ? m->conversationId : 0;
}

QString BookAssistantController::userShelf(const QString& bookId) const {
    if (!engine_)
        return {};
    const auto states = engine_->retriever->userStates();
    const auto it = states.constFind(bookId);
    if (it == states.constEnd())
        return {};
    if (it->notInterested)
        return QStringLiteral("not-interested");
    return it->shelf == books::Shelf::Read ? QStringLiteral("read") : QString{};
}

QVariantList BookAssistantController::cards(qint64 answerId) const {
    const qint64 conversation = conversationOfMessage(answerId);
    const QJsonObject state = stateOf(conversation);
    const QJsonObject result = state.value(kResults).toObject().value(key(answerId)).toObject();
    if (result.isEmpty() || !ensureEngine())
        return {};
    const auto answer = store_->message(answerId);
    const QJsonArray candidates = state.value(kCandidates).toObject().value(key(answer ? answer->parentId : 0)).toArray();
    QStringList ids;
    for (const QJsonValue id : result.value(QStringLiteral("recommended")).toArray())
        ids << id.toString();
    const bool recommended = !ids.isEmpty();
    // No candidate named (a small model rambling): the best candidates, shown as matches only.
    for (qsizetype i = 0; !recommended && i < candidates.size() && i < 3; ++i)
        ids << candidates.at(i).toObject().value(QStringLiteral("id")).toString();
    QVariantList out;
    for (const QString& id : ids) {
        const books::Book* b = engine_->retriever->find(id);
        if (!b)
            continue;
        QString why;
        for (const QJsonValue c : candidates)
            if (c.toObject().value(QStringLiteral("id")).toString() == id)
                why = c.toObject().value(QStringLiteral("why")).toString();
        QString subtitle = !b->titleZh.isEmpty() && b->titleZh != b->title ? b->titleZh : b->originalTitle;
        out.append(QVariantMap{{QStringLiteral("bookId"), b->id},
                               {QStringLiteral("title"), b->title},
                               {QStringLiteral("subtitle"), subtitle},
                               {QStringLiteral("author"), b->author},
                               {QStringLiteral("year"), b->year},
                               {QStringLiteral("why"), why},
                               {QStringLiteral("description"), b->descriptionEn},
                               {QStringLiteral("recommended"), recommended},
                               {QStringLiteral("state"), userShelf(b->id)}});
    }
    return out;
}

QStringList BookAssistantController::flagged(qint64 answerId) const {
    const QJsonObject state = stateOf(conversationOfMessage(answerId));
    const QJsonObject result = state.value(kResults).toObject().value(key(answerId)).toObject();
    QStringList out;
    for (const QJsonValue v : result.value(QStringLiteral("flags")).toArray()) {
        const QJsonObject f = v.toObject();
        const QString text = f.value(QStringLiteral("text")).toString();
        out << (f.value(QStringLiteral("kind")).toString() == QLatin1String("not-a-candidate")
                    ? tr("“%1” was not among the books found for this request: not verified.").arg(text)
                    : tr("“%1” is not in the catalogue: the model may have invented it.").arg(text));
    }
    return out;
}

void BookAssistantController::markRead(const QString& bookId) { mark(bookId, true); }

void BookAssistantController::notInterested(const QString& bookId) { mark(bookId, false); }

void BookAssistantController::mark(const QString& bookId, bool read) {
    if (bookId.isEmpty() || !ensureEngine() || !engine_->retriever->find(bookId))
        return;
    try {
        // Stored with the user's library, so later conversations honour it too.
        engine_->db->setUserState({bookId, read ? books::Shelf::Read : books::Shelf::None, 0, !read});
        engine_->retriever->reload();
        if (isBookConversation(current_)) {
            QJsonObject state = stateOf(current_);
            QJsonArray refused = state.value(kRefused).toArray();
            if (!refused.contains(bookId))
                refused.append(bookId);
            state.insert(kRefused, refused);
            saveState(current_, state);
        }
    } catch (const lamp::Error& e) {
        Q_EMIT errorOccurred(QString::fromStdString(e.what()));
        return;
    }
    ++revision_;
    Q_EMIT resultsChanged();
}

bool BookAssistantController::importLibrary(const QString& pathOrUrl) {
    const QUrl url(pathOrUrl);
    const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
    bool ok = false;
    if (ensureEngine()) {
        try {
            const books::ImportSummary s = books::importLibraryFile(*engine_->db, path);
            engine_->retriever->reload();
            engine_->checker = std::make_unique<books::GroundingChecker>(engine_->retriever->books());
            QStringList lines;
            lines << tr("%1 library: %2 books imported (%3 found in the catalogue, %4 added to it), %5 rows skipped.")
                         .arg(s.format)
                         .arg(s.rows)
                         .arg(s.matched)
                         .arg(s.added)
                         .arg(s.problems.size());
            for (size_t i = 0; i < s.problems.size() && i < kProblemsShown; ++i)
                lines << tr("Line %1 skipped: %2").arg(s.problems[i].line).arg(s.problems[i].message);
            if (s.problems.size() > kProblemsShown)
                lines << tr("…and %1 more.").arg(s.problems.size() - kProblemsShown);
            importReport_ = lines.join(QLatin1Char('\n'));
            ok = true;
            ++revision_;
            Q_EMIT resultsChanged();
        } catch (const lamp::Error& e) {
            importReport_ = tr("Nothing was imported from %1: %2").arg(path, QString::fromStdString(e.what()));
        }
    } else {
        importReport_ = tr("Nothing was imported: the books database could not be opened (see the message above).");
    }
    Q_EMIT importReportChanged();
    return ok;
}

QString BookAssistantController::modelTextFor(qint64 conversationId, qint64 userMessageId) const {
    return stateOf(conversationId).value(kPrompts).toObject().value(key(userMessageId)).toString();
}

QStringList BookAssistantController::candidateIdsFor(qint64 conversationId, qint64 userMessageId) const {
    QStringList ids;
    for (const QJsonValue c : stateOf(conversationId).value(kCandidates).toObject().value(key(userMessageId)).toArray())
        ids << c.toObject().value(QStringLiteral("id")).toString();
    return ids;
}

} // namespace lamp::app
