// The generation worker and its controller (app/worker): loading with progress, cancel and errors;
// streamed, coalesced deltas that add up to the answer; stop within one token (also during the
// prompt); supersession, model change, unload and destruction in the middle of an answer; same seed
// same text; prompt reuse across turns and the per-conversation session cache; and the GUI event
// loop's worst latency while a model generates. Background work: prompt-only requests (after a
// model change) and their cancelling. (The same through the AppController: test_worker_app.cpp.)
//
// Two models, written by our own GGUF writer: the tiny test model (fast) and a wider one (random
// weights, ~40 MB, worker_test_support.h) whose answers take long enough to stop, switch or measure
// latency in the middle.
#include "support/tiny_models.h"
#include "worker_test_support.h"

#include "worker/generation_controller.h"
#include "worker/generation_worker.h"
#include "worker/session_cache.h"

#include "history/history_store.h"
#include "model/model.h"
#include "ui_models/app_controller.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include "support/shared_data.h"

#include <QtTest>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

using namespace lamp;
using namespace lamp::app;
using namespace lamp::test;


class TestGenerationWorker : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString tiny_, wider_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tiny_ = dir_.filePath(QStringLiteral("tiny.gguf"));
        wider_ = dir_.filePath(QStringLiteral("wider.gguf"));
        test::tinyLlamaModel().write(tiny_.toStdString());
        widerModel(384, 6, 1024).write(wider_.toStdString());
    }

    void loadReportsProgressAndModelInfo() {
        GenerationController c;
        QList<double> fractions;
        connect(&c, &GenerationController::loadProgressChanged, this, [&] { fractions.append(c.loadProgress()); });
        QSignalSpy failed(&c, &GenerationController::modelLoadFailed);
        QVERIFY(loadInto(c, wider_));
        QCOMPARE(failed.count(), 0);
        QVERIFY2(fractions.size() >= 3, qPrintable(QString::number(fractions.size())));
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(fractions.front(), 0.0);
        QCOMPARE(fractions.back(), 1.0);
        QCOMPARE(c.loadProgress(), 1.0);
        QCOMPARE(c.modelName(), QStringLiteral("Lamplight wider test model"));
        QCOMPARE(c.modelInfo().architecture, QStringLiteral("llama"));
        // Auto on a machine whose only Vulkan device is lavapipe (or that has none): the CPU, and why.
        QCOMPARE(c.backend(), QStringLiteral("cpu"));
        QVERIFY2(c.device().startsWith(QStringLiteral("CPU")), qPrintable(c.device()));
        QVERIFY2(c.backendReason().contains(QStringLiteral("software renderer")) ||
                     c.backendReason().contains(QStringLiteral("Vulkan")),
                 qPrintable(c.backendReason()));
        QCOMPARE(c.modelInfo().trainingContext, 4096);
        QVERIFY(c.modelInfo().parameterCount > 5'000'000);

        ModelLoadOptions cpu;
        cpu.backend = QStringLiteral("cpu");
        QVERIFY(loadInto(c, tiny_, cpu));
        QCOMPARE(c.modelName(), QStringLiteral("Lamplight tiny demo"));
        QVERIFY(c.fallbackReason().isEmpty());  // CPU was asked for
        QCOMPARE(c.backendReason(), QStringLiteral("asked for"));

        // Vulkan asked for: the weights go to the device (lavapipe here), or the reason it could not.
        ModelLoadOptions gpu;
        gpu.backend = QStringLiteral("vulkan");
        QVERIFY(loadInto(c, tiny_, gpu));
        if (c.backend() == QStringLiteral("vulkan")) {
            QVERIFY(c.fallbackReason().isEmpty());
            QVERIFY2(!c.device().isEmpty(), qPrintable(c.device()));
        } else {
            QVERIFY2(!lamp::test::inCi(), "CI has lavapipe: the Vulkan backend must load there");
            QVERIFY(!c.fallbackReason().isEmpty());
        }
    }

    void loadCanBeCancelled_data() {
        QTest::addColumn<QString>("stage");
        QTest::newRow("while opening") << QStringLiteral("opening");
        QTest::newRow("while reading the weights") << QStringLiteral("reading the weights");
    }

    // Cancelled from the worker's own progress report (a direct connection), so the test knows the
    // load was under way; the load then stops at its next check.
    void loadCanBeCancelled() {
        QFETCH(QString, stage);
        GenerationController c;
        QVERIFY(loadInto(c, tiny_));
        GenerationWorker* w = c.worker();
        connect(w, &GenerationWorker::loadProgress, w, [w, stage](quint64 id, double, const QString& s) {
            if (s == stage)
                w->cancelLoadsUpTo(id);
        }, Qt::DirectConnection);
        QSignalSpy cancelled(&c, &GenerationController::modelLoadCancelled);
        QSignalSpy failed(&c, &GenerationController::modelLoadFailed);
        c.loadModel(wider_);
        QVERIFY(waitFor([&] { return !c.loading(); }));
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(failed.count(), 0);
        QVERIFY(!c.modelLoaded());  // the old model was unloaded when the new load began
        QVERIFY(c.lastError().isEmpty());

        // A cancel covers that load only: the next one succeeds.
        disconnect(w, &GenerationWorker::loadProgress, w, nullptr);
        QVERIFY(loadInto(c, wider_));
    }

    void failedLoadSaysWhy() {
        GenerationController c;
        QSignalSpy failed(&c, &GenerationController::modelLoadFailed);
        QSignalSpy errors(&c, &GenerationController::errorOccurred);
        const QString missing = dir_.filePath(QStringLiteral("missing.gguf"));
        c.loadModel(missing);
        QVERIFY(waitFor([&] { return failed.count() == 1; }));
        QVERIFY(!c.loading());
        QVERIFY(!c.modelLoaded());
        QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("missing.gguf")), qPrintable(message));
        QCOMPARE(errors.count(), 1);
        QCOMPARE(c.lastError(), message);

        const QString garbage = dir_.filePath(QStringLiteral("garbage.gguf"));
        {
            QFile f(garbage);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a model file, just some text that is long enough to read a header from");
        }
        c.loadModel(garbage);
        QVERIFY(waitFor([&] { return failed.count() == 2; }));
        message = failed.at(1).at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("garbage.gguf")) && message.contains(QStringLiteral("GGUF"), Qt::CaseInsensitive),
                 qPrintable(message));

        ModelLoadOptions odd;
        odd.backend = QStringLiteral("quantum");
        c.loadModel(tiny_, odd);
        QVERIFY(waitFor([&] { return failed.count() == 3; }));
        message = failed.at(2).at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("quantum")), qPrintable(message));

        // After failures a good file still loads.
        QVERIFY(loadInto(c, tiny_));
    }

    void generationErrorsComeBackAsResults() {
        GenerationController c;
        Recorder rec(c);
        QSignalSpy errors(&c, &GenerationController::errorOccurred);
        const quint64 noModel = c.generate(QStringLiteral("a"), ask(QStringLiteral("hello")), settingsFor(8));
        QVERIFY(waitFor([&] { return rec.finished(noModel); }));
        QCOMPARE(rec.results[noModel].finish, FinishReason::Error);
        QVERIFY(rec.results[noModel].error.contains(QStringLiteral("No model")));
        QVERIFY(!c.generating());

        QVERIFY(loadInto(c, tiny_));
        GenerationSettings small = settingsFor(8);
        small.contextLength = 16;
        const quint64 overflow = c.generate(QStringLiteral("a"), ask(QString(200, QLatin1Char('x'))), small);
        GenerationSettings bad = settingsFor(8);
        bad.sampling.temperature = -1.0f;
        const quint64 sampling = c.generate(QStringLiteral("b"), ask(QStringLiteral("hello")), bad);
        QVERIFY(waitFor([&] { return rec.finished(sampling); }));
        // The overflow request was superseded by the next one only if it had not started; either
        // way it ends once, as an error or as stopped.
        QVERIFY(waitFor([&] { return rec.finished(overflow); }));
        const GenerationResult& o = rec.results[overflow];
        if (o.finish == FinishReason::Error)
            QVERIFY2(o.error.contains(QStringLiteral("context")), qPrintable(o.error));
        else
            QCOMPARE(o.finish, FinishReason::Stopped);
        QCOMPARE(rec.results[sampling].finish, FinishReason::Error);
        QVERIFY2(rec.results[sampling].error.contains(QStringLiteral("temperature")), qPrintable(rec.results[sampling].error));
        QVERIFY(errors.count() >= 2);

        // Alone (nothing after it to supersede it) the overflow is an error that names the context.
        const quint64 alone = c.generate(QStringLiteral("a"), ask(QString(200, QLatin1Char('x'))), small);
        QVERIFY(waitFor([&] { return rec.finished(alone); }));
        QCOMPARE(rec.results[alone].finish, FinishReason::Error);
        QVERIFY2(rec.results[alone].error.contains(QStringLiteral("context")), qPrintable(rec.results[alone].error));
        QVERIFY(c.lastError().contains(QStringLiteral("context")));
    }

    void finishReasons() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        const quint64 max = c.generate(QStringLiteral("a"), ask(QStringLiteral("hello")), settingsFor(5));
        QVERIFY(waitFor([&] { return rec.finished(max); }));
        QCOMPARE(rec.results[max].finish, FinishReason::MaxLength);
        QCOMPARE(rec.results[max].generatedTokens, 5);

        GenerationSettings full = settingsFor(0);
        full.contextLength = 48;
        const quint64 ctx = c.generate(QStringLiteral("b"), ask(QStringLiteral("hello")), full);
        QVERIFY(waitFor([&] { return rec.finished(ctx); }));
        const GenerationResult& r = rec.results[ctx];
        QCOMPARE(r.finish, FinishReason::ContextFull);
        QCOMPARE(r.promptTokens + r.generatedTokens, 48);
        QCOMPARE(r.contextSize, 48);
        QCOMPARE(rec.text[ctx], r.text);

        // The QML entry point: messages and settings as JS objects; the result as a gadget.
        const quint64 js = c.generate(
            QStringLiteral("c"),
            QVariantList{QVariantMap{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), QStringLiteral("hi")}}},
            QVariantMap{{QStringLiteral("maxTokens"), 3}, {QStringLiteral("seed"), 9}, {QStringLiteral("contextLength"), 128}});
        QVERIFY(waitFor([&] { return rec.finished(js); }));
        const GenerationResult& j = rec.results[js];
        QCOMPARE(j.generatedTokens, 3);
        QCOMPARE(j.contextSize, 128);
        QCOMPARE(j.seed, 9u);
        const QMetaObject& meta = GenerationResult::staticMetaObject;
        const QMetaProperty finish = meta.property(meta.indexOfProperty("finishReason"));
        QCOMPARE(finish.readOnGadget(&j).toString(), QStringLiteral("max_length"));
    }

    // Deltas arrive at most ~30 times a second and add up to the answer.
    void streamsCoalescedDeltas() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        // When the worker sends each update (a direct connection runs on the worker thread).
        QElapsedTimer clock;
        clock.start();
        std::vector<qint64> sentAtUs;
        connect(c.worker(), &GenerationWorker::textDelta, c.worker(),
                [&](const GenerationUpdate&) { sentAtUs.push_back(clock.nsecsElapsed() / 1000); }, Qt::DirectConnection);
        const quint64 id = c.generate(QStringLiteral("a"), ask(QStringLiteral("Tell me about the lamp")), settingsFor(400));
        QVERIFY(waitFor([&] { return rec.finished(id); }));
        const GenerationResult& r = rec.results[id];
        QCOMPARE(r.finish, FinishReason::MaxLength);
        QCOMPARE(r.generatedTokens, 400);
        QVERIFY(!r.text.isEmpty());
        QCOMPARE(rec.text[id], r.text);  // concatenated deltas == the final text

        const int updates = rec.updates[id];
        QCOMPARE(updates, static_cast<int>(sentAtUs.size()));
        qint64 minGapUs = std::numeric_limits<qint64>::max();
        for (size_t i = 1; i + 1 < sentAtUs.size(); ++i)  // the last one is the final flush
            minGapUs = std::min(minGapUs, sentAtUs[i] - sentAtUs[i - 1]);
        const double seconds = r.generationSeconds;
        qInfo("%lld tokens in %.2f s (%.0f tokens/s): %d updates (%.1f/s), smallest gap between updates %.1f ms",
              static_cast<long long>(r.generatedTokens), seconds, r.tokensPerSecond, updates, updates / seconds,
              static_cast<double>(minGapUs) / 1000.0);
        QVERIFY2(updates >= 3, "the answer should take several update intervals");
        QVERIFY(updates < r.generatedTokens);  // coalesced: fewer updates than tokens
        QVERIFY(minGapUs >= (GenerationWorker::kUpdateIntervalMs - 1) * 1000);
        QVERIFY(updates <= seconds * 30.0 + 2.0);
        QVERIFY(r.tokensPerSecond > 0);
        QCOMPARE(c.tokensPerSecond(), r.tokensPerSecond);  // the status bar's figure
        QCOMPARE(r.contextSize, 2048);
        QCOMPARE(r.contextUsed, r.promptTokens + r.generatedTokens - 1);  // the last token is sampled, not evaluated
    }

    // After stop() at most the token being computed is still sampled; the partial text is kept.
    void stopTakesEffectWithinOneToken() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        qint64 tokensAtStop = -1;
        quint64 id = 0;
        connect(&c, &GenerationController::textDelta, this, [&](const QString&, quint64 requestId, const QString&) {
            if (requestId == id && tokensAtStop < 0 && rec.updates[id] >= 2) {
                c.stop();  // first the flag, then the count: the count can then grow by at most one
                tokensAtStop = c.worker()->tokensInFlight();
            }
        });
        id = c.generate(QStringLiteral("a"), ask(QStringLiteral("hello")), settingsFor(3000));
        QVERIFY(waitFor([&] { return rec.finished(id); }));
        const GenerationResult& r = rec.results[id];
        QCOMPARE(r.finish, FinishReason::Stopped);
        QVERIFY(tokensAtStop > 0);
        qInfo("stopped at %lld tokens, finished with %lld", static_cast<long long>(tokensAtStop),
              static_cast<long long>(r.generatedTokens));
        QVERIFY(r.generatedTokens >= tokensAtStop);
        QVERIFY(r.generatedTokens <= tokensAtStop + 1);
        QVERIFY(!r.text.isEmpty());
        QCOMPARE(rec.text[id], r.text);  // the partial answer, all of it delivered
        QVERIFY(!c.generating());
    }

    // A stop during the prompt takes effect after the current batch.
    void stopDuringPrompt() {
        GenerationController c;
        Recorder rec(c);
        ModelLoadOptions options;
        options.batchSize = 8;
        QVERIFY(loadInto(c, wider_, options));
        GenerationWorker* w = c.worker();
        connect(w, &GenerationWorker::promptProgress, w, [w](quint64 requestId, qint64, qint64) {
            w->stopUpTo(requestId);
        }, Qt::DirectConnection);
        const quint64 id = c.generate(QStringLiteral("a"), ask(QString(300, QLatin1Char('a'))), settingsFor(50));
        QVERIFY(waitFor([&] { return rec.finished(id); }));
        const GenerationResult& r = rec.results[id];
        QCOMPARE(r.finish, FinishReason::Stopped);
        QCOMPARE(r.generatedTokens, 0);
        QCOMPARE(r.promptTokensEvaluated, 8);  // one batch
        QVERIFY(r.promptTokens > 100);
        disconnect(w, &GenerationWorker::promptProgress, w, nullptr);

        // The next try reuses what was evaluated.
        const quint64 again = c.generate(QStringLiteral("a"), ask(QString(300, QLatin1Char('a'))), settingsFor(5));
        QVERIFY(waitFor([&] { return rec.finished(again); }));
        QCOMPARE(rec.results[again].promptTokensReused, 8);
        QCOMPARE(rec.results[again].finish, FinishReason::MaxLength);
    }

    // A new request (another conversation, a regenerate) supersedes the running one; a model
    // change and unload stop it too.
    void switchingAndModelChangesMidGenerationAreSafe() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        const quint64 a = c.generate(QStringLiteral("a"), ask(QStringLiteral("first")), settingsFor(3000));
        QVERIFY(waitFor([&] { return rec.updates[a] >= 1; }));
        QVERIFY(c.generating());
        QCOMPARE(c.generatingConversationId(), QStringLiteral("a"));
        const quint64 b = c.generate(QStringLiteral("b"), ask(QStringLiteral("second")), settingsFor(20));
        QCOMPARE(c.generatingConversationId(), QStringLiteral("b"));
        QVERIFY(waitFor([&] { return rec.finished(b); }));
        QCOMPARE(rec.finishedOrder, (QList<quint64>{a, b}));
        QCOMPARE(rec.results[a].finish, FinishReason::Stopped);
        QCOMPARE(rec.text[a], rec.results[a].text);  // A's partial answer, routed to A
        QCOMPARE(rec.results[b].finish, FinishReason::MaxLength);
        QCOMPARE(rec.text[b], rec.results[b].text);
        QVERIFY(!c.generating());

        // Changing the model mid-answer: the answer stops, the new model loads, answers work.
        const quint64 d = c.generate(QStringLiteral("a"), ask(QStringLiteral("third")), settingsFor(3000));
        QVERIFY(waitFor([&] { return rec.updates[d] >= 1; }));
        QVERIFY(loadInto(c, tiny_));
        QCOMPARE(rec.results[d].finish, FinishReason::Stopped);
        const quint64 e = c.generate(QStringLiteral("a"), ask(QStringLiteral("fourth")), settingsFor(10));
        QVERIFY(waitFor([&] { return rec.finished(e); }));
        QVERIFY(rec.results[e].finish != FinishReason::Error);
        QCOMPARE(rec.results[e].modelName, QStringLiteral("Lamplight tiny demo"));

        // Unloading mid-answer.
        QVERIFY(loadInto(c, wider_));
        const quint64 f = c.generate(QStringLiteral("a"), ask(QStringLiteral("fifth")), settingsFor(3000));
        QVERIFY(waitFor([&] { return rec.updates[f] >= 1; }));
        c.unload();
        QVERIFY(waitFor([&] { return rec.finished(f) && !c.modelLoaded(); }));
        QCOMPARE(rec.results[f].finish, FinishReason::Stopped);
        const quint64 g = c.generate(QStringLiteral("a"), ask(QStringLiteral("sixth")), settingsFor(10));
        QVERIFY(waitFor([&] { return rec.finished(g); }));
        QCOMPARE(rec.results[g].finish, FinishReason::Error);
    }

    // Closing the window mid-answer: the controller's destructor stops, joins and frees promptly.
    void destroyingMidGenerationIsSafe() {
        auto c = std::make_unique<GenerationController>();
        QVERIFY(loadInto(*c, wider_));
        int updates = 0;
        connect(c.get(), &GenerationController::textDelta, this, [&] { ++updates; });
        c->generate(QStringLiteral("a"), ask(QStringLiteral("hello")), settingsFor(3000));
        c->generate(QStringLiteral("b"), ask(QStringLiteral("queued behind it")), settingsFor(3000));
        QVERIFY(waitFor([&] { return updates >= 1; }));
        QPointer<GenerationWorker> worker = c->worker();
        QThread* thread = c->workerThread();
        QVERIFY(thread->isRunning());
        QElapsedTimer t;
        t.start();
        c.reset();
        qInfo("destroyed mid-answer in %lld ms", static_cast<long long>(t.elapsed()));
        QVERIFY(worker.isNull());
        QVERIFY(t.elapsed() < 5000);

        // Destroyed while loading, and right after a request before anything ran.
        c = std::make_unique<GenerationController>();
        c->loadModel(wider_);
        c->generate(QStringLiteral("a"), ask(QStringLiteral("hello")), settingsFor(3000));
        c.reset();
    }

    void sameSeedSameText() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        const auto run = [&](const QString& conversation, uint64_t seed) {
            const quint64 id = c.generate(conversation, ask(QStringLiteral("hello")), settingsFor(40, seed));
            return waitFor([&] { return rec.finished(id); }) ? rec.results[id].text : QString();
        };
        const QString first = run(QStringLiteral("a"), 7);
        QVERIFY(!first.isEmpty());
        QCOMPARE(run(QStringLiteral("b"), 7), first);  // a fresh session
        QCOMPARE(run(QStringLiteral("a"), 7), first);  // regenerate: the cached prompt is reused
        QVERIFY(run(QStringLiteral("c"), 8) != first);
    }

    // The second turn evaluates only what is new; switching conversations keeps recent caches.
    void promptReuseAcrossTurnsAndConversations() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        const auto answer = [&](const QString& conversation, const QList<ChatTurn>& turns) {
            const quint64 id = c.generate(conversation, turns, settingsFor(12));
            return waitFor([&] { return rec.finished(id); }) ? rec.results[id] : GenerationResult{};
        };
        QList<ChatTurn> a = ask(QStringLiteral("Tell me about the lamp"));
        const GenerationResult a1 = answer(QStringLiteral("a"), a);
        QCOMPARE(a1.promptTokensReused, 0);
        QCOMPARE(a1.promptTokensEvaluated, a1.promptTokens);
        a.append({QStringLiteral("assistant"), a1.text});
        a.append({QStringLiteral("user"), QStringLiteral("and the light?")});

        const GenerationResult b1 = answer(QStringLiteral("b"), ask(QStringLiteral("Something else entirely")));
        QCOMPARE(b1.promptTokensReused, 0);
        c.setCurrentConversationId(QStringLiteral("b"));
        QCOMPARE(c.contextUsed(), b1.contextUsed);
        QCOMPARE(c.contextSize(), 2048);

        const GenerationResult a2 = answer(QStringLiteral("a"), a);  // back to a: its cache is still there
        qInfo("turn 2: prompt %lld tokens, %lld reused, %lld evaluated", static_cast<long long>(a2.promptTokens),
              static_cast<long long>(a2.promptTokensReused), static_cast<long long>(a2.promptTokensEvaluated));
        QVERIFY(a2.promptTokensReused >= a1.promptTokens);
        QCOMPARE(a2.promptTokensReused + a2.promptTokensEvaluated, a2.promptTokens);
        QVERIFY(a2.promptTokensEvaluated < a2.promptTokens - a1.promptTokens + 1);

        // With room for one session only, switching back starts over.
        ModelLoadOptions one;
        one.maxSessions = 1;
        QVERIFY(loadInto(c, wider_, one));
        answer(QStringLiteral("a"), ask(QStringLiteral("Tell me about the lamp")));
        answer(QStringLiteral("b"), ask(QStringLiteral("Something else entirely")));
        QCOMPARE(answer(QStringLiteral("a"), ask(QStringLiteral("Tell me about the lamp"))).promptTokensReused, 0);
    }

    // Prompt-only: the conversation is evaluated without an answer (rendered without the generation
    // prompt), and the next turn reuses every token of it. Never shown as generating; a new request
    // stops it; its errors are not the user's.
    void promptOnlyPreparesTheNextAnswer() {
        GenerationController c;
        Recorder rec(c);
        QSignalSpy errors(&c, &GenerationController::errorOccurred);
        const QList<ChatTurn> none = ask(QStringLiteral("hello"));
        const quint64 noModel = c.prepare(QStringLiteral("a"), none, settingsFor(8));
        QVERIFY(waitFor([&] { return rec.finished(noModel); }));
        QCOMPARE(rec.results[noModel].finish, FinishReason::Error);
        QVERIFY(rec.results[noModel].promptOnly);
        QCOMPARE(errors.count(), 0);
        QVERIFY(c.lastError().isEmpty());

        QVERIFY(loadInto(c, wider_));
        QList<ChatTurn> turns = ask(QStringLiteral("Tell me about the lamp"));
        const quint64 first = c.generate(QStringLiteral("a"), turns, settingsFor(10));
        QVERIFY(waitFor([&] { return rec.finished(first); }));
        turns.append({QStringLiteral("assistant"), rec.results[first].text});

        // A model change: the conversation's cache is gone; prepare() evaluates it again.
        QVERIFY(loadInto(c, tiny_));
        QSignalSpy generating(&c, &GenerationController::generatingChanged);
        QSignalSpy started(&c, &GenerationController::generationStarted);
        const quint64 prepared = c.prepare(QStringLiteral("a"), turns, settingsFor(10));
        QVERIFY(!c.generating());
        QVERIFY(waitFor([&] { return rec.finished(prepared); }));
        const GenerationResult& p = rec.results[prepared];
        QCOMPARE(p.finish, FinishReason::Prepared);
        QVERIFY(p.promptOnly);
        QCOMPARE(p.generatedTokens, 0);
        QVERIFY(p.text.isEmpty());
        QVERIFY(p.promptTokens > rec.results[first].promptTokens);  // the answer is in it
        QCOMPARE(p.promptTokensReused, 0);
        QCOMPARE(p.promptTokensEvaluated, p.promptTokens);
        QCOMPARE(rec.text[prepared], QString());
        QCOMPARE(generating.count(), 0);
        QCOMPARE(started.count(), 0);

        // The next turn starts where the prepared prompt ends.
        turns.append({QStringLiteral("user"), QStringLiteral("and the light?")});
        const quint64 next = c.generate(QStringLiteral("a"), turns, settingsFor(4));
        QVERIFY(waitFor([&] { return rec.finished(next); }));
        const GenerationResult& n = rec.results[next];
        QCOMPARE(n.promptTokensReused, p.promptTokens);
        QCOMPARE(n.promptTokensEvaluated, n.promptTokens - p.promptTokens);

        // A request right after it stops it before it starts (nothing evaluated, Stopped). The worker
        // is held busy meanwhile, so the prepare cannot start before the request is made.
        QSemaphore busy;
        QMetaObject::invokeMethod(c.worker(), [&busy] { busy.acquire(); }, Qt::QueuedConnection);
        const quint64 superseded = c.prepare(QStringLiteral("b"), turns, settingsFor(10));
        const quint64 asked = c.generate(QStringLiteral("c"), ask(QStringLiteral("hi")), settingsFor(3));
        busy.release();
        QVERIFY(waitFor([&] { return rec.finished(asked); }));
        QCOMPARE(rec.results[superseded].finish, FinishReason::Stopped);
        QCOMPARE(rec.results[superseded].promptTokensEvaluated, 0);
        QCOMPARE(rec.results[asked].finish, FinishReason::MaxLength);
        QCOMPARE(rec.finishedOrder.mid(rec.finishedOrder.size() - 2), (QList<quint64>{superseded, asked}));
    }

    // The window's Cancel button and Esc call cancelLoad() on the GUI thread. The worker is held at
    // "reading the weights" until the GUI thread has cancelled, so the cancel lands mid-load.
    void sessionCacheIsBoundedByCountAndBytes() {
        const auto model = Model::load(GgufFile::fromBytes(test::tinyLlamaModel().toBytes(), "tiny.gguf"));
        SessionOptions options;
        options.contextLength = 64;
        options.threads = 1;
        SessionCache cache(2, int64_t{1} << 30);
        Session& a = cache.acquire(*model, QStringLiteral("a"), options);
        QCOMPARE(static_cast<int64_t>(a.kvBytes()), SessionCache::estimateBytes(*model, options));
        cache.acquire(*model, QStringLiteral("b"), options);
        QCOMPARE(&cache.acquire(*model, QStringLiteral("a"), options), &a);  // a is now the most recent
        cache.acquire(*model, QStringLiteral("c"), options);                  // b goes
        QCOMPARE(cache.size(), 2);
        QVERIFY(cache.find(QStringLiteral("a")) && cache.find(QStringLiteral("c")) && !cache.find(QStringLiteral("b")));
        options.contextLength = 32;  // other settings: a new session for a
        QVERIFY(&cache.acquire(*model, QStringLiteral("a"), options) != nullptr);
        QCOMPARE(cache.find(QStringLiteral("a"))->contextLength(), 32);

        SessionCache tight(3, SessionCache::estimateBytes(*model, options) + 1);
        tight.acquire(*model, QStringLiteral("a"), options);
        tight.acquire(*model, QStringLiteral("b"), options);  // two do not fit the budget
        QCOMPARE(tight.size(), 1);
        QVERIFY(tight.find(QStringLiteral("b")));
    }

    // The check: while a model generates, the GUI thread's event loop stays responsive. A
    // 5 ms timer on this (the GUI) thread measures the longest gap between its ticks.
    void guiEventLoopStaysResponsive() {
        GenerationController c;
        Recorder rec(c);
        QVERIFY(loadInto(c, wider_));
        bool running = false;
        qint64 worstGapUs = 0, ticks = 0;
        QElapsedTimer clock;
        clock.start();
        qint64 lastTick = 0;
        QTimer timer;
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(5);
        connect(&timer, &QTimer::timeout, this, [&] {
            const qint64 now = clock.nsecsElapsed() / 1000;
            if (running && lastTick > 0) {
                worstGapUs = std::max(worstGapUs, now - lastTick);
                ++ticks;
            }
            lastTick = now;
        });
        connect(&c, &GenerationController::generationStarted, this, [&] { running = true; lastTick = 0; });
        timer.start();
        const quint64 id = c.generate(QStringLiteral("a"), ask(QStringLiteral("Tell me a long story")), settingsFor(1000));
        QVERIFY(waitFor([&] { return rec.finished(id); }));
        running = false;
        timer.stop();
        const GenerationResult& r = rec.results[id];
        QCOMPARE(r.finish, FinishReason::MaxLength);
        qInfo("GUI event loop while generating %lld tokens in %.2f s: %lld ticks of 5 ms, worst gap %.1f ms, "
              "%d text updates", static_cast<long long>(r.generatedTokens), r.promptSeconds + r.generationSeconds,
              static_cast<long long>(ticks), static_cast<double>(worstGapUs) / 1000.0, rec.updates[id]);
        QVERIFY(r.generationSeconds > 0.5);  // long enough to mean something
        QVERIFY2(worstGapUs < 50'000, qPrintable(QStringLiteral("worst gap %1 ms").arg(static_cast<double>(worstGapUs) / 1000.0)));
    }
};

QTEST_GUILESS_MAIN(TestGenerationWorker)
#include "test_generation_worker.moc"
