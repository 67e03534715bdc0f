// The GUI thread's side of generation: owns the worker thread and the GenerationWorker on it, sends
// requests by queued calls, and turns the worker's signals into properties and signals for the
// window (QML later). Never waits on the worker, except once in its destructor, which stops
// everything and joins the thread (at most one token, one prompt batch or one load stage later).
//
// Rules the window can rely on:
// - generate() supersedes: an answer still running (in any conversation) stops first and ends with
//   FinishReason::Stopped and its partial text, then the new one starts. So switching conversation,
//   regenerating or editing and resending during a generation is safe.
// - Every generate() ends with exactly one generationFinished() carrying its request id.
// - loadModel() and unload() stop the running answer first; a load can be cancelled.
// - Background work (prepare(), summarizeTitle()) never sets `generating` and is stopped by any
//   later request, stop(), load or unload: it runs only while nothing else is asked for.
// - Text arrives by textDelta() at most ~30 times a second per answer; the deltas of one request
//   concatenate to its GenerationResult::text.
#pragma once

#include "worker/generation_types.h"

#include <QHash>
#include <QObject>
#include <QThread>

namespace lamp::app {

class GenerationWorker;

class GenerationController : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool modelLoaded READ modelLoaded NOTIFY modelChanged)
    Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
    Q_PROPERTY(QString modelPath READ modelPath NOTIFY modelChanged)
    Q_PROPERTY(QString backend READ backend NOTIFY modelChanged)
    Q_PROPERTY(QString device READ device NOTIFY modelChanged)
    Q_PROPERTY(QString fallbackReason READ fallbackReason NOTIFY modelChanged)
    Q_PROPERTY(QString backendReason READ backendReason NOTIFY modelChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
    Q_PROPERTY(QString loadStage READ loadStage NOTIFY loadProgressChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    Q_PROPERTY(QString generatingConversationId READ generatingConversationId NOTIFY generatingChanged)
    Q_PROPERTY(QString currentConversationId READ currentConversationId WRITE setCurrentConversationId
                   NOTIFY currentConversationIdChanged)
    Q_PROPERTY(double tokensPerSecond READ tokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(qint64 contextUsed READ contextUsed NOTIFY statsChanged)
    Q_PROPERTY(qint64 contextSize READ contextSize NOTIFY statsChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    explicit GenerationController(QObject* parent = nullptr);
    // Stops any generation or load, joins the worker thread and frees the model.
    ~GenerationController() override;

    // Starts loading (the current model is unloaded first). Returns the load's id.
    Q_INVOKABLE quint64 loadModel(const QString& path, const QVariantMap& options = {});
    quint64 loadModel(const QString& path, const ModelLoadOptions& options);
    Q_INVOKABLE void cancelLoad();
    Q_INVOKABLE void unload();

    // Answers `messages` (the conversation's active path: [{role, content}, ...]) with the
    // conversation's settings. Returns the request id that the signals carry.
    Q_INVOKABLE quint64 generate(const QString& conversationId, const QVariantList& messages,
                                 const QVariantMap& settings = {});
    quint64 generate(const QString& conversationId, const QList<ChatTurn>& messages,
                     const GenerationSettings& settings);
    // Background: evaluates the conversation into its session without answering (a prompt-only
    // request, e.g. after a model change), so the next answer starts at once. Ends with one
    // generationFinished() whose promptOnly is true; its errors are logged, not shown.
    quint64 prepare(const QString& conversationId, const QList<ChatTurn>& messages, const GenerationSettings& settings);
    // Background: a title for a new conversation from its first exchange (worker/title_summary.h).
    // Ends with one titleFinished().
    quint64 summarizeTitle(const QString& conversationId, const QString& userText, const QString& answerText,
                           int threads = 0);
    // Stops the running answer (and any queued one); it ends as Stopped with its partial text.
    Q_INVOKABLE void stop();
    // The conversation was deleted: its KV cache can go.
    Q_INVOKABLE void forgetConversation(const QString& conversationId);

    bool modelLoaded() const { return modelLoaded_; }
    QString modelName() const { return info_.name; }
    QString modelPath() const { return info_.path; }
    QString backend() const { return info_.backend; }
    QString device() const { return info_.device; }
    QString fallbackReason() const { return info_.fallbackReason; }
    QString backendReason() const { return info_.backendReason; }
    const ModelInfo& modelInfo() const { return info_; }
    bool loading() const { return loading_; }
    double loadProgress() const { return loadProgress_; }
    QString loadStage() const { return loadStage_; }
    bool generating() const { return generating_; }
    QString generatingConversationId() const { return generatingConversation_; }
    QString currentConversationId() const { return currentConversation_; }
    void setCurrentConversationId(const QString& id);
    double tokensPerSecond() const { return tokensPerSecond_; }
    qint64 contextUsed() const;   // of the current conversation's session, 0 when unknown
    qint64 contextSize() const;
    QString lastError() const { return lastError_; }

    // For tests: the worker (lives on the worker thread; only its thread-safe members may be used
    // from other threads) and the thread itself.
    GenerationWorker* worker() const { return worker_; }
    QThread* workerThread() { return &thread_; }

Q_SIGNALS:
    void modelChanged();
    void loadingChanged();
    void loadProgressChanged();
    void generatingChanged();
    void currentConversationIdChanged();
    void statsChanged();
    void lastErrorChanged();

    void modelLoadFailed(const QString& path, const QString& message);
    void modelLoadCancelled(const QString& path);
    // The newest load finished and its model is ready for answers.
    void modelReady();
    void generationStarted(const QString& conversationId, quint64 requestId);
    void promptProgress(const QString& conversationId, quint64 requestId, qint64 evaluated, qint64 total);
    void textDelta(const QString& conversationId, quint64 requestId, const QString& delta);
    void generationFinished(const lamp::app::GenerationResult& result);
    // A summarizeTitle() ended: the cleaned title, or "" when there is none (stopped, failed).
    void titleFinished(const QString& conversationId, quint64 requestId, const QString& title);
    // A human message for the window (load failures and generation errors).
    void errorOccurred(const QString& message);

private:
    void connectWorker();
    void setLoading(bool on);
    void setGenerating(bool on, const QString& conversationId);
    void setLastError(const QString& message);
    void rememberContext(const QString& conversationId, qint64 used, qint64 size);

    QThread thread_;
    GenerationWorker* worker_ = nullptr;  // owned; deleted after the thread has finished

    quint64 lastRequestId_ = 0;
    quint64 lastLoadId_ = 0;
    quint64 activeRequestId_ = 0;  // the newest request; generating_ until it finishes

    bool modelLoaded_ = false;
    ModelInfo info_;
    bool loading_ = false;
    double loadProgress_ = 0;
    QString loadStage_;
    bool generating_ = false;
    QString generatingConversation_;
    QString currentConversation_;
    double tokensPerSecond_ = 0;
    QHash<QString, QPair<qint64, qint64>> context_;  // conversation → (used, size)
    QString lastError_;
};

} // namespace lamp::app
