// Reads what a user asks for in one chat turn, in English or Chinese: wanted and unwanted genres,
// moods, length, age, pace, origin, topic keywords, books named as examples ("like Dune", "类似《活着》"),
// and follow-ups that refer to the previous answer ("something shorter", "换一本", "more like the
// second one"). Rule-based and deterministic: it runs on every turn before the model sees anything.
#pragma once

#include <QString>
#include <QStringList>

namespace lamp::books {

struct ParsedRequest {
    QString language = QStringLiteral("en"); // the request's language: "zh" when it has Chinese text
    QStringList genres;          // any of these
    QList<QStringList> genreGroups; // one per genre phrase ("classic Japanese manga": {classic}, {graphic-novel}):
                                    // a book matching more groups fits better
    QStringList excludedGenres;  // none of these ("not sci-fi", "不要科幻")
    QStringList hintGenres;      // suggested by topic words ("space", "魔法"): preferred, not required
    bool easy = false;           // "for beginners", "通俗": nothing challenging
    QStringList moods;
    QStringList excludedMoods;   // "nothing too dark"
    QString length;              // "short" | "long" | "not-long" | ""
    QString age;                 // "children" | "teen" | "adult" ("for grown-ups": nothing for children) | ""
    QString pace;                // "fast" | "slow" | ""
    int minYear = 0;             // "published after 1990", "1990年以后": strictly; 0 = none
    int maxYear = 0;             // "written before 1900"
    int preferAfter = 0;         // "contemporary", "当代": newer books preferred (not required)
    int preferBefore = 0;        // "classical", "古典", "先秦": older books preferred (not required)
    QString origin;              // ISO 639-1 of the original language ("Japanese novels"), or ""
    bool fiction = false;        // "a novel", "小说"
    bool nonFiction = false;
    QStringList keywords;        // folded topic terms for full-text search
    QStringList excludedKeywords; // themes refused ("除了儒家以外"): books matching them rank lower
    QStringList quotedTitles;    // text in 《》 or quotes: named books
    bool shorter = false;        // "something shorter", "短一点"
    bool longer = false;
    bool another = false;        // "another one", "换一本": same wishes, new books
    int moreLikeIndex = -1;      // "more like the second one" -> 1; -2 = "the last one"
    bool likeCue = false;        // "like", "similar to", "类似", "像": named books are examples

    // True when the turn says nothing to choose by (a greeting, "recommend me a good book").
    bool isVague() const;
    // True when the turn only steers the previous answer (shorter, another, more like #2, a filter).
    bool isFollowUp() const { return shorter || longer || another || moreLikeIndex != -1; }
};

ParsedRequest parseRequest(const QString& text);

} // namespace lamp::books
