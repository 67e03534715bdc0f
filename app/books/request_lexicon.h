// The words and phrases, English and Chinese, that the request parser recognises: genre and mood
// names and their everyday synonyms, length, age, pace and origin. Data, kept apart from the
// parsing logic so that it can grow without touching the parser.
#pragma once

#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <vector>

namespace lamp::books {

struct LexiconEntry {
    // GenreHint: a topic word that suggests a genre ("space", "魔法") without limiting to it, and stays a
    // keyword. Easy: "for beginners", "通俗": nothing challenging. Topic: a theme whose values are extra
    // keywords (the catalogue's English tags for a Chinese word, "world war ii" for "WWII").
    enum class Kind { Genre, GenreHint, Mood, Length, Age, Pace, Origin, Fiction, NonFiction, Easy, Topic, Stop };
    QString phrase;   // folded (foldText): lowercase, punctuation as spaces
    Kind kind;
    QStringList values; // genres, moods, "short"/"long", "children"/"teen", "fast"/"slow", a language code
    bool cjk = false;   // matched as a substring (Chinese has no spaces) rather than as whole words
    QRegularExpression wholeWords; // English: the phrase as whole words with an optional plural ending
};

// Every entry, longest phrase first (so "historical fiction" wins over "fiction").
const std::vector<LexiconEntry>& requestLexicon();

// Words that carry no topic in a request ("recommend", "book", "我想", "一本"): never keywords.
bool isEnglishStopword(const QString& word);
// Chinese filler phrases removed before the rest is used as keywords, longest first.
const QStringList& chineseStopPhrases();

} // namespace lamp::books
