#include "settings/language_switcher.h"

#include "core/log.h"
#include "settings/settings.h"

#include <QCoreApplication>
#include <QLocale>
#include <QQmlEngine>

namespace lamp::app {

LanguageSwitcher::LanguageSwitcher(Settings* settings, QQmlEngine* engine, QObject* parent)
    : QObject(parent), settings_(settings), engine_(engine) {
    connect(settings, &Settings::languageChanged, this, &LanguageSwitcher::apply);
    apply();
}

LanguageSwitcher::~LanguageSwitcher() {
    if (translator_)
        QCoreApplication::removeTranslator(translator_.get());
}

QString LanguageSwitcher::resolve(const QString& setting) {
    if (setting != QLatin1String("system"))
        return setting;
    // Simplified Chinese is the only translation so far; Traditional Chinese readers get English
    // rather than a script they may not read comfortably.
    const QLocale system = QLocale::system();
    const bool simplified = system.language() == QLocale::Chinese && system.script() != QLocale::TraditionalChineseScript;
    return simplified ? QStringLiteral("zh_CN") : QStringLiteral("en");
}

void LanguageSwitcher::apply() {
    if (!settings_)
        return;
    const QString wanted = resolve(settings_->language());
    if (wanted == active_ && (wanted == QLatin1String("en") || translator_))
        return;
    if (translator_) {
        QCoreApplication::removeTranslator(translator_.get());
        translator_.reset();
    }
    // English is the source language: no translator at all.
    if (wanted != QLatin1String("en")) {
        auto translator = std::make_unique<QTranslator>();
        const QString file = QStringLiteral(":/i18n/lamplight_%1.qm").arg(wanted);
        if (translator->load(file)) {
            QCoreApplication::installTranslator(translator.get());
            translator_ = std::move(translator);
        } else {
            lamp::log::get("app")->warn("translation {} is missing from the build: showing English",
                                        file.toStdString());
        }
    }
    active_ = translator_ ? wanted : QStringLiteral("en");
    if (engine_)
        engine_->retranslate();
}

} // namespace lamp::app
