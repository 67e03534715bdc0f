// lamplight-cli as a user runs it: output, JSON, exit codes and error messages on stderr.
#include "support/run_program.h"
#include "support/tiny_models.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

namespace {

using Result = lamp::test::ProgramResult;

Result runCli(const QStringList& args, const QByteArray& input = {}) {
    return lamp::test::runProgram(QStringLiteral(LAMP_CLI_PATH), args, input, 60000);
}

} // namespace

class CliTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString model_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("demo.gguf");
        lamp::test::tinyLlamaModel().write(model_.toStdString());
    }

    void infoText() {
        const auto r = runCli({"info", model_});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("architecture     llama"), r.out.constData());
        QVERIFY(r.out.contains("context length   256"));
        QVERIFY(r.out.contains("F32"));
        QVERIFY(r.out.contains("vocabulary       llama, 296 tokens"));
        QVERIFY(r.out.contains("chat template    yes"));
        QVERIFY(r.err.isEmpty());
    }

    void infoJson() {
        const auto r = runCli({"info", model_, "--json"});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(r.out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const auto o = doc.object();
        QCOMPARE(o["architecture"].toString(), QString("llama"));
        QCOMPARE(o["context_length"].toInt(), 256);
        QCOMPARE(o["block_count"].toInt(), 2);
        // Parameters: embeddings and output 296×64 each, per layer 4·64² + 2·64·32 ... computed:
        const int perLayer = 64 * 64 * 2 + 64 * 32 * 2 + 3 * 64 * 128 + 2 * 64;
        QCOMPARE(o["parameters"].toDouble(), double(2 * 296 * 64 + 2 * perLayer + 64));
        QCOMPARE(o["formats"].toObject()["F32"].toObject()["tensors"].toInt(), 2 + 2 * 9 + 1);
        QCOMPARE(o["vocab"].toObject()["type"].toString(), QString("llama"));
        QCOMPARE(o["vocab"].toObject()["size"].toInt(), 296);
        QCOMPARE(o["vocab"].toObject()["special_tokens"].toObject()["bos"].toObject()["text"].toString(), QString("<s>"));
        QCOMPARE(o["chat_template"].toBool(), true);
    }

    void tokenizeAndDetokenize() {
        const auto r = runCli({"tokenize", model_, "the Lamplight"});
        QCOMPARE(r.exitCode, 0);
        const auto lines = r.out.trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        QStringList ids;
        for (const auto& l : lines) {
            bool ok = false;
            l.toInt(&ok);
            QVERIFY2(ok, l.constData());
            ids << QString::fromUtf8(l);
        }
        const auto d = runCli(QStringList{"detokenize", model_} + ids);
        QCOMPARE(d.exitCode, 0);
        QCOMPARE(d.out, QByteArray("the Lamplight\n"));

        // JSON, stdin and --add-bos (the demo vocabulary's BOS is id 1).
        const auto j = runCli({"tokenize", model_, "-", "--json", "--add-bos"}, "the Lamplight");
        QCOMPARE(j.exitCode, 0);
        const auto array = QJsonDocument::fromJson(j.out).array();
        QCOMPARE(array.size(), ids.size() + 1);
        QCOMPARE(array[0].toInt(), 1);
        QCOMPARE(array[1].toInt(), ids[0].toInt());
    }

    void specialTokensOnlyWhenAsked() {
        const auto plain = runCli({"tokenize", model_, "<s>", "--json"});
        const auto special = runCli({"tokenize", model_, "<s>", "--json", "--special"});
        QCOMPARE(plain.exitCode, 0);
        QCOMPARE(special.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(special.out).array(), QJsonArray({1}));
        QVERIFY(QJsonDocument::fromJson(plain.out).array().size() > 1);
    }

    void errorsGoToStderrWithNonZeroExit() {
        const auto missing = runCli({"info", dir_.filePath("nope.gguf")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.out.isEmpty());
        QVERIFY2(missing.err.contains("nope.gguf"), missing.err.constData());

        const QString truncated = dir_.filePath("truncated.gguf");
        {
            const auto bytes = lamp::test::tinyLlamaModel().toBytes();
            std::ofstream f(truncated.toStdString(), std::ios::binary);
            f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size() / 2));
        }
        const auto t = runCli({"info", truncated});
        QCOMPARE(t.exitCode, 1);
        QVERIFY2(t.err.contains("truncated.gguf") && t.err.contains("truncated"), t.err.constData());

        QCOMPARE(runCli({"detokenize", model_, "100000"}).exitCode, 1);
        QVERIFY(runCli({"detokenize", model_, "100000"}).err.contains("out of range"));
        QCOMPARE(runCli({"detokenize", model_, "abc"}).exitCode, 2);
        QCOMPARE(runCli({"frobnicate"}).exitCode, 2);
        QCOMPARE(runCli({"info"}).exitCode, 2);
        QCOMPARE(runCli({"info", model_, "--jsn"}).exitCode, 2);
        QCOMPARE(runCli({}).exitCode, 2);
        QCOMPARE(runCli({"--help"}).exitCode, 0);
    }

    // lamplight-quantize writes a model that the reader and `info` accept, with the types asked for.
    void quantizeTool() {
        const QString tool = QStringLiteral(LAMP_QUANTIZE_PATH);
        const QString out = dir_.filePath("demo-q8_0.gguf");
        const auto q = lamp::test::runProgram(tool, {model_, out, "Q8_0"});
        QVERIFY2(q.exitCode == 0, q.err.constData());
        const auto info = runCli({"info", out, "--json"});
        QCOMPARE(info.exitCode, 0);
        const auto formats = QJsonDocument::fromJson(info.out).object()["formats"].toObject();
        // Every matrix is Q8_0 (rows of 64 and 128 are whole Q8_0 blocks); the 5 norms stay F32.
        QCOMPARE(formats["F32"].toObject()["tensors"].toInt(), 5);
        QCOMPARE(formats["Q8_0"].toObject()["tensors"].toInt(), 2 + 2 * 7);
        // Tokenization is unchanged: the vocabulary was copied.
        QCOMPARE(runCli({"tokenize", out, "the Lamplight"}).out, runCli({"tokenize", model_, "the Lamplight"}).out);

        const auto bad = lamp::test::runProgram(tool, {model_, dir_.filePath("x.gguf"), "q9_9"});
        QCOMPARE(bad.exitCode, 2);
        const auto missing = lamp::test::runProgram(tool, {dir_.filePath("none.gguf"), dir_.filePath("x.gguf"), "q4_0"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("none.gguf"), missing.err.constData());
        QVERIFY(!QFile::exists(dir_.filePath("x.gguf")));
    }
};

QTEST_GUILESS_MAIN(CliTest)
#include "test_cli.moc"
