#include "history/history_export.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace lamp::history {

using Kind = HistoryError::Kind;

namespace {

QString isoTime(const QDateTime& time) {
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString readableTime(const QDateTime& time) {
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) + QStringLiteral(" UTC");
}

QJsonValue idOrNull(qint64 id) {
    return id == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(id);
}

QString heading(Role role) {
    switch (role) {
    case Role::System:
        return QStringLiteral("System");
    case Role::User:
        return QStringLiteral("User");
    case Role::Assistant:
        return QStringLiteral("Assistant");
    }
    return {};
}

QString finishNote(FinishReason reason) {
    switch (reason) {
    case FinishReason::Length:
        return QStringLiteral("_The answer reached the length limit._");
    case FinishReason::Stopped:
        return QStringLiteral("_Stopped by the user: the answer is incomplete._");
    case FinishReason::Interrupted:
        return QStringLiteral("_Interrupted: the answer is incomplete._");
    case FinishReason::Error:
        return QStringLiteral("_Generation failed._");
    case FinishReason::Generating:
        return QStringLiteral("_Still being written._");
    case FinishReason::Complete:
        break;
    }
    return {};
}

[[noreturn]] void badImport(const QString& why) {
    throw HistoryError(Kind::BadInput,
                       QStringLiteral("This is not a Lamplight history export: %1.").arg(why).toStdString());
}

QDateTime parseTime(const QJsonValue& value, const QString& where) {
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!time.isValid())
        badImport(QStringLiteral("%1 has no valid time").arg(where));
    return time;
}

qint64 parseId(const QJsonValue& value) {
    return value.isNull() || value.isUndefined() ? 0 : static_cast<qint64>(value.toDouble());
}

std::pair<Conversation, std::vector<Message>> parseConversation(const QJsonObject& json) {
    Conversation c;
    c.id = parseId(json.value(QLatin1String("id")));
    const QString where = QStringLiteral("conversation %1").arg(c.id);
    if (!json.value(QLatin1String("messages")).isArray())
        badImport(QStringLiteral("%1 has no message list").arg(where));
    c.title = json.value(QLatin1String("title")).toString();
    c.titleIsAuto = json.value(QLatin1String("title_is_auto")).toBool(true);
    c.created = parseTime(json.value(QLatin1String("created")), where);
    c.updated = parseTime(json.value(QLatin1String("updated")), where);
    c.model = json.value(QLatin1String("model")).toString();
    c.systemPrompt = json.value(QLatin1String("system_prompt")).toString();
    c.settings = json.value(QLatin1String("settings")).toObject();
    c.pinned = json.value(QLatin1String("pinned")).toBool();
    c.activeLeafId = parseId(json.value(QLatin1String("active_leaf_id")));
    std::vector<Message> messages;
    for (const QJsonValue& item : json.value(QLatin1String("messages")).toArray()) {
        const QJsonObject o = item.toObject();
        Message m;
        m.id = parseId(o.value(QLatin1String("id")));
        const QString at = QStringLiteral("message %1 of %2").arg(m.id).arg(where);
        m.parentId = parseId(o.value(QLatin1String("parent_id")));
        const std::optional<Role> role = roleFromName(o.value(QLatin1String("role")).toString());
        if (!role)
            badImport(QStringLiteral("%1 has an unknown role").arg(at));
        m.role = *role;
        m.text = o.value(QLatin1String("text")).toString();
        m.created = parseTime(o.value(QLatin1String("created")), at);
        m.model = o.value(QLatin1String("model")).toString();
        m.promptTokens = o.value(QLatin1String("prompt_tokens")).toInt();
        m.completionTokens = o.value(QLatin1String("completion_tokens")).toInt();
        m.generationMs = static_cast<qint64>(o.value(QLatin1String("generation_ms")).toDouble());
        m.finish = finishReasonFromName(o.value(QLatin1String("finish_reason")).toString())
                       .value_or(FinishReason::Complete);
        messages.push_back(std::move(m));
    }
    return {std::move(c), std::move(messages)};
}

Conversation requireConversation(HistoryStore& store, qint64 id) {
    std::optional<Conversation> c = store.conversation(id);
    if (!c)
        throw HistoryError(Kind::BadInput, "could not export conversation " + std::to_string(id) +
                                               ": it does not exist (or was deleted)");
    return *c;
}

} // namespace

QString toMarkdown(const Conversation& conversation, const std::vector<PathEntry>& path) {
    QString out;
    out += QStringLiteral("# %1\n\n").arg(conversation.title.isEmpty() ? QStringLiteral("New conversation")
                                                                        : conversation.title);
    if (!conversation.model.isEmpty())
        out += QStringLiteral("- Model: %1\n").arg(conversation.model);
    out += QStringLiteral("- Created: %1\n").arg(readableTime(conversation.created));
    out += QStringLiteral("- Updated: %1\n").arg(readableTime(conversation.updated));
    if (!conversation.systemPrompt.isEmpty())
        out += QStringLiteral("\n## System prompt\n\n%1\n").arg(conversation.systemPrompt);
    for (const PathEntry& entry : path) {
        const Message& m = entry.message;
        out += QStringLiteral("\n## ") + heading(m.role);
        if (m.role == Role::Assistant && !m.model.isEmpty())
            out += QStringLiteral(" (%1)").arg(m.model);
        out += QStringLiteral("\n\n");
        out += m.text;
        if (!m.text.endsWith(QLatin1Char('\n')))
            out += QLatin1Char('\n');
        if (const QString note = finishNote(m.finish); !note.isEmpty())
            out += QLatin1Char('\n') + note + QLatin1Char('\n');
    }
    return out;
}

QString exportMarkdown(HistoryStore& store, qint64 conversationId) {
    const Conversation c = requireConversation(store, conversationId);
    return toMarkdown(c, store.activePath(conversationId));
}

QJsonObject conversationToJson(const Conversation& c, const std::vector<Message>& messages) {
    QJsonArray list;
    for (const Message& m : messages) {
        list.append(QJsonObject{
            {QStringLiteral("id"), m.id},
            {QStringLiteral("parent_id"), idOrNull(m.parentId)},
            {QStringLiteral("role"), roleName(m.role)},
            {QStringLiteral("text"), m.text},
            {QStringLiteral("created"), isoTime(m.created)},
            {QStringLiteral("model"), m.model},
            {QStringLiteral("prompt_tokens"), m.promptTokens},
            {QStringLiteral("completion_tokens"), m.completionTokens},
            {QStringLiteral("generation_ms"), m.generationMs},
            {QStringLiteral("finish_reason"), finishReasonName(m.finish)},
        });
    }
    return QJsonObject{
        {QStringLiteral("id"), c.id},
        {QStringLiteral("title"), c.title},
        {QStringLiteral("title_is_auto"), c.titleIsAuto},
        {QStringLiteral("created"), isoTime(c.created)},
        {QStringLiteral("updated"), isoTime(c.updated)},
        {QStringLiteral("model"), c.model},
        {QStringLiteral("system_prompt"), c.systemPrompt},
        {QStringLiteral("settings"), c.settings},
        {QStringLiteral("pinned"), c.pinned},
        {QStringLiteral("active_leaf_id"), idOrNull(c.activeLeafId)},
        {QStringLiteral("messages"), list},
    };
}

QByteArray exportConversationJson(HistoryStore& store, qint64 conversationId) {
    const Conversation c = requireConversation(store, conversationId);
    const QJsonObject root{
        {QStringLiteral("format"), QStringLiteral("lamplight-conversation")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("conversation"), conversationToJson(c, store.allMessages(conversationId))},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QByteArray exportAllJson(HistoryStore& store) {
    QJsonArray list;
    for (const SidebarEntry& entry : store.listConversations()) {
        const std::optional<Conversation> c = store.conversation(entry.id);
        if (c)
            list.append(conversationToJson(*c, store.allMessages(entry.id)));
    }
    const QJsonObject root{
        {QStringLiteral("format"), QStringLiteral("lamplight-history")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("conversations"), list},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

int importJson(HistoryStore& store, const QByteArray& json) {
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        badImport(QStringLiteral("the JSON is invalid at byte %1 (%2)").arg(error.offset).arg(error.errorString()));
    const QJsonObject root = document.object();
    const QString format = root.value(QLatin1String("format")).toString();
    QJsonArray conversations;
    if (format == QLatin1String("lamplight-history"))
        conversations = root.value(QLatin1String("conversations")).toArray();
    else if (format == QLatin1String("lamplight-conversation"))
        conversations.append(root.value(QLatin1String("conversation")));
    else
        badImport(QStringLiteral("its \"format\" field is \"%1\"").arg(format));
    if (root.value(QLatin1String("version")).toInt() != 1)
        badImport(QStringLiteral("its version %1 is unknown (this Lamplight reads version 1)")
                      .arg(root.value(QLatin1String("version")).toInt()));

    // Everything is parsed before anything is written; the writes are one transaction. The list is
    // newest first, so it is imported backwards: newer conversations get larger ids, as they had.
    std::vector<std::pair<Conversation, std::vector<Message>>> parsed;
    for (const QJsonValue& value : conversations)
        parsed.push_back(parseConversation(value.toObject()));
    HistoryStore::Batch batch(store);
    for (auto it = parsed.rbegin(); it != parsed.rend(); ++it)
        store.importConversation(it->first, it->second);
    batch.commit();
    return static_cast<int>(parsed.size());
}

void saveExport(const QString& path, const QByteArray& contents) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size() || !file.commit())
        throw HistoryError(Kind::CannotOpen, QStringLiteral("Could not write the export to %1: %2. Choose another "
                                                            "folder or free some disk space.")
                                                 .arg(path, file.errorString())
                                                 .toStdString());
}

} // namespace lamp::history
