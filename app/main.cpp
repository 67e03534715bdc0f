// lamplight: the chat window. Thin: the application, the AppController (history in the app data
// folder, the model from --model PATH or the models folder) and the QML engine with Main.qml.
#include "automation/window_automation.h"
#include "settings/language_switcher.h"
#include "settings/settings.h"
#include "ui_models/app_controller.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(LamplightPlugin)

int main(int argc, char* argv[]) {
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("Lamplight"));
    QGuiApplication::setApplicationName(QStringLiteral("Lamplight"));
    QGuiApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lamplight: chat with language models on your own computer."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("The GGUF model file to load (default: the first in the models folder)."),
                                   QStringLiteral("path"));
    const QCommandLineOption historyFile(QStringLiteral("history"),
                                         QStringLiteral("The history database (default: in the app data folder)."),
                                         QStringLiteral("path"));
    parser.addOption(model);
    parser.addOption(historyFile);
    const QCommandLineOption modelsFolder(QStringLiteral("models-folder"),
                                          QStringLiteral("The models folder (default: the one chosen last, else in the app data folder)."),
                                          QStringLiteral("path"));
    parser.addOption(modelsFolder);
    const QCommandLineOption booksDb(QStringLiteral("books-db"),
                                     QStringLiteral("The book assistant's database (default: books.db in the app data folder)."),
                                     QStringLiteral("path"));
    parser.addOption(booksDb);
    // For the end-to-end test and the screenshot script (scripts/screenshots.sh).
    lamp::app::AutomationOptions::addTo(parser);
    parser.process(app);

    QQuickStyle::setStyle(QStringLiteral("Basic"));

    // The user's settings (QSettings under the organization and application names above).
    lamp::app::Settings settings(QString{});
    lamp::app::Settings::provideInstance(&settings);

    lamp::app::AppOptions options;
    options.settings = &settings;
    options.modelPath = parser.value(model);
    options.historyPath = parser.value(historyFile);
    options.modelsFolder = parser.value(modelsFolder);
    options.booksPath = parser.value(booksDb);
    options.rememberModel = true;
    lamp::app::AppController controller(options);
    lamp::app::AppController::provideInstance(&controller);

    QQmlApplicationEngine engine;
    // The language from the settings, before the window loads; switched at run time after.
    lamp::app::LanguageSwitcher languages(&settings, &engine);
    lamp::app::WindowAutomation automation(lamp::app::AutomationOptions::from(parser), &controller);
    if (!automation.prepare())
        return 1;
    engine.load(QUrl(QStringLiteral("qrc:/Lamplight/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    if (auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first()))
        automation.start(window);
    return QGuiApplication::exec();
}
