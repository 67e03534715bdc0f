// Export of conversations to Markdown (the branch on screen, for reading and sharing) and JSON (every
// message and branch, for keeping and re-importing), and of the whole history to one JSON file.
//
// JSON layout (keys sorted, times ISO 8601 UTC with milliseconds):
//   {"format": "lamplight-history", "version": 1, "conversations": [<conversation>, ...]}
//   {"format": "lamplight-conversation", "version": 1, "conversation": <conversation>}
//   <conversation> = {"id", "title", "title_is_auto", "created", "updated", "model", "system_prompt",
//                     "settings": {...}, "pinned", "active_leaf_id" (null when empty), "messages": [...]}
//   <message> = {"id", "parent_id" (null for a root), "role", "text", "created", "model",
//                "prompt_tokens", "completion_tokens", "generation_ms", "finish_reason"}
#pragma once

#include "history/history_store.h"

#include <QByteArray>
#include <QJsonObject>

namespace lamp::history {

// The active path as Markdown. Throws HistoryError (BadInput) for an unknown conversation.
QString exportMarkdown(HistoryStore& store, qint64 conversationId);
QString toMarkdown(const Conversation& conversation, const std::vector<PathEntry>& path);

// One conversation with all its branches.
QJsonObject conversationToJson(const Conversation& conversation, const std::vector<Message>& messages);
QByteArray exportConversationJson(HistoryStore& store, qint64 conversationId);

// Every live conversation, pinned and newest first.
QByteArray exportAllJson(HistoryStore& store);

// Adds the conversations of an export (either kind) to the store, all or nothing; ids are renumbered.
// Returns how many. Throws HistoryError (BadInput) for a file that is not a Lamplight export.
int importJson(HistoryStore& store, const QByteArray& json);

// Writes an export safely (QSaveFile: the old file stays until the new one is complete). Throws
// HistoryError with the reason (disk full, no permission, ...).
void saveExport(const QString& path, const QByteArray& contents);

} // namespace lamp::history
