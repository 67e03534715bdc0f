// The window's one controller: owns the HistoryStore and the GenerationController, the sidebar and
// chat list models, and does what the buttons ask (new chat, send, stop, regenerate, switch branch,
// rename, pin, delete with undo, load a model). QML reaches it as the singleton `AppController`.
//
// Threads: everything here lives on the GUI thread. Text comes from the GenerationController's
// queued textDelta signals; this class grows the streaming row of the MessageListModel and saves the
// partial answer to the history about once a second; on generationFinished it finishes the answer in
// the history. The worker never sees a list model.
//
// main() makes one AppController (with the history path and model to load) and hands it to the QML
// engine with provideInstance() before loading Main.qml; create() returns it to the engine.
#pragma once

#include "model_library/model_library.h"
#include "ui_models/book_assistant_controller.h"
#include "ui_models/conversation_list_model.h"
#include "ui_models/message_list_model.h"
#include "worker/generation_controller.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QObject>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class QJSEngine;

namespace lamp::history {
class HistoryStore;
}

namespace lamp::app {

class Settings;

struct AppOptions {
    QString historyPath;   // "" = HistoryStore::defaultPath()
    QString modelPath;     // a GGUF file to load at start ("" = the last one chosen, else the first in modelsFolder)
    QString modelsFolder;  // "" = the folder chosen last (QSettings models/folder), else <AppDataLocation>/models
    // Keep the models folder and the last model loaded in QSettings (models/folder, models/last) and
    // start with them. The app turns it on; tests leave it off, so they never read or write the
    // user's settings.
    bool rememberModel = false;
    QVariantMap loadOptions;  // ModelLoadOptions keys (backend, prefault, ...)
    // The user's settings (not owned; may be null): sampling, lengths, threads, the default system
    // prompt and the backend come from there, and a backend change reloads the model.
    Settings* settings = nullptr;
    // The book assistant's database (catalogue + the user's library): "" = <AppDataLocation>/books.db.
    // Opened only when a "Book assistant" conversation or an import needs it.
    QString booksPath;
};

class AppController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(lamp::app::GenerationController* generation READ generation CONSTANT)
    Q_PROPERTY(lamp::app::ConversationListModel* conversations READ conversations CONSTANT)
    Q_PROPERTY(lamp::app::MessageListModel* messages READ messages CONSTANT)
    // The "Book assistant" persona: cards, grounding flags, "Mark as read", library import.
    Q_PROPERTY(lamp::app::BookAssistantController* books READ books CONSTANT)
    Q_PROPERTY(qint64 currentConversationId READ currentConversationId WRITE openConversation
                   NOTIFY currentConversationChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentConversationChanged)
    Q_PROPERTY(bool canSend READ canSend NOTIFY canSendChanged)
    Q_PROPERTY(QString cannotSendReason READ cannotSendReason NOTIFY canSendChanged)
    Q_PROPERTY(bool canUndoDelete READ canUndoDelete NOTIFY undoChanged)
    Q_PROPERTY(QString deletedTitle READ deletedTitle NOTIFY undoChanged)
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
    Q_PROPERTY(QString modelsFolder READ modelsFolder NOTIFY modelsFolderChanged)
    // The model picker's list (the models folder, scanned off the GUI thread).
    Q_PROPERTY(lamp::app::ModelLibrary* modelLibrary READ modelLibrary CONSTANT)
    Q_PROPERTY(int maxAnswerTokens READ maxAnswerTokens WRITE setMaxAnswerTokens NOTIFY settingsChanged)
    // The current conversation's own system prompt ("" = the default from the settings).
    Q_PROPERTY(QString currentSystemPrompt READ currentSystemPrompt WRITE setCurrentSystemPrompt
                   NOTIFY currentConversationChanged)

public:
    // Not default-constructible on purpose: Qt 6.4 would then build its own singleton instead of
    // calling create().
    explicit AppController(const AppOptions& options, QObject* parent = nullptr);
    ~AppController() override;

    // The engine's singleton: the instance given to provideInstance(), else a new default one.
    static AppController* create(QQmlEngine* qmlEngine, QJSEngine* jsEngine);
    static void provideInstance(AppController* controller);

    GenerationController* generation() { return &generation_; }
    ConversationListModel* conversations() { return &conversations_; }
    MessageListModel* messages() { return &messages_; }
    BookAssistantController* books() { return &books_; }
    history::HistoryStore* store() { return store_.get(); }

    qint64 currentConversationId() const { return current_; }
    QString currentTitle() const;
    bool canSend() const { return cannotSendReason().isEmpty(); }
    QString cannotSendReason() const;
    bool canUndoDelete() const { return lastDeleted_ != 0; }
    QString deletedTitle() const { return lastDeletedTitle_; }
    QString notice() const { return notice_; }
    QString modelsFolder() const { return library_.folder(); }
    ModelLibrary* modelLibrary() { return &library_; }
    int maxAnswerTokens() const;  // Settings::maxTokens when there are settings
    void setMaxAnswerTokens(int tokens);
    QString currentSystemPrompt() const;
    void setCurrentSystemPrompt(const QString& prompt);

    // Starts loading a GGUF file (a path or a file: URL).
    Q_INVOKABLE void loadModel(const QString& pathOrUrl);
    // The first *.gguf in the models folder ("" when none).
    Q_INVOKABLE QString defaultModelPath() const;

    // Shows a conversation (0 = the empty "new chat" page).
    Q_INVOKABLE void openConversation(qint64 conversationId);
    // Shows the empty page: the conversation is created by the first message sent.
    Q_INVOKABLE void newConversation();
    // The same, for a "Book assistant" conversation (Ctrl+Shift+N).
    Q_INVOKABLE void newBookConversation();
    // Sends `text` in the current conversation (created when there is none) and starts the answer.
    // False (nothing sent) for blank text or while canSend is false.
    Q_INVOKABLE bool sendMessage(const QString& text);
    Q_INVOKABLE void stop();
    // A new answer beside `assistantMessageId` (the old one stays, browsable with selectSibling).
    Q_INVOKABLE bool regenerate(qint64 assistantMessageId);
    // Edit and resend: a new user message with `text` beside `userMessageId` (the old branch stays,
    // browsable with selectSibling) and its answer.
    Q_INVOKABLE bool editAndResend(qint64 userMessageId, const QString& text);
    // Shows the sibling `offset` places from `messageId` (-1 previous, +1 next).
    Q_INVOKABLE void selectSibling(qint64 messageId, int offset);

    Q_INVOKABLE void renameConversation(qint64 conversationId, const QString& title);
    Q_INVOKABLE void setPinned(qint64 conversationId, bool pinned);
    // Soft delete; undoDelete() brings the last deleted one back.
    Q_INVOKABLE void deleteConversation(qint64 conversationId);
    Q_INVOKABLE void undoDelete();
    Q_INVOKABLE void dismissNotice();
    // Puts the newest answer of the current conversation on the clipboard (Ctrl+Shift+C). False
    // when there is none.
    Q_INVOKABLE bool copyLastAnswer();

    // The answer being written into the history now (0 = none), for tests.
    qint64 streamingMessageId() const;

Q_SIGNALS:
    void currentConversationChanged();
    void canSendChanged();
    void undoChanged();
    void noticeChanged();
    void settingsChanged();
    void modelsFolderChanged();
    // An answer ended and is saved (finish: the history's finish reason name).
    void answerFinished(qint64 conversationId, qint64 messageId, const QString& finish);

private:
    struct Pending {
        qint64 conversationId = 0;
        qint64 messageId = 0;
        QString text;
        QElapsedTimer sinceSave;
    };

    bool startAnswer(qint64 conversationId, qint64 parentId);
    void onDelta(const QString& conversationId, quint64 requestId, const QString& delta);
    void onFinished(const GenerationResult& result);
    void setNotice(const QString& notice);
    void refreshAfterHistoryChange();
    void applyBackendSetting();
    // A new conversation's first complete answer: the model writes its title in the background
    // (Settings::autoTitles); onTitle() stores it unless the user renamed the conversation.
    void maybeSummarizeTitle(qint64 conversationId, bool answerComplete);
    void onTitle(const QString& conversationId, quint64 requestId, const QString& title);
    // After a model change: the open conversation is evaluated on the new model in the background
    // (a prompt-only request), so the next answer starts at once.
    void prepareCurrentConversation();
    // A language switch (QEvent::LanguageChange on the application): the texts made with tr() here
    // and in the list models are made again, so QML shows them in the new language.
    bool eventFilter(QObject* watched, QEvent* event) override;

    std::unique_ptr<history::HistoryStore> store_;
    GenerationController generation_;
    ConversationListModel conversations_;
    MessageListModel messages_;
    BookAssistantController books_;
    qint64 current_ = 0;
    QHash<quint64, Pending> pending_;  // request id → the answer it writes
    QSet<qint64> untitled_;            // conversations made in this run still waiting for their title
    qint64 lastDeleted_ = 0;
    QString lastDeletedTitle_;
    QString notice_;
    ModelLibrary library_;
    QVariantMap loadOptions_;
    int maxAnswerTokens_ = 1024;
    Settings* settings_ = nullptr;
};

} // namespace lamp::app
