// Drives the real window from the command line, for the end-to-end test and the screenshot script:
// types a message into the input bar and presses Enter (the same key path a person uses), quits after
// the answer, prints what the sidebar lists, saves a screenshot. None of it runs unless asked for.
#pragma once

#include <QObject>
#include <QString>

class QQuickWindow;
class QCommandLineParser;

namespace lamp::app {

class AppController;

struct AutomationOptions {
    QString send;                // type this into the input bar and press Enter once the model is ready
    bool quitAfterAnswer = false;// quit when the answer ends (exit code 0 when it completed)
    bool dumpConversations = false;  // print the sidebar's conversations with their messages as JSON, quit
    QString screenshot;          // save the window here when it has settled, then quit
    QString theme;               // "light" or "dark" for this run
    QString panel;               // open "models" or "settings" before the screenshot
    QString demoConversation;    // a JSON file [{role, text}, ...] added to the history and opened
    int timeoutMs = 0;           // give up (exit code 2) after this long; 0 = never

    bool any() const {
        return !send.isEmpty() || quitAfterAnswer || dumpConversations || !screenshot.isEmpty() ||
               !theme.isEmpty() || !panel.isEmpty() || !demoConversation.isEmpty() || timeoutMs > 0;
    }
    // Adds the options to `parser` and reads them back after parsing.
    static void addTo(QCommandLineParser& parser);
    static AutomationOptions from(const QCommandLineParser& parser);
};

class WindowAutomation : public QObject {
    Q_OBJECT

public:
    WindowAutomation(const AutomationOptions& options, AppController* controller, QObject* parent = nullptr);

    // Before the window loads: adds the demo conversation. False (with a message on stderr) on failure.
    bool prepare();
    // After Main.qml has loaded: starts whatever was asked for.
    void start(QQuickWindow* window);

private:
    void whenReady();
    bool typeAndSend();
    void dumpConversations();
    void takeScreenshot();
    void fail(int exitCode, const QString& message);

    AutomationOptions options_;
    AppController* controller_;
    QQuickWindow* window_ = nullptr;
    bool sent_ = false;
};

} // namespace lamp::app
