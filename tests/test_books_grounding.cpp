// The grounding check on answers written the way small models write them, against the fixture
// catalogue: which named books are candidates, which are other catalogue books, which are unknown.
#include "books/catalogue_loader.h"
#include "books/grounding.h"

#include <QtTest>

using namespace lamp::books;

class TestBooksGrounding : public QObject {
    Q_OBJECT

    std::vector<Book> books_;

    GroundingReport check(const QString& answer, const QStringList& candidates) {
        return GroundingChecker(books_).check(answer, candidates);
    }

private slots:
    void initTestCase() {
        CatalogueLoad load;
        loadCatalogueFile(LAMP_BOOKS_TEST_DATA "/catalogue_fixture.jsonl", load);
        books_ = load.books;
    }

    void candidatesOnly() {
        const auto r = check("You might enjoy **Project Hail Mary** by Andy Weir: funny and hopeful. Or try "
                             "*The Hitchhiker's Guide to the Galaxy* for something lighter.",
                             {"weir-project-hail-mary", "adams-hitchhiker", "herbert-dune"});
        QVERIFY(r.onlyCandidates());
        QCOMPARE(r.mentionedCandidates, (QStringList{"weir-project-hail-mary", "adams-hitchhiker"}));
    }

    // Titles too short to look for in running text ("We") still count when quoted or emphasised.
    void shortTitlesWhenQuoted() {
        std::vector<Book> books = books_;
        Book we;
        we.id = QStringLiteral("zamyatin-we");
        we.title = QStringLiteral("We");
        we.author = QStringLiteral("Yevgeny Zamyatin");
        books.push_back(we);
        const GroundingChecker checker(books);
        const auto asCandidate = checker.check("Try *We* by Yevgeny Zamyatin, the first modern dystopia.", {"zamyatin-we"});
        QVERIFY(asCandidate.onlyCandidates());
        QCOMPARE(asCandidate.mentionedCandidates, QStringList{"zamyatin-we"});
        const auto notCandidate = checker.check("Try \"We\" by Yevgeny Zamyatin.", {"herbert-dune"});
        QCOMPARE(notCandidate.flags.size(), size_t(1));
        QCOMPARE(notCandidate.flags[0].kind, GroundingFlag::Kind::NotACandidate);
        QCOMPARE(notCandidate.flags[0].bookId, QStringLiteral("zamyatin-we"));
        const auto prose = checker.check("We think you will like Dune.", {"herbert-dune"});
        QVERIFY(prose.onlyCandidates());
        QCOMPARE(prose.mentionedCandidates, QStringList{"herbert-dune"});
    }

    void catalogueBookThatWasNotACandidate() {
        const auto r = check("Try Project Hail Mary, or Dune if you want something epic.", {"weir-project-hail-mary"});
        QCOMPARE(r.flags.size(), size_t(1));
        QCOMPARE(r.flags[0].kind, GroundingFlag::Kind::NotACandidate);
        QCOMPARE(r.flags[0].bookId, QStringLiteral("herbert-dune"));
        QCOMPARE(r.mentionedCandidates, QStringList{"weir-project-hail-mary"});
    }

    void inventedTitles() {
        const auto r = check("我推荐《活着》和《星辰大海的回响》,还有“The Silent Orbit”。", {"yu-to-live"});
        QCOMPARE(r.mentionedCandidates, QStringList{"yu-to-live"});
        QCOMPARE(r.flags.size(), size_t(2));
        QCOMPARE(r.flags[0].kind, GroundingFlag::Kind::NotInCatalogue);
        QCOMPARE(r.flags[0].text, QStringLiteral("星辰大海的回响"));
        QCOMPARE(r.flags[1].text, QStringLiteral("The Silent Orbit"));
    }

    void chineseTitleOfACatalogueBook() {
        const auto r = check("可以读读《三体》,也可以看看《沙丘》。", {"liu-three-body"});
        QCOMPARE(r.flags.size(), size_t(1));
        QCOMPARE(r.flags[0].bookId, QStringLiteral("herbert-dune"));
    }

    void wordsThatOnlyLookLikeTitles() {
        // "dune" in lower case is sand, "Why it fits:" is a label, a quoted author is no title, and
        // the longer title is not also read as the shorter one inside it.
        const auto r = check("**Why it fits:** walking over a dune at night. \"Frank Herbert\" wrote it. "
                             "Also The Hitchhiker's Guide to the Galaxy.",
                             {"adams-hitchhiker", "herbert-dune"});
        QVERIFY2(r.onlyCandidates(), r.flags.empty() ? "" : qPrintable(r.flags[0].text));
        QCOMPARE(r.mentionedCandidates, QStringList{"adams-hitchhiker"});
        const auto speech = check("\"Mommy,\" said Lily. \"I'm sorry, Remy,\" he said. \"Look!\"", {"tolkien-hobbit"});
        QVERIFY2(speech.onlyCandidates(), speech.flags.empty() ? "" : qPrintable(speech.flags[0].text));
        const auto series = check("Read The Hobbit (1937) by J.R.R. Tolkien.", {"tolkien-hobbit"});
        QVERIFY(series.onlyCandidates());
    }
};

QTEST_GUILESS_MAIN(TestBooksGrounding)
#include "test_books_grounding.moc"
