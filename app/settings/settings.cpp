#include "settings/settings.h"

#include "settings/vulkan_devices.h"

#include <QJSEngine>
#include <QQmlEngine>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <climits>
#include <cmath>

namespace lamp::app {

namespace {

Settings* g_provided = nullptr;  // the instance main() made for the QML engine

// One range per numeric setting. The sampler's own limits (sampler.h) bound the sampling ones;
// the rest keep the panel's controls to values that make sense on a desktop.
template <typename T>
struct Range {
    T min;
    T max;
};
constexpr Range<double> kTemperature{0.0, 2.0};      // 0 = greedy; above 2 is noise
constexpr Range<int> kTopK{0, 1000};                 // 0 = off
constexpr Range<double> kTopP{0.0, 1.0};             // 1 = off
constexpr Range<double> kMinP{0.0, 1.0};             // 0 = off
constexpr Range<double> kRepeatPenalty{0.5, 2.0};    // 1 = off; the sampler needs > 0
constexpr Range<int> kRepeatLastN{-1, 8192};         // -1 = the whole history, 0 = no penalties
constexpr Range<int> kSeed{-1, INT_MAX};             // -1 = random per answer (QML numbers: int)
constexpr Range<int> kMaxTokens{0, 32768};           // 0 = no limit
constexpr Range<int> kContextLength{0, 131072};      // 0 = the model's own
constexpr int kMinContextLength = 256;               // a smaller context cannot hold a prompt
constexpr Range<int> kThreads{0, 256};               // 0 = every hardware thread
constexpr Range<int> kFontSize{10, 28};

template <typename T>
T clampTo(T value, Range<T> range) {
    return std::clamp(value, range.min, range.max);
}

double clampTo(double value, Range<double> range, double fallback) {
    return std::isfinite(value) ? std::clamp(value, range.min, range.max) : fallback;
}

int clampContext(int value) {
    value = clampTo(value, kContextLength);
    return value > 0 && value < kMinContextLength ? kMinContextLength : value;
}

QVariantMap rangeMap(double min, double max) {
    return {{QStringLiteral("min"), min}, {QStringLiteral("max"), max}};
}

// QSettings keys, grouped as the panel groups them.
namespace key {
constexpr char temperature[] = "generation/temperature";
constexpr char topK[] = "generation/topK";
constexpr char topP[] = "generation/topP";
constexpr char minP[] = "generation/minP";
constexpr char repeatPenalty[] = "generation/repeatPenalty";
constexpr char repeatLastN[] = "generation/repeatLastN";
constexpr char seed[] = "generation/seed";
constexpr char maxTokens[] = "generation/maxTokens";
constexpr char contextLength[] = "generation/contextLength";
constexpr char threads[] = "generation/threads";
constexpr char systemPrompt[] = "generation/systemPrompt";
constexpr char autoTitles[] = "generation/autoTitles";
constexpr char backend[] = "engine/backend";
constexpr char theme[] = "appearance/theme";
constexpr char fontSize[] = "appearance/fontSize";
constexpr char language[] = "appearance/language";
} // namespace key

} // namespace

Settings::Settings(const QString& filePath, QObject* parent) : QObject(parent) {
    settings_ = filePath.isEmpty() ? std::make_unique<QSettings>()
                                   : std::make_unique<QSettings>(filePath, QSettings::IniFormat);
    load();
}

Settings::~Settings() {
    if (g_provided == this)
        g_provided = nullptr;
}

Settings* Settings::create(QQmlEngine*, QJSEngine*) {
    if (g_provided) {
        QJSEngine::setObjectOwnership(g_provided, QJSEngine::CppOwnership);
        return g_provided;
    }
    return new Settings(QString{});  // the engine owns it
}

void Settings::provideInstance(Settings* settings) { g_provided = settings; }

void Settings::load() {
    const SamplingParams d;
    const auto real = [&](const char* k, double fallback) {
        bool ok = false;
        const double v = settings_->value(QLatin1String(k), fallback).toDouble(&ok);
        return ok ? v : fallback;
    };
    const auto integer = [&](const char* k, int fallback) {
        bool ok = false;
        const int v = settings_->value(QLatin1String(k), fallback).toInt(&ok);
        return ok ? v : fallback;
    };
    temperature_ = clampTo(real(key::temperature, d.temperature), kTemperature, double{d.temperature});
    topK_ = clampTo(integer(key::topK, d.topK), kTopK);
    topP_ = clampTo(real(key::topP, d.topP), kTopP, double{d.topP});
    minP_ = clampTo(real(key::minP, d.minP), kMinP, double{d.minP});
    repeatPenalty_ = clampTo(real(key::repeatPenalty, d.repeatPenalty), kRepeatPenalty, double{d.repeatPenalty});
    repeatLastN_ = clampTo(integer(key::repeatLastN, d.repeatLastN), kRepeatLastN);
    seed_ = clampTo(integer(key::seed, -1), kSeed);
    maxTokens_ = clampTo(integer(key::maxTokens, kDefaultMaxTokens), kMaxTokens);
    contextLength_ = clampContext(integer(key::contextLength, 0));
    threads_ = clampTo(integer(key::threads, 0), kThreads);
    systemPrompt_ = settings_->value(QLatin1String(key::systemPrompt)).toString();
    autoTitles_ = settings_->value(QLatin1String(key::autoTitles), true).toBool();
    backend_ = validBackend(settings_->value(QLatin1String(key::backend)).toString());
    theme_ = validTheme(settings_->value(QLatin1String(key::theme)).toString());
    fontSize_ = clampTo(integer(key::fontSize, kDefaultFontSize), kFontSize);
    language_ = validLanguage(settings_->value(QLatin1String(key::language)).toString());
}

template <typename T>
void Settings::store(const char* k, T& member, T value, void (Settings::*changed)()) {
    if (member == value)
        return;
    member = value;
    settings_->setValue(QLatin1String(k), value);
    Q_EMIT(this->*changed)();
}

void Settings::setTemperature(double v) {
    store(key::temperature, temperature_, clampTo(v, kTemperature, temperature_), &Settings::temperatureChanged);
}
void Settings::setTopK(int v) { store(key::topK, topK_, clampTo(v, kTopK), &Settings::topKChanged); }
void Settings::setTopP(double v) { store(key::topP, topP_, clampTo(v, kTopP, topP_), &Settings::topPChanged); }
void Settings::setMinP(double v) { store(key::minP, minP_, clampTo(v, kMinP, minP_), &Settings::minPChanged); }
void Settings::setRepeatPenalty(double v) {
    store(key::repeatPenalty, repeatPenalty_, clampTo(v, kRepeatPenalty, repeatPenalty_),
          &Settings::repeatPenaltyChanged);
}
void Settings::setRepeatLastN(int v) {
    store(key::repeatLastN, repeatLastN_, clampTo(v, kRepeatLastN), &Settings::repeatLastNChanged);
}
void Settings::setSeed(int v) { store(key::seed, seed_, clampTo(v, kSeed), &Settings::seedChanged); }
void Settings::setMaxTokens(int v) {
    store(key::maxTokens, maxTokens_, clampTo(v, kMaxTokens), &Settings::maxTokensChanged);
}
void Settings::setContextLength(int v) {
    store(key::contextLength, contextLength_, clampContext(v), &Settings::contextLengthChanged);
}
void Settings::setThreads(int v) { store(key::threads, threads_, clampTo(v, kThreads), &Settings::threadsChanged); }
void Settings::setBackend(const QString& v) {
    store(key::backend, backend_, validBackend(v), &Settings::backendChanged);
}
void Settings::setSystemPrompt(const QString& v) {
    store(key::systemPrompt, systemPrompt_, v, &Settings::systemPromptChanged);
}
void Settings::setAutoTitles(bool v) { store(key::autoTitles, autoTitles_, v, &Settings::autoTitlesChanged); }
void Settings::setTheme(const QString& v) { store(key::theme, theme_, validTheme(v), &Settings::themeChanged); }
void Settings::setFontSize(int v) {
    store(key::fontSize, fontSize_, clampTo(v, kFontSize), &Settings::fontSizeChanged);
}
void Settings::setLanguage(const QString& v) {
    store(key::language, language_, validLanguage(v), &Settings::languageChanged);
}

void Settings::resetGeneration() {
    const SamplingParams d;
    setTemperature(d.temperature);
    setTopK(d.topK);
    setTopP(d.topP);
    setMinP(d.minP);
    setRepeatPenalty(d.repeatPenalty);
    setRepeatLastN(d.repeatLastN);
    setSeed(-1);
    setMaxTokens(kDefaultMaxTokens);
    setContextLength(0);
    setThreads(0);
}

void Settings::resetToDefaults() {
    resetGeneration();
    setSystemPrompt({});
    setAutoTitles(true);
    setBackend({});
    setTheme({});
    setFontSize(kDefaultFontSize);
    setLanguage({});
}

QVariantMap Settings::limits() const {
    return {
        {QStringLiteral("temperature"), rangeMap(kTemperature.min, kTemperature.max)},
        {QStringLiteral("topK"), rangeMap(kTopK.min, kTopK.max)},
        {QStringLiteral("topP"), rangeMap(kTopP.min, kTopP.max)},
        {QStringLiteral("minP"), rangeMap(kMinP.min, kMinP.max)},
        {QStringLiteral("repeatPenalty"), rangeMap(kRepeatPenalty.min, kRepeatPenalty.max)},
        {QStringLiteral("repeatLastN"), rangeMap(kRepeatLastN.min, kRepeatLastN.max)},
        {QStringLiteral("seed"), rangeMap(kSeed.min, kSeed.max)},
        {QStringLiteral("maxTokens"), rangeMap(kMaxTokens.min, kMaxTokens.max)},
        {QStringLiteral("contextLength"), rangeMap(kContextLength.min, kContextLength.max)},
        {QStringLiteral("threads"), rangeMap(kThreads.min, kThreads.max)},
        {QStringLiteral("fontSize"), rangeMap(kFontSize.min, kFontSize.max)},
    };
}

QString Settings::validBackend(const QString& value) {
    static const QRegularExpression vulkanDevice(QStringLiteral("^vulkan:\\d{1,3}$"));
    if (value == QLatin1String("cpu") || vulkanDevice.match(value).hasMatch())
        return value;
    return QStringLiteral("auto");
}

QString Settings::validTheme(const QString& value) {
    if (value == QLatin1String("light") || value == QLatin1String("dark"))
        return value;
    return QStringLiteral("system");
}

QString Settings::validLanguage(const QString& value) {
    if (value == QLatin1String("en") || value == QLatin1String("zh_CN"))
        return value;
    return QStringLiteral("system");
}

void Settings::ensureVulkanDevices() const {
    if (devicesKnown_)
        return;
    vulkanDevices_ = enumerateVulkanDevices();
    devicesKnown_ = true;
}

void Settings::setVulkanDevices(const QStringList& names) {
    devicesKnown_ = true;
    if (names == vulkanDevices_)
        return;
    vulkanDevices_ = names;
    Q_EMIT backendChoicesChanged();
}

QVariantList Settings::backendChoices() const {
    ensureVulkanDevices();
    const auto choice = [](const QString& value, const QString& label) {
        return QVariantMap{{QStringLiteral("value"), value}, {QStringLiteral("label"), label}};
    };
    QVariantList list;
    list << choice(QStringLiteral("auto"), tr("Auto (the best GPU that fits, else the CPU)"));
    list << choice(QStringLiteral("cpu"), tr("CPU"));
    for (qsizetype i = 0; i < vulkanDevices_.size(); ++i)
        list << choice(QStringLiteral("vulkan:%1").arg(i), tr("GPU %1: %2").arg(i).arg(vulkanDevices_[i]));
    // A GPU chosen earlier that is not there now (unplugged, driver gone) stays visible, so the
    // panel can show what is chosen; the engine falls back to the CPU and says why.
    if (backend_.startsWith(QLatin1String("vulkan:")) &&
        backend_.mid(7).toInt() >= vulkanDevices_.size())
        list << choice(backend_, tr("GPU %1 (not found)").arg(backend_.mid(7)));
    return list;
}

GenerationSettings Settings::generationSettings() const {
    GenerationSettings s;
    s.sampling.temperature = static_cast<float>(temperature_);
    s.sampling.topK = topK_;
    s.sampling.topP = static_cast<float>(topP_);
    s.sampling.minP = static_cast<float>(minP_);
    s.sampling.repeatPenalty = static_cast<float>(repeatPenalty_);
    s.sampling.repeatLastN = repeatLastN_;
    // A fresh seed per answer unless the user fixed one (the result keeps it, to reproduce it).
    s.sampling.seed = seed_ >= 0 ? static_cast<uint64_t>(seed_) : QRandomGenerator::global()->generate64();
    s.maxTokens = maxTokens_;
    s.contextLength = contextLength_;
    s.threads = threads_;
    s.systemPrompt = systemPrompt_;
    return s;
}

QVariantMap Settings::modelLoadOptions() const {
    // "auto", "cpu" or "vulkan:<index>", as the worker's ModelLoadOptions and BackendRequest take it.
    QVariantMap options;
    options.insert(QStringLiteral("backend"), backend_);
    return options;
}

} // namespace lamp::app
