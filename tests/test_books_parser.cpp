// The request parser on English and Chinese requests, each with the wishes a person reads in it.
#include "books/request_parser.h"

#include <QtTest>

using namespace lamp::books;

class TestBooksParser : public QObject {
    Q_OBJECT

private slots:
    void vagueRequestsAskFirst() {
        QVERIFY(parseRequest("Can you recommend a good book?").isVague());
        QVERIFY(parseRequest("你好,能帮我推荐一本好书吗?").isVague());
        QVERIFY(parseRequest("hi! what should I read next?").isVague());
        QVERIFY(!parseRequest("a good science fiction book please").isVague());
        QVERIFY(!parseRequest("推荐一本科幻小说").isVague());
        QCOMPARE(parseRequest("你好,能帮我推荐一本好书吗?").language, QStringLiteral("zh"));
        QCOMPARE(parseRequest("Can you recommend a good book?").language, QStringLiteral("en"));
    }

    void englishGenresMoodsAndLimits() {
        const ParsedRequest p = parseRequest("I want a fast-paced space adventure, nothing too long");
        QVERIFY(p.moods.contains("adventurous"));
        QCOMPARE(p.pace, QStringLiteral("fast"));
        QCOMPARE(p.length, QStringLiteral("not-long")); // "not too long" is not "short": medium is fine
        QVERIFY(p.keywords.contains("space"));
        QVERIFY(p.hintGenres.contains("science-fiction"));
        QVERIFY(!p.keywords.contains("long"));

        const ParsedRequest q = parseRequest("A funny fantasy novel for a 10-year-old");
        QVERIFY(q.genres.contains("fantasy"));
        QVERIFY(q.moods.contains("funny"));
        QCOMPARE(q.age, QStringLiteral("children"));
        QVERIFY(q.fiction);

        const ParsedRequest r = parseRequest("Historical fiction set in ancient Rome");
        QCOMPARE(r.genres, QStringList{"historical-fiction"}); // not also "history"
        QVERIFY(r.keywords.contains("rome"));
        QVERIFY(r.keywords.contains("ancient"));

        const ParsedRequest s = parseRequest("some popular science about black holes for a teenager");
        QVERIFY(s.genres.contains("popular-science"));
        QCOMPARE(s.age, QStringLiteral("teen"));
        QVERIFY(s.keywords.contains("black"));
        QVERIFY(s.keywords.contains("hole"));
    }

    void genrePhrasesAndThemes() {
        const ParsedRequest p = parseRequest("classic Japanese manga");
        QCOMPARE(p.genreGroups, (QList<QStringList>{{"classic"}, {"graphic-novel"}}));
        QCOMPARE(p.origin, QStringLiteral("ja"));
        const ParsedRequest q = parseRequest("以中国古代历史为背景的小说");
        QCOMPARE(q.genres, QStringList{"historical-fiction"}); // history + novel
        QVERIFY(q.keywords.contains("ancient china")); // the catalogue's English tag for 古代
        const ParsedRequest r = parseRequest("novels set during WWII");
        QVERIFY(r.keywords.contains("world war ii"));
        QVERIFY(!r.keywords.contains("set"));
        QCOMPARE(parseRequest("a fantasy series").keywords, QStringList{"series"}); // not stemmed to "ser"
        const ParsedRequest t = parseRequest("讲父母与孩子之间关系的书");
        QVERIFY(t.age.isEmpty()); // a book about children is not a children's book
        QVERIFY(t.keywords.contains("父母"));
        QCOMPARE(parseRequest("给五六岁孩子的搞笑绘本").age, QStringLiteral("children"));
        QCOMPARE(parseRequest("story collections published after 1990").minYear, 1990);
        QCOMPARE(parseRequest("novels written before 1900").maxYear, 1900);
        QCOMPARE(parseRequest("2000年以后的科幻小说").minYear, 2000);
        QCOMPARE(parseRequest("当代中国小说").preferAfter, 1949);
        QVERIFY(parseRequest("Coming-of-age novels about teenagers").age.isEmpty()); // about teens, not for them
        QCOMPARE(parseRequest("something for a teenager").age, QStringLiteral("teen"));
    }

    void englishNegations() {
        const ParsedRequest p = parseRequest("Something thought-provoking but not sci-fi, and no romance please");
        QVERIFY(p.excludedGenres.contains("science-fiction"));
        QVERIFY(p.excludedGenres.contains("romance"));
        QVERIFY(!p.genres.contains("science-fiction"));
        QVERIFY(p.moods.contains("thought-provoking"));
        const ParsedRequest q = parseRequest("anything but horror");
        QVERIFY(q.excludedGenres.contains("horror"));
        const ParsedRequest r = parseRequest("a mystery that isn't too dark");
        QVERIFY(r.genres.contains("mystery"));
        QVERIFY(r.excludedMoods.contains("dark"));
        const ParsedRequest love = parseRequest("A love story that isn't sad");
        QVERIFY(love.excludedMoods.contains("sad"));
        QVERIFY2(love.keywords.isEmpty(), qPrintable(love.keywords.join(','))); // "isn't" is no topic
        // Refusing an age refuses the books written for it.
        const ParsedRequest grown = parseRequest("Fantasy for grown-ups please, no young adult or children's books");
        QCOMPARE(grown.age, QStringLiteral("adult"));
        QVERIFY(grown.genres.contains("fantasy"));
        QVERIFY(grown.excludedGenres.contains("young-adult"));
        QVERIFY(grown.excludedGenres.contains("children"));
    }

    void kindsAndAges() {
        // A genre phrase that says "novel" also asks for fiction; a graphic novel is its own kind.
        const ParsedRequest comic = parseRequest("Laugh-out-loud comic novels written in English");
        QVERIFY(comic.genres.contains("humor"));
        QVERIFY(comic.fiction);
        QCOMPARE(comic.origin, QStringLiteral("en"));
        QVERIFY(!parseRequest("a graphic novel about war").fiction);
        QVERIFY(parseRequest("想读历史小说").fiction);
        // The kind of children's book stays a topic word: the catalogue tags picture books.
        QVERIFY(parseRequest("给五六岁孩子的搞笑绘本").keywords.contains("picture book"));
        QVERIFY(parseRequest("a picture book for bedtime").keywords.contains("picture book"));
        QCOMPARE(parseRequest("想看适合成年人的漫画").age, QStringLiteral("adult"));
        QVERIFY(parseRequest("coming-of-age novels about young adults").age.isEmpty());
        // Topic words that suggest a genre; the reader's week is not a topic.
        QVERIFY(parseRequest("Literary novels with a clone at the centre").hintGenres.contains("science-fiction"));
        QVERIFY(parseRequest("除了儒家以外的先秦诸子经典").hintGenres.contains("philosophy"));
        const ParsedRequest gentle = parseRequest("A gentle, comforting, feel-good read for a stressful week");
        QVERIFY(gentle.moods.contains("hopeful"));
        QVERIFY(!gentle.keywords.contains("week") && !gentle.keywords.contains("stressful"));
        QCOMPARE(parseRequest("A short mystery I could finish in one evening").length, QStringLiteral("short"));
        QCOMPARE(parseRequest("物理科普,一两个晚上就能读完的").length, QStringLiteral("short"));
    }

    void olderBooksPreferred() {
        QCOMPARE(parseRequest("an anthology of classical Chinese poetry").preferBefore, 1900);
        QCOMPARE(parseRequest("中国古典戏曲有哪些可以读").preferBefore, 1900);
        const ParsedRequest preQin = parseRequest("除了儒家以外的先秦诸子经典");
        QCOMPARE(preQin.preferBefore, -200);
        QVERIFY(preQin.excludedKeywords.contains("儒家"));
        QCOMPARE(parseRequest("a classic novel").preferBefore, 0); // "classic" is a seal of quality, not an age
        QVERIFY(!parseRequest("classical").isVague());
    }

    void chineseRequests() {
        const ParsedRequest p = parseRequest("想看悬疑推理小说,不要科幻");
        QVERIFY(p.genres.contains("mystery"));
        QVERIFY(p.excludedGenres.contains("science-fiction"));
        QVERIFY(!p.genres.contains("science-fiction"));

        const ParsedRequest q = parseRequest("适合初中生看的历史书");
        QCOMPARE(q.age, QStringLiteral("teen"));
        QVERIFY(q.genres.contains("history"));

        const ParsedRequest r = parseRequest("给十岁的孩子推荐一本轻松的童话");
        QCOMPARE(r.age, QStringLiteral("children"));
        QVERIFY(r.moods.contains("lighthearted"));
        QVERIFY(r.genres.contains("children"));

        const ParsedRequest s = parseRequest("有没有关于二战的书,篇幅短一点");
        QVERIFY(s.keywords.contains("二战"));
        QVERIFY(s.shorter || s.length == "short");

        const ParsedRequest v = parseRequest("有没有很虐、看了会哭的小说?");
        QVERIFY(v.moods.contains("sad")); // 有没有 asks; it refuses nothing
        QVERIFY(v.excludedMoods.isEmpty());

        const ParsedRequest t = parseRequest("不错的武侠小说");
        QVERIFY(t.genres.contains("wuxia")); // 不错 is praise, not a refusal
        QVERIFY(t.excludedGenres.isEmpty());

        const ParsedRequest u = parseRequest("我想读日本作家写的温暖治愈的小说");
        QCOMPARE(u.origin, QStringLiteral("ja"));
        QVERIFY(u.moods.contains("hopeful") || u.moods.contains("relaxing"));
    }

    void followUps() {
        QVERIFY(parseRequest("something shorter").shorter);
        QVERIFY(parseRequest("Something shorter?").isFollowUp());
        QVERIFY(parseRequest("换一本").another);
        QVERIFY(parseRequest("I've already read that one, another please").another);
        QCOMPARE(parseRequest("more like the second one").moreLikeIndex, 1);
        QCOMPARE(parseRequest("something similar to the first").moreLikeIndex, 0);
        QCOMPARE(parseRequest("more like the last one").moreLikeIndex, -2);
        QCOMPARE(parseRequest("再来几本和第二本类似的").moreLikeIndex, 1);
        QCOMPARE(parseRequest("第三本那样的还有吗").moreLikeIndex, 2);
        QVERIFY(parseRequest("短一点的").shorter);
        QCOMPARE(parseRequest("the second world war").moreLikeIndex, -1); // an ordinal without "like"
        QVERIFY(!parseRequest("short stories").shorter);
    }

    void namedBooks() {
        const ParsedRequest p = parseRequest("书像《活着》那样的");
        QCOMPARE(p.quotedTitles, QStringList{"活着"});
        QVERIFY(p.likeCue);
        const ParsedRequest q = parseRequest("books like \"The Hobbit\"");
        QCOMPARE(q.quotedTitles, QStringList{"The Hobbit"});
        QVERIFY(!q.keywords.contains("hobbit")); // the quoted title is not a topic word
    }
};

QTEST_GUILESS_MAIN(TestBooksParser)
#include "test_books_parser.moc"
