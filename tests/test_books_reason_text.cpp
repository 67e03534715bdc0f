// The retriever's reasons and the catalogue's vocabulary in Chinese, for Chinese conversations:
// every genre and mood the catalogue uses has a Chinese word, and every reason pattern the
// retriever writes is translated (none passes through in English).
#include "books/catalogue_loader.h"
#include "books/reason_text.h"
#include "books/text_normalize.h"

#include <QtTest>

#include <QDir>

using namespace lamp::books;

class TestBooksReasonText : public QObject {
    Q_OBJECT

private slots:
    void everyCatalogueTermHasAChineseWord() {
        QSet<QString> seen;
        for (const QString& file : QDir(LAMP_BOOKS_RESOURCES).entryList({"catalogue_*.jsonl"})) {
            CatalogueLoad load;
            loadCatalogueFile(QDir(LAMP_BOOKS_RESOURCES).filePath(file), load);
            for (const Book& b : load.books)
                for (const QString& t : b.genres + b.moods)
                    seen.insert(t);
        }
        QVERIFY(seen.size() > 40);
        for (const QString& t : seen)
            QVERIFY2(containsCjk(termInChinese(t)), qPrintable(t));
    }

    void reasonPatterns() {
        QCOMPARE(reasonInChinese("180 pages"), QStringLiteral("180 页"));
        QCOMPARE(reasonInChinese("published 1949"), QStringLiteral("1949 年出版"));
        QCOMPARE(reasonInChinese("written 1791"), QStringLiteral("写于 1791 年"));
        QCOMPARE(reasonInChinese("written about 475 BCE"), QStringLiteral("约写于公元前 475 年"));
        QCOMPARE(reasonInChinese("fast-paced"), QStringLiteral("节奏明快"));
        QCOMPARE(reasonInChinese("written in ja"), QStringLiteral("原作为日文"));
        QCOMPARE(reasonInChinese("like Dune"), QStringLiteral("与《Dune》相似"));
        QCOMPARE(reasonInChinese("matches your words"), QStringLiteral("与你的描述相符"));
        QCOMPARE(reasonInChinese("on your to-read shelf"), QStringLiteral("在你的“想读”书单上"));
        QCOMPARE(reasonInChinese("close to books you rated highly"), QStringLiteral("与你评分高的书相近"));
        QCOMPARE(reasonsFor({"hopeful", "science-fiction"}, true), (QStringList{"充满希望", "科幻"}));
        QCOMPARE(reasonsFor({"hopeful", "180 pages"}, false), (QStringList{"hopeful", "180 pages"}));
    }
};

QTEST_APPLESS_MAIN(TestBooksReasonText)
#include "test_books_reason_text.moc"
