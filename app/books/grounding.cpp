#include "books/grounding.h"

#include "books/text_normalize.h"

#include <QHash>
#include <QRegularExpression>

#include <algorithm>

namespace lamp::books {

GroundingChecker::GroundingChecker(const std::vector<Book>& catalogue) {
    for (const Book& b : catalogue) {
        authors_ << normaliseAuthor(b.author) << normaliseAuthor(b.authorZh);
        for (const QString& t : {b.title, b.originalTitle, b.titleZh, normaliseTitle(b.title)}) {
            const QString key = foldText(t);
            const bool cjk = containsCjk(key);
            if (!key.isEmpty() && !quotedTitles_.contains(key))
                quotedTitles_.insert(key, b.id);
            // Short titles would match ordinary words of running text ("We", "It"): only quoted.
            if ((cjk && key.size() >= 2) || (!cjk && key.size() >= 4))
                titles_.push_back({key, t == normaliseTitle(b.title) ? b.title : t, b.id});
        }
    }
    authors_.removeAll(QString());
    std::stable_sort(titles_.begin(), titles_.end(), [](const Title& a, const Title& b) { return a.key.size() > b.key.size(); });
}

QString GroundingChecker::resolve(const QString& quoted) const {
    QString t = quoted.trimmed();
    // "Dune by Frank Herbert", "Dune (1965)", "Dune — Frank Herbert"
    static const QRegularExpression tail(QStringLiteral("\\s+(by|—|–|-)\\s+.*$|\\s*[(（].*$"));
    t.remove(tail);
    const QString key = foldText(t);
    const QString normal = normaliseTitle(t);
    if (const auto it = quotedTitles_.find(key); it != quotedTitles_.end())
        return it.value();
    if (const auto it = quotedTitles_.find(normal); it != quotedTitles_.end())
        return it.value();
    return {};
}

GroundingReport GroundingChecker::check(const QString& answer, const QStringList& candidateIds) const {
    GroundingReport report;
    QString folded = foldText(answer);
    std::vector<std::pair<qsizetype, QString>> found; // position in folded, id
    QHash<QString, QString> writtenAs;
    for (const Title& t : titles_) {
        const bool cjk = containsCjk(t.key);
        const bool oneWord = !cjk && !t.key.contains(QLatin1Char(' '));
        for (qsizetype at = folded.indexOf(t.key); at >= 0; at = folded.indexOf(t.key, at + 1)) {
            const qsizetype end = at + t.key.size();
            if (!cjk && ((at > 0 && folded[at - 1].isLetterOrNumber()) || (end < folded.size() && folded[end].isLetterOrNumber())))
                continue;
            if (oneWord && !appearsCapitalised(answer, t.key))
                continue; // "a beloved classic" is not Beloved
            found.emplace_back(at, t.id);
            writtenAs.insert(t.id, t.exact);
            for (qsizetype i = at; i < end; ++i)
                folded[i] = QLatin1Char(' '); // "Dune Messiah" is not also "Dune"
        }
    }
    std::sort(found.begin(), found.end());
    QStringList flagged;
    for (const auto& [pos, id] : found) {
        if (candidateIds.contains(id)) {
            if (!report.mentionedCandidates.contains(id))
                report.mentionedCandidates << id;
        } else if (!flagged.contains(id)) {
            flagged << id;
            report.flags.push_back({GroundingFlag::Kind::NotACandidate, writtenAs.value(id), id});
        }
    }
    // Quoted, title-like text that is no catalogue book at all.
    static const QRegularExpression quoted(QStringLiteral(
        "《([^》]{1,60})》|“([^”]{2,80})”|\"([^\"]{2,80})\"|\\*\\*([^*]{2,80})\\*\\*|(?<!\\*)\\*([^*]{2,80})\\*(?!\\*)|_([^_]{2,80})_"));
    for (auto it = quoted.globalMatch(answer); it.hasNext();) {
        const auto m = it.next();
        QString inner;
        for (int g = 1; g <= 6 && inner.isEmpty(); ++g)
            inner = m.captured(g);
        inner = inner.trimmed();
        const bool bracket = !m.captured(1).isEmpty();
        // A quotation that looks like a title: 《》 always; otherwise a capitalised phrase of up to
        // ten words that is not a label ("Why it fits:") or a sentence.
        // Speech ("Mommy," she said) ends with punctuation or holds a comma; a label ends with a colon.
        static const QString speechEnds = QStringLiteral(",.;:!?…，。；：！？、");
        const bool titleLike = bracket ||
            (inner.size() >= 2 && (inner.front().isUpper() || containsCjk(inner)) && inner.split(QLatin1Char(' ')).size() <= 10 &&
             !speechEnds.contains(inner.back()) && !inner.contains(QLatin1String(", ")) && !inner.contains(QChar(u'，')));
        if (!titleLike)
            continue;
        if (const QString id = resolve(inner); !id.isEmpty()) {
            // A catalogue book: the running-text pass found it unless its title is too short to
            // look for there.
            if (candidateIds.contains(id)) {
                if (!report.mentionedCandidates.contains(id))
                    report.mentionedCandidates << id;
            } else if (!flagged.contains(id)) {
                flagged << id;
                report.flags.push_back({GroundingFlag::Kind::NotACandidate, inner, id});
            }
            continue;
        }
        // A quoted candidate author name or a fragment of a candidate title is not an invention.
        bool partOfKnown = false;
        const QString key = foldText(inner);
        for (const Title& t : titles_)
            if (candidateIds.contains(t.id) && t.key.contains(key))
                partOfKnown = true;
        if (partOfKnown || key.isEmpty() || authors_.contains(normaliseAuthor(inner)))
            continue;
        if (!bracket) {
            // Bold or quoted text that is a label rather than a title ("Classic", "Why it fits").
            static const QRegularExpression label(QStringLiteral("^(why|fits|note|title|author|genre|mood|pages?|year|recommendation|tip)\\b"),
                                                  QRegularExpression::CaseInsensitiveOption);
            if (label.match(inner).hasMatch())
                continue;
        }
        bool already = false;
        for (const GroundingFlag& f : report.flags)
            already = already || foldText(f.text) == key;
        if (!already)
            report.flags.push_back({GroundingFlag::Kind::NotInCatalogue, inner, {}});
    }
    return report;
}

} // namespace lamp::books
