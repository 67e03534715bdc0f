#include "worker/generation_controller.h"

#include "worker/generation_worker.h"

#include "core/log.h"

#include <limits>

namespace lamp::app {

GenerationController::GenerationController(QObject* parent) : QObject(parent) {
    registerGenerationTypes();
    thread_.setObjectName(QStringLiteral("lamp-generation"));
    worker_ = new GenerationWorker;  // no parent: it moves to thread_
    worker_->moveToThread(&thread_);
    connectWorker();
    thread_.start();
}

GenerationController::~GenerationController() {
    constexpr quint64 all = std::numeric_limits<quint64>::max();
    worker_->stopUpTo(all);
    worker_->cancelLoadsUpTo(all);
    thread_.quit();
    thread_.wait();
    delete worker_;  // its thread has finished: safe from here; the model and sessions go with it
    worker_ = nullptr;
}

void GenerationController::connectWorker() {
    GenerationWorker* w = worker_;
    // Every connection is queued: the worker emits on its own thread, `this` lives on the GUI thread.
    connect(w, &GenerationWorker::loadProgress, this, [this](quint64 loadId, double fraction, const QString& stage) {
        if (loadId != lastLoadId_)
            return;
        loadProgress_ = fraction;
        loadStage_ = stage;
        Q_EMIT loadProgressChanged();
    });
    connect(w, &GenerationWorker::modelLoaded, this, [this](quint64 loadId, const ModelInfo& info) {
        modelLoaded_ = true;
        info_ = info;
        Q_EMIT modelChanged();
        if (loadId == lastLoadId_) {
            setLoading(false);
            setLastError({});
            Q_EMIT modelReady();
        }
    });
    connect(w, &GenerationWorker::backendFellBack, this, [this](const QString& reason) {
        info_.fallbackReason = reason;
        Q_EMIT modelChanged();
    });
    connect(w, &GenerationWorker::modelLoadFailed, this,
            [this](quint64 loadId, const QString& path, const QString& message, bool cancelled) {
                if (loadId == lastLoadId_)
                    setLoading(false);
                if (cancelled) {
                    Q_EMIT modelLoadCancelled(path);
                    return;
                }
                setLastError(message);
                Q_EMIT modelLoadFailed(path, message);
                Q_EMIT errorOccurred(message);
            });
    connect(w, &GenerationWorker::modelUnloaded, this, [this] {
        modelLoaded_ = false;
        info_ = {};
        context_.clear();
        Q_EMIT modelChanged();
        Q_EMIT statsChanged();
    });
    connect(w, &GenerationWorker::generationStarted, this, [this](quint64 requestId, const QString& conversationId) {
        Q_EMIT generationStarted(conversationId, requestId);
    });
    connect(w, &GenerationWorker::promptProgress, this, [this](quint64 requestId, qint64 evaluated, qint64 total) {
        if (requestId == activeRequestId_)
            Q_EMIT promptProgress(generatingConversation_, requestId, evaluated, total);
    });
    connect(w, &GenerationWorker::textDelta, this, [this](const GenerationUpdate& u) {
        if (u.requestId == activeRequestId_) {
            tokensPerSecond_ = u.tokensPerSecond;
            context_.insert(u.conversationId, {u.contextUsed, u.contextSize});
            Q_EMIT statsChanged();
        }
        Q_EMIT textDelta(u.conversationId, u.requestId, u.delta);
    });
    connect(w, &GenerationWorker::generationFinished, this, [this](const GenerationResult& r) {
        if (r.contextSize > 0)
            rememberContext(r.conversationId, r.contextUsed, r.contextSize);
        if (r.requestId == activeRequestId_) {
            if (r.generatedTokens > 0)
                tokensPerSecond_ = r.tokensPerSecond;
            Q_EMIT statsChanged();
            setGenerating(false, {});
        }
        if (r.finish == FinishReason::Error && r.promptOnly) {
            // Nobody asked for it: the answer that follows meets the same problem and says so.
            log::get("app")->info("preparing conversation {} failed: {}", r.conversationId.toStdString(),
                                  r.error.toStdString());
        } else if (r.finish == FinishReason::Error) {
            setLastError(r.error);
            Q_EMIT errorOccurred(r.error);
        }
        Q_EMIT generationFinished(r);
    });
    connect(w, &GenerationWorker::titleFinished, this,
            [this](quint64 requestId, const QString& conversationId, const QString& title) {
                Q_EMIT titleFinished(conversationId, requestId, title);
            });
}

quint64 GenerationController::loadModel(const QString& path, const QVariantMap& options) {
    return loadModel(path, ModelLoadOptions::fromVariantMap(options));
}

quint64 GenerationController::loadModel(const QString& path, const ModelLoadOptions& options) {
    worker_->stopUpTo(lastRequestId_);    // the running answer ends first (its partial text is kept)
    worker_->cancelLoadsUpTo(lastLoadId_);  // an earlier load is superseded
    const quint64 id = ++lastLoadId_;
    loadProgress_ = 0;
    loadStage_.clear();
    Q_EMIT loadProgressChanged();
    setLoading(true);
    GenerationWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, id, path, options] { w->loadModel(id, path, options); }, Qt::QueuedConnection);
    return id;
}

void GenerationController::cancelLoad() {
    worker_->cancelLoadsUpTo(lastLoadId_);
}

void GenerationController::unload() {
    worker_->stopUpTo(lastRequestId_);
    worker_->cancelLoadsUpTo(lastLoadId_);
    GenerationWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w] { w->unloadModel(); }, Qt::QueuedConnection);
}

quint64 GenerationController::generate(const QString& conversationId, const QVariantList& messages,
                                       const QVariantMap& settings) {
    return generate(conversationId, ChatTurn::fromVariantList(messages), GenerationSettings::fromVariantMap(settings));
}

quint64 GenerationController::generate(const QString& conversationId, const QList<ChatTurn>& messages,
                                       const GenerationSettings& settings) {
    worker_->stopUpTo(lastRequestId_);  // one answer at a time: the newest request wins
    GenerationRequest request;
    request.id = ++lastRequestId_;
    request.conversationId = conversationId;
    request.messages = messages;
    request.settings = settings;
    activeRequestId_ = request.id;
    setGenerating(true, conversationId);
    GenerationWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, request] { w->generate(request); }, Qt::QueuedConnection);
    return request.id;
}

quint64 GenerationController::prepare(const QString& conversationId, const QList<ChatTurn>& messages,
                                      const GenerationSettings& settings) {
    // Not the active request: `generating` and the answer's signals stay as they are.
    GenerationRequest request;
    request.id = ++lastRequestId_;
    request.conversationId = conversationId;
    request.messages = messages;
    request.settings = settings;
    request.promptOnly = true;
    GenerationWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, request] { w->generate(request); }, Qt::QueuedConnection);
    return request.id;
}

quint64 GenerationController::summarizeTitle(const QString& conversationId, const QString& userText,
                                             const QString& answerText, int threads) {
    TitleRequest request;
    request.id = ++lastRequestId_;  // so the next generate() stops it
    request.conversationId = conversationId;
    request.userText = userText;
    request.answerText = answerText;
    request.threads = threads;
    GenerationWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, request] { w->summarizeTitle(request); }, Qt::QueuedConnection);
    return request.id;
}

void GenerationController::stop() {
    worker_->stopUpTo(lastRequestId_);
}

void GenerationController::forgetConversation(const QString& conversationId) {
    context_.remove(conversationId);
    GenerationWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, conversationId] { w->forgetConversation(conversationId); }, Qt::QueuedConnection);
    if (conversationId == currentConversation_)
        Q_EMIT statsChanged();
}

void GenerationController::setCurrentConversationId(const QString& id) {
    if (id == currentConversation_)
        return;
    currentConversation_ = id;
    Q_EMIT currentConversationIdChanged();
    Q_EMIT statsChanged();
}

qint64 GenerationController::contextUsed() const {
    return context_.value(currentConversation_).first;
}

qint64 GenerationController::contextSize() const {
    return context_.value(currentConversation_).second;
}

void GenerationController::rememberContext(const QString& conversationId, qint64 used, qint64 size) {
    context_.insert(conversationId, {used, size});
    if (conversationId == currentConversation_)
        Q_EMIT statsChanged();
}

void GenerationController::setLoading(bool on) {
    if (loading_ == on)
        return;
    loading_ = on;
    Q_EMIT loadingChanged();
}

void GenerationController::setGenerating(bool on, const QString& conversationId) {
    if (generating_ == on && generatingConversation_ == conversationId)
        return;
    generating_ = on;
    generatingConversation_ = conversationId;
    Q_EMIT generatingChanged();
}

void GenerationController::setLastError(const QString& message) {
    if (lastError_ == message)
        return;
    lastError_ = message;
    Q_EMIT lastErrorChanged();
}

} // namespace lamp::app
