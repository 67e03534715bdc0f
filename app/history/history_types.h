// Plain data of the conversation history: conversations, messages (a tree: a message's parent is the
// message it answers or follows; siblings are alternatives), the sidebar rows and search hits, and
// the one error type the store throws.
#pragma once

#include "core/error.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace lamp::history {

enum class Role { System, User, Assistant };

// Why a message ended. User and system messages are always Complete.
enum class FinishReason {
    Complete,    // the answer ended normally (end-of-answer token or stop string)
    Length,      // hit the answer length limit or the context size
    Stopped,     // the user pressed Stop: the text is the partial answer
    Interrupted, // the process died or generation failed mid-answer: the text is the partial answer
    Error,       // generation failed before producing text worth keeping
    Generating,  // still being written (only while a worker is generating into it)
};

QString roleName(Role role);                          // "system", "user", "assistant"
std::optional<Role> roleFromName(const QString& name);
QString finishReasonName(FinishReason reason);        // "complete", "length", "stopped", ...
std::optional<FinishReason> finishReasonFromName(const QString& name);

// Where a conversation sits in the sidebar, by the local date of its last change.
enum class DateGroup { Today, Yesterday, Last7Days, Older };
DateGroup dateGroupFor(const QDateTime& updated, const QDateTime& now);

struct Conversation {
    qint64 id = 0;
    QString title;            // "" until the first user message gives one
    bool titleIsAuto = true;  // false once the user renamed it: background titles then leave it alone
    QDateTime created;        // UTC, millisecond precision
    QDateTime updated;        // UTC; bumped by every new or finished message (not by rename or pin)
    QString model;            // the model of the last answer (or chosen when created)
    QString systemPrompt;     // "" = the default system prompt from the settings
    QJsonObject settings;     // per-conversation overrides ({"temperature": 0.7, ...}); {} = none
    bool pinned = false;
    qint64 activeLeafId = 0;  // last message of the branch on screen; 0 = no messages yet
};

struct Message {
    qint64 id = 0;
    qint64 conversationId = 0;
    qint64 parentId = 0;      // 0 = first message of the conversation (a root)
    Role role = Role::User;
    QString text;
    QDateTime created;        // UTC
    QString model;            // the model that wrote an answer; "" for user and system messages
    int promptTokens = 0;     // tokens evaluated for this answer (0 when unknown)
    int completionTokens = 0; // tokens generated
    qint64 generationMs = 0;  // wall time of the generation
    FinishReason finish = FinishReason::Complete;
};

// One message of the active path, with its place among its siblings for the "‹ 2/3 ›" switcher.
struct PathEntry {
    Message message;
    int siblingIndex = 0;     // 0-based position among the messages sharing its parent, by age
    int siblingCount = 1;
};

// One sidebar row: just what the list shows.
struct SidebarEntry {
    qint64 id = 0;
    QString title;
    QDateTime updated;        // UTC
    bool pinned = false;
    DateGroup group = DateGroup::Today;
};

struct SearchHit {
    qint64 conversationId = 0;
    QString title;
    qint64 messageId = 0;     // 0 when the title matched
    QString snippet;          // up to ~80 characters of the message around the first match
};

// What a new message carries (the id, conversation and time come from the store).
struct NewMessage {
    Role role = Role::User;
    QString text;
    QString model;
    int promptTokens = 0;
    int completionTokens = 0;
    qint64 generationMs = 0;
    FinishReason finish = FinishReason::Complete;
};

// The figures of a finished answer.
struct AnswerStats {
    int promptTokens = 0;
    int completionTokens = 0;
    qint64 generationMs = 0;
    FinishReason finish = FinishReason::Complete;
};

// Every failure of the history store. kind() lets the UI pick its reaction; what() is a sentence
// for the user that says what failed, on which file, and what to do.
class HistoryError : public lamp::Error {
public:
    enum class Kind {
        CannotOpen,   // the file or its folder cannot be created or opened
        ReadOnly,     // the file or folder is not writable
        DiskFull,     // the disk (or the size limit) is full
        Corrupt,      // the file is damaged or not a database
        NewerSchema,  // written by a newer Lamplight
        Busy,         // locked by another process for too long
        BadInput,     // an id that does not exist, an import file that is not ours, ...
        Other,
    };
    HistoryError(Kind kind, const std::string& message) : lamp::Error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// A short title from the first user message: whitespace collapsed, at most `maxChars` characters,
// cut at a word boundary when one is near (else between characters: CJK-safe, never inside a
// surrogate pair or a combining sequence), with "…" when shortened. "" for blank text.
QString titleFromText(const QString& text, int maxChars = 48);

} // namespace lamp::history
