// The worker through the AppController (what the window's buttons and Esc call): a load cancelled
// from the GUI thread, Esc stopping a real answer within one token with the partial answer saved as
// "stopped", and a model change re-evaluating the open conversation at once. Models and helpers:
// worker_test_support.h.
#include "support/shared_data.h"
#include "support/tiny_models.h"
#include "worker_test_support.h"

#include "worker/generation_controller.h"
#include "worker/generation_worker.h"

#include "history/history_store.h"
#include "model/model.h"
#include "ui_models/app_controller.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <QtTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace lamp;
using namespace lamp::app;
using namespace lamp::test;

class TestWorkerApp : public QObject {
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

    void loadCancelledFromTheGuiThread() {
        GenerationController c;
        QSemaphore cancelled;
        connect(c.worker(), &GenerationWorker::loadProgress, c.worker(), [&](quint64, double, const QString& stage) {
            if (stage == QStringLiteral("reading the weights"))
                cancelled.tryAcquire(1, 10000);
        }, Qt::DirectConnection);
        connect(&c, &GenerationController::loadProgressChanged, this, [&] {
            if (c.loading() && c.loadStage() == QStringLiteral("reading the weights") && cancelled.available() == 0) {
                c.cancelLoad();
                cancelled.release(100);  // and every later report passes at once
            }
        });
        QSignalSpy cancelledSpy(&c, &GenerationController::modelLoadCancelled);
        QSignalSpy ready(&c, &GenerationController::modelReady);
        c.loadModel(wider_);
        QVERIFY(waitFor([&] { return !c.loading(); }));
        QCOMPARE(cancelledSpy.count(), 1);
        QCOMPARE(cancelledSpy.at(0).at(0).toString(), wider_);
        QCOMPARE(ready.count(), 0);
        QVERIFY(!c.modelLoaded());
        QVERIFY(c.lastError().isEmpty());
    }

    // Esc (AppController::stop) on a real answer of the wider model: at most one more token after
    // it, and the partial answer is in the history as "stopped", with every streamed character.
    void escStopsARealAnswerAndKeepsItsText() {
        QTemporaryDir home;
        AppOptions options;
        options.historyPath = home.filePath(QStringLiteral("history.sqlite"));
        options.modelPath = wider_;
        AppController app(options);
        QVERIFY(waitFor([&] { return app.generation()->modelLoaded(); }));
        app.setMaxAnswerTokens(3000);
        QSignalSpy finished(&app, &AppController::answerFinished);
        QSignalSpy titles(app.generation(), &GenerationController::titleFinished);
        QString streamed;
        int deltas = 0;
        qint64 tokensAtStop = -1;
        connect(app.generation(), &GenerationController::textDelta, this, [&](const QString&, quint64, const QString& d) {
            streamed += d;
            if (++deltas == 2) {
                app.stop();  // what Esc does; first the flag, then the count
                tokensAtStop = app.generation()->worker()->tokensInFlight();
            }
        });
        QVERIFY(app.sendMessage(QStringLiteral("Tell me a long story")));
        const qint64 answer = app.streamingMessageId();
        QVERIFY(waitFor([&] { return finished.count() == 1; }));
        QCOMPARE(finished.at(0).at(1).toLongLong(), answer);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("stopped"));
        const auto saved = app.store()->message(answer);
        QVERIFY(saved.has_value());
        QCOMPARE(saved->finish, history::FinishReason::Stopped);
        QVERIFY(!saved->text.isEmpty());
        QCOMPARE(saved->text, streamed);
        qInfo("stopped at %lld tokens, saved %d", static_cast<long long>(tokensAtStop), saved->completionTokens);
        QVERIFY(tokensAtStop > 0);
        QVERIFY(saved->completionTokens >= tokensAtStop);
        QVERIFY(saved->completionTokens <= tokensAtStop + 1);
        QVERIFY(!app.generation()->generating());
        QCOMPARE(app.messages()->textAt(1), streamed);
        QCOMPARE(titles.count(), 0);  // a stopped first answer asks for no title
    }

    // Changing the model keeps the conversation and evaluates it on the new model at once: a
    // prompt-only request, no new message, and the next answer reuses all of it.
    void modelChangeReevaluatesTheOpenConversation() {
        QTemporaryDir home;
        const QString copy = home.filePath(QStringLiteral("tiny-copy.gguf"));
        QVERIFY(QFile::copy(tiny_, copy));
        AppOptions options;
        options.historyPath = home.filePath(QStringLiteral("history.sqlite"));
        options.modelPath = tiny_;
        AppController app(options);
        QVERIFY(waitFor([&] { return app.generation()->modelLoaded(); }));
        app.setMaxAnswerTokens(12);
        QList<GenerationResult> results;
        connect(app.generation(), &GenerationController::generationFinished, this,
                [&](const GenerationResult& r) { results.append(r); });
        QSignalSpy finished(&app, &AppController::answerFinished);
        QVERIFY(app.sendMessage(QStringLiteral("Hello")));
        QVERIFY(waitFor([&] { return finished.count() == 1; }));
        const qint64 conversation = app.currentConversationId();
        const int messages = app.messages()->count();
        QCOMPARE(messages, 2);

        QSignalSpy generating(app.generation(), &GenerationController::generatingChanged);
        results.clear();
        app.loadModel(copy);
        QVERIFY(waitFor([&] { return !results.isEmpty(); }));
        const GenerationResult p = results.front();
        QVERIFY(p.promptOnly);
        QCOMPARE(p.finish, FinishReason::Prepared);
        QCOMPARE(p.conversationId, QString::number(conversation));
        QCOMPARE(p.generatedTokens, 0);
        QCOMPARE(p.promptTokensEvaluated, p.promptTokens);
        QCOMPARE(app.generation()->modelPath(), copy);
        QCOMPARE(app.currentConversationId(), conversation);  // the conversation stays open
        QCOMPARE(app.messages()->count(), messages);           // and gains nothing
        QCOMPARE(app.store()->activePath(conversation).size(), size_t{2});
        QCOMPARE(generating.count(), 0);
        QCOMPARE(finished.count(), 1);

        QVERIFY(app.sendMessage(QStringLiteral("Again")));
        QVERIFY(waitFor([&] { return finished.count() == 2; }));
        const GenerationResult& next = results.back();
        QVERIFY(!next.promptOnly);
        QCOMPARE(next.promptTokensReused, p.promptTokens);
    }
};

QTEST_GUILESS_MAIN(TestWorkerApp)
#include "test_worker_app.moc"
