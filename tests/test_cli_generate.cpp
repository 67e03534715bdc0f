// lamplight-cli generate / eval / chat / bench as a user runs them: greedy text equal to the
// reference engine's, reproducible seeds, several sequences, stop strings, logits files, a chat in
// Chinese kept in context, benchmark JSON, and clear errors.
#include "support/run_program.h"
#include "support/shared_data.h"
#include "support/tiny_models.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using Result = lamp::test::ProgramResult;

Result runCli(const QStringList& args, const QByteArray& input = {}) {
    return lamp::test::runProgram(QStringLiteral(LAMP_CLI_PATH), args, input);
}

QList<QJsonObject> jsonLines(const QByteArray& out) {
    QList<QJsonObject> lines;
    for (const auto& line : out.split('\n'))
        if (!line.trimmed().isEmpty())
            lines << QJsonDocument::fromJson(line).object();
    return lines;
}

QString ids(const QJsonArray& a) {
    QStringList parts;
    for (const auto& v : a)
        parts << QString::number(v.toInt());
    return parts.join(',');
}

bool isValidUtf8(const QByteArray& bytes) {
    QStringDecoder decoder(QStringDecoder::Utf8);
    (void)decoder.decode(bytes);
    return !decoder.hasError();
}

} // namespace

class CliGenerateTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString demo_;

private slots:
    void initTestCase() {
        qputenv("LAMPLIGHT_CACHE_DIR", dir_.filePath("cache").toUtf8());  // never the user's cache
        demo_ = dir_.filePath("demo.gguf");
        lamp::test::tinyLlamaModel().write(demo_.toStdString());
    }

    // The reference engine's greedy continuations (stories260K: Lily and the red ball), through the
    // command line, token for token.
    void greedyMatchesTheReference() {
        LAMP_REQUIRE_SHARED(shared);
        QFile f(QString::fromStdString((shared / "reference" / "models.json").string()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        int checked = 0;
        for (const auto& g : QJsonDocument::fromJson(f.readAll()).object()["greedy"].toArray()) {
            const auto greedy = g.toObject();
            const QString path = QString::fromStdString((shared / greedy["file"].toString().toStdString()).string());
            const int n = static_cast<int>(greedy["greedy_tokens"].toArray().size());
            const auto r = runCli({"generate", "-m", path, "-p", greedy["prompt"].toString(), "-n", QString::number(n),
                                   "--temp", "0", "--repeat-penalty", "1", "--json"});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const auto lines = jsonLines(r.out);
            QCOMPARE(lines.size(), 1);
            QCOMPARE(lines[0]["prompt_tokens"].toArray(), greedy["prompt_tokens"].toArray());
            QCOMPARE(lines[0]["tokens"].toArray(), greedy["greedy_tokens"].toArray());
            ++checked;
        }
        QVERIFY(checked > 0);
    }

    void seedsAndSequences() {
        const QStringList base{"generate", "-m", demo_, "-p", "the lamp", "-n", "12", "--temp", "1.5", "--json"};
        const auto a = runCli(base + QStringList{"--seed", "7"});
        const auto b = runCli(base + QStringList{"--seed", "7"});
        const auto c = runCli(base + QStringList{"--seed", "8"});
        QCOMPARE(a.exitCode, 0);
        QCOMPARE(a.out, b.out);  // same seed, same text
        QVERIFY(a.out != c.out);
        const auto line = jsonLines(a.out).value(0);
        QCOMPARE(line["tokens"].toArray().size(), 12);
        QCOMPARE(line["logprobs"].toArray().size(), 12);
        for (const auto& lp : line["logprobs"].toArray())
            QVERIFY(lp.toDouble() <= 0.0);
        QCOMPARE(line["finish_reason"].toString(), QString("maximum length"));

        const auto several = runCli(base + QStringList{"--seed", "7", "--num-sequences", "3"});
        QCOMPARE(several.exitCode, 0);
        const auto lines = jsonLines(several.out);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0]["tokens"], line["tokens"]);  // the first is the single run's
        QVERIFY(lines[1]["tokens"] != lines[0]["tokens"] || lines[2]["tokens"] != lines[0]["tokens"]);
        for (const auto& l : lines)
            QCOMPARE(l["prompt_tokens"], line["prompt_tokens"]);

        // Streaming text mode: the text goes to stdout, diagnostics to stderr.
        const auto text = runCli({"generate", "-m", demo_, "-p", "the lamp", "-n", "12", "--seed", "7", "--temp", "1.5"});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(QString::fromUtf8(text.out).chopped(1), line["text"].toString());
        QVERIFY(text.err.contains("backend: cpu"));
    }

    void stopStrings() {
        // Find a piece of a greedy continuation, then ask to stop at it.
        const QStringList base{"generate", "-m", demo_, "-p", "the", "-n", "24", "--temp", "0", "--json"};
        const auto full = jsonLines(runCli(base).out).value(0)["text"].toString();
        QVERIFY(full.size() > 6);
        const QString stop = full.mid(4, 2);
        const auto r = jsonLines(runCli(base + QStringList{"--stop", stop}).out).value(0);
        QCOMPARE(r["finish_reason"].toString(), QString("stop string"));
        QCOMPARE(r["text"].toString(), full.left(full.indexOf(stop)));
    }

    void evalWritesReferenceFormat() {
        LAMP_REQUIRE_SHARED(shared);
        const QString model = QString::fromStdString((shared / "models" / "tiny-llama-q4_k_m.gguf").string());
        const QString ref = QString::fromStdString((shared / "reference" / "logits" / "tiny-llama-q4_k_m.pub.f32").string());
        QFile f(QString::fromStdString((shared / "reference" / "models.json").string()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonObject kase;
        for (const auto& m : QJsonDocument::fromJson(f.readAll()).object()["models"].toArray())
            if (m.toObject()["file"].toString() == "models/tiny-llama-q4_k_m.gguf")
                kase = m.toObject()["cases"].toArray()[0].toObject();
        const QString out = dir_.filePath("logits.f32");
        const auto r = runCli({"eval", "-m", model, "--tokens", ids(kase["tokens"].toArray()), "--logits-out", out,
                               "--compare", ref});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QFileInfo(out).size(), QFileInfo(ref).size());
        const auto match = QRegularExpression("nmse ([0-9.e+-]+)").match(QString::fromUtf8(r.out));
        QVERIFY(match.hasMatch());
        QVERIFY2(match.captured(1).toDouble() <= kase["tolerance_nmse"].toDouble(), r.out.constData());
    }

    void chatKeepsTheConversationInChinese() {
        const QByteArray input = "你好,能帮我推荐一本好书吗?\n再推荐一本。\n";
        const auto r = runCli({"chat", "-m", demo_, "--system", "You recommend books.", "-n", "8", "--seed", "3",
                               "--show-prompt"},
                              input);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(isValidUtf8(r.out));
        QVERIFY(isValidUtf8(r.err));
        const QString err = QString::fromUtf8(r.err);
        // The user's Chinese text reaches the model intact (decoded back from the prompt tokens).
        QVERIFY2(err.contains(QStringLiteral("你好,能帮我推荐一本好书吗?")), r.err.constData());
        QVERIFY(err.contains(QStringLiteral("再推荐一本。")));
        QVERIFY(err.contains(QStringLiteral("You recommend books.")));
        // The second turn reuses the cached first one: it evaluates fewer tokens than its prompt.
        const auto turns = QRegularExpression("\\[(\\d+) prompt tokens evaluated of (\\d+);").globalMatch(err);
        QList<QPair<int, int>> counts;
        for (auto it = turns; it.hasNext();) {
            const auto m = it.next();
            counts << qMakePair(m.captured(1).toInt(), m.captured(2).toInt());
        }
        QCOMPARE(counts.size(), 2);
        QCOMPARE(counts[0].first, counts[0].second);
        QVERIFY2(counts[1].first < counts[1].second / 2, r.err.constData());
    }

    void benchJson() {
        const auto r = runCli({"bench", "-m", demo_, "-p", "16", "-n", "8", "-r", "1", "-t", "1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto o = QJsonDocument::fromJson(r.out).object();
        for (const char* key : {"pp_tokens_per_s", "tg_tokens_per_s", "peak_rss_bytes", "bandwidth_bytes_per_s"})
            QVERIFY2(o[key].toDouble() > 0, key);
        QVERIFY2(o["backend"].toString().startsWith("cpu on CPU"), qPrintable(o["backend"].toString()));
        QCOMPARE(o["threads"].toInt(), 1);
        // -n 0 and -p 0 measure one side alone.
        const auto pp = QJsonDocument::fromJson(runCli({"bench", "-m", demo_, "-p", "16", "-n", "0", "-r", "1", "--json"}).out).object();
        QVERIFY(pp["pp_tokens_per_s"].toDouble() > 0);
        QCOMPARE(pp["tg_tokens_per_s"].toDouble(), 0.0);
    }

    // --backend vulkan runs on lavapipe with the CPU's greedy answer and keeps its pipeline cache;
    // a Vulkan failure falls back to the CPU with the reason on stderr and the same answer.
    void backends() {
        LAMP_REQUIRE_SHARED(shared);
        const QString model = QString::fromStdString((shared / "models" / "stories260K.gguf").string());
        const QStringList base{"generate", "-m", model, "-p", "Once upon a time", "-n", "24", "--temp", "0", "--json"};
        const auto cpu = runCli(base + QStringList{"--backend", "cpu"});
        QVERIFY2(cpu.exitCode == 0, cpu.err.constData());
        QVERIFY2(cpu.err.contains("backend: cpu on CPU") && cpu.err.contains("(asked for)"), cpu.err.constData());
        const auto gpu = runCli(base + QStringList{"--backend", "vulkan"});
        if (gpu.err.contains("no Vulkan") && !lamp::test::inCi())
            QSKIP("no Vulkan here");
        QVERIFY2(gpu.exitCode == 0, gpu.err.constData());
        QVERIFY2(gpu.err.contains("backend: vulkan on "), gpu.err.constData());
        QCOMPARE(jsonLines(gpu.out).value(0)["tokens"], jsonLines(cpu.out).value(0)["tokens"]);
        QVERIFY(QFile::exists(dir_.filePath("cache/vulkan-pipelines.bin")));
        qputenv("LAMPLIGHT_VK_FAULT", "device");
        const auto fallback = runCli(base + QStringList{"--backend", "vulkan", "--device", "0"});
        qunsetenv("LAMPLIGHT_VK_FAULT");
        QVERIFY2(fallback.exitCode == 0, fallback.err.constData());
        QVERIFY2(fallback.err.contains("backend: cpu on CPU") && fallback.err.contains("creating a device"),
                 fallback.err.constData());
        QCOMPARE(jsonLines(fallback.out).value(0)["tokens"], jsonLines(cpu.out).value(0)["tokens"]);

        // The throughput benchmark runs both backends on the same model and gives their ratio.
        const auto bench = runCli({"bench", "-m", model, "-p", "16", "-n", "4", "-r", "1", "--backend", "cpu,vulkan"});
        QVERIFY2(bench.exitCode == 0, bench.err.constData());
        QVERIFY2(bench.out.contains("backend     cpu on CPU") && bench.out.contains("backend     vulkan on "),
                 bench.out.constData());
        QVERIFY2(QRegularExpression("vulkan / cpu: pp [0-9.e+-]+x, tg [0-9.e+-]+x").match(QString::fromUtf8(bench.out)).hasMatch(),
                 bench.out.constData());
        QCOMPARE(runCli({"bench", "-m", model, "--backend", "cpu,metal"}).exitCode, 1);

        // `devices` lists lavapipe with its features; it is what --backend vulkan takes, not Auto
        // (which runs on the CPU rather than on a software renderer); LAMPLIGHT_VK_DISABLE shows.
        qputenv("LAMPLIGHT_VK_DISABLE", "integer_dot");
        const auto devices = runCli({"devices", "--json"});
        qunsetenv("LAMPLIGHT_VK_DISABLE");
        QVERIFY2(devices.exitCode == 0, devices.err.constData());
        const QJsonArray list = QJsonDocument::fromJson(devices.out).object()["devices"].toArray();
        bool sawSoftware = false;
        for (const auto& entry : list) {
            const QJsonObject d = entry.toObject();
            if (d["type"].toString() != "cpu")
                continue;
            sawSoftware = true;
            QVERIFY(!d["auto_choice"].toBool());
            QCOMPARE(d["features"].toObject()["integer_dot"].toString(), QString("off"));
            QCOMPARE(d["features"].toObject()["storage16"].toString(), QString("yes"));
        }
        QVERIFY2(sawSoftware, devices.out.constData());
        QVERIFY(runCli({"devices"}).out.contains("Auto runs on the CPU"));

        // The Qt-free benchmark for the GPU machine: Vulkan checked against the CPU, then both run.
        const auto gpuBench = lamp::test::runProgram(QStringLiteral(LAMP_GPU_BENCH_PATH),
                                                     {"-p", "16", "-n", "4", "-r", "1", "--backend", "cpu,vulkan",
                                                      "--compare", model});
        QVERIFY2(gpuBench.exitCode == 0, gpuBench.err.constData());
        QVERIFY2(gpuBench.out.contains("greedy 32/32 tokens equal") && !gpuBench.out.contains("FELL BACK") &&
                     gpuBench.out.contains("backend     vulkan on ") && gpuBench.out.contains("vulkan / cpu: pp "),
                 gpuBench.out.constData());
        QCOMPARE(lamp::test::runProgram(QStringLiteral(LAMP_GPU_BENCH_PATH), {"--bogus", model}).exitCode, 2);
    }

    void errors() {
        QCOMPARE(runCli({"generate", "-p", "x"}).exitCode, 2);                       // no model
        QCOMPARE(runCli({"generate", "-m", demo_}).exitCode, 2);                      // no prompt
        QCOMPARE(runCli({"generate", "-m", demo_, "-p", "x", "--temp", "hot"}).exitCode, 2);
        QCOMPARE(runCli({"generate", "-m", demo_, "-p", "x", "--bogus"}).exitCode, 2);
        const auto missing = runCli({"generate", "-m", dir_.filePath("none.gguf"), "-p", "x"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("none.gguf"));
        const auto temp = runCli({"generate", "-m", demo_, "-p", "x", "--temp", "-1"});
        QCOMPARE(temp.exitCode, 1);
        QVERIFY2(temp.err.contains("temperature"), temp.err.constData());
        QCOMPARE(runCli({"generate", "-m", demo_, "-p", "x", "--backend", "metal"}).exitCode, 2);
        QCOMPARE(runCli({"generate", "-m", demo_, "-p", "x", "--backend", "cpu", "--device", "0"}).exitCode, 2);
        const auto tooLong = runCli({"eval", "-m", demo_, "--ctx", "4", "--tokens", "1,2,3,4,5"});
        QCOMPARE(tooLong.exitCode, 1);
        QVERIFY2(tooLong.err.contains("context"), tooLong.err.constData());
        QCOMPARE(runCli({"eval", "-m", demo_, "--tokens", "1,99999"}).exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(CliGenerateTest)
#include "test_cli_generate.moc"
