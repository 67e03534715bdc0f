// The user's settings, kept with QSettings: how answers are sampled (temperature, top-k, top-p,
// min-p, repeat penalty and window, maximum answer length, context length, seed, threads), which
// backend runs the model, the default system prompt, and how the window looks (theme, font size,
// language). QML reaches it as the singleton `AppSettings`.
//
// Every value is checked when it is set and when it is read back from the file: numbers are clamped
// to their range (a hand-edited or old file cannot hand the sampler a negative top-p), unknown
// choices fall back to the default. Each property has its own NOTIFY signal, emitted only when the
// value really changes, and every change is written at once (QSettings syncs it to disk).
//
// main() makes one Settings (the app's own QSettings) and hands it to the QML engine with
// provideInstance() before loading Main.qml; tests give the constructor a file of their own.
#pragma once

#include "worker/generation_types.h"

#include <QObject>
#include <QSettings>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class QJSEngine;

namespace lamp::app {

class Settings : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(AppSettings)
    QML_SINGLETON

    // Sampling (inference/sampling/sampler.h says what each one does; defaults come from there).
    Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY temperatureChanged)
    Q_PROPERTY(int topK READ topK WRITE setTopK NOTIFY topKChanged)
    Q_PROPERTY(double topP READ topP WRITE setTopP NOTIFY topPChanged)
    Q_PROPERTY(double minP READ minP WRITE setMinP NOTIFY minPChanged)
    Q_PROPERTY(double repeatPenalty READ repeatPenalty WRITE setRepeatPenalty NOTIFY repeatPenaltyChanged)
    Q_PROPERTY(int repeatLastN READ repeatLastN WRITE setRepeatLastN NOTIFY repeatLastNChanged)
    // -1: a fresh random seed for every answer; otherwise every answer uses this one.
    Q_PROPERTY(int seed READ seed WRITE setSeed NOTIFY seedChanged)
    // The session: tokens per answer (0 = until the model stops or the context is full), context
    // length (0 = the model's own, at most 4096), CPU threads (0 = every hardware thread).
    Q_PROPERTY(int maxTokens READ maxTokens WRITE setMaxTokens NOTIFY maxTokensChanged)
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
    Q_PROPERTY(int threads READ threads WRITE setThreads NOTIFY threadsChanged)
    // "auto", "cpu" or "vulkan:<device index>".
    Q_PROPERTY(QString backend READ backend WRITE setBackend NOTIFY backendChanged)
    // [{value: "auto", label: "Auto …"}, {value: "cpu", …}, {value: "vulkan:0", label: "GPU 0: …"}, …]
    Q_PROPERTY(QVariantList backendChoices READ backendChoices NOTIFY backendChoicesChanged)
    // Put first in every conversation that has no system prompt of its own.
    Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY systemPromptChanged)
    // A new conversation's title is summarised by the model after its first answer (default on);
    // off: it keeps the start of the first message.
    Q_PROPERTY(bool autoTitles READ autoTitles WRITE setAutoTitles NOTIFY autoTitlesChanged)

    // Appearance: "system", "light" or "dark"; body text size in pixels; "system", "en" or "zh_CN".
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    Q_PROPERTY(int fontSize READ fontSize WRITE setFontSize NOTIFY fontSizeChanged)
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)

    // The ranges the setters clamp to, for the panel's controls: {temperature: {min, max}, …}.
    Q_PROPERTY(QVariantMap limits READ limits CONSTANT)

public:
    // Defaults that are not sampling parameters.
    static constexpr int kDefaultMaxTokens = 1024;
    static constexpr int kDefaultFontSize = 14;

    // filePath "": the application's own settings (organization and application name);
    // otherwise an INI file at that path (tests).
    // Not default-constructible on purpose: Qt 6.4 would then build its own singleton instead of
    // calling create().
    explicit Settings(const QString& filePath, QObject* parent = nullptr);
    ~Settings() override;

    // The engine's singleton: the instance given to provideInstance(), else one on the app's settings.
    static Settings* create(QQmlEngine* qmlEngine, QJSEngine* jsEngine);
    static void provideInstance(Settings* settings);

    double temperature() const { return temperature_; }
    int topK() const { return topK_; }
    double topP() const { return topP_; }
    double minP() const { return minP_; }
    double repeatPenalty() const { return repeatPenalty_; }
    int repeatLastN() const { return repeatLastN_; }
    int seed() const { return seed_; }
    int maxTokens() const { return maxTokens_; }
    int contextLength() const { return contextLength_; }
    int threads() const { return threads_; }
    QString backend() const { return backend_; }
    QVariantList backendChoices() const;
    QString systemPrompt() const { return systemPrompt_; }
    bool autoTitles() const { return autoTitles_; }
    QString theme() const { return theme_; }
    int fontSize() const { return fontSize_; }
    QString language() const { return language_; }
    QVariantMap limits() const;

    void setTemperature(double value);
    void setTopK(int value);
    void setTopP(double value);
    void setMinP(double value);
    void setRepeatPenalty(double value);
    void setRepeatLastN(int value);
    void setSeed(int value);
    void setMaxTokens(int value);
    void setContextLength(int value);
    void setThreads(int value);
    void setBackend(const QString& value);
    void setSystemPrompt(const QString& value);
    void setAutoTitles(bool value);
    void setTheme(const QString& value);
    void setFontSize(int value);
    void setLanguage(const QString& value);

    // Every setting back to its default.
    Q_INVOKABLE void resetToDefaults();
    // Only the sampling and session settings back to their defaults (the panel's "Reset" button).
    Q_INVOKABLE void resetGeneration();

    // What one answer uses: the sampling values, answer and context length, threads and the default
    // system prompt (the caller puts a conversation's own prompt over it). With seed -1 a fresh
    // random seed is drawn on every call.
    GenerationSettings generationSettings() const;
    // What the worker's loadModel() gets for the backend choice (see the TODO in the .cpp).
    QVariantMap modelLoadOptions() const;

    // The Vulkan device names behind backendChoices. By default they are enumerated once, on first
    // use; tests (and a future "rescan" button) set them.
    void setVulkanDevices(const QStringList& names);

    // Checks a choice string; invalid ones give the fallback.
    static QString validBackend(const QString& value);
    static QString validTheme(const QString& value);
    static QString validLanguage(const QString& value);

Q_SIGNALS:
    void temperatureChanged();
    void topKChanged();
    void topPChanged();
    void minPChanged();
    void repeatPenaltyChanged();
    void repeatLastNChanged();
    void seedChanged();
    void maxTokensChanged();
    void contextLengthChanged();
    void threadsChanged();
    void backendChanged();
    void backendChoicesChanged();
    void systemPromptChanged();
    void autoTitlesChanged();
    void themeChanged();
    void fontSizeChanged();
    void languageChanged();

private:
    void load();
    template <typename T>
    void store(const char* key, T& member, T value, void (Settings::*changed)());
    void ensureVulkanDevices() const;

    std::unique_ptr<QSettings> settings_;
    double temperature_ = 0;
    int topK_ = 0;
    double topP_ = 0;
    double minP_ = 0;
    double repeatPenalty_ = 0;
    int repeatLastN_ = 0;
    int seed_ = -1;
    int maxTokens_ = kDefaultMaxTokens;
    int contextLength_ = 0;
    int threads_ = 0;
    QString backend_;
    QString systemPrompt_;
    bool autoTitles_ = true;
    QString theme_;
    int fontSize_ = kDefaultFontSize;
    QString language_;
    mutable bool devicesKnown_ = false;
    mutable QStringList vulkanDevices_;
};

} // namespace lamp::app
