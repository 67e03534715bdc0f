// The conversation history: one SQLite file (Qt SQL, driver QSQLITE) in the app data folder.
//
// Threads: Qt SQL connections belong to the thread that made them. A HistoryStore owns one named
// connection and must be used only on the thread that opened it; in the app that is the GUI thread
// (every read the UI needs takes a few milliseconds, every write is one small transaction). Another
// thread that needs the history (e.g. a background title summariser) opens its own HistoryStore on
// the same file: WAL lets readers and one writer work side by side; writers wait up to 5 s.
//
// Durability: every write is its own committed transaction (or part of a Batch). An answer being
// generated is a message with FinishReason::Generating whose text the caller saves now and then
// (savePartialAnswer); if the process dies, the next open marks such messages Interrupted, so the
// partial answer is kept and shown as incomplete. WAL with synchronous=NORMAL survives a crash of
// the application; a power loss may lose the last transactions, never corrupt the file.
//
// Failures throw HistoryError with a sentence for the user. A damaged file found while opening is
// moved aside (kept, with a timestamp in its name) and a fresh history is started; OpenReport says so.
#pragma once

#include "history/history_types.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace lamp::history {

struct OpenReport {
    QString notice;          // for the user when something happened ("" when all was well)
    QString movedAsidePath;  // where a damaged file was moved ("" when none)
    int fromVersion = 0;     // schema version found (0 = a new file)
    int interruptedAnswers = 0; // answers that were being generated when the last run ended
};

struct OpenOptions {
    // Reads the whole file with SQLite's quick_check before use (finds damage anywhere, costs a
    // read of the file; the cheap checks done always only find a damaged header or schema).
    bool checkIntegrity = false;
    // Marks answers left Generating as Interrupted. Only the store of the process's main history
    // user (the GUI thread) should do it; a second store on another thread passes false.
    bool recoverInterrupted = true;
};

class HistoryStore {
public:
    // `path`: the database file (created with its folder when missing). Throws HistoryError.
    static std::unique_ptr<HistoryStore> open(const QString& path, OpenReport* report = nullptr,
                                              const OpenOptions& options = {});
    // <AppDataLocation>/history.sqlite
    static QString defaultPath();

    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    QString path() const { return path_; }
    bool hasFullTextSearch() const { return hasFts_; }

    // --- Conversations -------------------------------------------------------------------------
    qint64 createConversation(const QString& model = {}, const QString& systemPrompt = {},
                              const QJsonObject& settings = {});
    std::optional<Conversation> conversation(qint64 id);
    // Live conversations: pinned first, then the most recently updated; `now` picks the date groups.
    std::vector<SidebarEntry> listConversations(const QDateTime& now = QDateTime::currentDateTime());
    void rename(qint64 id, const QString& title);          // the user's title: automatic ones stop
    bool setAutoTitle(qint64 id, const QString& title);     // false (unchanged) after a user rename
    void setPinned(qint64 id, bool pinned);
    void setModel(qint64 id, const QString& model);
    void setSystemPrompt(qint64 id, const QString& systemPrompt);
    void setSettings(qint64 id, const QJsonObject& settings);
    // Soft delete: hidden at once, restorable until purged.
    void deleteConversation(qint64 id);
    void restoreConversation(qint64 id);
    // Removes for good the conversations deleted before `deletedBefore`. Returns how many.
    int purgeDeleted(const QDateTime& deletedBefore);

    // --- Messages and branches -----------------------------------------------------------------
    // Adds a finished message under `parentId` (0 = a root) and makes it the active leaf. A first
    // user message gives an untitled conversation its title. Regenerate = a new answer under the
    // same user message; edit-and-resend = a new user message under the old one's parent.
    qint64 appendMessage(qint64 conversationId, qint64 parentId, const NewMessage& message);
    // Starts an answer (FinishReason::Generating, empty text) under `parentId`; it is the active leaf.
    qint64 beginAnswer(qint64 conversationId, qint64 parentId, const QString& model);
    // Saves the text written so far (call it every second or so while generating).
    void savePartialAnswer(qint64 messageId, const QString& text);
    // Ends an answer: its final text and figures (Stopped keeps a partial answer).
    void finishAnswer(qint64 messageId, const QString& text, const AnswerStats& stats);

    std::optional<Message> message(qint64 id);
    // The messages from the root to the active leaf, with sibling positions.
    std::vector<PathEntry> activePath(qint64 conversationId);
    qint64 activeLeaf(qint64 conversationId);
    // The messages that share `messageId`'s parent (itself included), oldest first.
    std::vector<qint64> siblings(qint64 messageId);
    // Shows the branch through `messageId`: the active leaf becomes its newest descendant leaf.
    // Returns that leaf.
    qint64 selectBranch(qint64 messageId);
    // Every message of a conversation, by id (parents before children): for export.
    std::vector<Message> allMessages(qint64 conversationId);

    // --- Search ------------------------------------------------------------------------------
    // Live conversations whose title or message text contains every word of `query` (case-insensitive
    // for Latin letters). Title matches come first, then messages, newest first.
    std::vector<SearchHit> search(const QString& query, int limit = 50);

    // --- Import (restoring an export) --------------------------------------------------------
    // Inserts a conversation with its messages (ids are renumbered; parents must come before their
    // children). Returns the new conversation id.
    qint64 importConversation(const Conversation& conversation, const std::vector<Message>& messages);

    // --- Upkeep --------------------------------------------------------------------------------
    // SQLite's integrity check: "ok" or the problems found. Reads the whole file.
    QString integrityCheck();
    // Marks Generating answers Interrupted (done by open()). Returns how many.
    int markInterruptedAnswers();

    // Groups writes into one transaction (bulk imports, benchmarks). Rolls back unless committed.
    class Batch {
    public:
        explicit Batch(HistoryStore& store);
        ~Batch();
        void commit();
        Batch(const Batch&) = delete;
        Batch& operator=(const Batch&) = delete;

    private:
        HistoryStore& store_;
        bool done_ = false;
    };

    // Tests: a clock for created/updated times (ms since the epoch), and a size limit in pages
    // (SQLite's max_page_count) that makes writes fail the way a full disk does.
    void setClockForTesting(std::function<qint64()> nowMs) { clock_ = std::move(nowMs); }
    void limitSizeForTesting(qint64 maxPages);

private:
    class WriteScope;
    HistoryStore(const QString& path, const QString& connectionName);
    void initialize(OpenReport& report, const OpenOptions& options);
    qint64 now() const;
    QSqlQuery& prepared(const char* sql);
    void run(QSqlQuery& query, const char* what);
    void updateConversation(qint64 id, const char* sql, const QVariant& value, const char* what);
    void runRaw(const QString& sql, const char* what);
    void requireConversation(qint64 id);
    void touch(qint64 conversationId, qint64 activeLeaf);
    qint64 insertMessage(qint64 conversationId, qint64 parentId, const NewMessage& message, qint64 created);
    void checkThread() const;

    QString path_;
    QString connectionName_;
    QSqlDatabase db_;
    std::map<const char*, QSqlQuery> statements_; // prepared once, keyed by the SQL literal
    int batchDepth_ = 0;
    bool hasFts_ = false;
    std::function<qint64()> clock_;
    const QObject* thread_ = nullptr; // the QThread that opened the store
};

} // namespace lamp::history
