#include "worker/generation_worker.h"

#include "worker/prompt_render.h"

#include "chat/chat_template.h"
#include "core/log.h"
#include "engine/backend_choice.h"
#include "model/model.h"
#include "model/model_error.h"
#include "model/session.h"
#include "sampling/stop_conditions.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"

#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <chrono>
#include <new>
#include <string>
#include <vector>

namespace lamp::app {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

bool intervalPassed(Clock::time_point& last, bool first) {
    const auto now = Clock::now();
    if (!first && now - last < std::chrono::milliseconds(GenerationWorker::kUpdateIntervalMs))
        return false;
    last = now;
    return true;
}

// The conversation as the chat template sees it: the system prompt first unless the messages
// bring their own.
std::vector<ChatMessage> chatMessages(const GenerationRequest& request) {
    std::vector<ChatMessage> out;
    const auto& messages = request.messages;
    const bool hasSystem = !messages.isEmpty() && messages.front().role == QLatin1String("system");
    if (!hasSystem && !request.settings.systemPrompt.isEmpty())
        out.push_back({"system", request.settings.systemPrompt.toStdString()});
    for (const ChatTurn& t : messages)
        out.push_back({t.role.toStdString(), t.content.toStdString()});
    return out;
}

FinishReason finishFrom(StopReason reason, bool limitIsContext) {
    switch (reason) {
    case StopReason::EndOfGeneration: return FinishReason::EndOfGeneration;
    case StopReason::StopString: return FinishReason::StopString;
    case StopReason::MaxLength: return limitIsContext ? FinishReason::ContextFull : FinishReason::MaxLength;
    case StopReason::None: break;
    }
    return FinishReason::Stopped;
}

// Clears a session's progress callback when the generation leaves, by any path.
struct ProgressGuard {
    Session& session;
    ~ProgressGuard() { session.setProgress({}); }
};

} // namespace

// One generation: the request, the result it builds, and the text not yet sent.
struct GenerationWorker::Run {
    const GenerationRequest& request;
    GenerationResult result;
    std::string text;     // the whole answer so far (UTF-8)
    std::string pending;  // not sent yet
    Clock::time_point lastUpdate{};
    bool sentAny = false;
    Clock::time_point generationStart{};
    const Session* session = nullptr;
};

GenerationWorker::GenerationWorker(QObject* parent) : QObject(parent) {}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::stopUpTo(quint64 requestId) {
    quint64 current = stopUpTo_.load(std::memory_order_relaxed);
    while (current < requestId && !stopUpTo_.compare_exchange_weak(current, requestId, std::memory_order_acq_rel)) {
    }
}

void GenerationWorker::cancelLoadsUpTo(quint64 loadId) {
    quint64 current = cancelLoadsUpTo_.load(std::memory_order_relaxed);
    while (current < loadId && !cancelLoadsUpTo_.compare_exchange_weak(current, loadId, std::memory_order_acq_rel)) {
    }
}

// ---- models ----------------------------------------------------------------------------------

void GenerationWorker::unloadModel() {
    const bool had = model_ != nullptr;
    titleSession_.reset();
    sessions_.clear();  // sessions refer to the model: they go first
    template_.reset();
    model_.reset();
    info_ = {};
    if (had)
        Q_EMIT modelUnloaded();
}

// The Vulkan pipeline cache, in the app's cache folder (compiled kernels load in milliseconds).
std::filesystem::path GenerationWorker::pipelineCachePath() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    return std::filesystem::path(QFile::encodeName(dir).toStdString()) / "vulkan-pipelines.bin";
}

void GenerationWorker::loadModel(quint64 loadId, const QString& path, const ModelLoadOptions& options) {
    const auto start = Clock::now();
    unloadModel();  // two models at once may not fit in memory
    options_ = options;
    sessions_.setLimits(options.maxSessions, options.sessionBudgetBytes);
    const auto fail = [&](const QString& message, bool cancelled) {
        if (!cancelled)
            log::get("app")->warn("model load failed: {}", message.toStdString());
        titleSession_.reset();
        sessions_.clear();
        template_.reset();
        backend_.reset();
        model_.reset();
        info_ = {};
        Q_EMIT modelLoadFailed(loadId, path, message, cancelled);
    };
    const QString cancelledMessage = QStringLiteral("Loading %1 was cancelled.").arg(QFileInfo(path).fileName());
    if (loadCancelled(loadId))
        return fail(cancelledMessage, true);

    try {
        Q_EMIT loadProgress(loadId, 0.0, QStringLiteral("opening"));
        BackendRequest backendRequest;
        try {
            backendRequest = BackendRequest::parse(options.backend.toStdString());
        } catch (const Error&) {
            return fail(QStringLiteral("Unknown backend '%1': choose Auto, a GPU or CPU in Settings.").arg(options.backend), false);
        }

        GgufFile file = GgufFile::open(std::filesystem::path(QFile::encodeName(path).toStdString()));
        if (loadCancelled(loadId))
            return fail(cancelledMessage, true);
        Q_EMIT loadProgress(loadId, 0.05, QStringLiteral("checking the model"));
        auto model = Model::load(std::move(file));
        if (!model->hasTokenizer())
            throw ModelError(model->file().name() +
                             ": the file has no tokenizer (tokenizer.ggml.* metadata), so it cannot chat; "
                             "use a model file that includes its vocabulary");
        template_ = std::make_unique<ChatTemplate>(ChatTemplate::fromModel(model->file()));
        model_ = std::move(model);
        if (loadCancelled(loadId))
            return fail(cancelledMessage, true);
        Q_EMIT loadProgress(loadId, 0.1, QStringLiteral("reading the weights"));
        if (options.prefault && !prefault(loadId))
            return fail(cancelledMessage, true);

        // The backend: on a GPU the weights are uploaded now (the rest of the progress bar).
        Q_EMIT loadProgress(loadId, 0.6, QStringLiteral("preparing the backend"));
        backendRequest.pipelineCache = pipelineCachePath();
        backendRequest.progress = [&](uint64_t done, uint64_t total) {
            Q_EMIT loadProgress(loadId, 0.6 + 0.39 * static_cast<double>(done) / static_cast<double>(std::max<uint64_t>(total, 1)),
                                QStringLiteral("uploading the weights to the GPU"));
        };
        const BackendChoice choice = chooseBackend(*model_, backendRequest);
        backend_ = choice.backend;

        ModelInfo info;
        info.path = path;
        const auto name = model_->file().getString("general.name");
        info.name = name && !name->empty() ? QString::fromStdString(*name) : QFileInfo(path).completeBaseName();
        info.architecture = QString::fromStdString(model_->architectureName());
        info.backend = QString::fromStdString(backend_->name());
        info.device = QString::fromStdString(backend_->device());
        info.backendReason = QString::fromStdString(choice.reason);
        info.fallbackReason = choice.fellBack ? QString::fromStdString(choice.reason) : QString();
        info.chatTemplate = QString::fromStdString(template_->description());
        info.trainingContext = model_->trainingContext();
        info.weightBytes = static_cast<qint64>(model_->weightBytes());
        for (const GgufTensorInfo& t : model_->file().tensors())
            info.parameterCount += static_cast<qint64>(t.nElements);
        info.loadSeconds = secondsSince(start);
        info_ = info;
        Q_EMIT loadProgress(loadId, 1.0, QStringLiteral("ready"));
        Q_EMIT modelLoaded(loadId, info_);
    } catch (const std::bad_alloc&) {
        fail(QStringLiteral("Not enough memory to load %1: choose a smaller model or close other programs.")
                 .arg(QFileInfo(path).fileName()), false);
    } catch (const std::exception& e) {
        fail(QStringLiteral("Could not load the model: %1").arg(QString::fromStdString(e.what())), false);
    }
}

bool GenerationWorker::prefault(quint64 loadId) {
    const GgufFile& file = model_->file();
    uint64_t total = 0;
    for (const GgufTensorInfo& t : file.tensors())
        total += t.nBytes;
    if (total == 0)
        return true;
    constexpr size_t kPage = 4096;
    constexpr size_t kChunk = size_t{8} << 20;  // a cancel is checked between chunks
    uint64_t done = 0;
    unsigned sink = 0;
    auto last = Clock::now();
    for (const GgufTensorInfo& t : file.tensors()) {
        const std::span<const std::byte> data = file.tensor(t).data;
        for (size_t begin = 0; begin < data.size(); begin += kChunk) {
            const size_t end = std::min(data.size(), begin + kChunk);
            for (size_t i = begin; i < end; i += kPage)
                sink += static_cast<unsigned>(*static_cast<const volatile std::byte*>(&data[i]));
            done += end - begin;
            if (loadCancelled(loadId))
                return false;
            if (intervalPassed(last, false))
                Q_EMIT loadProgress(loadId, 0.1 + 0.9 * static_cast<double>(done) / static_cast<double>(total),
                                    QStringLiteral("reading the weights"));
        }
    }
    static_cast<void>(sink);
    return true;
}

// ---- generation ------------------------------------------------------------------------------

void GenerationWorker::forgetConversation(const QString& conversationId) {
    sessions_.forget(conversationId);
}

void GenerationWorker::generate(const GenerationRequest& request) {
    Run run{request, {}, {}, {}, {}, false, {}, nullptr};
    GenerationResult& r = run.result;
    r.requestId = request.id;
    r.conversationId = request.conversationId;
    r.seed = request.settings.sampling.seed;
    r.modelName = info_.name;
    r.promptOnly = request.promptOnly;
    tokensInFlight_.store(0, std::memory_order_release);
    const auto fail = [&](const QString& message) {
        r.finish = FinishReason::Error;
        r.error = message;
        log::get("app")->warn("generation failed: {}", message.toStdString());
    };
    try {
        runGeneration(run);
    } catch (const ContextOverflowError& e) {
        fail(QStringLiteral("The conversation does not fit the context: %1. Shorten the message or raise the "
                            "context length in Settings.").arg(QString::fromStdString(e.what())));
    } catch (const TemplateError& e) {
        fail(QStringLiteral("The model's chat template refused this conversation: %1").arg(QString::fromStdString(e.what())));
    } catch (const SamplingError& e) {
        fail(QStringLiteral("Invalid sampling settings: %1").arg(QString::fromStdString(e.what())));
    } catch (const std::bad_alloc&) {
        fail(QStringLiteral("Not enough memory for this conversation's context: lower the context length in "
                            "Settings or choose a smaller model."));
    } catch (const std::exception& e) {
        fail(QStringLiteral("Generation failed: %1").arg(QString::fromStdString(e.what())));
    }
    // Whatever was generated is sent and kept, also when it ended early.
    if (!run.pending.empty()) {
        GenerationUpdate u;
        u.requestId = request.id;
        u.conversationId = request.conversationId;
        u.delta = QString::fromUtf8(run.pending.data(), static_cast<qsizetype>(run.pending.size()));
        u.generatedTokens = r.generatedTokens;
        u.tokensPerSecond = r.tokensPerSecond;
        u.contextUsed = run.session ? run.session->size() : 0;
        u.contextSize = run.session ? run.session->contextLength() : 0;
        run.pending.clear();
        Q_EMIT textDelta(u);
    }
    r.text = QString::fromUtf8(run.text.data(), static_cast<qsizetype>(run.text.size()));
    if (run.session) {
        r.contextUsed = run.session->size();
        r.contextSize = run.session->contextLength();
    }
    tokensInFlight_.store(0, std::memory_order_release);
    Q_EMIT generationFinished(r);
}

void GenerationWorker::runGeneration(Run& run) {
    const GenerationRequest& request = run.request;
    GenerationResult& r = run.result;
    if (stopRequested(request.id))
        return;  // superseded or stopped before it began: Stopped, nothing generated
    if (!model_) {
        r.finish = FinishReason::Error;
        r.error = QStringLiteral("No model is loaded: choose a model first.");
        return;
    }
    if (!request.promptOnly)
        Q_EMIT generationStarted(request.id, request.conversationId);
    const GenerationSettings& settings = request.settings;
    Sampler sampler(settings.sampling);  // bad settings fail before any work
    std::vector<std::string> stopStrings;
    for (const QString& s : settings.stopStrings)
        stopStrings.push_back(s.toStdString());

    SessionOptions sessionOptions;
    sessionOptions.contextLength = settings.contextLength;
    sessionOptions.threads = settings.threads;
    sessionOptions.batchSize = std::max<int64_t>(1, options_.batchSize);
    sessionOptions.backend = backend_;
    Session& session = sessions_.acquire(*model_, request.conversationId, sessionOptions);
    if (!session.fallbackReason().empty() && info_.fallbackReason.isEmpty()) {
        // This conversation's session could not run on the GPU (e.g. its KV cache did not fit).
        info_.fallbackReason = QString::fromStdString(session.fallbackReason());
        Q_EMIT backendFellBack(info_.fallbackReason);
    }
    run.session = &session;
    const int64_t context = session.contextLength();

    // The prompt, with the oldest turns (never the system prompt) left out until it fits with room
    // for the answer.
    std::vector<ChatMessage> messages = chatMessages(request);
    const size_t leading = !messages.empty() && messages.front().role == "system" ? 1 : 0;
    const int64_t wanted = settings.maxTokens > 0 ? settings.maxTokens : 256;
    const int64_t reserve = std::clamp<int64_t>(wanted, 1, std::max<int64_t>(1, context / 2));
    // A prompt-only request renders the conversation as it stands: the next answer's prompt starts
    // with exactly these tokens, so all of them are reused then.
    const bool generationPrompt = !request.promptOnly;
    std::vector<int32_t> prompt = renderPrompt(*model_, *template_, messages, generationPrompt);
    while (static_cast<int64_t>(prompt.size()) + reserve > context && messages.size() > leading + 1) {
        const size_t drop = messages.size() > leading + 2 ? 2 : 1;  // a user turn and its answer
        messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(leading),
                       messages.begin() + static_cast<std::ptrdiff_t>(leading + drop));
        r.droppedMessages += static_cast<int>(drop);
        prompt = renderPrompt(*model_, *template_, messages, generationPrompt);
    }
    r.promptTokens = static_cast<qint64>(prompt.size());
    if (r.promptTokens >= context)
        throw ContextOverflowError("the prompt needs " + std::to_string(prompt.size()) + " tokens and the context holds " +
                                   std::to_string(context));

    // The prompt, in batches; a stop is checked between them.
    const auto promptStart = Clock::now();
    Clock::time_point lastProgress{};
    bool firstProgress = true;
    session.setProgress([&](int64_t evaluated, int64_t total) {
        if (intervalPassed(lastProgress, firstProgress) || evaluated == total)
            Q_EMIT promptProgress(request.id, evaluated, total);
        firstProgress = false;
        return !stopRequested(request.id);
    });
    const ProgressGuard guard{session};
    const Session::Result evaluated = session.evaluate(prompt);
    r.promptTokensReused = evaluated.reused;
    r.promptTokensEvaluated = evaluated.evaluated;
    r.promptSeconds = secondsSince(promptStart);
    if (evaluated.cancelled)
        return;  // Stopped; what was evaluated stays cached for the next try
    if (request.promptOnly) {
        r.finish = FinishReason::Prepared;
        return;
    }

    // The answer, token by token. Room: what the context has left; a stop is checked before each
    // token, so after stopUpTo() at most the token being computed then is still sampled.
    const int64_t room = context - r.promptTokens;
    const bool limitIsContext = settings.maxTokens <= 0 || settings.maxTokens > room;
    const auto limit = static_cast<int32_t>(limitIsContext ? room : settings.maxTokens);
    const Tokenizer& tokenizer = model_->tokenizer();
    StreamingDetokenizer detokenizer(tokenizer);  // whole UTF-8 characters only
    StopConditions stops(tokenizer.vocab().eogIds(), stopStrings, limit);
    std::vector<int32_t> history(prompt.begin(), prompt.end());
    run.generationStart = Clock::now();
    const auto sendIfDue = [&] {
        if (run.pending.empty() || !intervalPassed(run.lastUpdate, !run.sentAny))
            return;
        run.sentAny = true;
        GenerationUpdate u;
        u.requestId = request.id;
        u.conversationId = request.conversationId;
        u.delta = QString::fromUtf8(run.pending.data(), static_cast<qsizetype>(run.pending.size()));
        u.generatedTokens = r.generatedTokens;
        const double seconds = secondsSince(run.generationStart);
        u.tokensPerSecond = seconds > 0 ? static_cast<double>(r.generatedTokens) / seconds : 0.0;
        u.contextUsed = session.size();
        u.contextSize = context;
        run.pending.clear();
        Q_EMIT textDelta(u);
    };
    const auto add = [&](const std::string& text) {
        run.text += text;
        run.pending += text;
    };
    while (true) {
        if (stopRequested(request.id)) {
            add(stops.flush());
            r.finish = FinishReason::Stopped;
            break;
        }
        const Sampler::Result pick = sampler.sample(session.logits(), history);
        ++r.generatedTokens;
        tokensInFlight_.store(r.generatedTokens, std::memory_order_release);
        const StopCheck check = stops.feed(pick.token, detokenizer.push(pick.token));
        add(check.text);
        if (check.stopped) {
            r.finish = finishFrom(check.reason, limitIsContext);
            break;
        }
        history.push_back(pick.token);
        session.append(pick.token);
        sendIfDue();
    }
    r.generationSeconds = secondsSince(run.generationStart);
    r.tokensPerSecond = r.generationSeconds > 0 ? static_cast<double>(r.generatedTokens) / r.generationSeconds : 0.0;
}

} // namespace lamp::app
