// The grounding check of the book assistant's answers: a small model may name books that were not
// among the candidates it was given, or books that do not exist. Every catalogue title in the answer
// that is not a candidate, and every title-like quotation (《…》, “…”, "…", *…*) that is not in the
// catalogue at all, is flagged so that the window and the terminal show it as unverified, never as a
// recommendation.
#pragma once

#include "books/book.h"

#include <QHash>
#include <QString>

#include <vector>

namespace lamp::books {

struct GroundingFlag {
    enum class Kind { NotACandidate, NotInCatalogue };
    Kind kind;
    QString text;    // as written in the answer
    QString bookId;  // NotACandidate: the catalogue book it names
};

struct GroundingReport {
    QStringList mentionedCandidates;   // candidate ids named in the answer, in order of appearance
    std::vector<GroundingFlag> flags;
    bool onlyCandidates() const { return flags.empty(); }
};

class GroundingChecker {
public:
    explicit GroundingChecker(const std::vector<Book>& catalogue);
    GroundingReport check(const QString& answer, const QStringList& candidateIds) const;

private:
    struct Title {
        QString key;    // folded
        QString exact;  // the title as the catalogue writes it (shown in flags)
        QString id;
    };
    QString resolve(const QString& quoted) const; // the id of a quoted title, or empty
    std::vector<Title> titles_;                   // longest key first (found in running text)
    QHash<QString, QString> quotedTitles_;        // folded title → id, every title however short
                                                  // ("We"): matched only when quoted or emphasised
    QStringList authors_;                         // normaliseAuthor of every author: quoting one is no title
};

} // namespace lamp::books
