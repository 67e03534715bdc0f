#include "books/retriever.h"

#include "books/text_normalize.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace lamp::books {

namespace {

const QStringList& fictionGenres() {
    static const QStringList g = {"literary-fiction", "classic", "science-fiction", "fantasy", "mystery", "thriller",
                                  "horror", "romance", "historical-fiction", "wuxia", "humor", "short-stories",
                                  "poetry", "drama", "young-adult", "children", "graphic-novel"};
    return g;
}

// A book is what its main genre says (the catalogue lists it first); "classic" says nothing about
// the kind, so the next genre decides. Bryson's humorous popular science is not fiction.
QString mainKind(const Book& b) {
    for (const QString& g : b.genres)
        if (g != QLatin1String("classic"))
            return g;
    return b.genres.isEmpty() ? QString() : b.genres.front();
}

bool isFiction(const Book& b) {
    return b.genres.isEmpty() || fictionGenres().contains(mainKind(b));
}

// "A novel", "小说": prose fiction, not a play or verse (unless those were asked for by name).
bool isProseFiction(const Book& b, const QStringList& wanted) {
    const QString kind = mainKind(b);
    if ((kind == QLatin1String("poetry") || kind == QLatin1String("drama")) && !wanted.contains(kind))
        return false;
    return isFiction(b);
}

bool isNonFiction(const Book& b) {
    return std::any_of(b.genres.begin(), b.genres.end(), [](const QString& g) { return !fictionGenres().contains(g); });
}

double jaccard(const QStringList& a, const QStringList& b) {
    if (a.isEmpty() || b.isEmpty())
        return 0;
    int shared = 0;
    for (const QString& x : a)
        if (b.contains(x))
            ++shared;
    return static_cast<double>(shared) / static_cast<double>(a.size() + b.size() - shared);
}

bool ageFits(const QString& wanted, const Book& b) {
    if (wanted.isEmpty() || b.age.isEmpty())
        return true;
    if (wanted == QLatin1String("children"))
        return b.age == QLatin1String("children") || b.age == QLatin1String("all");
    if (wanted == QLatin1String("teen"))
        return b.age == QLatin1String("teen") || b.age == QLatin1String("all");
    if (wanted == QLatin1String("adult"))
        return b.age != QLatin1String("children");
    return true;
}

bool lengthFits(const QString& wanted, const Book& b) {
    if (wanted.isEmpty())
        return true;
    if (wanted == QLatin1String("not-long"))
        return b.length.isEmpty() ? b.pages <= 450 : b.length != QLatin1String("long");
    if (!b.length.isEmpty())
        return b.length == wanted;
    if (b.pages <= 0)
        return true;
    return wanted == QLatin1String("short") ? b.pages < 200 : b.pages > 450;
}

} // namespace

Retriever::Retriever(const BookDatabase& db) : db_(db) { reload(); }

void Retriever::reload() {
    books_ = db_.allBooks();
    index_.clear();
    for (qsizetype i = 0; i < static_cast<qsizetype>(books_.size()); ++i)
        index_.insert(books_[static_cast<size_t>(i)].id, i);
    states_.clear();
    for (const UserBookState& s : db_.userStates())
        states_.insert(s.bookId, s);
    haystacks_.clear();
    for (const Book& b : books_)
        haystacks_.insert(b.id, QLatin1Char(' ') + foldText(QStringList{b.title, b.originalTitle, b.author, b.tags.join(QLatin1Char(' ')),
                                                                          b.genres.join(QLatin1Char(' ')), b.descriptionEn}.join(QLatin1Char(' '))) +
                                    QLatin1Char(' '));
    // How many books use a word: a one-word title that is also an everyday word of the catalogue
    // ("China" of "China: A Macro History") names a country, not the book.
    auto commonWord = [&](const QString& word) {
        const QString w = QLatin1Char(' ') + word + QLatin1Char(' ');
        int n = 0;
        for (const QString& h : haystacks_)
            n += h.contains(w);
        return n > 3;
    };
    titleKeys_.clear();
    for (const Book& b : books_)
        for (const QString& t : {b.title, b.originalTitle, b.titleZh, normaliseTitle(b.title)}) {
            const QString key = foldText(t);
            const bool cjk = containsCjk(key);
            // A one-word key that is only part of the title ("Sapiens" of "Sapiens: A Brief History
            // of Humankind") counts when the word is rare in the catalogue.
            const bool oneWordPart = !cjk && !key.contains(QLatin1Char(' ')) && key != foldText(b.title) &&
                                     key != foldText(b.originalTitle) && commonWord(key);
            if (((cjk && key.size() >= 2) || (!cjk && key.size() >= 4)) && !oneWordPart)
                titleKeys_.emplace_back(key, b.id);
        }
    std::stable_sort(titleKeys_.begin(), titleKeys_.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    authorKeys_.clear();
    QSet<QString> seen;
    for (const Book& b : books_)
        for (const QString& name : {b.author, b.authorZh}) {
            const QString key = foldText(name);
            if (key.size() >= (containsCjk(key) ? 2 : 5) && !seen.contains(key)) {
                seen.insert(key);
                authorKeys_.emplace_back(key, normaliseAuthor(b.author));
            }
        }
}

QStringList Retriever::findMentionedAuthors(const QString& text) const {
    const QString folded = QLatin1Char(' ') + foldText(text) + QLatin1Char(' ');
    QStringList out;
    for (const auto& [key, author] : authorKeys_) {
        const bool found = containsCjk(key) ? folded.contains(key) : folded.contains(QLatin1Char(' ') + key + QLatin1Char(' '));
        if (found && !out.contains(author))
            out << author;
    }
    return out;
}

QStringList Retriever::booksBy(const QString& author) const {
    QStringList ids;
    for (const Book& b : books_)
        if (normaliseAuthor(b.author) == author)
            ids << b.id;
    return ids;
}

const Book* Retriever::find(const QString& id) const {
    const auto it = index_.constFind(id);
    return it == index_.constEnd() ? nullptr : &books_[static_cast<size_t>(*it)];
}

QStringList Retriever::findMentioned(const QString& text) const {
    QString folded = foldText(text);
    QStringList ids;
    for (const auto& [key, id] : titleKeys_) {
        qsizetype at = folded.indexOf(key);
        while (at >= 0) {
            const qsizetype end = at + key.size();
            const bool cjk = containsCjk(key);
            const bool bounded = cjk || ((at == 0 || !folded[at - 1].isLetterOrNumber()) &&
                                         (end >= folded.size() || !folded[end].isLetterOrNumber()));
            // A one-word English title ("Dune", "Beloved") counts only when written capitalised:
            // "a beloved classic" names no book.
            const bool oneWord = !cjk && !key.contains(QLatin1Char(' '));
            const bool capitalised = !oneWord || appearsCapitalised(text, key);
            if (bounded && capitalised) {
                if (!ids.contains(id))
                    ids << id;
                for (qsizetype i = at; i < end; ++i)
                    folded[i] = QLatin1Char(' '); // "Dune Messiah" is not also "Dune"
                break;
            }
            at = folded.indexOf(key, at + 1);
        }
    }
    return ids;
}

double Retriever::similarity(const Book& a, const Book& b) {
    // The weights add up to 1.
    double s = 0.3 * jaccard(a.genres, b.genres) + 0.15 * jaccard(a.moods, b.moods) + 0.15 * jaccard(a.tags, b.tags);
    if (!a.author.isEmpty() && QString::compare(a.author, b.author, Qt::CaseInsensitive) == 0) // (hot: no normalising)
        s += 0.2;
    // The same literary tradition: "like 《活着》" means Chinese fiction of that kind first.
    if (!a.language.isEmpty() && a.language == b.language)
        s += 0.1;
    if (!a.pace.isEmpty() && a.pace == b.pace)
        s += 0.05;
    if (!a.age.isEmpty() && a.age == b.age)
        s += 0.05;
    return s;
}

std::vector<ScoredBook> Retriever::pass(const RetrievalQuery& q, bool strict, const QHash<QString, double>& text,
                                        const QHash<QString, double>& refused) const {
    const ParsedRequest& w = q.wishes;
    std::vector<const Book*> examples;
    for (const QString& id : q.exampleIds)
        if (const Book* b = find(id))
            examples.push_back(b);
    std::vector<std::pair<const Book*, double>> liked; // rating-weighted: 5 -> +1, 4 -> +0.5, 2 -> -0.5, 1 -> -1
    for (const UserBookState& s : states_)
        if (s.rating > 0 && s.rating != 3)
            if (const Book* b = find(s.bookId))
                liked.emplace_back(b, (s.rating - 3.0) / 2.0);

    static const QStringList subjects = {"history", "politics", "economics", "sociology", "travel"};
    const bool subjectGenre = std::any_of(w.genres.begin(), w.genres.end(), [](const QString& g) { return subjects.contains(g); });
    std::vector<ScoredBook> out;
    for (const Book& b : books_) {
        // A named book is not its own recommendation; an author's books named for "like <author>"
        // stay candidates (a reader asking for "汪曾祺那种散文" is glad of 汪曾祺 too).
        if (q.excludeIds.contains(b.id) ||
            (q.exampleIds.contains(b.id) && !q.likeAuthors.contains(normaliseAuthor(b.author))))
            continue;
        const auto st = states_.constFind(b.id);
        if (st != states_.constEnd() &&
            (st->shelf == Shelf::Read || st->shelf == Shelf::CurrentlyReading || st->notInterested))
            continue;
        if (std::any_of(b.genres.begin(), b.genres.end(), [&](const QString& g) { return w.excludedGenres.contains(g); }))
            continue;
        if (q.maxPages > 0 && b.pages > 0 && b.pages >= q.maxPages)
            continue;
        if (q.minPages > 0 && b.pages > 0 && b.pages <= q.minPages)
            continue;
        if (!ageFits(w.age, b))
            continue;
        if ((w.minYear != 0 && b.year != 0 && b.year < w.minYear) || (w.maxYear != 0 && b.year != 0 && b.year >= w.maxYear))
            continue;
        const qsizetype genreHits =
            std::count_if(b.genres.begin(), b.genres.end(), [&](const QString& g) { return w.genres.contains(g); });
        if (strict) {
            if (!w.genres.isEmpty() && genreHits == 0)
                continue;
            if (!lengthFits(w.length, b))
                continue;
            if (w.nonFiction && !w.fiction && !isNonFiction(b))
                continue;
            if (w.fiction && !w.nonFiction && !isProseFiction(b, w.genres))
                continue;
        }

        ScoredBook s{b, 0, {}};
        if (genreHits > 0) {
            // Each genre phrase of the request that the book fits counts: "classic Japanese manga"
            // prefers a classic manga to a classic or a manga. "Classic" is more a seal of quality
            // than a kind of book, so it counts half.
            if (w.genreGroups.isEmpty()) {
                s.score += 2.0;
            } else {
                for (const QStringList& group : w.genreGroups)
                    if (std::any_of(b.genres.begin(), b.genres.end(), [&](const QString& g) { return group.contains(g); }))
                        s.score += group == QStringList{QStringLiteral("classic")} ? 1.0 : 2.0;
            }
            for (const QString& g : b.genres)
                if (w.genres.contains(g))
                    s.reasons << g;
            // The catalogue lists a book's main genre first: a book that is above all what was
            // asked for beats one that is it in passing.
            if (w.genres.contains(b.genres.front()))
                s.score += 0.5;
        }
        for (const QString& m : b.moods) {
            if (w.moods.contains(m)) {
                s.score += 1.5;
                s.reasons << m;
            }
            if (w.excludedMoods.contains(m))
                s.score -= 3.0;
        }
        if (!b.moods.isEmpty() && w.moods.contains(b.moods.front()))
            s.score += 0.4; // the book's main mood, as for genres
        if (q.maxPages > 0 || q.minPages > 0) {
            s.score += 0.5; // (books outside the page limit were left out above)
            s.reasons << QStringLiteral("%1 pages").arg(b.pages);
        }
        if (!w.length.isEmpty() && lengthFits(w.length, b)) {
            s.score += 0.5;
            s.reasons << QStringLiteral("%1 pages").arg(b.pages);
        }
        // Topic words suggest a genre: alone they choose, beside a named genre they refine ("literary
        // novels with a clone" prefer the literary novel that is also science fiction).
        for (const QString& g : b.genres)
            if (w.hintGenres.contains(g)) {
                s.score += genreHits == 0 ? 1.2 : 0.8;
                if (!s.reasons.contains(g))
                    s.reasons << g;
                break;
            }
        if (w.easy) {
            if (b.moods.contains(QStringLiteral("challenging")))
                s.score -= 2.0;
            else
                s.score += 0.3;
        }
        if (w.preferAfter != 0 && b.year >= w.preferAfter) {
            s.score += 1.0;
            s.reasons << QStringLiteral("published %1").arg(b.year);
        }
        if (w.preferBefore != 0 && b.year != 0 && b.year < w.preferBefore) {
            s.score += 1.0;
            s.reasons << (b.year < 0 ? QStringLiteral("written about %1 BCE").arg(-b.year) : QStringLiteral("written %1").arg(b.year));
        }
        if (!w.pace.isEmpty() && !b.pace.isEmpty()) {
            if (b.pace == w.pace) {
                s.score += 0.8;
                s.reasons << QStringLiteral("%1-paced").arg(b.pace);
            } else if (b.pace != QLatin1String("medium")) {
                s.score -= 0.4;
            }
        }
        if (w.origin == QLatin1String("foreign")) {
            if (b.language == QLatin1String("zh"))
                s.score -= 2.0;
        } else if (!w.origin.isEmpty() && b.language == w.origin) {
            // In "modern Chinese history" the country is the subject, which foreign historians write
            // about too: the original language counts for less beside such a genre.
            s.score += subjectGenre ? 0.8 : 2.0;
            s.reasons << QStringLiteral("written in %1").arg(b.language);
        }
        if (w.age.isEmpty() && b.age == QLatin1String("children") && !w.genres.contains(QStringLiteral("children")))
            s.score -= 1.6; // picture books rarely answer an adult's request
        if (!w.age.isEmpty()) // (books of other ages were left out above): written for that age beats for all ages
            s.score += b.age == w.age ? 1.0 : 0.4;
        s.score -= 3.0 * refused.value(b.id);
        {
            const double t = text.value(b.id);
            if (t > 0) {
                // Topic words decide when the request names no genre; beside a genre they refine.
                s.score += (w.genres.isEmpty() ? 3.0 : 2.0) * t;
                if (t >= 0.3)
                    s.reasons << QStringLiteral("matches your words");
            }
        }
        // Similarity to the examples on average: with several (an author's books) what they share
        // counts, not the one that happens to be closest.
        double meanExample = 0, bestExample = 0;
        const Book* closest = nullptr;
        for (const Book* e : examples) {
            const double sim = similarity(*e, b);
            meanExample += sim / static_cast<double>(examples.size());
            if (sim > bestExample) {
                bestExample = sim;
                closest = e;
            }
        }
        if (closest) {
            s.score += 5.0 * meanExample;
            if (meanExample > 0.2)
                s.reasons << QStringLiteral("like %1").arg(closest->title);
        }
        double taste = 0;
        for (const auto& [rated, weight] : liked)
            taste += weight * similarity(*rated, b);
        if (!liked.empty()) {
            s.score += 2.0 * taste / static_cast<double>(liked.size());
            if (taste > 0.3)
                s.reasons << QStringLiteral("close to books you rated highly");
        }
        if (st != states_.constEnd() && st->shelf == Shelf::ToRead) {
            s.score += 1.5;
            s.reasons << QStringLiteral("on your to-read shelf");
        }
        out.push_back(std::move(s));
    }
    return out;
}

QHash<QString, double> Retriever::textScores(const QStringList& terms) const {
    // Each term adds its rarity (idf) times how well the book matches it relative to the best match
    // of that term; dividing by the summed rarity gives 0..1, so a book matching every informative
    // word scores 1 however many words the request has, and common words weigh little.
    QHash<QString, double> text;
    if (terms.isEmpty())
        return text;
    const double n = static_cast<double>(books_.size());
    double totalIdf = 0;
    for (BookDatabase::TermHits& hits : db_.fullText(terms)) {
        // The trigram index matches inside words ("teen" in "fifteen", "war" in "award"); an
        // English term must start a word (it may end inside one: "stor" finds "story", "stories").
        if (!containsCjk(hits.term)) {
            const QString start = QLatin1Char(' ') + hits.term;
            for (auto it = hits.scores.begin(); it != hits.scores.end();)
                it = haystacks_.value(it.key()).contains(start) ? std::next(it) : hits.scores.erase(it);
        }
        if (hits.scores.isEmpty())
            continue;
        const double idf = std::log(1.0 + n / static_cast<double>(hits.scores.size()));
        double best = 0;
        for (const double v : hits.scores)
            best = std::max(best, v);
        totalIdf += idf;
        for (auto it = hits.scores.constBegin(); it != hits.scores.constEnd(); ++it)
            text[it.key()] += idf * it.value() / best;
    }
    for (double& v : text)
        v /= totalIdf;
    return text;
}

std::vector<ScoredBook> Retriever::retrieve(const RetrievalQuery& query, int limit) const {
    // Topic words that are part of an example's title do not search for the example's namesakes.
    QStringList terms;
    for (const QString& k : query.wishes.keywords) {
        bool inTitle = false;
        for (const QString& id : query.exampleIds)
            if (const Book* b = find(id))
                inTitle = inTitle || foldText(b->title + QLatin1Char(' ') + b->titleZh + QLatin1Char(' ') + b->originalTitle).contains(k);
        if (!inTitle)
            terms << k;
    }
    const QHash<QString, double> text = textScores(terms);
    const QHash<QString, double> refused = textScores(query.wishes.excludedKeywords);

    std::vector<ScoredBook> scored = pass(query, /*strict=*/true, text, refused);
    const bool anyWish = !query.wishes.isVague() || !query.exampleIds.isEmpty();
    auto relevant = [&](const std::vector<ScoredBook>& v) {
        return std::count_if(v.begin(), v.end(), [&](const ScoredBook& s) { return s.score > 0 || !anyWish; });
    };
    if (relevant(scored) < std::min(limit, 3)) {
        // Too strict for this catalogue: relax the genre and length limits (refusals stay).
        std::vector<ScoredBook> relaxed = pass(query, /*strict=*/false, text, refused);
        for (ScoredBook& s : relaxed)
            s.partial = true; // ranked below everything the strict pass kept (see the sort)
        QSet<QString> have;
        for (const ScoredBook& s : scored)
            have.insert(s.book.id);
        for (ScoredBook& s : relaxed)
            if (!have.contains(s.book.id))
                scored.push_back(std::move(s));
    }
    if (anyWish) {
        // Books that fit nothing that was asked are no answer: better none (the assistant then
        // says so and asks again) than an arbitrary list.
        const auto firstIrrelevant = std::stable_partition(scored.begin(), scored.end(),
                                                           [](const ScoredBook& s) { return s.score > 0; });
        scored.erase(firstIrrelevant, scored.end());
    }
    std::stable_sort(scored.begin(), scored.end(), [](const ScoredBook& a, const ScoredBook& b) {
        return a.partial != b.partial ? !a.partial : a.score > b.score;
    });
    if (static_cast<int>(scored.size()) > limit)
        scored.resize(static_cast<size_t>(limit));
    return scored;
}

} // namespace lamp::books
