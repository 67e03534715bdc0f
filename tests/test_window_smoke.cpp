// The window, headless (QT_QPA_PLATFORM=offscreen): Main.qml loads from the QML module without a
// single QML warning, the tiny model loads, a message sent through the AppController gets its
// streamed answer, and the chat's model then holds both messages. With LAMP_SCREENSHOT=<file.png>
// set, the window is saved there at the end (to look at the layout).
#include "support/tiny_models.h"

#include "ui_models/app_controller.h"

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

Q_IMPORT_QML_PLUGIN(LamplightPlugin)

using namespace lamp;
using namespace lamp::app;

namespace {

QStringList g_qmlWarnings;
QtMessageHandler g_previous = nullptr;

void collectQmlWarnings(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    const QString category = QString::fromLatin1(context.category ? context.category : "");
    const QString file = QString::fromLatin1(context.file ? context.file : "");
    const bool fromQml = category.startsWith(QLatin1String("qml")) || category == QLatin1String("js") ||
                         category.startsWith(QLatin1String("qt.qml")) || file.endsWith(QLatin1String(".qml")) ||
                         message.contains(QLatin1String(".qml"));
    if (type != QtDebugMsg && type != QtInfoMsg && fromQml)
        g_qmlWarnings << message;
    if (g_previous)
        g_previous(type, context, message);
}

} // namespace

class TestWindowSmoke : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        g_previous = qInstallMessageHandler(collectQmlWarnings);
    }
    void cleanupTestCase() { qInstallMessageHandler(g_previous); }

    void sendsAMessageAndShowsTheAnswer() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString model = dir.filePath(QStringLiteral("tiny.gguf"));
        test::tinyLlamaModel().write(model.toStdString());

        AppOptions options;
        options.historyPath = dir.filePath(QStringLiteral("history.sqlite"));
        options.modelPath = model;
        options.modelsFolder = dir.path();
        AppController app(options);
        AppController::provideInstance(&app);

        {
            QQmlApplicationEngine engine;
            QStringList engineWarnings;
            connect(&engine, &QQmlEngine::warnings, this, [&](const QList<QQmlError>& errors) {
                for (const auto& e : errors)
                    engineWarnings << e.toString();
            });
            engine.load(QUrl(QStringLiteral("qrc:/Lamplight/Main.qml")));
            QCOMPARE(engine.rootObjects().size(), 1);
            auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
            QVERIFY(window);
            QVERIFY(QTest::qWaitForWindowExposed(window));

            QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);
            QVERIFY(app.canSend());
            app.setMaxAnswerTokens(32);

            QSignalSpy finished(&app, &AppController::answerFinished);
            QVERIFY(app.sendMessage(QStringLiteral("Hello, who are you?")));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
            QCOMPARE(app.messages()->count(), 2);
            QCOMPARE(app.messages()->data(app.messages()->index(0), MessageListModel::RoleRole).toString(),
                     QStringLiteral("user"));
            QCOMPARE(app.messages()->data(app.messages()->index(1), MessageListModel::RoleRole).toString(),
                     QStringLiteral("assistant"));
            QVERIFY(!app.messages()->textAt(1).isEmpty());
            QCOMPARE(app.conversations()->count(), 1);
            QTest::qWait(100);  // let the view lay out the answer
            // The window shows this controller (the engine's singleton is the provided instance).
            QCOMPARE(window->title(), app.currentTitle() + QStringLiteral(" — Lamplight"));
            QCOMPARE(app.currentTitle(), QStringLiteral("Hello, who are you?"));

            if (const QByteArray shot = qgetenv("LAMP_SCREENSHOT"); !shot.isEmpty()) {
                if (qgetenv("LAMP_SCREENSHOT_DARK") == "1") {
                    // Theme is a composite QML singleton: Main.qml switches it.
                    QVERIFY(QMetaObject::invokeMethod(window, "setDarkTheme", Q_ARG(QVariant, true)));
                    QTest::qWait(100);
                }
                QVERIFY(window->grabWindow().save(QString::fromLocal8Bit(shot)));
            }
            QVERIFY2(engineWarnings.isEmpty(), qPrintable(engineWarnings.join(QLatin1Char('\n'))));
        }
        QVERIFY2(g_qmlWarnings.isEmpty(), qPrintable(g_qmlWarnings.join(QLatin1Char('\n'))));
        AppController::provideInstance(nullptr);
    }
};

QTEST_MAIN(TestWindowSmoke)
#include "test_window_smoke.moc"
