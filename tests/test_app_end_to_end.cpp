// The real `lamplight` executable, headless (QT_QPA_PLATFORM=offscreen), as a user meets it: the
// first run loads stories260K, types a message into the input bar and presses Enter (through the
// window's own key handling, app/automation), waits for the streamed answer and quits; the second
// run starts again on the same history and lists what the sidebar shows. Each run has its own
// temporary app data and settings folders (XDG_*), so the user's are never touched.
#include "support/shared_data.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

class TestAppEndToEnd : public QObject {
    Q_OBJECT

    QTemporaryDir home_;

    QProcessEnvironment environment() const {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("HOME"), home_.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), home_.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home_.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home_.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home_.filePath(QStringLiteral("runtime")));
        return env;
    }

    Run run(const QStringList& arguments, int timeoutMs) {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(LAMP_APP_PATH), arguments);
        Run r;
        if (!process.waitForStarted(10000)) {
            r.err = "could not start " LAMP_APP_PATH ": " + process.errorString().toUtf8();
            return r;
        }
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished(5000);
            r.err = "did not finish in time; stderr: " + process.readAllStandardError();
            return r;
        }
        r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
        r.out = process.readAllStandardOutput();
        r.err = process.readAllStandardError();
        return r;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid());
        QDir(home_.path()).mkpath(QStringLiteral("runtime"));
        QFile::setPermissions(home_.filePath(QStringLiteral("runtime")),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void conversationSurvivesARestart() {
        LAMP_REQUIRE_SHARED(shared);
        const QString model = QString::fromStdString((shared / "models" / "stories260K.gguf").string());
        const QString history = home_.filePath(QStringLiteral("history.sqlite"));
        const QString models = home_.filePath(QStringLiteral("models"));
        const QString message = QStringLiteral("Once upon a time, Lily");

        const Run first = run({QStringLiteral("--model"), model, QStringLiteral("--history"), history,
                               QStringLiteral("--models-folder"), models, QStringLiteral("--send"), message,
                               QStringLiteral("--quit-after-answer"), QStringLiteral("--timeout"), QStringLiteral("60000")},
                              90000);
        QVERIFY2(first.exitCode == 0, qPrintable(QStringLiteral("first run: exit %1\n%2")
                                                     .arg(first.exitCode)
                                                     .arg(QString::fromUtf8(first.err))));

        // The window's QML ran without a warning (a broken binding would print "qrc:/Lamplight/…").
        QVERIFY2(!first.err.contains("qrc:/Lamplight/"), first.err.constData());

        // The model chosen stays chosen, in this run's own settings file (not the user's).
        const QSettings settings(home_.filePath(QStringLiteral("config/Lamplight/Lamplight.conf")), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("models/last")).toString(), model);

        const Run second = run({QStringLiteral("--history"), history, QStringLiteral("--models-folder"), models,
                                QStringLiteral("--dump-conversations"), QStringLiteral("--timeout"), QStringLiteral("30000")},
                               60000);
        QVERIFY2(second.exitCode == 0, qPrintable(QStringLiteral("second run: exit %1\n%2")
                                                      .arg(second.exitCode)
                                                      .arg(QString::fromUtf8(second.err))));
        QVERIFY2(!second.err.contains("qrc:/Lamplight/"), second.err.constData());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(second.out, &error);
        QVERIFY2(doc.isObject(), qPrintable(error.errorString() + QStringLiteral(": ") + QString::fromUtf8(second.out)));
        const QJsonArray conversations = doc.object().value(QStringLiteral("conversations")).toArray();
        QCOMPARE(conversations.size(), 1);
        const QJsonObject conversation = conversations.at(0).toObject();
        // The title: the model's summary of the first exchange (app/worker/title_summary.h: one line of
        // at most 8 words), or the first message when the app quit before the summary came back.
        const QString title = conversation.value(QStringLiteral("title")).toString();
        QVERIFY2(!title.isEmpty() && !title.contains(QLatin1Char('\n')) &&
                     title.split(QLatin1Char(' '), Qt::SkipEmptyParts).size() <= 8,
                 qPrintable(title));
        const QJsonArray messages = conversation.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        const QJsonObject question = messages.at(0).toObject();
        const QJsonObject answer = messages.at(1).toObject();
        QCOMPARE(question.value(QStringLiteral("role")).toString(), QStringLiteral("user"));
        QCOMPARE(question.value(QStringLiteral("text")).toString(), message);
        QCOMPARE(answer.value(QStringLiteral("role")).toString(), QStringLiteral("assistant"));
        QVERIFY2(!answer.value(QStringLiteral("text")).toString().trimmed().isEmpty(), "the answer was saved empty");
        const QString finish = answer.value(QStringLiteral("finish")).toString();
        QVERIFY2(finish == QLatin1String("complete") || finish == QLatin1String("length"), qPrintable(finish));

        // Nothing went to the user's own folders: the history is where it was asked to be.
        QVERIFY(QFile::exists(history));
    }
};

} // namespace

QTEST_MAIN(TestAppEndToEnd)
#include "test_app_end_to_end.moc"
