#include "books/request_parser.h"

#include "books/request_lexicon.h"
#include "books/text_normalize.h"

#include <QRegularExpression>

namespace lamp::books {

namespace {

void addUnique(QStringList& list, const QStringList& values) {
    for (const QString& v : values)
        if (!list.contains(v))
            list << v;
}

// English negation cues that may stand up to three words before what they negate.
bool negatedEnglish(const QString& text, qsizetype start) {
    static const QStringList cues = {"not", "no", "without", "except", "nothing", "never", "hate", "avoid",
                                     "dont", "isnt", "neither", "nor", "besides"};
    const QStringList before = text.left(start).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (qsizetype i = before.size() - 1; i >= 0 && i >= before.size() - 3; --i) {
        if (cues.contains(before[i]))
            return true;
        if (before[i] == QLatin1String("but") && i > 0 && before[i - 1] == QLatin1String("anything"))
            return true; // "anything but horror"
    }
    return false;
}

// Chinese negation: 不/别/非/没/除了/讨厌 shortly before ("不要科幻", "除了言情"), but not 不错 ("good").
bool negatedChinese(const QString& text, qsizetype start) {
    const QString before = text.mid(std::max<qsizetype>(0, start - 5), std::min<qsizetype>(start, 5));
    if (before.contains(QStringLiteral("除了")) || before.contains(QStringLiteral("讨厌")) ||
        before.contains(QStringLiteral("受不了")))
        return true;
    QString near = text.mid(std::max<qsizetype>(0, start - 3), std::min<qsizetype>(start, 3));
    near.remove(QStringLiteral("有没有")).remove(QStringLiteral("有没")).remove(QStringLiteral("没有")); // a question, not a refusal
    for (const QChar c : near)
        if (c == QChar(u'不') || c == QChar(u'别') || c == QChar(u'非') || c == QChar(u'没') || c == QChar(u'无'))
            return !near.contains(QStringLiteral("不错")) && !near.contains(QStringLiteral("不要太")) &&
                   !near.contains(QStringLiteral("不太"));
    return false;
}

int chineseNumber(const QString& s) {
    static const QString digits = QStringLiteral("零一二三四五六七八九");
    if (s.isEmpty())
        return -1;
    bool ok = false;
    const int v = s.toInt(&ok);
    if (ok)
        return v;
    if (s == QStringLiteral("十"))
        return 10;
    if (s.startsWith(QChar(u'十')))
        return 10 + static_cast<int>(digits.indexOf(s[1]));
    if (s.size() == 1)
        return static_cast<int>(digits.indexOf(s[0]));
    if (s.size() == 2 && s[0] != QChar(u'十') && s[1] != QChar(u'十'))
        return static_cast<int>(digits.indexOf(s[0])); // "五六岁": five or six
    if (s.size() == 2 && s[1] == QChar(u'十'))
        return 10 * static_cast<int>(digits.indexOf(s[0]));
    if (s.size() == 3 && s[1] == QChar(u'十'))
        return 10 * static_cast<int>(digits.indexOf(s[0])) + static_cast<int>(digits.indexOf(s[2]));
    return -1;
}

QString ageForYears(int years) {
    if (years < 0)
        return {};
    if (years <= 11)
        return QStringLiteral("children");
    if (years <= 17)
        return QStringLiteral("teen");
    return {};
}

// Blanks text[start, start+len) so that shorter phrases and the keyword pass do not see it again.
void consume(QString& text, qsizetype start, qsizetype len) {
    for (qsizetype i = start; i < start + len && i < text.size(); ++i)
        text[i] = QLatin1Char(' ');
}

// A crude English stem for substring search: "stories" -> "stor", "dragons" -> "dragon".
QString stem(const QString& w) {
    if (w.endsWith(QLatin1String("ies")))
        return w.size() > 6 ? w.left(w.size() - 3) : w; // "series" stays
    if (w.size() > 4 && w.endsWith(QLatin1String("es")) && (w.endsWith(QLatin1String("ches")) || w.endsWith(QLatin1String("shes"))))
        return w.left(w.size() - 2);
    if (w.size() > 3 && w.endsWith(QLatin1Char('s')) && !w.endsWith(QLatin1String("ss")) && !w.endsWith(QLatin1String("us")))
        return w.left(w.size() - 1);
    return w;
}

void followUps(const QString& f, ParsedRequest& r) {
    static const QRegularExpression shorterEn(QStringLiteral("\\b(shorter|less long|not as long|smaller)\\b"));
    static const QRegularExpression longerEn(QStringLiteral("\\b(longer|bigger|more substantial)\\b"));
    static const QRegularExpression anotherEn(QStringLiteral(
        "\\b(another one|another book|another suggestion|another please|something else|anything else|"
        "different one|a different book|other ones|others|next one|more options|more suggestions|one more|"
        "not that one|already read)\\b|^\\s*(another|different|next|else)\\s*$"));
    static const QRegularExpression ordinalEn(QStringLiteral(
        "\\b(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\\b( one| book| suggestion| pick)?"));
    static const QRegularExpression likeEn(QStringLiteral("\\b(like|similar|same as|in the vein of|reminds|along the lines|akin)\\b"));
    static const QRegularExpression ordinalZh(QStringLiteral("第\\s*([一二三四五12345])\\s*(本|个|部)|最后\\s*一\\s*(本|个|部)"));
    if (shorterEn.match(f).hasMatch() || f.contains(QStringLiteral("更短")) || f.contains(QStringLiteral("短一点")) ||
        f.contains(QStringLiteral("短一些")) || f.contains(QStringLiteral("薄一点")) || f.contains(QStringLiteral("短点")))
        r.shorter = true;
    if (longerEn.match(f).hasMatch() || f.contains(QStringLiteral("更长")) || f.contains(QStringLiteral("长一点")) ||
        f.contains(QStringLiteral("长一些")))
        r.longer = true;
    for (const char* zh : {"换一本", "换一个", "换本", "换个", "别的", "其他", "其它", "另一本", "另外一本", "再来一本",
                           "再推荐", "还有吗", "还有别", "看过了", "读过了", "不喜欢这"})
        if (f.contains(QString::fromUtf8(zh)))
            r.another = true;
    if (anotherEn.match(f).hasMatch())
        r.another = true;
    if (likeEn.match(f).hasMatch())
        r.likeCue = true;
    for (const char* zh : {"类似", "像", "差不多", "一样的", "那样的", "这样的", "风格", "那种", "这种", "之类"})
        if (f.contains(QString::fromUtf8(zh)))
            r.likeCue = true;
    const auto en = ordinalEn.match(f);
    if (en.hasMatch() && (r.likeCue || f.contains(QLatin1String("more")))) {
        static const QStringList ords = {"first", "second", "third", "fourth", "fifth"};
        static const QStringList nums = {"1st", "2nd", "3rd", "4th", "5th"};
        const QString w = en.captured(1);
        r.moreLikeIndex = w == QLatin1String("last") ? -2 : static_cast<int>(std::max(ords.indexOf(w), nums.indexOf(w)));
    }
    const auto zh = ordinalZh.match(f);
    if (zh.hasMatch()) {
        r.moreLikeIndex = zh.captured(1).isEmpty() ? -2 : chineseNumber(zh.captured(1)) - 1;
        r.likeCue = true;
    }
}

} // namespace

bool ParsedRequest::isVague() const {
    return genres.isEmpty() && excludedGenres.isEmpty() && moods.isEmpty() && length.isEmpty() && age.isEmpty() &&
           pace.isEmpty() && origin.isEmpty() && !fiction && !nonFiction && keywords.isEmpty() && quotedTitles.isEmpty() &&
           !isFollowUp() && excludedMoods.isEmpty() && hintGenres.isEmpty() && !easy && excludedKeywords.isEmpty() &&
           minYear == 0 && maxYear == 0 && preferAfter == 0 && preferBefore == 0;
}

ParsedRequest parseRequest(const QString& text) {
    ParsedRequest r;
    if (containsCjk(text))
        r.language = QStringLiteral("zh");

    // Titles in 《》 or quotes are named books, whatever the words inside them.
    static const QRegularExpression quoted(QStringLiteral("《([^》]+)》|“([^”]+)”|\"([^\"]+)\""));
    QString rest = text;
    for (auto it = quoted.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        const QString t = !m.captured(1).isEmpty() ? m.captured(1) : !m.captured(2).isEmpty() ? m.captured(2) : m.captured(3);
        r.quotedTitles << t.trimmed();
        rest.replace(m.captured(0), QStringLiteral(" "));
    }

    QString f = foldText(rest);
    followUps(f, r);

    // Ages given as numbers: "for a 10 year old", "适合10岁", "十岁的孩子".
    static const QRegularExpression yearsEn(QStringLiteral("\\b(\\d{1,2}) ?(year|yr)s? ?old\\b|\\bage (\\d{1,2})\\b|\\baged (\\d{1,2})\\b"));
    static const QRegularExpression yearsZh(QStringLiteral("([0-9]{1,2}|[一二三四五六七八九十]{1,3}) ?(岁|周岁)"));
    if (const auto m = yearsEn.match(f); m.hasMatch()) {
        const QString n = !m.captured(1).isEmpty() ? m.captured(1) : !m.captured(3).isEmpty() ? m.captured(3) : m.captured(4);
        r.age = ageForYears(n.toInt());
        consume(f, m.capturedStart(), m.capturedLength());
    }
    if (const auto m = yearsZh.match(f); m.hasMatch()) {
        r.age = ageForYears(chineseNumber(m.captured(1)));
        consume(f, m.capturedStart(), m.capturedLength());
    }
    // Publication years: "after 1990", "published before 1900", "1990年以后", "contemporary", "当代".
    static const QRegularExpression afterEn(QStringLiteral("\\b(after|since|post|from) (\\d{4})\\b"));
    static const QRegularExpression beforeEn(QStringLiteral("\\b(before|pre|until) (\\d{4})\\b"));
    static const QRegularExpression yearZh(QStringLiteral("(\\d{4}) ?年? ?(以后|之后|以来|后|以前|之前|前)"));
    if (const auto m = afterEn.match(f); m.hasMatch()) {
        r.minYear = m.captured(2).toInt();
        consume(f, m.capturedStart(), m.capturedLength());
    }
    if (const auto m = beforeEn.match(f); m.hasMatch()) {
        r.maxYear = m.captured(2).toInt();
        consume(f, m.capturedStart(), m.capturedLength());
    }
    if (const auto m = yearZh.match(f); m.hasMatch()) {
        const bool before = m.captured(2).contains(QChar(u'前'));
        (before ? r.maxYear : r.minYear) = m.captured(1).toInt();
        consume(f, m.capturedStart(), m.capturedLength());
    }
    static const QRegularExpression recentEn(QStringLiteral("\\b(contemporary|recent|recently published|new releases?|modern day)\\b"));
    if (const auto m = recentEn.match(f); m.hasMatch()) {
        r.preferAfter = 1980;
        consume(f, m.capturedStart(), m.capturedLength());
    }
    // "Classical" and "古典" are about when a book was written (the genre "classic" is matched below
    // too); "先秦" names the age before 221 BCE. Older books are preferred, not required.
    static const QRegularExpression classicalEn(QStringLiteral("\\bclassical\\b"));
    if (classicalEn.match(f).hasMatch() || f.contains(QStringLiteral("古典")))
        r.preferBefore = 1900;
    if (f.contains(QStringLiteral("先秦")) || f.contains(QLatin1String("pre qin")))
        r.preferBefore = -200;
    for (const char* zh : {"当代", "近年", "近几年", "最近几年", "新书", "这几年"}) {
        const QString p = QString::fromUtf8(zh);
        if (const qsizetype at = f.indexOf(p); at >= 0) {
            r.preferAfter = p == QStringLiteral("当代") ? 1949 : 2000;
            consume(f, at, p.size());
        }
    }
    // Drop the follow-up phrases themselves from the keyword text.
    for (const char* phrase : {"更短", "短一点", "短一些", "更长", "长一点", "换一本", "换一个", "另一本"}) {
        const QString p = QString::fromUtf8(phrase);
        for (qsizetype at = f.indexOf(p); at >= 0; at = f.indexOf(p, at + 1))
            consume(f, at, p.size());
    }

    for (const LexiconEntry& e : requestLexicon()) {
        if (e.kind == LexiconEntry::Kind::Stop)
            continue;
        qsizetype from = 0;
        while (true) {
            qsizetype start = -1;
            qsizetype len = 0;
            if (e.cjk) {
                start = f.indexOf(e.phrase, from);
                len = e.phrase.size();
            } else {
                const auto m = e.wholeWords.match(f, from);
                if (m.hasMatch()) {
                    start = m.capturedStart();
                    len = m.capturedLength();
                }
            }
            if (start < 0)
                break;
            from = start + len;
            const bool negated = e.cjk ? negatedChinese(f, start) : negatedEnglish(f, start);
            // Hints and themes stay topic words too; a one-character Chinese entry (诗, 短) is often
            // part of a longer word (唐诗宋词, 短篇), which must stay whole for the keyword search.
            // The kinds of children's book ("picture book", "童话") are also themes the catalogue tags.
            const bool childrensKind = e.kind == LexiconEntry::Kind::Genre && !negated &&
                                       e.values == QStringList{QStringLiteral("children")};
            const bool keep = e.kind == LexiconEntry::Kind::GenreHint || (e.kind == LexiconEntry::Kind::Topic && !negated) ||
                              (e.cjk && e.phrase.size() == 1) || childrensKind;
            if (!keep)
                consume(f, start, len);
            using Kind = LexiconEntry::Kind;
            switch (e.kind) {
            case Kind::Genre:
                addUnique(negated ? r.excludedGenres : r.genres, e.values);
                if (!negated && !r.genreGroups.contains(e.values))
                    r.genreGroups << e.values;
                // "comic novels", "历史小说": the phrase also says the book is a novel (a graphic
                // novel is a kind of its own).
                if (!negated && !e.values.contains(QStringLiteral("graphic-novel")) &&
                    (e.phrase.contains(QLatin1String("novel")) || e.phrase.contains(QStringLiteral("小说"))))
                    r.fiction = true;
                break;
            case Kind::Topic:
                for (const QString& k : e.values)
                    if (!(negated ? r.excludedKeywords : r.keywords).contains(k))
                        (negated ? r.excludedKeywords : r.keywords) << k;
                break;
            case Kind::Mood: addUnique(negated ? r.excludedMoods : r.moods, e.values); break;
            case Kind::GenreHint:
                if (!negated)
                    addUnique(r.hintGenres, e.values);
                break;
            case Kind::Easy:
                r.easy = true;
                addUnique(r.keywords, {QStringLiteral("introduction"), QStringLiteral("入门")}); // as the catalogue tags them
                break;
            case Kind::Length:
                // "not too long" is in the lexicon as "short"; a plain "not long"/"不要长篇" also means short.
                r.length = negated ? (e.values.front() == QLatin1String("long") ? QStringLiteral("not-long") : QString())
                                   : e.values.front();
                break;
            case Kind::Age:
                if (!negated && r.age.isEmpty())
                    r.age = e.values.front();
                // "no children's books": the books written for that age are refused.
                if (negated && e.values.front() == QLatin1String("children"))
                    addUnique(r.excludedGenres, {QStringLiteral("children")});
                if (negated && e.values.front() == QLatin1String("teen"))
                    addUnique(r.excludedGenres, {QStringLiteral("young-adult")});
                break;
            case Kind::Pace:
                if (!negated)
                    r.pace = e.values.front();
                break;
            case Kind::Origin:
                if (!negated)
                    r.origin = e.values.front();
                break;
            case Kind::Fiction:
                if (negated)
                    r.nonFiction = true;
                else
                    r.fiction = true;
                break;
            case Kind::NonFiction:
                if (negated)
                    r.fiction = true;
                else
                    r.nonFiction = true;
                break;
            case Kind::Stop: break;
            }
        }
    }
    // A genre both wanted and refused ("science fiction but not space opera") stays wanted.
    for (const QString& g : r.genres)
        r.excludedGenres.removeAll(g);
    for (const QString& m : r.moods)
        r.excludedMoods.removeAll(m);
    // A history novel is historical fiction ("历史小说" spelt apart: "以古代历史为背景的小说").
    if (r.fiction && r.genres.contains(QStringLiteral("history"))) {
        r.genres.removeAll(QStringLiteral("history"));
        addUnique(r.genres, {QStringLiteral("historical-fiction")});
        for (QStringList& group : r.genreGroups)
            if (group.contains(QStringLiteral("history")))
                group = QStringList{QStringLiteral("historical-fiction")};
    }
    if (r.shorter && r.length == QLatin1String("short"))
        r.length.clear(); // "shorter" is relative; the bare "short" inside it is not a new wish
    if (r.longer && r.length == QLatin1String("long"))
        r.length.clear();

    // What is left are topic words.
    QString cjkRest;
    for (const QString& word : f.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (containsCjk(word)) {
            cjkRest += word + QLatin1Char(' ');
            continue;
        }
        if (word.size() < 3 || isEnglishStopword(word) || word.front().isDigit())
            continue;
        const QString s = stem(word);
        if (!r.keywords.contains(s) && !isEnglishStopword(s))
            r.keywords << s;
    }
    for (const QString& p : chineseStopPhrases())
        cjkRest.replace(p, QStringLiteral(" "));
    for (const QString& run : cjkRest.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (run.size() < 2)
            continue;
        if (run.size() <= 4 && !r.keywords.contains(run))
            r.keywords << run;
        // No word segmentation: overlapping pairs find the words inside, except pairs with a
        // function character, which are rarely words ("海为" in "以上海为背景").
        static const QString function = QStringLiteral("的了为以和是在有一不这那也都很就把被给让从对等与及之其或");
        if (run.size() > 2)
            for (qsizetype i = 0; i + 2 <= run.size(); ++i) {
                const QString pair = run.mid(i, 2);
                if (!function.contains(pair[0]) && !function.contains(pair[1]) && !r.keywords.contains(pair))
                    r.keywords << pair;
            }
    }
    return r;
}

} // namespace lamp::books
