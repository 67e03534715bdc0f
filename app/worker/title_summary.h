// A short title for a new conversation, written by the loaded model after its first answer: the
// fixed prompt it is asked with and the cleaning of what it writes. The generation itself runs in
// GenerationWorker::summarizeTitle() (title_worker.cpp), on a session of its own.
#pragma once

#include <QString>

namespace lamp::app {

// A title has at most this many words and characters (cut at a word's end); text without spaces
// (Chinese, Japanese) at most kTitleMaxUnspacedChars characters, about eight words' worth ...
constexpr int kTitleMaxWords = 8;
constexpr int kTitleMaxChars = 60;
constexpr int kTitleMaxUnspacedChars = 24;
// ... and the model writes at most this many tokens of it (greedy).
constexpr int kTitleMaxTokens = 16;
// Each side of the first exchange is cut to this many characters before it goes into the prompt:
// the start says what a conversation is about, and a short prompt keeps the title cheap.
constexpr int kTitleExcerptChars = 600;

// The one user message the model is asked: write a title for this exchange, in its language.
// `excerptChars` cuts each text (with "…") so the prompt fits a small context.
QString titlePrompt(const QString& userText, const QString& answerText, int excerptChars = kTitleExcerptChars);

// What the model wrote → a title: the first non-empty line, without a "Title:" label, markdown
// emphasis, surrounding quotes or brackets and trailing punctuation, spaces collapsed, at most
// kTitleMaxWords words and kTitleMaxChars (kTitleMaxUnspacedChars) characters. "" when nothing
// usable is left.
QString cleanTitle(const QString& raw);

} // namespace lamp::app
