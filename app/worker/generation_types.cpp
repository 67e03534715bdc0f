#include "worker/generation_types.h"

namespace lamp::app {

QList<ChatTurn> ChatTurn::fromVariantList(const QVariantList& list) {
    QList<ChatTurn> turns;
    turns.reserve(list.size());
    for (const QVariant& item : list) {
        const QVariantMap map = item.toMap();
        const QString role = map.value(QStringLiteral("role")).toString();
        if (!role.isEmpty())
            turns.append({role, map.value(QStringLiteral("content")).toString()});
    }
    return turns;
}

QVariantList ChatTurn::toVariantList(const QList<ChatTurn>& turns) {
    QVariantList list;
    list.reserve(turns.size());
    for (const ChatTurn& t : turns)
        list.append(QVariantMap{{QStringLiteral("role"), t.role}, {QStringLiteral("content"), t.content}});
    return list;
}

GenerationSettings GenerationSettings::fromVariantMap(const QVariantMap& map) {
    GenerationSettings s;
    const auto number = [&](const char* key, auto& field) {
        const auto it = map.constFind(QLatin1String(key));
        if (it == map.constEnd())
            return;
        using T = std::remove_reference_t<decltype(field)>;
        if constexpr (std::is_floating_point_v<T>)
            field = static_cast<T>(it->toDouble());
        else
            field = static_cast<T>(it->toLongLong());
    };
    number("temperature", s.sampling.temperature);
    number("topK", s.sampling.topK);
    number("topP", s.sampling.topP);
    number("minP", s.sampling.minP);
    number("repeatPenalty", s.sampling.repeatPenalty);
    number("repeatLastN", s.sampling.repeatLastN);
    number("frequencyPenalty", s.sampling.frequencyPenalty);
    number("presencePenalty", s.sampling.presencePenalty);
    if (map.contains(QStringLiteral("seed")))
        s.sampling.seed = map.value(QStringLiteral("seed")).toULongLong();
    number("maxTokens", s.maxTokens);
    number("contextLength", s.contextLength);
    number("threads", s.threads);
    s.systemPrompt = map.value(QStringLiteral("systemPrompt")).toString();
    s.stopStrings = map.value(QStringLiteral("stopStrings")).toStringList();
    return s;
}

ModelLoadOptions ModelLoadOptions::fromVariantMap(const QVariantMap& map) {
    ModelLoadOptions o;
    o.backend = map.value(QStringLiteral("backend"), o.backend).toString();
    o.prefault = map.value(QStringLiteral("prefault"), o.prefault).toBool();
    o.batchSize = map.value(QStringLiteral("batchSize"), qint64(o.batchSize)).toLongLong();
    o.maxSessions = map.value(QStringLiteral("maxSessions"), o.maxSessions).toInt();
    o.sessionBudgetBytes = map.value(QStringLiteral("sessionBudgetBytes"), qint64(o.sessionBudgetBytes)).toLongLong();
    return o;
}

QString finishReasonKey(FinishReason reason) {
    switch (reason) {
    case FinishReason::EndOfGeneration: return QStringLiteral("end_of_generation");
    case FinishReason::StopString: return QStringLiteral("stop_string");
    case FinishReason::MaxLength: return QStringLiteral("max_length");
    case FinishReason::ContextFull: return QStringLiteral("context_full");
    case FinishReason::Stopped: return QStringLiteral("stopped");
    case FinishReason::Error: return QStringLiteral("error");
    case FinishReason::Prepared: return QStringLiteral("prepared");
    }
    return QStringLiteral("error");
}

QString finishReasonText(FinishReason reason) {
    switch (reason) {
    case FinishReason::EndOfGeneration: return QStringLiteral("end of generation");
    case FinishReason::StopString: return QStringLiteral("stop string");
    case FinishReason::MaxLength: return QStringLiteral("maximum length");
    case FinishReason::ContextFull: return QStringLiteral("context full");
    case FinishReason::Stopped: return QStringLiteral("stopped by user");
    case FinishReason::Error: return QStringLiteral("error");
    case FinishReason::Prepared: return QStringLiteral("prompt evaluated");
    }
    return QStringLiteral("error");
}

QString GenerationResult::finishKey() const {
    return finishReasonKey(finish);
}

void registerGenerationTypes() {
    qRegisterMetaType<ModelLoadOptions>();
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<TitleRequest>();
    qRegisterMetaType<GenerationUpdate>();
    qRegisterMetaType<GenerationResult>();
}

} // namespace lamp::app
