// The retriever and the assistant's conversation state on the 16-book fixture catalogue
// (tests/data/books/catalogue_fixture.jsonl). Expected picks were read off the fixture by hand: which
// books carry the asked genre, mood, age, page count or words.
#include "books/book_assistant.h"
#include "books/book_database.h"
#include "books/catalogue_loader.h"
#include "books/retriever.h"

#include <QtTest>

#include <memory>

using namespace lamp::books;

namespace {

QStringList ids(const std::vector<ScoredBook>& books) {
    QStringList out;
    for (const ScoredBook& s : books)
        out << s.book.id;
    return out;
}

} // namespace

class TestBooksRetriever : public QObject {
    Q_OBJECT

    std::unique_ptr<BookDatabase> db_;

    std::vector<ScoredBook> ask(const QString& text, int limit = 5) {
        Retriever r(*db_);
        return BookAssistant(r).candidatesFor(text, limit);
    }

private slots:
    void init() {
        CatalogueLoad load;
        loadCatalogueFile(LAMP_BOOKS_TEST_DATA "/catalogue_fixture.jsonl", load);
        QVERIFY(load.problems.empty());
        QCOMPARE(load.books.size(), size_t(16));
        db_ = std::make_unique<BookDatabase>(":memory:");
        QVERIFY(db_->hasFullTextIndex()); // FTS5 with the trigram tokenizer, as Debian's SQLite has
        QVERIFY(db_->syncCatalogue(load.books));
        QVERIFY(!db_->syncCatalogue(load.books)); // unchanged: nothing rewritten
    }

    void cleanup() { db_.reset(); }

    void genreAndMood() {
        const auto top = ids(ask("a funny science fiction book"));
        QCOMPARE(QSet<QString>(top.begin(), top.begin() + 2),
                 (QSet<QString>{"adams-hitchhiker", "weir-project-hail-mary"}));
        for (const QString& id : top)
            QVERIFY2(db_->book(id)->genres.contains("science-fiction"), qPrintable(id));
        const auto mystery = ids(ask("推荐几本推理小说", 2));
        QCOMPARE(QSet<QString>(mystery.begin(), mystery.end()), (QSet<QString>{"christie-orient-express", "higashino-devotion"}));
    }

    void refusalsAndLimitsAreStrict() {
        for (const ScoredBook& s : ask("something thought-provoking, but not sci-fi", 10))
            QVERIFY2(!s.book.genres.contains("science-fiction"), qPrintable(s.book.id));
        const auto kids = ask("a book for a 10-year-old", 10);
        QVERIFY(kids.size() >= 3);
        for (const ScoredBook& s : kids)
            QVERIFY2(s.book.age == "children" || s.book.age == "all", qPrintable(s.book.id));
        const auto shortOnes = ask("a short classic", 10);
        QVERIFY(!shortOnes.empty());
        QCOMPARE(shortOnes.front().book.id, QStringLiteral("saint-exupery-little-prince")); // the one short classic for adults
    }

    void fullTextInBothLanguages() {
        QCOMPARE(ask("a book about black holes and the universe").front().book.id, QStringLiteral("hawking-brief-history"));
        QCOMPARE(ask("关于沙漠星球的故事").front().book.id, QStringLiteral("herbert-dune"));
        QCOMPARE(ask("something by Agatha Christie").front().book.id, QStringLiteral("christie-orient-express"));
        QCOMPARE(ask("金庸").front().book.id, QStringLiteral("jin-yong-condor"));
    }

    void englishWordsMatchWholeWordStarts() {
        // "hole" starts a word in Hawking's "black holes"; "oubt" sits only inside "doubt" (1984's
        // description), which the trigram index finds but a reader would not.
        QCOMPARE(ask("holes").front().book.id, QStringLiteral("hawking-brief-history"));
        QCOMPARE(ask("doubt").front().book.id, QStringLiteral("orwell-1984"));
        QVERIFY(ask("oubt").empty());
    }

    void likeAnAuthor() {
        // "Like Agatha Christie": her book is the example, and stays a candidate; the other
        // detective story, alike in genre and mood, comes with it.
        const auto like = ids(ask("something like Agatha Christie", 3));
        QVERIFY(like.size() >= 2);
        QCOMPARE(QSet<QString>(like.begin(), like.begin() + 2),
                 (QSet<QString>{"christie-orient-express", "higashino-devotion"}));
    }

    void likeANamedBook() {
        const auto like = ids(ask("Books like Dune please"));
        QVERIFY(!like.contains("herbert-dune"));
        QVERIFY(db_->book(like.front())->genres.contains("science-fiction"));
        const auto zh = ids(ask("有没有像《活着》那样的书"));
        QVERIFY(!zh.contains("yu-to-live"));
        QVERIFY(!zh.isEmpty());
    }

    void userLibraryShapesTheChoice() {
        db_->setUserState({"orwell-1984", Shelf::Read, 0, false});
        db_->setUserState({"adams-hitchhiker", Shelf::ToRead, 0, false});
        db_->setUserState({"liu-three-body", Shelf::None, 0, true});
        const auto top = ids(ask("science fiction", 10));
        QVERIFY(!top.contains("orwell-1984"));      // read: never again
        QVERIFY(!top.contains("liu-three-body"));   // not interested
        QCOMPARE(top.front(), QStringLiteral("adams-hitchhiker")); // the to-read shelf first

        // Ratings: a five-star mystery pulls the other mystery above an equal match.
        db_->setUserState({"christie-orient-express", Shelf::Read, 5, false});
        db_->setUserState({"dahl-matilda", Shelf::Read, 1, false});
        const auto tense = ids(ask("something tense", 3));
        QCOMPARE(tense.front(), QStringLiteral("higashino-devotion"));
    }

    void conversation() {
        Retriever r(*db_);
        BookAssistant a(r);
        AssistantTurn t = a.handle("你好,能帮我推荐一本好书吗?");
        QCOMPARE(t.kind, AssistantTurn::Kind::Clarify);
        QVERIFY(t.reply.contains("科幻"));

        t = a.handle("科幻小说吧");
        QCOMPARE(t.kind, AssistantTurn::Kind::Recommend);
        QVERIFY(t.candidates.size() >= 3);
        for (const ScoredBook& s : t.candidates)
            QVERIFY(s.book.genres.contains("science-fiction"));
        QVERIFY(t.modelMessage.startsWith("科幻小说吧"));
        QVERIFY(t.modelMessage.contains(QStringLiteral("《%1》").arg(t.candidates.front().book.titleZh)));
        const QStringList first = ids(t.candidates);

        // "Something shorter": fewer pages than any of the three shown, still science fiction.
        int fewest = 100000;
        for (size_t i = 0; i < 3; ++i)
            fewest = std::min(fewest, t.candidates[i].book.pages);
        QStringList shorterSf; // what the fixture has that fits, by hand from the page counts
        for (const Book& b : r.books())
            if (b.genres.contains("science-fiction") && b.pages < fewest && !first.contains(b.id))
                shorterSf << b.id;
        t = a.handle("something shorter");
        QVERIFY(!t.candidates.empty());
        for (const ScoredBook& s : t.candidates)
            QVERIFY2(s.book.pages < fewest, qPrintable(s.book.id));
        for (qsizetype i = 0; i < shorterSf.size(); ++i) // those come first, before any other genre
            QVERIFY(shorterSf.contains(t.candidates[static_cast<size_t>(i)].book.id));

        // "换一本" leaves out everything shown so far.
        a.reset();
        a.handle("science fiction");
        const QStringList shown = a.shownIds();
        t = a.handle("换一本");
        for (const ScoredBook& s : t.candidates)
            QVERIFY2(!shown.contains(s.book.id), qPrintable(s.book.id));

        // "More like the second one" takes the second candidate as the example.
        a.reset();
        t = a.handle("a classic");
        QVERIFY(t.candidates.size() >= 2);
        const QString second = t.candidates[1].book.id;
        t = a.handle("more like the second one");
        QVERIFY(!ids(t.candidates).contains(second));
        QCOMPARE(t.query.exampleIds, QStringList{second});

        // Refusals carry across turns, and "Not interested" is honoured by the next turn.
        a.reset();
        a.handle("不要科幻");
        t = a.handle("推荐点有趣的");
        for (const ScoredBook& s : t.candidates)
            QVERIFY2(!s.book.genres.contains("science-fiction"), qPrintable(s.book.id));
        QVERIFY(!t.candidates.empty());
        const QString refused = t.candidates.front().book.id;
        a.notInterested(refused);
        t = a.handle("换一本");
        QVERIFY(!ids(t.candidates).contains(refused));
    }
};

QTEST_GUILESS_MAIN(TestBooksRetriever)
#include "test_books_retriever.moc"
