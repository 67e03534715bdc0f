// The generation worker: one QObject that lives on its own QThread (GenerationController makes the
// thread and moves it there) and owns the engine's state: the loaded model, its chat template and
// the KV caches of recent conversations (SessionCache).
//
// Threading contract:
// - loadModel(), unloadModel(), generate(), summarizeTitle() and forgetConversation() run on the worker thread: call
//   them by queued calls (QMetaObject::invokeMethod(worker, ..., Qt::QueuedConnection)). They run
//   one after another, in order.
// - stopUpTo() and cancelLoadsUpTo() are thread-safe (atomics) and take effect while the worker is
//   busy: a generation checks between tokens (so at most one more token is sampled after the call)
//   and between prompt batches; a load checks between its stages and between chunks of weights.
//   Ids only grow, so a stop also covers requests still queued, and never a later one.
// - Results leave by signals, queued to the receivers' threads. The worker never touches a list
//   model or any GUI object. Errors (a model that fails to load, a template that refuses the
//   conversation, a prompt longer than the context, bad sampling settings, out of memory) come
//   back as signals with a human message, never as an exception leaving a slot.
#pragma once

#include "worker/generation_types.h"
#include "worker/session_cache.h"

#include <QObject>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>

namespace lamp {
class Model;
class ChatTemplate;
}

namespace lamp::app {

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    // Text is sent at most once per this interval (≈ 30 updates a second), and at the end.
    static constexpr int kUpdateIntervalMs = 34;

    explicit GenerationWorker(QObject* parent = nullptr);
    ~GenerationWorker() override;

    // Thread-safe. Requests with id ≤ requestId stop (or end as Stopped without starting).
    void stopUpTo(quint64 requestId);
    // Thread-safe. Loads with id ≤ loadId are cancelled (the model is then unloaded).
    void cancelLoadsUpTo(quint64 loadId);
    // Thread-safe: tokens sampled so far by the running generation (0 between generations).
    qint64 tokensInFlight() const { return tokensInFlight_.load(std::memory_order_acquire); }

    // Worker thread. Unloads the current model (its sessions end), then loads `path`:
    // loadProgress(...) as it goes, then modelLoaded(...) or modelLoadFailed(...).
    void loadModel(quint64 loadId, const QString& path, const ModelLoadOptions& options);
    // Worker thread. Drops the model and every session; modelUnloaded() when one was loaded.
    void unloadModel();
    // Worker thread. Answers request.messages; textDelta(...) while it grows, then exactly one
    // generationFinished(...). A promptOnly request only evaluates the conversation: no
    // generationStarted or textDelta, and its result says FinishReason::Prepared.
    void generate(const GenerationRequest& request);
    // Worker thread. A title for a new conversation (title_summary.h): greedy, at most
    // kTitleMaxTokens tokens, on the worker's title session (never a conversation's), stopped like
    // a generation by stopUpTo(request.id). Exactly one titleFinished(...); its title is cleaned,
    // and "" when stopped, failed or nothing usable was written.
    void summarizeTitle(const TitleRequest& request);
    // Worker thread. Drops a conversation's session (it was deleted).
    void forgetConversation(const QString& conversationId);

    bool hasModel() const { return model_ != nullptr; }

Q_SIGNALS:
    void loadProgress(quint64 loadId, double fraction, const QString& stage);
    void modelLoaded(quint64 loadId, const lamp::app::ModelInfo& info);
    // A conversation's session left the GPU for the CPU (its reason); the model stays loaded.
    void backendFellBack(const QString& reason);
    void modelLoadFailed(quint64 loadId, const QString& path, const QString& message, bool cancelled);
    void modelUnloaded();
    void generationStarted(quint64 requestId, const QString& conversationId);
    void promptProgress(quint64 requestId, qint64 evaluated, qint64 total);
    void textDelta(const lamp::app::GenerationUpdate& update);
    void generationFinished(const lamp::app::GenerationResult& result);
    void titleFinished(quint64 requestId, const QString& conversationId, const QString& title);

private:
    struct Run;  // one generation in progress (generation_worker.cpp)

    bool stopRequested(quint64 requestId) const {
        return requestId <= stopUpTo_.load(std::memory_order_acquire);
    }
    bool loadCancelled(quint64 loadId) const {
        return loadId <= cancelLoadsUpTo_.load(std::memory_order_acquire);
    }
    void runGeneration(Run& run);
    // Reads every page of the weights once; false when cancelled.
    bool prefault(quint64 loadId);
    // summarizeTitle's work: the model's raw text ("" when stopped). Throws like a generation.
    QString writeTitle(const TitleRequest& request);

    std::atomic<quint64> stopUpTo_{0};
    std::atomic<quint64> cancelLoadsUpTo_{0};
    std::atomic<qint64> tokensInFlight_{0};

    // Declaration order = reverse destruction order: sessions go before the model they use.
    static std::filesystem::path pipelineCachePath();

    std::unique_ptr<Model> model_;
    std::shared_ptr<const Backend> backend_;  // where sessions of model_ run (weights on a GPU)
    std::unique_ptr<ChatTemplate> template_;
    ModelInfo info_;
    ModelLoadOptions options_;
    SessionCache sessions_{3, int64_t{2} << 30};
    // Titles are written here: a small context of its own, so no conversation's cache is touched
    // or evicted. Made on first use; goes with the model.
    std::unique_ptr<Session> titleSession_;
    int titleThreads_ = 0;  // the threads it was made with
};

} // namespace lamp::app
