// lamplight: the chat window. Thin: the application, the AppController (history in the app data
// folder, the model from --model PATH or the models folder) and the QML engine with Main.qml.
#include "ui_models/app_controller.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
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
    parser.process(app);

    QQuickStyle::setStyle(QStringLiteral("Basic"));

    lamp::app::AppOptions options;
    options.modelPath = parser.value(model);
    options.historyPath = parser.value(historyFile);
    lamp::app::AppController controller(options);
    lamp::app::AppController::provideInstance(&controller);

    QQmlApplicationEngine engine;
    engine.load(QUrl(QStringLiteral("qrc:/Lamplight/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    return QGuiApplication::exec();
}
