// QML TestCase tests of the window's views (tests/qml/tst_*.qml): the settings panel, the theme
// and the main window's keyboard shortcuts, run headless (QT_QPA_PLATFORM=offscreen) against the
// real QML module. Each QML file gets a fresh engine; all share one AppSettings (a file in a
// temporary folder, never the user's) and one AppController (an empty history, no model).
#include "settings/language_switcher.h"
#include "settings/settings.h"
#include "ui_models/app_controller.h"

#include <QQmlEngine>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(LamplightPlugin)

class Setup : public QObject {
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable() {
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        settings_ = std::make_unique<lamp::app::Settings>(dir_.filePath(QStringLiteral("settings.ini")));
        // Two made-up GPUs, so the backend list does not depend on this machine's Vulkan.
        settings_->setVulkanDevices({QStringLiteral("Test GPU A"), QStringLiteral("Test GPU B")});
        lamp::app::Settings::provideInstance(settings_.get());
        lamp::app::AppOptions options;
        options.historyPath = dir_.filePath(QStringLiteral("history.sqlite"));
        options.modelsFolder = dir_.filePath(QStringLiteral("models"));  // empty: no model loads
        options.settings = settings_.get();
        controller_ = std::make_unique<lamp::app::AppController>(options);
        lamp::app::AppController::provideInstance(controller_.get());
    }

    void qmlEngineAvailable(QQmlEngine* engine) {
        // Qt 6.4 keeps the module's qmldir and QML files under qrc:/Lamplight/.
        engine->addImportPath(QStringLiteral("qrc:/"));
        // Dies with the engine; the language setting is shared, so each file starts from it.
        new lamp::app::LanguageSwitcher(settings_.get(), engine, engine);
    }

    // After the last file, while the application still exists (the controller owns a thread and a
    // database connection).
    void cleanupTestCase() {
        lamp::app::AppController::provideInstance(nullptr);
        lamp::app::Settings::provideInstance(nullptr);
        controller_.reset();
        settings_.reset();
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<lamp::app::Settings> settings_;
    std::unique_ptr<lamp::app::AppController> controller_;
};

QUICK_TEST_MAIN_WITH_SETUP(qml_views, Setup)
#include "test_qml_views.moc"
