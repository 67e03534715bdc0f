// The library importers on fixtures written for them (tests/data/books/*.csv, whose rows and line
// numbers are listed in the comments below) and on Calibre libraries built here with plain SQL in
// both the old schema (books.isbn) and the newer one (ISBNs only in identifiers).
#include "books/book_database.h"
#include "books/catalogue_loader.h"
#include "books/importer.h"
#include "books/library_import.h"

#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace lamp::books;

namespace {

QByteArray readFile(const QString& name) {
    QFile f(QStringLiteral(LAMP_BOOKS_TEST_DATA "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}

QByteArray sha(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

const ImportedBook* byTitle(const ImportResult& r, const QString& title) {
    for (const ImportedBook& b : r.books)
        if (b.title == title)
            return &b;
    return nullptr;
}

// A Calibre metadata.db with the tables Calibre joins books through; `oldSchema` adds books.isbn.
void makeCalibre(const QString& path, bool oldSchema) {
    const QString name = QStringLiteral("calibre-fixture-%1").arg(oldSchema);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QStringList sql = {
            QString("CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT 'Unknown', sort TEXT,"
                    " timestamp TIMESTAMP, pubdate TIMESTAMP, series_index REAL NOT NULL DEFAULT 1.0, author_sort TEXT,"
                    " path TEXT NOT NULL DEFAULT '', uuid TEXT, has_cover BOOL DEFAULT 0%1)")
                .arg(oldSchema ? ", isbn TEXT DEFAULT ''" : ""),
            "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sort TEXT, link TEXT NOT NULL DEFAULT '')",
            "CREATE TABLE books_authors_link (id INTEGER PRIMARY KEY, book INTEGER NOT NULL, author INTEGER NOT NULL)",
            "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
            "CREATE TABLE books_tags_link (id INTEGER PRIMARY KEY, book INTEGER NOT NULL, tag INTEGER NOT NULL)",
            "CREATE TABLE comments (id INTEGER PRIMARY KEY, book INTEGER NOT NULL, text TEXT NOT NULL)",
            "CREATE TABLE series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sort TEXT)",
            "CREATE TABLE books_series_link (id INTEGER PRIMARY KEY, book INTEGER NOT NULL, series INTEGER NOT NULL)",
            "CREATE TABLE ratings (id INTEGER PRIMARY KEY, rating INTEGER CHECK(rating > -1 AND rating < 11))",
            "CREATE TABLE books_ratings_link (id INTEGER PRIMARY KEY, book INTEGER NOT NULL, rating INTEGER NOT NULL)",
            "CREATE TABLE identifiers (id INTEGER PRIMARY KEY, book INTEGER NOT NULL, type TEXT NOT NULL DEFAULT 'isbn', val TEXT NOT NULL)",
            "INSERT INTO authors VALUES (1, 'Frank Herbert', 'Herbert, Frank', ''), (2, 'Susanna Clarke', 'Clarke, Susanna', ''),"
            " (3, 'Brian Herbert', 'Herbert, Brian', '')",
            "INSERT INTO books(id, title, pubdate, series_index) VALUES (1, 'Dune', '1965-08-01 00:00:00+00:00', 1),"
            " (2, 'Piranesi', '2020-09-15 00:00:00+00:00', 1), (3, '', '0101-01-01 00:00:00+00:00', 1)",
            "INSERT INTO books_authors_link VALUES (1, 1, 1), (2, 1, 3), (3, 2, 2)",
            "INSERT INTO tags VALUES (1, 'Science Fiction'), (2, 'Fantasy'), (3, 'to-read')",
            "INSERT INTO books_tags_link VALUES (1, 1, 1), (2, 2, 2), (3, 2, 3)",
            "INSERT INTO comments VALUES (1, 2, '<p>A man lives in a house of endless halls &amp; tides.</p>')",
            "INSERT INTO series VALUES (1, 'Dune Chronicles', 'Dune Chronicles')",
            "INSERT INTO books_series_link VALUES (1, 1, 1)",
            "INSERT INTO ratings VALUES (1, 10), (2, 4)",
            "INSERT INTO books_ratings_link VALUES (1, 1, 1)",
        };
        // The old schema kept the ISBN in books; the new one only in identifiers.
        sql << (oldSchema ? QString("UPDATE books SET isbn = '0441172717' WHERE id = 1")
                          : QString("INSERT INTO identifiers(book, type, val) VALUES (1, 'isbn', '9780441172719')"));
        QVERIFY(db.transaction()); // one write to disk, not one per statement
        for (const QString& s : sql)
            QVERIFY2(q.exec(s), qPrintable(s + ": " + q.lastError().text()));
        QVERIFY(db.commit());
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

} // namespace

class TestBooksImporters : public QObject {
    Q_OBJECT

private slots:
    void goodreads() {
        const ImportResult r = readGoodreadsCsv(readFile("goodreads_export.csv"));
        QCOMPARE(r.format, QStringLiteral("Goodreads"));
        // Rows: Dune (line 2), Pride and Prejudice (3-4, a review spanning two lines), Left Hand (5),
        // bad rating 7 (6), Orient Express (7), empty title (8), unterminated quote (9).
        QCOMPARE(r.books.size(), size_t(4));
        QCOMPARE(r.problems.size(), size_t(3));
        QCOMPARE(r.problems[0].line, 6);
        QVERIFY(r.problems[0].message.contains("My Rating"));
        QCOMPARE(r.problems[1].line, 8);
        QVERIFY(r.problems[1].message.contains("title"));
        QCOMPARE(r.problems[2].line, 9);
        QVERIFY(r.problems[2].message.contains("never closed"));

        const ImportedBook* dune = byTitle(r, "Dune (Dune Chronicles, #1)");
        QVERIFY(dune);
        QCOMPARE(dune->isbn, QStringLiteral("9780441172719"));
        QCOMPARE(dune->rating, 5.0);
        QCOMPARE(dune->shelf, Shelf::Read);
        QCOMPARE(dune->year, 1965); // original publication, not the edition's 1990
        QCOMPARE(dune->line, 2);
        const ImportedBook* pride = byTitle(r, "Pride and Prejudice");
        QCOMPARE(pride->isbn, QString()); // ="" is no ISBN
        QCOMPARE(pride->rating, 2.0);
        const ImportedBook* left = byTitle(r, "The Left Hand of Darkness");
        QCOMPARE(left->isbn, QStringLiteral("9780441478125"));
        QCOMPARE(left->rating, 0.0); // 0 = unrated
        QCOMPARE(left->shelf, Shelf::ToRead);
        QCOMPARE(left->line, 5);
        QVERIFY(left->tags.contains("science-fiction"));
        QCOMPARE(byTitle(r, "Murder on the Orient Express")->line, 7);
    }

    void storygraph() {
        const ImportResult r = readStoryGraphCsv(readFile("storygraph_export.csv"));
        QCOMPARE(r.books.size(), size_t(4));
        QCOMPARE(r.problems.size(), size_t(1));
        QCOMPARE(r.problems[0].line, 5);
        QVERIFY(r.problems[0].message.contains("five"));
        const ImportedBook* tb = byTitle(r, "The Three-Body Problem");
        QCOMPARE(tb->author, QStringLiteral("Cixin Liu")); // the first of "Cixin Liu, Ken Liu"
        QCOMPARE(tb->rating, 4.5);
        QCOMPARE(tb->shelf, Shelf::Read);
        QCOMPARE(tb->isbn, QStringLiteral("9780765382030"));
        QCOMPARE(byTitle(r, "Project Hail Mary")->shelf, Shelf::CurrentlyReading);
        const ImportedBook* dnf = byTitle(r, "Nineteen Eighty-Four");
        QCOMPARE(dnf->shelf, Shelf::Read); // abandoned: not offered again ...
        QVERIFY(dnf->rating > 0 && dnf->rating < 3); // ... and counted as disliked
        QCOMPARE(byTitle(r, "Piranesi")->shelf, Shelf::ToRead);
    }

    void calibre_data() {
        QTest::addColumn<bool>("oldSchema");
        QTest::newRow("old schema with books.isbn") << true;
        QTest::newRow("new schema, identifiers only") << false;
    }

    void calibre() {
        QFETCH(bool, oldSchema);
        QTemporaryDir dir;
        const QString path = dir.filePath("metadata.db");
        makeCalibre(path, oldSchema);
        const QByteArray before = sha(path);
        const ImportResult r = readCalibreLibrary(dir.path()); // a library folder works too
        QCOMPARE(sha(path), before); // opened read-only: not a byte changed
        QCOMPARE(r.format, QStringLiteral("Calibre"));
        QCOMPARE(r.books.size(), size_t(2));
        QCOMPARE(r.problems.size(), size_t(1)); // the book without a title
        QCOMPARE(r.problems[0].line, 3);
        const ImportedBook& dune = r.books[0];
        QCOMPARE(dune.title, QStringLiteral("Dune"));
        QCOMPARE(dune.author, QStringLiteral("Frank Herbert")); // the first linked author
        QCOMPARE(dune.isbn, QStringLiteral("9780441172719"));
        QCOMPARE(dune.rating, 5.0); // Calibre's 10 = five stars
        QCOMPARE(dune.shelf, Shelf::Read);
        QCOMPARE(dune.series, QStringLiteral("Dune Chronicles"));
        QCOMPARE(dune.year, 1965);
        QVERIFY(dune.tags.contains("Science Fiction"));
        const ImportedBook& piranesi = r.books[1];
        QCOMPARE(piranesi.description, QStringLiteral("A man lives in a house of endless halls & tides."));
        QCOMPARE(piranesi.rating, 0.0);
        QCOMPARE(piranesi.shelf, Shelf::ToRead);
        QCOMPARE(readLibraryFile(path).format, QStringLiteral("Calibre")); // recognised by content
    }

    void calibreErrorsSayWhatToDo() {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(BooksError, readCalibreLibrary(dir.filePath("missing.db")));
        const QString notCalibre = dir.filePath("other.db");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "not-calibre");
            db.setDatabaseName(notCalibre);
            QVERIFY(db.open());
            QSqlQuery(db).exec("CREATE TABLE t (x)");
            db.close();
        }
        QSqlDatabase::removeDatabase("not-calibre");
        try {
            readCalibreLibrary(notCalibre);
            QFAIL("a non-Calibre database was accepted");
        } catch (const BooksError& e) {
            QVERIFY(QString(e.what()).contains("not a Calibre library"));
        }
    }

    void importJoinsTheCatalogueAndKeepsEarlierImports() {
        CatalogueLoad load;
        loadCatalogueFile(LAMP_BOOKS_TEST_DATA "/catalogue_fixture.jsonl", load);
        BookDatabase db(":memory:");
        db.syncCatalogue(load.books);
        const qsizetype catalogueSize = db.bookCount();

        const ImportSummary gr = importLibraryFile(db, LAMP_BOOKS_TEST_DATA "/goodreads_export.csv");
        QCOMPARE(gr.format, QStringLiteral("Goodreads"));
        QCOMPARE(gr.rows, 4);
        QCOMPARE(gr.matched, 3);  // Dune by ISBN, Pride and Prejudice and Orient Express by title + author
        QCOMPARE(gr.added, 1);    // The Left Hand of Darkness
        QCOMPARE(gr.problems.size(), size_t(3));
        QCOMPARE(db.bookCount(), catalogueSize + 1);
        auto left = db.book("user-guin-left-hand-of-darkness");
        QVERIFY2(left, "the new book's id is user-<surname>-<title words>");
        QVERIFY(left->imported);
        QVERIFY(left->genres.contains("science-fiction")); // a shelf named like a genre keeps its meaning

        QHash<QString, UserBookState> states;
        for (const auto& s : db.userStates())
            states.insert(s.bookId, s);
        QCOMPARE(states.value("herbert-dune").rating, 5.0);
        QCOMPARE(states.value("herbert-dune").shelf, Shelf::Read);
        QCOMPARE(states.value("austen-pride").rating, 2.0);
        QCOMPARE(states.value("christie-orient-express").shelf, Shelf::ToRead);

        // A second import adds to the first: StoryGraph's Three-Body matches by title and the
        // reordered author name; nothing from Goodreads is lost.
        const ImportSummary sg = importLibraryFile(db, LAMP_BOOKS_TEST_DATA "/storygraph_export.csv");
        QCOMPARE(sg.format, QStringLiteral("StoryGraph"));
        QCOMPARE(sg.matched, 3);
        QCOMPARE(sg.added, 1); // Piranesi
        states.clear();
        for (const auto& s : db.userStates())
            states.insert(s.bookId, s);
        QCOMPARE(states.value("liu-three-body").rating, 4.5);
        QCOMPARE(states.value("herbert-dune").rating, 5.0);
        QCOMPARE(states.value("weir-project-hail-mary").shelf, Shelf::CurrentlyReading);
        QCOMPARE(states.value("orwell-1984").shelf, Shelf::Read);
        QCOMPARE(db.bookCount(), catalogueSize + 2);

        // Importing the same file again changes nothing and duplicates nothing.
        const ImportSummary again = importLibraryFile(db, LAMP_BOOKS_TEST_DATA "/goodreads_export.csv");
        QCOMPARE(again.added, 0);
        QCOMPARE(again.matched, 4);
        QCOMPARE(db.bookCount(), catalogueSize + 2);
    }

    void unknownFilesAreRefusedWithTheKnownFormats() {
        QTemporaryDir dir;
        QFile f(dir.filePath("x.csv"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a,b\n1,2\n");
        f.close();
        try {
            readLibraryFile(f.fileName());
            QFAIL("an unknown CSV was accepted");
        } catch (const BooksError& e) {
            QVERIFY(QString(e.what()).contains("Goodreads"));
            QVERIFY(QString(e.what()).contains("Calibre"));
        }
    }
};

QTEST_GUILESS_MAIN(TestBooksImporters)
#include "test_books_importers.moc"
