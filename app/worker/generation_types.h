// What goes into the generation worker and what comes back out: plain value types, copied across
// threads by queued signals (each is a registered metatype, see registerGenerationTypes()).
//
//   GUI thread ── loadModel(path, ModelLoadOptions) ──▶ worker ── ModelInfo / load progress ──▶
//              ── generate(GenerationRequest) ───────▶        ── GenerationUpdate (deltas) ──▶
//                                                             ── GenerationResult (once) ────▶
#pragma once

#include "model/session.h"
#include "sampling/sampler.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include <cstdint>

namespace lamp::app {

// One message of a conversation's active path, as the chat template sees it.
struct ChatTurn {
    QString role;     // "system", "user", "assistant"
    QString content;

    // {"role": ..., "content": ...} maps (QML's JS objects) ⇄ turns; entries without a role are skipped.
    static QList<ChatTurn> fromVariantList(const QVariantList& list);
    static QVariantList toVariantList(const QList<ChatTurn>& turns);
};

// A conversation's settings for one answer. Context length and threads belong to the conversation's
// session (KV cache): changing them starts a new session for it.
struct GenerationSettings {
    SamplingParams sampling;   // temperature, top-k, top-p, min-p, penalties, seed (sampler.h)
    int32_t maxTokens = 0;     // most tokens in the answer; 0: until end of generation or the context is full
    int64_t contextLength = 0; // KV cache positions; 0: the model's training context, at most 4096
    int threads = 0;           // CPU threads including the worker's own; 0: every hardware thread
    QString systemPrompt;      // put first as a "system" message unless the messages start with one
    QStringList stopStrings;   // the answer ends before any of these

    // Keys as the settings panel names them: temperature, topK, topP, minP, repeatPenalty,
    // repeatLastN, frequencyPenalty, presencePenalty, seed, maxTokens, contextLength, threads,
    // systemPrompt, stopStrings. Missing keys keep their defaults.
    static GenerationSettings fromVariantMap(const QVariantMap& map);
};

// How a model is loaded.
struct ModelLoadOptions {
    QString backend = QStringLiteral("auto");  // "auto", "cpu", "vulkan" or "vulkan:N" (a device index)
    bool prefault = true;             // read every weight page once while loading (with progress), so the
                                      // first answer does not stall on page faults
    // Prompt tokens per forward call (a stop is checked between calls): the session's default,
    // sized so prompt + generation stay within file + KV cache + 10% (model/session.h).
    int64_t batchSize = SessionOptions::kDefaultBatchSize;
    int maxSessions = 3;              // conversations whose KV cache is kept (least recently used go first)
    int64_t sessionBudgetBytes = int64_t{2} << 30;  // KV cache bytes kept for other conversations

    // Keys: backend, prefault, batchSize, maxSessions, sessionBudgetBytes.
    static ModelLoadOptions fromVariantMap(const QVariantMap& map);
};

// The loaded model, for the status bar and the model picker.
struct ModelInfo {
    Q_GADGET
    Q_PROPERTY(QString path MEMBER path)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(QString architecture MEMBER architecture)
    Q_PROPERTY(QString backend MEMBER backend)
    Q_PROPERTY(QString device MEMBER device)
    Q_PROPERTY(QString backendReason MEMBER backendReason)
    Q_PROPERTY(QString fallbackReason MEMBER fallbackReason)
    Q_PROPERTY(QString chatTemplate MEMBER chatTemplate)
    Q_PROPERTY(qint64 trainingContext MEMBER trainingContext)
    Q_PROPERTY(qint64 weightBytes MEMBER weightBytes)
    Q_PROPERTY(qint64 parameterCount MEMBER parameterCount)
    Q_PROPERTY(double loadSeconds MEMBER loadSeconds)
public:
    QString path;
    QString name;            // general.name, else the file name without .gguf
    QString architecture;    // "llama", "qwen2", "gpt2"
    QString backend;         // what runs it: "cpu" or "vulkan"
    QString device;          // which device: "CPU (avx512)", "NVIDIA GeForce RTX 4070 (discrete, device 0)"
    QString backendReason;   // why this backend ("asked for", "auto: ...", or the fallback reason)
    QString fallbackReason;  // why the backend is not the one asked for; empty when it is
    QString chatTemplate;    // ChatTemplate::description(): which template and why
    qint64 trainingContext = 0;
    qint64 weightBytes = 0;
    qint64 parameterCount = 0;
    double loadSeconds = 0;
};

// One request: answer the conversation's active path.
struct GenerationRequest {
    quint64 id = 0;            // increasing per controller; stopUpTo(id) stops it and every earlier one
    QString conversationId;    // selects the session (KV cache) in the worker's cache
    QList<ChatTurn> messages;  // the active path, oldest first, ending with the turn to answer
    GenerationSettings settings;
    // Only evaluate the conversation into its session (rendered without the generation prompt, so
    // the next real request reuses all of it) and answer nothing: after a model change, the next
    // answer starts at once. Ends with FinishReason::Prepared (or Stopped, Error).
    bool promptOnly = false;
};

// A title for a new conversation from its first exchange (title_summary.h), written greedily on a
// session of its own, so no conversation's KV cache changes.
struct TitleRequest {
    quint64 id = 0;            // from the same sequence as GenerationRequest::id: any later request stops it
    QString conversationId;
    QString userText;          // the first user message
    QString answerText;        // its answer
    int threads = 0;           // as GenerationSettings::threads
};

// Why an answer ended. Keys (stable, for the history store) and texts (for people) below.
enum class FinishReason : uint8_t {
    EndOfGeneration,  // the model ended its turn
    StopString,       // a stop string appeared
    MaxLength,        // settings.maxTokens were generated
    ContextFull,      // the context has no room for another token
    Stopped,          // stop() (or a newer request, a model change, unload, shutdown) ended it
    Error,            // see GenerationResult::error
    Prepared,         // a prompt-only request evaluated its prompt (nothing is generated)
};
// "end_of_generation", "stop_string", "max_length", "context_full", "stopped", "error", "prepared".
QString finishReasonKey(FinishReason reason);
// "end of generation", "stop string", "maximum length", "context full", "stopped by user", "error",
// "prompt evaluated".
QString finishReasonText(FinishReason reason);

// Streamed while an answer grows, at most one per GenerationWorker::kUpdateIntervalMs.
struct GenerationUpdate {
    quint64 requestId = 0;
    QString conversationId;
    QString delta;             // new text since the previous update (whole UTF-8 characters)
    qint64 generatedTokens = 0;
    double tokensPerSecond = 0;
    qint64 contextUsed = 0;    // tokens in the conversation's session now
    qint64 contextSize = 0;    // its capacity
};

// Sent exactly once per request, whatever happened (also for a request stopped before it started).
struct GenerationResult {
    Q_GADGET
    Q_PROPERTY(quint64 requestId MEMBER requestId)
    Q_PROPERTY(QString conversationId MEMBER conversationId)
    Q_PROPERTY(QString text MEMBER text)
    Q_PROPERTY(QString finishReason READ finishKey)  // finishReasonKey(finish)
    Q_PROPERTY(QString error MEMBER error)
    Q_PROPERTY(qint64 promptTokens MEMBER promptTokens)
    Q_PROPERTY(qint64 promptTokensReused MEMBER promptTokensReused)
    Q_PROPERTY(qint64 promptTokensEvaluated MEMBER promptTokensEvaluated)
    Q_PROPERTY(qint64 generatedTokens MEMBER generatedTokens)
    Q_PROPERTY(int droppedMessages MEMBER droppedMessages)
    Q_PROPERTY(double promptSeconds MEMBER promptSeconds)
    Q_PROPERTY(double generationSeconds MEMBER generationSeconds)
    Q_PROPERTY(double tokensPerSecond MEMBER tokensPerSecond)
    Q_PROPERTY(qint64 contextUsed MEMBER contextUsed)
    Q_PROPERTY(qint64 contextSize MEMBER contextSize)
    Q_PROPERTY(quint64 seed MEMBER seed)
    Q_PROPERTY(QString modelName MEMBER modelName)
    Q_PROPERTY(bool promptOnly MEMBER promptOnly)
public:
    QString finishKey() const;

    quint64 requestId = 0;
    QString conversationId;
    QString text;                    // the whole answer; partial when stopped or failed midway
    FinishReason finish = FinishReason::Stopped;
    QString error;                   // a human message when finish == Error
    qint64 promptTokens = 0;         // tokens of the rendered prompt
    qint64 promptTokensReused = 0;   // of those, already in the session's cache
    qint64 promptTokensEvaluated = 0;// of those, run through the model now
    qint64 generatedTokens = 0;      // tokens sampled (the stopping one included)
    int droppedMessages = 0;         // oldest turns left out so the prompt fits the context
    double promptSeconds = 0;        // evaluating the prompt
    double generationSeconds = 0;    // sampling the answer
    double tokensPerSecond = 0;      // generatedTokens / generationSeconds
    qint64 contextUsed = 0;
    qint64 contextSize = 0;
    quint64 seed = 0;
    QString modelName;
    bool promptOnly = false;         // the request's promptOnly: no answer was asked for
};

// Registers the types above for queued connections (idempotent; the controller calls it).
void registerGenerationTypes();

} // namespace lamp::app

Q_DECLARE_METATYPE(lamp::app::ModelLoadOptions)
Q_DECLARE_METATYPE(lamp::app::ModelInfo)
Q_DECLARE_METATYPE(lamp::app::GenerationRequest)
Q_DECLARE_METATYPE(lamp::app::TitleRequest)
Q_DECLARE_METATYPE(lamp::app::GenerationUpdate)
Q_DECLARE_METATYPE(lamp::app::GenerationResult)
