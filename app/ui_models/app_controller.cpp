#include "ui_models/app_controller.h"

#include "history/history_store.h"
#include "settings/settings.h"

#include <QClipboard>
#include <QDir>
#include <QEvent>
#include <QGuiApplication>
#include <QFileInfo>
#include <QJSEngine>
#include <QQmlEngine>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>

namespace lamp::app {

namespace {

AppController* g_provided = nullptr;  // the instance main() made for the QML engine

constexpr qint64 kSaveIntervalMs = 1000;  // partial answers reach the history about once a second

history::FinishReason historyFinish(const GenerationResult& r) {
    switch (r.finish) {
    case FinishReason::EndOfGeneration:
    case FinishReason::StopString:
    case FinishReason::Prepared: return history::FinishReason::Complete;
    case FinishReason::MaxLength:
    case FinishReason::ContextFull: return history::FinishReason::Length;
    case FinishReason::Stopped: return history::FinishReason::Stopped;
    case FinishReason::Error:
        return r.text.isEmpty() ? history::FinishReason::Error : history::FinishReason::Interrupted;
    }
    return history::FinishReason::Interrupted;
}

} // namespace

AppController::AppController(const AppOptions& options, QObject* parent)
    : QObject(parent), books_(options.booksPath), loadOptions_(options.loadOptions), settings_(options.settings) {
    if (settings_) {
        loadOptions_.insert(settings_->modelLoadOptions());
        connect(settings_, &Settings::backendChanged, this, &AppController::applyBackendSetting);
        connect(settings_, &Settings::maxTokensChanged, this, &AppController::settingsChanged);
    }
    if (QCoreApplication::instance())
        QCoreApplication::instance()->installEventFilter(this);
    // The models folder: given, else the one the user chose last (kept in QSettings), else the default.
    const bool remember = options.rememberModel;
    QString folder = options.modelsFolder;
    if (folder.isEmpty() && remember)
        folder = QSettings().value(QStringLiteral("models/folder")).toString();
    library_.setFolder(folder);
    connect(&generation_, &GenerationController::modelLoadFailed, &library_, &ModelLibrary::noteLoadFailure);
    connect(&library_, &ModelLibrary::folderChanged, this, [this, remember] {
        if (remember)
            QSettings().setValue(QStringLiteral("models/folder"), library_.folder());
        Q_EMIT modelsFolderChanged();
    });
    const QString historyPath =
        options.historyPath.isEmpty() ? history::HistoryStore::defaultPath() : options.historyPath;
    try {
        history::OpenReport report;
        store_ = history::HistoryStore::open(historyPath, &report);
        notice_ = report.notice;
    } catch (const history::HistoryError& e) {
        notice_ = QString::fromStdString(e.what());
    }
    conversations_.setStore(store_.get());
    messages_.setStore(store_.get());
    books_.setStore(store_.get());
    connect(this, &AppController::currentConversationChanged, &books_, [this] { books_.setCurrentConversation(current_); });
    connect(this, &AppController::answerFinished, &books_, &BookAssistantController::checkAnswer);
    connect(&books_, &BookAssistantController::errorOccurred, this, &AppController::setNotice);

    connect(&generation_, &GenerationController::textDelta, this, &AppController::onDelta);
    connect(&generation_, &GenerationController::generationFinished, this, &AppController::onFinished);
    connect(&generation_, &GenerationController::modelChanged, this, &AppController::canSendChanged);
    connect(&generation_, &GenerationController::loadingChanged, this, &AppController::canSendChanged);
    connect(&generation_, &GenerationController::errorOccurred, this, &AppController::setNotice);
    connect(&generation_, &GenerationController::titleFinished, this, &AppController::onTitle);
    connect(&generation_, &GenerationController::modelReady, this, &AppController::prepareCurrentConversation);

    // The model chosen in the picker is loaded again at the next start.
    connect(&generation_, &GenerationController::modelChanged, this, [this, remember] {
        library_.setCurrentModelPath(generation_.modelLoaded() ? generation_.modelPath() : QString{});
        if (generation_.modelLoaded() && remember)
            QSettings().setValue(QStringLiteral("models/last"), generation_.modelPath());
    });
    QString model = options.modelPath;
    if (model.isEmpty()) {
        const QString last = remember ? QSettings().value(QStringLiteral("models/last")).toString() : QString{};
        model = !last.isEmpty() && QFileInfo::exists(last) ? last : defaultModelPath();
    }
    if (!model.isEmpty())
        loadModel(model);
}

AppController::~AppController() {
    if (g_provided == this)
        g_provided = nullptr;
    // Answers still being written keep their partial text (the next open would mark them
    // Interrupted anyway; saving here keeps the last second too).
    if (store_) {
        for (const Pending& p : pending_) {
            try {
                store_->finishAnswer(p.messageId, p.text, {0, 0, 0, history::FinishReason::Interrupted});
            } catch (const history::HistoryError&) {
            }
        }
    }
}

AppController* AppController::create(QQmlEngine*, QJSEngine*) {
    if (g_provided) {
        QJSEngine::setObjectOwnership(g_provided, QJSEngine::CppOwnership);
        return g_provided;
    }
    return new AppController(AppOptions{});  // the engine owns it
}

void AppController::provideInstance(AppController* controller) { g_provided = controller; }

QString AppController::currentTitle() const {
    if (!store_ || current_ == 0)
        return tr("New chat");
    const auto c = store_->conversation(current_);
    return c && !c->title.isEmpty() ? c->title : tr("New chat");
}

QString AppController::cannotSendReason() const {
    if (!store_)
        return tr("The history could not be opened: see the message above.");
    if (generation_.loading())
        return tr("Loading the model…");
    if (!generation_.modelLoaded())
        return tr("No model loaded: choose a GGUF model file to start chatting.");
    return {};
}

int AppController::maxAnswerTokens() const { return settings_ ? settings_->maxTokens() : maxAnswerTokens_; }

void AppController::setMaxAnswerTokens(int tokens) {
    if (settings_) {
        settings_->setMaxTokens(tokens);  // its change signal emits settingsChanged
        return;
    }
    if (tokens == maxAnswerTokens_)
        return;
    maxAnswerTokens_ = tokens;
    Q_EMIT settingsChanged();
}

void AppController::loadModel(const QString& pathOrUrl) {
    const QUrl url(pathOrUrl);
    const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
    generation_.loadModel(path, ModelLoadOptions::fromVariantMap(loadOptions_));
}

QString AppController::defaultModelPath() const {
    const QDir dir(library_.folder());
    const QStringList files = dir.entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name);
    return files.isEmpty() ? QString{} : dir.filePath(files.first());
}

void AppController::openConversation(qint64 conversationId) {
    if (conversationId == current_)
        return;
    current_ = conversationId;
    generation_.setCurrentConversationId(conversationId ? QString::number(conversationId) : QString{});
    messages_.load(conversationId);
    // The answer being written in this conversation shows its latest text, not the last saved one.
    for (const Pending& p : pending_)
        if (p.conversationId == conversationId)
            messages_.setStreamingText(p.messageId, p.text);
    Q_EMIT currentConversationChanged();
}

void AppController::newConversation() {
    books_.setPending(false);
    openConversation(0);
}

void AppController::newBookConversation() {
    openConversation(0);
    books_.setPending(true);
}

bool AppController::sendMessage(const QString& text) {
    if (text.trimmed().isEmpty() || !canSend())
        return false;
    try {
        qint64 conversation = current_;
        if (conversation == 0)
            conversation = store_->createConversation(generation_.modelName(), {}, books_.takeNewConversationSettings());
        const qint64 parent = store_->activeLeaf(conversation);
        history::NewMessage m;
        m.role = history::Role::User;
        m.text = text;
        const qint64 userId = store_->appendMessage(conversation, parent, m);
        if (conversation != current_) {
            untitled_.insert(conversation);  // new: the model may title it after its first answer
            current_ = conversation;
            generation_.setCurrentConversationId(QString::number(conversation));
            Q_EMIT currentConversationChanged();
        }
        return startAnswer(conversation, userId);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
        return false;
    }
}

bool AppController::startAnswer(qint64 conversationId, qint64 parentId) {
    // The turns to answer: the path up to `parentId` (the new answer becomes the active leaf after).
    QList<ChatTurn> turns;
    for (const auto& e : store_->activePath(conversationId)) {
        if (e.message.finish == history::FinishReason::Generating)
            continue;
        turns.append({history::roleName(e.message.role), e.message.text});
        if (e.message.id == parentId)
            break;
    }
    // A "Book assistant" conversation: the catalogue's candidates go into the request in place of the
    // user's text; a vague first request gets the assistant's clarifying question, not the model's.
    const BookTurnPlan books = books_.prepareTurn(conversationId, parentId);
    if (books.kind == BookTurnPlan::Kind::Clarify) {
        history::NewMessage question;
        question.role = history::Role::Assistant;
        question.text = books.reply;
        const qint64 id = store_->appendMessage(conversationId, parentId, question);
        refreshAfterHistoryChange();
        Q_EMIT currentConversationChanged();
        Q_EMIT answerFinished(conversationId, id, history::finishReasonName(history::FinishReason::Complete));
        return true;
    }
    if (books.kind == BookTurnPlan::Kind::Model)
        turns = books.turns;
    const qint64 answerId = store_->beginAnswer(conversationId, parentId, generation_.modelName());
    // The user's settings; a conversation's own system prompt goes over the default one.
    GenerationSettings settings = settings_ ? settings_->generationSettings() : GenerationSettings{};
    settings.maxTokens = maxAnswerTokens();
    if (const auto c = store_->conversation(conversationId); c && !c->systemPrompt.isEmpty())
        settings.systemPrompt = c->systemPrompt;
    if (books.kind == BookTurnPlan::Kind::Model)
        settings.systemPrompt = books.systemPrompt;
    const quint64 request = generation_.generate(QString::number(conversationId), turns, settings);
    Pending p;
    p.conversationId = conversationId;
    p.messageId = answerId;
    p.sinceSave.start();
    pending_.insert(request, p);
    refreshAfterHistoryChange();
    Q_EMIT currentConversationChanged();  // the title may have come from the first message
    return true;
}

void AppController::onDelta(const QString&, quint64 requestId, const QString& delta) {
    auto it = pending_.find(requestId);
    if (it == pending_.end())
        return;
    it->text += delta;
    if (it->conversationId == current_)
        messages_.setStreamingText(it->messageId, it->text);
    if (it->sinceSave.elapsed() >= kSaveIntervalMs) {
        try {
            store_->savePartialAnswer(it->messageId, it->text);
        } catch (const history::HistoryError& e) {
            setNotice(QString::fromStdString(e.what()));
        }
        it->sinceSave.restart();
    }
}

void AppController::onFinished(const GenerationResult& result) {
    const auto it = pending_.find(result.requestId);
    if (it == pending_.end())
        return;
    const Pending p = *it;
    pending_.erase(it);
    history::AnswerStats stats;
    stats.promptTokens = static_cast<int>(result.promptTokens);
    stats.completionTokens = static_cast<int>(result.generatedTokens);
    stats.generationMs = static_cast<qint64>((result.promptSeconds + result.generationSeconds) * 1000.0);
    stats.finish = historyFinish(result);
    try {
        store_->finishAnswer(p.messageId, result.text, stats);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
    if (p.conversationId == current_)
        messages_.reload();
    conversations_.reload();
    maybeSummarizeTitle(p.conversationId, stats.finish == history::FinishReason::Complete ||
                                              stats.finish == history::FinishReason::Length);
    Q_EMIT answerFinished(p.conversationId, p.messageId, history::finishReasonName(stats.finish));
}

void AppController::stop() { generation_.stop(); }

bool AppController::regenerate(qint64 assistantMessageId) {
    if (!canSend())
        return false;
    try {
        const auto m = store_->message(assistantMessageId);
        if (!m || m->role != history::Role::Assistant || m->parentId == 0)
            return false;
        if (m->conversationId != current_)
            openConversation(m->conversationId);
        return startAnswer(m->conversationId, m->parentId);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
        return false;
    }
}

bool AppController::editAndResend(qint64 userMessageId, const QString& text) {
    if (text.trimmed().isEmpty() || !canSend())
        return false;
    try {
        const auto m = store_->message(userMessageId);
        if (!m || m->role != history::Role::User)
            return false;
        if (m->conversationId != current_)
            openConversation(m->conversationId);
        history::NewMessage edited;
        edited.role = history::Role::User;
        edited.text = text;
        const qint64 userId = store_->appendMessage(m->conversationId, m->parentId, edited);
        return startAnswer(m->conversationId, userId);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
        return false;
    }
}

void AppController::selectSibling(qint64 messageId, int offset) {
    try {
        const std::vector<qint64> ids = store_->siblings(messageId);
        const auto at = std::find(ids.begin(), ids.end(), messageId);
        if (at == ids.end())
            return;
        const auto index = (at - ids.begin()) + offset;
        if (index < 0 || index >= static_cast<qint64>(ids.size()))
            return;
        store_->selectBranch(ids[static_cast<size_t>(index)]);
        messages_.reload();
        for (const Pending& p : pending_)
            if (p.conversationId == current_)
                messages_.setStreamingText(p.messageId, p.text);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
}

void AppController::renameConversation(qint64 conversationId, const QString& title) {
    if (!store_ || title.trimmed().isEmpty())
        return;
    try {
        store_->rename(conversationId, title.trimmed());
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
    conversations_.reload();
    if (conversationId == current_)
        Q_EMIT currentConversationChanged();
}

void AppController::setPinned(qint64 conversationId, bool pinned) {
    if (!store_)
        return;
    try {
        store_->setPinned(conversationId, pinned);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
    conversations_.reload();
}

void AppController::deleteConversation(qint64 conversationId) {
    if (!store_)
        return;
    try {
        const auto c = store_->conversation(conversationId);
        store_->deleteConversation(conversationId);
        lastDeleted_ = conversationId;
        lastDeletedTitle_ = c && !c->title.isEmpty() ? c->title : tr("New chat");
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
        return;
    }
    if (generation_.generatingConversationId() == QString::number(conversationId))
        generation_.stop();
    if (conversationId == current_)
        openConversation(0);
    conversations_.reload();
    Q_EMIT undoChanged();
}

void AppController::undoDelete() {
    if (!store_ || lastDeleted_ == 0)
        return;
    try {
        store_->restoreConversation(lastDeleted_);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
    lastDeleted_ = 0;
    lastDeletedTitle_.clear();
    conversations_.reload();
    Q_EMIT undoChanged();
}

void AppController::dismissNotice() { setNotice({}); }

QString AppController::currentSystemPrompt() const {
    if (!store_ || current_ == 0)
        return {};
    const auto c = store_->conversation(current_);
    return c ? c->systemPrompt : QString{};
}

void AppController::setCurrentSystemPrompt(const QString& prompt) {
    if (!store_ || current_ == 0 || prompt == currentSystemPrompt())
        return;
    try {
        store_->setSystemPrompt(current_, prompt);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
    Q_EMIT currentConversationChanged();
}

bool AppController::copyLastAnswer() {
    for (int row = messages_.count() - 1; row >= 0; --row) {
        if (messages_.data(messages_.index(row), MessageListModel::RoleRole).toString() != QLatin1String("assistant"))
            continue;
        const QString text = messages_.textAt(row);
        if (text.isEmpty())
            return false;
        QGuiApplication::clipboard()->setText(text);
        return true;
    }
    return false;
}

bool AppController::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance()) {
        conversations_.reload();  // the date groups ("Today", …)
        Q_EMIT canSendChanged();
        Q_EMIT currentConversationChanged();
    }
    return QObject::eventFilter(watched, event);
}

void AppController::applyBackendSetting() {
    loadOptions_.insert(settings_->modelLoadOptions());
    // The model runs on the old backend until it is loaded again; the load shows its progress in
    // the status bar and the settings panel.
    if (generation_.modelLoaded())
        loadModel(generation_.modelPath());
}

void AppController::maybeSummarizeTitle(qint64 conversationId, bool answerComplete) {
    if (!untitled_.contains(conversationId) || (settings_ && !settings_->autoTitles()))
        return;
    if (!answerComplete)
        return;  // stopped or failed: a later complete answer (a regenerate) may still title it
    untitled_.remove(conversationId);  // one try: a title the user waits for is not worth a retry
    try {
        const auto path = store_->activePath(conversationId);
        if (path.size() < 2 || path[0].message.role != history::Role::User ||
            path[1].message.role != history::Role::Assistant || path[1].message.text.isEmpty())
            return;
        generation_.summarizeTitle(QString::number(conversationId), path[0].message.text, path[1].message.text,
                                   settings_ ? settings_->threads() : 0);
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
    }
}

void AppController::onTitle(const QString& conversationId, quint64, const QString& title) {
    bool ok = false;
    const qint64 id = conversationId.toLongLong(&ok);
    if (!store_ || !ok || title.isEmpty())
        return;
    try {
        if (!store_->setAutoTitle(id, title))
            return;  // the user renamed it meanwhile: their title stays
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
        return;
    }
    conversations_.reload();
    if (id == current_)
        Q_EMIT currentConversationChanged();
}

void AppController::prepareCurrentConversation() {
    if (!store_ || current_ == 0 || !pending_.isEmpty())
        return;
    QList<ChatTurn> turns;
    GenerationSettings settings = settings_ ? settings_->generationSettings() : GenerationSettings{};
    try {
        for (const auto& e : store_->activePath(current_))
            if (e.message.finish != history::FinishReason::Generating)
                turns.append({history::roleName(e.message.role), e.message.text});
        // As startAnswer() asks, so the worker picks the same session and renders the same prompt.
        if (const auto c = store_->conversation(current_); c && !c->systemPrompt.isEmpty())
            settings.systemPrompt = c->systemPrompt;
        // A book-assistant conversation: the texts the model saw, with the candidates.
        if (const BookTurnPlan books = books_.storedTurns(current_); books.kind == BookTurnPlan::Kind::Model) {
            turns = books.turns;
            settings.systemPrompt = books.systemPrompt;
        }
    } catch (const history::HistoryError& e) {
        setNotice(QString::fromStdString(e.what()));
        return;
    }
    if (turns.isEmpty())
        return;
    settings.maxTokens = maxAnswerTokens();
    generation_.prepare(QString::number(current_), turns, settings);
}

qint64 AppController::streamingMessageId() const {
    return pending_.isEmpty() ? 0 : pending_.begin()->messageId;
}

void AppController::setNotice(const QString& notice) {
    if (notice == notice_)
        return;
    notice_ = notice;
    Q_EMIT noticeChanged();
}

void AppController::refreshAfterHistoryChange() {
    messages_.load(current_);
    conversations_.reload();
}

} // namespace lamp::app
