// Switches the window's language at run time: follows Settings::language, installs the matching
// compiled translation (translations/lamplight_<lang>.ts, embedded by qt_add_translations under
// :/i18n/) and makes the QML engine re-evaluate every qsTr() binding. No restart needed.
#pragma once

#include <QObject>
#include <QPointer>
#include <QTranslator>

#include <memory>

class QQmlEngine;

namespace lamp::app {

class Settings;

class LanguageSwitcher : public QObject {
    Q_OBJECT

public:
    // Applies the current setting at once. `engine` may be null (then only C++ tr() changes).
    LanguageSwitcher(Settings* settings, QQmlEngine* engine, QObject* parent = nullptr);
    ~LanguageSwitcher() override;

    // The language shown now: "en" or "zh_CN" ("system" resolved against the system locale).
    QString activeLanguage() const { return active_; }

    // "system" → "zh_CN" for a Simplified Chinese system locale, else "en"; other values pass through.
    static QString resolve(const QString& setting);

private:
    void apply();

    QPointer<Settings> settings_;
    QPointer<QQmlEngine> engine_;
    std::unique_ptr<QTranslator> translator_;  // installed while not English
    QString active_ = QStringLiteral("en");
};

} // namespace lamp::app
