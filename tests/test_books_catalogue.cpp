// The real catalogue and evaluation set (resources/books): every line valid, ids unique, at least
// 600 books with a balance of languages, fiction and non-fiction, ages, genres and moods; the copy
// embedded in lamp_books equals the files; every evaluation request names existing books.
#include "books/catalogue_loader.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QtTest>

using namespace lamp::books;

namespace {

QString problemsText(const CatalogueLoad& load) {
    QString out;
    for (const CatalogueProblem& p : load.problems)
        out += QStringLiteral("\n  %1:%2: %3").arg(QFileInfo(p.file).fileName()).arg(p.line).arg(p.message);
    return out;
}

const QStringList kFictionGenres = {"literary-fiction", "classic", "science-fiction", "fantasy", "mystery",
                                    "thriller", "horror", "romance", "historical-fiction", "wuxia", "humor",
                                    "short-stories", "poetry", "drama", "young-adult", "children", "graphic-novel"};

} // namespace

class TestBooksCatalogue : public QObject {
    Q_OBJECT

private slots:
    void embeddedCatalogueIsValid() {
        const CatalogueLoad load = loadCatalogue(); // the copy built into lamp_books
        QVERIFY2(!load.files.isEmpty(), "no catalogue_*.jsonl is embedded: re-run cmake after adding files");
        QVERIFY2(load.problems.empty(), qPrintable("catalogue lines to fix:" + problemsText(load)));
        const CatalogueLoad source = loadCatalogue(LAMP_BOOKS_RESOURCES);
        QVERIFY2(source.problems.empty(), qPrintable("catalogue lines to fix:" + problemsText(source)));
        QCOMPARE(load.books.size(), source.books.size()); // the build embeds what the repository holds
    }

    void catalogueIsLargeAndBalanced() {
        const CatalogueLoad load = loadCatalogue(LAMP_BOOKS_RESOURCES);
        const auto n = static_cast<qsizetype>(load.books.size());
        QVERIFY2(n >= 600, qPrintable(QStringLiteral("the catalogue has %1 books; issue 6 asks for at least 600").arg(n)));
        qsizetype chinese = 0, nonFiction = 0, young = 0;
        QSet<QString> genres, moods;
        for (const Book& b : load.books) {
            chinese += b.language == "zh";
            young += b.age == "children" || b.age == "teen";
            bool fiction = false;
            for (const QString& g : b.genres) {
                genres.insert(g);
                fiction = fiction || kFictionGenres.contains(g);
            }
            nonFiction += !fiction;
            for (const QString& m : b.moods)
                moods.insert(m);
            // The format defines length by pages: short < 200, medium 200-450, long > 450.
            const QString expected = b.pages < 200 ? "short" : b.pages <= 450 ? "medium" : "long";
            QVERIFY2(b.length == expected, qPrintable(QStringLiteral("%1: %2 pages but length \"%3\"").arg(b.id).arg(b.pages).arg(b.length)));
        }
        QVERIFY2(chinese >= n / 8, qPrintable(QStringLiteral("only %1 books written in Chinese").arg(chinese)));
        QVERIFY2(nonFiction >= n / 5, qPrintable(QStringLiteral("only %1 non-fiction books").arg(nonFiction)));
        QVERIFY2(young >= 50, qPrintable(QStringLiteral("only %1 books for children and teens").arg(young)));
        QVERIFY2(genres.size() >= 35, qPrintable(QStringLiteral("only %1 of the 39 genres are used").arg(genres.size())));
        QCOMPARE(moods.size(), allowedMoods().size());
    }

    void evaluationSetNamesCatalogueBooks() {
        const CatalogueLoad load = loadCatalogue(LAMP_BOOKS_RESOURCES);
        QSet<QString> ids;
        for (const Book& b : load.books)
            ids.insert(b.id);
        const QDir dir(LAMP_BOOKS_RESOURCES);
        QSet<QString> requestIds;
        int en = 0, zh = 0;
        for (const QString& name : dir.entryList({"eval_*.jsonl"}, QDir::Files, QDir::Name)) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            int line = 0;
            while (!f.atEnd()) {
                const QByteArray text = f.readLine().trimmed();
                ++line;
                if (text.isEmpty())
                    continue;
                const QString where = QStringLiteral("%1:%2").arg(name).arg(line);
                const QJsonObject o = QJsonDocument::fromJson(text).object();
                QVERIFY2(!o.isEmpty(), qPrintable(where + ": not a JSON object"));
                const QString id = o.value("id").toString();
                QVERIFY2(!id.isEmpty() && !requestIds.contains(id), qPrintable(where + ": missing or repeated id " + id));
                requestIds.insert(id);
                QVERIFY2(!o.value("request").toString().isEmpty(), qPrintable(where + ": empty request"));
                (o.value("lang").toString() == "zh" ? zh : en)++;
                const QJsonArray relevant = o.value("relevant").toArray();
                QVERIFY2(relevant.size() >= 3, qPrintable(where + ": fewer than 3 relevant books"));
                for (const QJsonValue& v : relevant)
                    QVERIFY2(ids.contains(v.toString()), qPrintable(where + ": unknown book id " + v.toString()));
            }
        }
        QVERIFY2(en + zh >= 80, qPrintable(QStringLiteral("%1 evaluation requests; issue 6 asks for at least 80").arg(en + zh)));
        QVERIFY2(en >= 30 && zh >= 30, qPrintable(QStringLiteral("%1 English and %2 Chinese requests").arg(en).arg(zh)));
    }
};

QTEST_GUILESS_MAIN(TestBooksCatalogue)
#include "test_books_catalogue.moc"
