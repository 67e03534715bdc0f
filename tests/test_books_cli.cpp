// `lamplight-cli books search|import` and `chat --assistant books`, run as a user runs them, on a
// database in a temporary folder (never the user's).
#include "support/run_program.h"
#include "support/tiny_models.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result runCli(const QStringList& args, const QByteArray& input = {}) {
    const auto r = lamp::test::runProgram(QStringLiteral(LAMP_CLI_PATH), args, input, 60000);
    return {r.exitCode, QString::fromUtf8(r.out), QString::fromUtf8(r.err)};
}

} // namespace

class TestBooksCli : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString db_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        db_ = dir_.filePath("books.db");
    }

    void search() {
        const Result r = runCli({"books", "search", "--db", db_, "--json", "--limit", "4", "不要科幻的推理小说"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray books = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(books.size(), 4);
        for (const QJsonValue& v : books) {
            QVERIFY(!v.toObject()["id"].toString().isEmpty());
            QVERIFY(v.toObject()["why"].toArray().contains(QJsonValue("mystery")) ||
                    v.toObject()["why"].toArray().contains(QJsonValue("thriller")));
        }
        const Result text = runCli({"books", "search", "--db", db_, "--explain", "a funny novel, not sci-fi"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.startsWith("1. "));
        QVERIFY(text.err.contains("not genres: science-fiction"));
        QCOMPARE(runCli({"books", "search", "--db", db_}).exitCode, 2); // no request
        QCOMPARE(runCli({"books", "frobnicate"}).exitCode, 2);
    }

    void importListsSkippedRowsByLine() {
        const Result r = runCli({"books", "import", "--db", db_, LAMP_BOOKS_TEST_DATA "/goodreads_export.csv"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("Goodreads library: 4 books imported"));
        QVERIFY(r.out.contains("3 rows skipped"));
        QVERIFY(r.err.contains("goodreads_export.csv:6: skipped: \"My Rating\" is \"7\""));
        QVERIFY(r.err.contains("goodreads_export.csv:9: skipped"));
        const Result bad = runCli({"books", "import", "--db", db_, dir_.filePath("missing.csv")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("cannot read"));
    }

    void chatWithTheAssistant() {
        // A tiny random model: its words are noise, but every step of the assistant runs.
        const QString model = dir_.filePath("tiny.gguf");
        lamp::test::tinyLlamaModel().write(model.toStdString());
        const QByteArray input = "你好,能帮我推荐一本好书吗?\nscience fiction please\n/read 1\n/read 99\n/exit\n";
        const Result r = runCli({"chat", "-m", model, "--assistant", "books", "--books-db", db_, "-n", "8",
                                 "--temp", "0", "--template", "chatml", "-c", "4096"}, input);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.startsWith(QStringLiteral("当然可以!"))); // the clarifying question, before the model
        QVERIFY(r.err.contains("[candidates]\n  1. "));
        QVERIFY(r.err.contains("(marked as read: "));
        QVERIFY(r.err.contains("(no candidate with that number"));
        QCOMPARE(runCli({"chat", "-m", model, "--assistant", "films"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestBooksCli)
#include "test_books_cli.moc"
