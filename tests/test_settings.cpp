// Settings (app/settings/): defaults (the sampler's own, read from SamplingParams), persistence
// across instances (read back both by a second Settings and by a plain QSettings), clamping of
// out-of-range values from setters and from a hand-edited file, change signals only on real
// changes, the backend choices and load options, the compiled Chinese translation switched at run
// time, and the settings reaching the worker's requests (the seed and answer length come back in
// the GenerationResult of a tiny model's answer).
#include "support/tiny_models.h"

#include "history/history_store.h"
#include "settings/language_switcher.h"
#include "settings/settings.h"
#include "settings/vulkan_devices.h"
#include "ui_models/app_controller.h"

#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include "engine/backend_choice.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace lamp;
using namespace lamp::app;

class TestSettings : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString file(const char* name) const { return dir_.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void defaultsComeFromTheSampler() {
        Settings s(file("defaults.ini"));
        const SamplingParams sampler;
        QCOMPARE(s.temperature(), double{sampler.temperature});
        QCOMPARE(s.topK(), sampler.topK);
        QCOMPARE(s.topP(), double{sampler.topP});
        QCOMPARE(s.minP(), double{sampler.minP});
        QCOMPARE(s.repeatPenalty(), double{sampler.repeatPenalty});
        QCOMPARE(s.repeatLastN(), sampler.repeatLastN);
        // Hand-written values of the remaining defaults (the documented ones in settings.h).
        QCOMPARE(s.seed(), -1);
        QCOMPARE(s.maxTokens(), 1024);
        QCOMPARE(s.contextLength(), 0);
        QCOMPARE(s.threads(), 0);
        QCOMPARE(s.backend(), QStringLiteral("auto"));
        QCOMPARE(s.systemPrompt(), QString{});
        QCOMPARE(s.theme(), QStringLiteral("system"));
        QCOMPARE(s.fontSize(), 14);
        QCOMPARE(s.language(), QStringLiteral("system"));
    }

    void persistsAcrossInstances() {
        const QString path = file("persist.ini");
        {
            Settings s(path);
            s.setTemperature(0.3);
            s.setTopK(7);
            s.setTopP(0.5);
            s.setMinP(0.1);
            s.setRepeatPenalty(1.25);
            s.setRepeatLastN(-1);
            s.setSeed(42);
            s.setMaxTokens(300);
            s.setContextLength(2048);
            s.setThreads(3);
            s.setBackend(QStringLiteral("vulkan:1"));
            s.setSystemPrompt(QStringLiteral("Answer in haiku. 用中文。"));
            s.setTheme(QStringLiteral("dark"));
            s.setFontSize(20);
            s.setLanguage(QStringLiteral("zh_CN"));
        }
        Settings again(path);
        QCOMPARE(again.temperature(), 0.3);
        QCOMPARE(again.topK(), 7);
        QCOMPARE(again.topP(), 0.5);
        QCOMPARE(again.minP(), 0.1);
        QCOMPARE(again.repeatPenalty(), 1.25);
        QCOMPARE(again.repeatLastN(), -1);
        QCOMPARE(again.seed(), 42);
        QCOMPARE(again.maxTokens(), 300);
        QCOMPARE(again.contextLength(), 2048);
        QCOMPARE(again.threads(), 3);
        QCOMPARE(again.backend(), QStringLiteral("vulkan:1"));
        QCOMPARE(again.systemPrompt(), QStringLiteral("Answer in haiku. 用中文。"));
        QCOMPARE(again.theme(), QStringLiteral("dark"));
        QCOMPARE(again.fontSize(), 20);
        QCOMPARE(again.language(), QStringLiteral("zh_CN"));

        // The file itself, read without our class: grouped keys a user could edit by hand.
        QSettings raw(path, QSettings::IniFormat);
        QCOMPARE(raw.value(QStringLiteral("generation/topK")).toInt(), 7);
        QCOMPARE(raw.value(QStringLiteral("engine/backend")).toString(), QStringLiteral("vulkan:1"));
        QCOMPARE(raw.value(QStringLiteral("appearance/theme")).toString(), QStringLiteral("dark"));
    }

    void resetRestoresDefaults() {
        Settings s(file("reset.ini"));
        s.setTemperature(1.7);
        s.setSeed(5);
        s.setTheme(QStringLiteral("dark"));
        s.resetGeneration();
        QCOMPARE(s.temperature(), double{SamplingParams{}.temperature});
        QCOMPARE(s.seed(), -1);
        QCOMPARE(s.theme(), QStringLiteral("dark"));  // appearance is not a generation setting
        s.resetToDefaults();
        QCOMPARE(s.theme(), QStringLiteral("system"));
    }

    void settersClamp() {
        Settings s(file("clamp.ini"));
        s.setTemperature(5.0);
        QCOMPARE(s.temperature(), 2.0);
        s.setTemperature(-1.0);
        QCOMPARE(s.temperature(), 0.0);
        s.setTemperature(0.7);
        s.setTemperature(std::numeric_limits<double>::quiet_NaN());  // ignored, not stored
        QCOMPARE(s.temperature(), 0.7);
        s.setTopP(1.5);
        QCOMPARE(s.topP(), 1.0);
        s.setMinP(-0.2);
        QCOMPARE(s.minP(), 0.0);
        s.setRepeatPenalty(0.0);  // the sampler divides by it
        QCOMPARE(s.repeatPenalty(), 0.5);
        s.setTopK(-3);
        QCOMPARE(s.topK(), 0);
        s.setRepeatLastN(-9);
        QCOMPARE(s.repeatLastN(), -1);
        s.setSeed(-7);
        QCOMPARE(s.seed(), -1);
        s.setMaxTokens(1'000'000);
        QCOMPARE(s.maxTokens(), 32768);
        s.setContextLength(100);  // too small to hold a prompt: the smallest useful one
        QCOMPARE(s.contextLength(), 256);
        s.setContextLength(0);
        QCOMPARE(s.contextLength(), 0);
        s.setThreads(-1);
        QCOMPARE(s.threads(), 0);
        s.setFontSize(3);
        QCOMPARE(s.fontSize(), 10);
        s.setFontSize(99);
        QCOMPARE(s.fontSize(), 28);
        s.setBackend(QStringLiteral("gpu"));
        QCOMPARE(s.backend(), QStringLiteral("auto"));
        s.setBackend(QStringLiteral("vulkan:x"));
        QCOMPARE(s.backend(), QStringLiteral("auto"));
        s.setBackend(QStringLiteral("cpu"));
        QCOMPARE(s.backend(), QStringLiteral("cpu"));
        s.setTheme(QStringLiteral("blue"));
        QCOMPARE(s.theme(), QStringLiteral("system"));
        s.setLanguage(QStringLiteral("fr"));
        QCOMPARE(s.language(), QStringLiteral("system"));
    }

    void handEditedFileIsClampedOnLoad() {
        const QString path = file("edited.ini");
        {
            QSettings raw(path, QSettings::IniFormat);
            raw.setValue(QStringLiteral("generation/temperature"), 9.5);
            raw.setValue(QStringLiteral("generation/topP"), QStringLiteral("not a number"));
            raw.setValue(QStringLiteral("generation/topK"), -4);
            raw.setValue(QStringLiteral("engine/backend"), QStringLiteral("metal"));
            raw.setValue(QStringLiteral("appearance/fontSize"), 2);
        }
        Settings s(path);
        QCOMPARE(s.temperature(), 2.0);
        QCOMPARE(s.topP(), double{SamplingParams{}.topP});  // unreadable: the default
        QCOMPARE(s.topK(), 0);
        QCOMPARE(s.backend(), QStringLiteral("auto"));
        QCOMPARE(s.fontSize(), 10);
    }

    void signalsOnlyOnRealChanges() {
        Settings s(file("signals.ini"));
        QSignalSpy temperature(&s, &Settings::temperatureChanged);
        QSignalSpy theme(&s, &Settings::themeChanged);
        QSignalSpy font(&s, &Settings::fontSizeChanged);
        s.setTemperature(s.temperature());
        QCOMPARE(temperature.count(), 0);
        s.setTemperature(1.0);
        QCOMPARE(temperature.count(), 1);
        s.setTemperature(2.0);
        s.setTemperature(3.0);  // clamps to 2.0: no change
        QCOMPARE(temperature.count(), 2);
        s.setTheme(QStringLiteral("light"));
        s.setTheme(QStringLiteral("light"));
        QCOMPARE(theme.count(), 1);
        s.setFontSize(28);
        s.setFontSize(40);
        QCOMPARE(font.count(), 1);
        QCOMPARE(temperature.count(), 2);  // other setters leave it alone
    }

    void backendChoicesListDevices() {
        Settings s(file("backend.ini"));
        QSignalSpy changed(&s, &Settings::backendChoicesChanged);
        s.setVulkanDevices({QStringLiteral("Radeon 780M"), QStringLiteral("llvmpipe")});
        QCOMPARE(changed.count(), 1);
        QStringList values;
        for (const QVariant& c : s.backendChoices())
            values << c.toMap().value(QStringLiteral("value")).toString();
        QCOMPARE(values, (QStringList{"auto", "cpu", "vulkan:0", "vulkan:1"}));
        QVERIFY(s.backendChoices().at(3).toMap().value(QStringLiteral("label")).toString().contains(
            QLatin1String("llvmpipe")));
        // A GPU chosen earlier that is gone now stays listed, so the panel can show the choice.
        s.setBackend(QStringLiteral("vulkan:5"));
        QCOMPARE(s.backendChoices().size(), 5);
        QCOMPARE(s.backendChoices().last().toMap().value(QStringLiteral("value")).toString(),
                 QStringLiteral("vulkan:5"));
    }

    void noVulkanLoaderLeavesAutoAndCpu() {
        // A machine without libvulkan (simulated with a loader name that does not exist): no
        // exception, just the two choices that need no GPU.
        qputenv("LAMPLIGHT_VK_LOADER", "libvulkan-missing-for-test.so.1");
        QVERIFY(enumerateVulkanDevices().isEmpty());
        Settings s(file("novulkan.ini"));
        const QVariantList choices = s.backendChoices();
        qunsetenv("LAMPLIGHT_VK_LOADER");
        QCOMPARE(choices.size(), 2);
        QCOMPARE(choices.at(0).toMap().value(QStringLiteral("value")).toString(), QStringLiteral("auto"));
        QCOMPARE(choices.at(1).toMap().value(QStringLiteral("value")).toString(), QStringLiteral("cpu"));
    }

    void loadOptionsTheWorkerAccepts() {
        Settings s(file("load.ini"));
        s.setBackend(QStringLiteral("vulkan:2"));
        const QString backend = ModelLoadOptions::fromVariantMap(s.modelLoadOptions()).backend;
        QCOMPARE(backend, QStringLiteral("vulkan:2"));
        const lamp::BackendRequest request = lamp::BackendRequest::parse(backend.toStdString());  // what the worker does
        QCOMPARE(request.kind, lamp::BackendKind::Vulkan);
        QCOMPARE(request.device, std::optional<int>(2));
        s.setBackend(QStringLiteral("cpu"));
        QCOMPARE(ModelLoadOptions::fromVariantMap(s.modelLoadOptions()).backend, QStringLiteral("cpu"));
    }

    void generationSettingsCarryTheValues() {
        Settings s(file("generation.ini"));
        s.setTemperature(0.25);
        s.setTopK(3);
        s.setMaxTokens(77);
        s.setSystemPrompt(QStringLiteral("Be brief."));
        s.setSeed(1234);
        const GenerationSettings g = s.generationSettings();
        QCOMPARE(g.sampling.temperature, 0.25f);
        QCOMPARE(g.sampling.topK, 3);
        QCOMPARE(g.sampling.seed, uint64_t{1234});
        QCOMPARE(g.maxTokens, 77);
        QCOMPARE(g.systemPrompt, QStringLiteral("Be brief."));
        // Seed -1: a fresh one per answer (two equal 64-bit draws would be a 2^-64 accident).
        s.setSeed(-1);
        QVERIFY(s.generationSettings().sampling.seed != s.generationSettings().sampling.seed);
    }

    void languageSwitchesAtRunTime() {
        Settings s(file("language.ini"));
        s.setLanguage(QStringLiteral("en"));
        LanguageSwitcher switcher(&s, nullptr);
        const auto newChat = [] { return QCoreApplication::translate("lamp::app::AppController", "New chat"); };
        QCOMPARE(switcher.activeLanguage(), QStringLiteral("en"));
        QCOMPARE(newChat(), QStringLiteral("New chat"));
        s.setLanguage(QStringLiteral("zh_CN"));
        QCOMPARE(switcher.activeLanguage(), QStringLiteral("zh_CN"));
        QCOMPARE(newChat(), QStringLiteral("新对话"));
        QCOMPARE(QCoreApplication::translate("SettingsPanel", "Settings"), QStringLiteral("设置"));
        s.setLanguage(QStringLiteral("en"));
        QCOMPARE(newChat(), QStringLiteral("New chat"));
    }

    void systemLanguageResolves() {
        QCOMPARE(LanguageSwitcher::resolve(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        QCOMPARE(LanguageSwitcher::resolve(QStringLiteral("en")), QStringLiteral("en"));
        // "system" always becomes a language that has a translation (or the source's English).
        const QString resolved = LanguageSwitcher::resolve(QStringLiteral("system"));
        QVERIFY2(resolved == QLatin1String("en") || resolved == QLatin1String("zh_CN"), qPrintable(resolved));
    }

    // Every finished Chinese translation keeps the source's placeholders (%1, %2, …), so no
    // argument is dropped or shown raw.
    void translationsKeepPlaceholders() {
        QFile ts(QStringLiteral(LAMP_TS_ZH_CN));
        QVERIFY2(ts.open(QIODevice::ReadOnly), qPrintable(ts.fileName()));
        QXmlStreamReader xml(&ts);
        const QRegularExpression placeholder(QStringLiteral("%\\d"));
        const auto placeholders = [&](const QString& text) {
            QStringList found;
            for (auto it = placeholder.globalMatch(text); it.hasNext();)
                found << it.next().captured();
            found.sort();
            return found;
        };
        QString source;
        int checked = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("source")) {
                source = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation")) {
                const bool unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
                const QString translation = xml.readElementText();
                if (unfinished || translation.isEmpty())
                    continue;
                QVERIFY2(placeholders(source) == placeholders(translation),
                         qPrintable(QStringLiteral("“%1” → “%2”").arg(source, translation)));
                ++checked;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(checked > 50);
    }

    // The settings reach the worker: a fixed seed comes back in the result, the answer stops at the
    // maximum length, and Ctrl+Shift+C's copyLastAnswer() puts that answer on the clipboard.
    void settingsReachTheWorker() {
        const QString model = file("tiny.gguf");
        test::tinyLlamaModel().write(model.toStdString());
        Settings s(file("worker.ini"));
        s.setSeed(987654);
        s.setMaxTokens(3);
        s.setTemperature(1.0);
        AppOptions options;
        options.historyPath = file("history.sqlite");
        options.modelPath = model;
        options.modelsFolder = dir_.path();
        options.settings = &s;
        AppController app(options);
        QCOMPARE(app.maxAnswerTokens(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);

        QSignalSpy finished(app.generation(), &GenerationController::generationFinished);
        QVERIFY(app.sendMessage(QStringLiteral("Hello")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        const auto result = finished.first().first().value<GenerationResult>();
        QCOMPARE(result.seed, quint64{987654});
        QVERIFY2(result.generatedTokens <= 3, qPrintable(QString::number(result.generatedTokens)));
        QTRY_COMPARE(app.messages()->count(), 2);

        if (!app.messages()->textAt(1).isEmpty()) {
            QVERIFY(app.copyLastAnswer());
            QCOMPARE(QGuiApplication::clipboard()->text(), app.messages()->textAt(1));
        }

        // System prompts reach the prompt: regenerating the same answer with the default prompt set,
        // and then with the conversation's own (longer) one over it, evaluates more prompt tokens.
        const qint64 answerId = app.messages()->data(app.messages()->index(1), MessageListModel::IdRole).toLongLong();
        const auto promptTokensOfRegenerate = [&] {
            finished.clear();
            if (!app.regenerate(answerId))
                return qint64{-1};
            if (!QTest::qWaitFor([&] { return finished.count() == 1; }, 30000))
                return qint64{-2};
            return finished.first().first().value<GenerationResult>().promptTokens;
        };
        const qint64 plain = result.promptTokens;
        s.setSystemPrompt(QStringLiteral("Be brief."));
        const qint64 withDefault = promptTokensOfRegenerate();
        QVERIFY2(withDefault > plain, qPrintable(QStringLiteral("%1 vs %2").arg(withDefault).arg(plain)));
        app.setCurrentSystemPrompt(QStringLiteral("Speak like a pirate, always, in every single answer."));
        QCOMPARE(app.store()->conversation(app.currentConversationId())->systemPrompt,
                 QStringLiteral("Speak like a pirate, always, in every single answer."));
        const qint64 withOwn = promptTokensOfRegenerate();
        QVERIFY2(withOwn > withDefault, qPrintable(QStringLiteral("%1 vs %2").arg(withOwn).arg(withDefault)));

        // A backend change reloads the loaded model (with the load's progress signals).
        QSignalSpy loading(app.generation(), &GenerationController::loadingChanged);
        s.setBackend(QStringLiteral("cpu"));
        QTRY_VERIFY_WITH_TIMEOUT(loading.count() >= 2 && app.generation()->modelLoaded(), 30000);
        QCOMPARE(app.generation()->backend(), QStringLiteral("cpu"));
        QCOMPARE(app.generation()->fallbackReason(), QString{});  // "cpu" was asked for
    }
};

QTEST_MAIN(TestSettings)
#include "test_settings.moc"
