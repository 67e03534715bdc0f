// Titles summarised by the model after a new conversation's first answer (app/worker/title_summary.h,
// GenerationWorker::summarizeTitle, AppController): the cleaning of what a model writes (cases
// written by hand), the prompt, and the whole path with a model whose output is known in advance:
// it writes one piece (" Lamplight") over and over whatever it is asked, so its title after
// cleaning is exactly six of them (the words that fit kTitleMaxChars). Also: the title never
// touches the conversation's KV cache, a new request stops it, a user's rename wins, and the
// setting turns it off.
#include "support/tiny_models.h"

#include "history/history_store.h"
#include "settings/settings.h"
#include "ui_models/app_controller.h"
#include "worker/generation_controller.h"
#include "worker/generation_worker.h"
#include "worker/title_summary.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <vector>

using namespace lamp;
using namespace lamp::app;

namespace {

// The token of "▁Lamplight" in test::addTinySpmVocab: 3 specials, 256 bytes, then the 32nd piece.
constexpr int32_t kLamplightToken = 3 + 256 + 31;
const QString kSixLamplights = QStringLiteral("Lamplight Lamplight Lamplight Lamplight Lamplight Lamplight");

std::vector<std::byte> filledF32(size_t n, float value) {
    const std::vector<float> values(n, value);
    std::vector<std::byte> out(n * sizeof(float));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

// A llama model that always predicts `token`: every token has the same positive embedding, the one
// block adds nothing (zero projections), so the final norm gives a vector of ones, and only the
// output row of `token` is non-zero (its logit is the width, every other one 0).
GgufWriter constantModel(int32_t token) {
    constexpr int64_t width = 64, ffn = 64;
    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    w.set("general.name", std::string("Lamplight constant test model"));
    w.set("general.file_type", uint32_t{0});
    w.set("llama.context_length", uint32_t{2048});
    w.set("llama.embedding_length", uint32_t{width});
    w.set("llama.block_count", uint32_t{1});
    w.set("llama.feed_forward_length", uint32_t{ffn});
    w.set("llama.attention.head_count", uint32_t{1});
    w.set("llama.attention.head_count_kv", uint32_t{1});
    w.set("llama.rope.dimension_count", uint32_t{width});
    w.set("llama.rope.freq_base", 10000.0f);
    w.set("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    const int64_t vocab = test::addTinySpmVocab(w);
    w.set("tokenizer.chat_template",
          std::string("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
                      "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"));
    const auto tensor = [&](const std::string& name, std::vector<int64_t> shape, float value) {
        size_t n = 1;
        for (int64_t d : shape)
            n *= static_cast<size_t>(d);
        w.addTensor(name, TensorType::F32, std::move(shape), filledF32(n, value));
    };
    tensor("token_embd.weight", {width, vocab}, 0.5f);
    tensor("blk.0.attn_norm.weight", {width}, 1.0f);
    tensor("blk.0.attn_q.weight", {width, width}, 0.0f);
    tensor("blk.0.attn_k.weight", {width, width}, 0.0f);
    tensor("blk.0.attn_v.weight", {width, width}, 0.0f);
    tensor("blk.0.attn_output.weight", {width, width}, 0.0f);
    tensor("blk.0.ffn_norm.weight", {width}, 1.0f);
    tensor("blk.0.ffn_gate.weight", {width, ffn}, 0.0f);
    tensor("blk.0.ffn_up.weight", {width, ffn}, 0.0f);
    tensor("blk.0.ffn_down.weight", {ffn, width}, 0.0f);
    tensor("output_norm.weight", {width}, 1.0f);
    std::vector<std::byte> output = filledF32(static_cast<size_t>(width * vocab), 0.0f);
    const std::vector<std::byte> row = filledF32(width, 1.0f);
    std::memcpy(output.data() + static_cast<size_t>(token * width) * sizeof(float), row.data(), row.size());
    w.addTensor("output.weight", TensorType::F32, {width, vocab}, std::move(output));
    return w;
}

GenerationSettings answerSettings(int32_t maxTokens) {
    GenerationSettings s;
    s.maxTokens = maxTokens;
    s.contextLength = 512;
    return s;
}

} // namespace

class TestTitleSummary : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString model_;
    int histories_ = 0;

    QString newHistoryPath() { return dir_.filePath(QStringLiteral("history-%1.sqlite").arg(++histories_)); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath(QStringLiteral("constant.gguf"));
        constantModel(kLamplightToken).write(model_.toStdString());
    }

    void cleaning_data() {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("title");
        QTest::newRow("plain") << "Fixing a flickering lamp" << "Fixing a flickering lamp";
        QTest::newRow("quotes and full stop") << "\"Fixing a flickering lamp.\"" << "Fixing a flickering lamp";
        QTest::newRow("curly quotes") << "“Lamp repair tips”" << "Lamp repair tips";
        QTest::newRow("label") << "Title: Baking bread at home!" << "Baking bread at home";
        QTest::newRow("markdown, later lines") << "\n\n**Baking bread at home**\nThis title sums up the chat."
                                               << "Baking bread at home";
        QTest::newRow("heading") << "# Weekend reading plan" << "Weekend reading plan";
        QTest::newRow("code words kept") << "`C#` and snake_case tips" << "C# and snake_case tips";
        QTest::newRow("underscore emphasis") << "_Weekend reading plan_" << "Weekend reading plan";
        QTest::newRow("apostrophe kept") << "'Don't panic: a towel guide'" << "Don't panic: a towel guide";
        QTest::newRow("spaces collapsed") << "  Tea \t and   biscuits  " << "Tea and biscuits";
        QTest::newRow("eight words at most") << "one two three four five six seven eight nine ten"
                                             << "one two three four five six seven eight";
        QTest::newRow("chinese") << "“如何修理闪烁的台灯？”" << "如何修理闪烁的台灯";
        QTest::newRow("chinese label") << "标题：周末的读书计划。" << "周末的读书计划";
        QTest::newRow("chinese too long") << QString(40, QChar(0x706F)) << QString(24, QChar(0x706F));
        QTest::newRow("long words cut at a word") << "Supercalifragilistic expialidocious extraordinarily "
                                                     "incomprehensible circumlocutions notwithstanding"
                                                  << "Supercalifragilistic expialidocious extraordinarily";
        QTest::newRow("nothing but quotes") << "\"\"  \n ** \n" << "";
        QTest::newRow("empty") << "" << "";
        QTest::newRow("replacement characters") << "\uFFFDLamp\uFFFD notes" << "Lamp notes";
    }

    void cleaning() {
        QFETCH(QString, raw);
        QFETCH(QString, title);
        QCOMPARE(cleanTitle(raw), title);
    }

    // A hard cut never splits a character outside the BMP (two UTF-16 units).
    void cleaningKeepsSurrogatePairsWhole() {
        const QString lamp = QStringLiteral("\U0001FA94");  // 🪔, a surrogate pair
        const QString raw = QString(kTitleMaxUnspacedChars - 1, QChar(0x706F)) + lamp + lamp;
        const QString title = cleanTitle(raw);
        QCOMPARE(title, QString(kTitleMaxUnspacedChars - 1, QChar(0x706F)));
        QVERIFY(!title.back().isHighSurrogate());
    }

    void promptHoldsTheExchangeCutToSize() {
        const QString prompt = titlePrompt(QStringLiteral("How do I fix my lamp?"), QStringLiteral("Check the bulb."));
        QVERIFY(prompt.contains(QStringLiteral("How do I fix my lamp?")));
        QVERIFY(prompt.contains(QStringLiteral("Check the bulb.")));
        QVERIFY(prompt.contains(QStringLiteral("at most 8 words")));
        const QString longPrompt = titlePrompt(QString(5000, QLatin1Char('u')), QString(5000, QLatin1Char('a')), 100);
        QVERIFY(longPrompt.contains(QString(100, QLatin1Char('u')) + QStringLiteral("…")));
        QVERIFY(!longPrompt.contains(QString(101, QLatin1Char('u'))));
        QVERIFY(longPrompt.size() < 600);
    }

    // The worker: the known title; the conversation's session is untouched (its next turn reuses
    // the whole first prompt); a new request stops a title that has not run.
    void workerWritesTheTitleOnItsOwnSession() {
        GenerationController c;
        QSignalSpy loaded(&c, &GenerationController::modelReady);
        c.loadModel(model_, ModelLoadOptions{});
        QVERIFY(loaded.wait(30000));
        QHash<quint64, GenerationResult> results;
        connect(&c, &GenerationController::generationFinished, this,
                [&](const GenerationResult& r) { results.insert(r.requestId, r); });
        QSignalSpy titles(&c, &GenerationController::titleFinished);

        const QList<ChatTurn> first{{QStringLiteral("user"), QStringLiteral("Tell me about lamps")}};
        const quint64 a1 = c.generate(QStringLiteral("a"), first, answerSettings(6));
        QTRY_VERIFY_WITH_TIMEOUT(results.contains(a1), 30000);
        QCOMPARE(results[a1].finish, FinishReason::MaxLength);
        QVERIFY2(results[a1].text.simplified().startsWith(QStringLiteral("Lamplight Lamplight Lamplight")),
                 qPrintable(results[a1].text));

        // A long first message: the prompt is cut until it fits the title's small context.
        const quint64 t = c.summarizeTitle(QStringLiteral("a"), QString(3000, QLatin1Char('q')), results[a1].text);
        QTRY_COMPARE_WITH_TIMEOUT(titles.count(), 1, 30000);
        QCOMPARE(titles.at(0).at(0).toString(), QStringLiteral("a"));
        QCOMPARE(titles.at(0).at(1).toULongLong(), t);
        QCOMPARE(titles.at(0).at(2).toString(), kSixLamplights);
        QVERIFY(!c.generating());  // background work never shows as an answer

        QList<ChatTurn> second = first;
        second.append({QStringLiteral("assistant"), results[a1].text});
        second.append({QStringLiteral("user"), QStringLiteral("And lanterns?")});
        const quint64 a2 = c.generate(QStringLiteral("a"), second, answerSettings(4));
        QTRY_VERIFY_WITH_TIMEOUT(results.contains(a2), 30000);
        QVERIFY2(results[a2].promptTokensReused >= results[a1].promptTokens,
                 qPrintable(QStringLiteral("reused %1 of the first prompt's %2 tokens")
                                .arg(results[a2].promptTokensReused)
                                .arg(results[a1].promptTokens)));

        // Any request after it stops a title that has not started: it ends with no title. (The
        // worker is held busy meanwhile, so the title cannot start before the request is made.)
        QSemaphore busy;
        QMetaObject::invokeMethod(c.worker(), [&busy] { busy.acquire(); }, Qt::QueuedConnection);
        c.summarizeTitle(QStringLiteral("a"), QStringLiteral("Tell me about lamps"), results[a1].text);
        const quint64 a3 = c.generate(QStringLiteral("b"), first, answerSettings(2));
        busy.release();
        QTRY_COMPARE_WITH_TIMEOUT(titles.count(), 2, 30000);
        QCOMPARE(titles.at(1).at(2).toString(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(results.contains(a3), 30000);
        QCOMPARE(results[a3].finish, FinishReason::MaxLength);
    }

    // The app: a new conversation gets the model's title after its first answer, in the store and
    // the sidebar; a later answer does not title it again.
    void newConversationGetsTheModelsTitle() {
        AppOptions options;
        options.historyPath = newHistoryPath();
        options.modelPath = model_;
        AppController app(options);
        QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);
        app.setMaxAnswerTokens(6);
        QSignalSpy finished(&app, &AppController::answerFinished);
        QSignalSpy titles(app.generation(), &GenerationController::titleFinished);
        QSignalSpy changed(&app, &AppController::currentConversationChanged);

        QVERIFY(app.sendMessage(QStringLiteral("How do I fix a flickering lamp?")));
        const qint64 id = app.currentConversationId();
        QCOMPARE(app.currentTitle(), QStringLiteral("How do I fix a flickering lamp?"));  // from the message, at once
        QTRY_COMPARE_WITH_TIMEOUT(titles.count(), 1, 30000);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(app.store()->conversation(id)->title, kSixLamplights);
        QCOMPARE(app.currentTitle(), kSixLamplights);
        QVERIFY(changed.count() >= 1);
        ConversationListModel* list = app.conversations();
        QCOMPARE(list->data(list->index(list->rowOf(id)), ConversationListModel::TitleRole).toString(), kSixLamplights);

        QVERIFY(app.sendMessage(QStringLiteral("Thanks!")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QTest::qWait(200);
        QCOMPARE(titles.count(), 1);
    }

    // The user renamed the conversation before the title came: their name stays.
    void aRenameWins() {
        AppOptions options;
        options.historyPath = newHistoryPath();
        options.modelPath = model_;
        AppController app(options);
        QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);
        app.setMaxAnswerTokens(6);
        QSignalSpy titles(app.generation(), &GenerationController::titleFinished);
        // Renamed as soon as the answer is saved: the title request is queued then, not done.
        connect(&app, &AppController::answerFinished, this,
                [&app](qint64 conversation) { app.renameConversation(conversation, QStringLiteral("My lamp")); });
        QVERIFY(app.sendMessage(QStringLiteral("How do I fix a flickering lamp?")));
        const qint64 id = app.currentConversationId();
        QTRY_COMPARE_WITH_TIMEOUT(titles.count(), 1, 30000);
        QCOMPARE(titles.at(0).at(2).toString(), kSixLamplights);  // written, then not stored
        QCOMPARE(app.store()->conversation(id)->title, QStringLiteral("My lamp"));
        QCOMPARE(app.currentTitle(), QStringLiteral("My lamp"));
    }

    // Settings: autoTitles is on by default, kept in the file, and off means no title is asked for.
    void theSettingTurnsItOff() {
        const QString file = dir_.filePath(QStringLiteral("settings.ini"));
        {
            Settings settings(file);
            QVERIFY(settings.autoTitles());
            QSignalSpy spy(&settings, &Settings::autoTitlesChanged);
            settings.setAutoTitles(false);
            settings.setAutoTitles(false);
            QCOMPARE(spy.count(), 1);
        }
        Settings settings(file);
        QVERIFY(!settings.autoTitles());

        AppOptions options;
        options.historyPath = newHistoryPath();
        options.modelPath = model_;
        options.settings = &settings;
        AppController app(options);
        QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);
        app.setMaxAnswerTokens(6);
        QSignalSpy finished(&app, &AppController::answerFinished);
        QSignalSpy titles(app.generation(), &GenerationController::titleFinished);
        QVERIFY(app.sendMessage(QStringLiteral("How do I fix a flickering lamp?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QTest::qWait(200);  // a title would take a few milliseconds on this model
        QCOMPARE(titles.count(), 0);
        QCOMPARE(app.currentTitle(), QStringLiteral("How do I fix a flickering lamp?"));

        settings.resetToDefaults();
        QVERIFY(settings.autoTitles());
    }
};

QTEST_MAIN(TestTitleSummary)
#include "test_title_summary.moc"
