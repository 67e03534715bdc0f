#include "books/book_assistant.h"

#include "books/reason_text.h"

#include "books/text_normalize.h"

#include <algorithm>

namespace lamp::books {

namespace {

void replaceIfGiven(QString& kept, const QString& given) {
    if (!given.isEmpty())
        kept = given;
}

} // namespace

BookAssistant::BookAssistant(const Retriever& retriever, int candidates) : retriever_(retriever), count_(candidates) {}

QString BookAssistant::systemPrompt() {
    return QStringLiteral(
        "You are Lamplight's book assistant, a friendly librarian. Each user message comes with a list of "
        "candidate books from the user's catalogue. Recommend only books from that list, never any other book, "
        "and never invent titles. Recommend two or three of them: for each give the title, the author and one "
        "sentence on why it fits the request. Keep the answer short and warm. Answer in the language the user "
        "writes in. If no candidate fits, say so and ask what they would like instead.");
}

void BookAssistant::reset() {
    state_ = {};
    last_.clear();
    shown_.clear();
    refused_.clear();
    asked_ = false;
}

void BookAssistant::markRead(const QString& bookId) {
    if (!refused_.contains(bookId))
        refused_ << bookId;
}

void BookAssistant::notInterested(const QString& bookId) { markRead(bookId); }

RetrievalQuery BookAssistant::merge(const ParsedRequest& p, const QString& text) const {
    RetrievalQuery q = state_;
    ParsedRequest& w = q.wishes;
    QStringList mentioned = retriever_.findMentioned(text);
    QStringList likeAuthors;
    if (p.likeCue && mentioned.isEmpty()) {
        // "Like García Márquez": the author's books are the examples.
        likeAuthors = retriever_.findMentionedAuthors(text);
        for (const QString& author : likeAuthors)
            mentioned += retriever_.booksBy(author).mid(0, 3);
    }
    const bool newTopic = !p.genres.isEmpty() || !p.keywords.isEmpty() || !mentioned.isEmpty() || p.fiction || p.nonFiction;
    if (newTopic && !p.isFollowUp()) {
        w.genres = p.genres;
        w.genreGroups = p.genreGroups;
        w.hintGenres = p.hintGenres;
        w.easy = p.easy;
        w.keywords = p.keywords;
        w.fiction = p.fiction;
        w.nonFiction = p.nonFiction;
        w.moods = p.moods;
        q.exampleIds = mentioned;
        q.likeAuthors = likeAuthors;
        q.maxPages = q.minPages = 0;
    } else {
        for (const QString& g : p.genres)
            if (!w.genres.contains(g))
                w.genres << g;
        w.genreGroups += p.genreGroups;
        for (const QString& g : p.hintGenres)
            if (!w.hintGenres.contains(g))
                w.hintGenres << g;
        w.easy = w.easy || p.easy;
        // "短一点的外国经典小说" is a follow-up by its words but still says "a novel".
        if (p.fiction || p.nonFiction) {
            w.fiction = p.fiction;
            w.nonFiction = p.nonFiction;
        }
        for (const QString& k : p.keywords)
            if (!w.keywords.contains(k))
                w.keywords << k;
        if (!p.moods.isEmpty())
            w.moods = p.moods;
        if (!mentioned.isEmpty())
            q.exampleIds = mentioned;
    }
    for (const QString& g : p.excludedGenres)
        if (!w.excludedGenres.contains(g))
            w.excludedGenres << g;
    for (const QString& g : p.genres)
        w.excludedGenres.removeAll(g);
    for (const QString& k : p.excludedKeywords)
        if (!w.excludedKeywords.contains(k))
            w.excludedKeywords << k;
    for (const QString& m : p.excludedMoods)
        if (!w.excludedMoods.contains(m))
            w.excludedMoods << m;
    replaceIfGiven(w.length, p.length);
    replaceIfGiven(w.age, p.age);
    replaceIfGiven(w.pace, p.pace);
    if (p.minYear != 0 || p.maxYear != 0) {
        w.minYear = p.minYear;
        w.maxYear = p.maxYear;
    }
    if (p.preferAfter != 0)
        w.preferAfter = p.preferAfter;
    if (p.preferBefore != 0)
        w.preferBefore = p.preferBefore;
    replaceIfGiven(w.origin, p.origin);
    w.language = p.language;
    w.shorter = p.shorter;
    w.longer = p.longer;
    w.another = p.another;
    w.moreLikeIndex = p.moreLikeIndex;
    w.quotedTitles = p.quotedTitles;

    // Follow-ups are about the previous answer.
    const size_t shownCount = std::min<size_t>(last_.size(), 3);
    // "Something shorter" as a first wish has nothing to be shorter than: it means short.
    if (p.shorter && shownCount == 0)
        w.length = QStringLiteral("short");
    if (p.longer && shownCount == 0)
        w.length = QStringLiteral("long");
    if (p.shorter && shownCount > 0) {
        int fewest = 0;
        for (size_t i = 0; i < shownCount; ++i)
            if (last_[i].book.pages > 0 && (fewest == 0 || last_[i].book.pages < fewest))
                fewest = last_[i].book.pages;
        q.maxPages = fewest;
        q.minPages = 0;
        if (w.length == QLatin1String("long"))
            w.length.clear();
    }
    if (p.longer && shownCount > 0) {
        int most = 0;
        for (size_t i = 0; i < shownCount; ++i)
            most = std::max(most, last_[i].book.pages);
        q.minPages = most;
        q.maxPages = 0;
        if (w.length == QLatin1String("short"))
            w.length.clear();
    }
    if (p.moreLikeIndex != -1 && !last_.empty()) {
        const size_t i = p.moreLikeIndex == -2 ? std::min<size_t>(last_.size(), 3) - 1 : static_cast<size_t>(p.moreLikeIndex);
        if (i < last_.size()) {
            q.exampleIds = {last_[i].book.id};
            w.keywords.clear(); // the example now says what the topic is
        }
    }
    q.excludeIds = refused_;
    if (p.isFollowUp())
        for (const QString& id : shown_)
            if (!q.excludeIds.contains(id))
                q.excludeIds << id;
    return q;
}

QString BookAssistant::candidateText(const std::vector<ScoredBook>& books, const QString& language) const {
    const bool zh = language == QLatin1String("zh");
    QString out = zh ? QStringLiteral("[书目中的候选书(只能从中推荐,按匹配度排序):\n")
                     : QStringLiteral("[Candidate books from the catalogue (recommend only these), best first:\n");
    int n = 0;
    for (const ScoredBook& s : books) {
        const Book& b = s.book;
        QString title = zh && !b.titleZh.isEmpty() ? QStringLiteral("《%1》(%2)").arg(b.titleZh, b.title)
                                                    : b.title + (b.titleZh.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(b.titleZh));
        const QString author = zh && !b.authorZh.isEmpty() ? b.authorZh : b.author;
        out += QStringLiteral("%1. %2 — %3").arg(++n).arg(title, author);
        if (b.year != 0)
            out += QStringLiteral(", %1").arg(b.year);
        QStringList facts = b.genres + b.moods;
        if (b.pages > 0)
            facts << QStringLiteral("%1 pages").arg(b.pages);
        const QString comma = zh ? QStringLiteral("、") : QStringLiteral(", ");
        out += QStringLiteral(". ") + reasonsFor(facts, zh).join(comma);
        if (s.partial)
            out += zh ? QStringLiteral("(不完全符合要求)") : QStringLiteral(" (not a full match)");
        if (!s.reasons.isEmpty())
            out += (zh ? QStringLiteral("。匹配:") : QStringLiteral(". Fits: ")) + reasonsFor(s.reasons, zh).join(comma);
        const QString description = zh && !b.descriptionZh.isEmpty() ? b.descriptionZh : b.descriptionEn;
        if (!description.isEmpty())
            out += (zh ? QStringLiteral("。") : QStringLiteral(". ")) + description;
        out += QLatin1Char('\n');
    }
    if (books.empty())
        out += zh ? QStringLiteral("(没有符合条件的书;请如实告诉用户,并问他们想换什么条件)\n")
                  : QStringLiteral("(no book fits; tell the user so and ask what to change)\n");
    out += QLatin1Char(']');
    return out;
}

AssistantTurn BookAssistant::handle(const QString& userText) {
    AssistantTurn turn;
    turn.parsed = parseRequest(userText);
    const bool vague = turn.parsed.isVague() && retriever_.findMentioned(userText).isEmpty();
    if (vague && last_.empty() && !asked_) {
        asked_ = true;
        turn.kind = AssistantTurn::Kind::Clarify;
        turn.reply = turn.parsed.language == QLatin1String("zh")
            ? QStringLiteral("当然可以!你喜欢什么样的书——小说、科幻、历史,还是别的?最近读过喜欢的书也可以告诉我。")
            : QStringLiteral("Of course! What kind of books do you like — novels, science fiction, history, or "
                             "something else? A book you enjoyed recently helps too.");
        return turn;
    }
    state_ = merge(turn.parsed, userText);
    turn.query = state_;
    turn.candidates = retriever_.retrieve(state_, count_);
    last_ = turn.candidates;
    for (const ScoredBook& s : turn.candidates)
        if (!shown_.contains(s.book.id))
            shown_ << s.book.id;
    turn.modelMessage = userText + QStringLiteral("\n\n") + candidateText(turn.candidates, turn.parsed.language);
    return turn;
}

std::vector<ScoredBook> BookAssistant::candidatesFor(const QString& text, int limit) const {
    BookAssistant fresh(retriever_, limit);
    const ParsedRequest p = parseRequest(text);
    return retriever_.retrieve(fresh.merge(p, text), limit);
}

} // namespace lamp::books
