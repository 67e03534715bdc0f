#include "automation/window_automation.h"

#include "history/history_store.h"
#include "ui_models/app_controller.h"

#include <QCommandLineParser>
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTimer>

#include <cstdio>

namespace lamp::app {

namespace {

constexpr int kPollMs = 50;        // how often the readiness conditions are checked
constexpr int kSettleMs = 700;     // layout, fonts and animations settle before a screenshot
constexpr int kAfterAnswerMs = 300;// the view draws the finished answer before the window closes

void printErr(const QString& message) {
    std::fprintf(stderr, "lamplight: %s\n", message.toLocal8Bit().constData());
    std::fflush(stderr);
}

// One key press and release carrying `text`, delivered like a keyboard's to the focused item.
void sendKey(QQuickWindow* window, int key, const QString& text) {
    QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, text);
    QCoreApplication::sendEvent(window, &press);
    QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, text);
    QCoreApplication::sendEvent(window, &release);
}

} // namespace

void AutomationOptions::addTo(QCommandLineParser& parser) {
    parser.addOptions({
        {QStringLiteral("send"),
         QStringLiteral("Type TEXT into the message box and press Enter once the model is ready."),
         QStringLiteral("text")},
        {QStringLiteral("quit-after-answer"),
         QStringLiteral("Quit when the answer ends (exit code 0 when it completed).")},
        {QStringLiteral("dump-conversations"),
         QStringLiteral("Print the sidebar's conversations with their messages as JSON and quit.")},
        {QStringLiteral("screenshot"),
         QStringLiteral("Save the window to FILE (PNG) once it has settled, then quit."), QStringLiteral("file")},
        {QStringLiteral("theme"), QStringLiteral("Switch to the light or dark theme (kept, as the settings panel does)."),
         QStringLiteral("light|dark")},
        {QStringLiteral("panel"), QStringLiteral("Open a panel first: models or settings."), QStringLiteral("name")},
        {QStringLiteral("demo-conversation"),
         QStringLiteral("Add the conversation in FILE (JSON: [{\"role\": ..., \"text\": ...}, ...]) and open it."),
         QStringLiteral("file")},
        {QStringLiteral("timeout"), QStringLiteral("Give up with exit code 2 after MS milliseconds."), QStringLiteral("ms")},
    });
}

AutomationOptions AutomationOptions::from(const QCommandLineParser& parser) {
    AutomationOptions o;
    o.send = parser.value(QStringLiteral("send"));
    o.quitAfterAnswer = parser.isSet(QStringLiteral("quit-after-answer"));
    o.dumpConversations = parser.isSet(QStringLiteral("dump-conversations"));
    o.screenshot = parser.value(QStringLiteral("screenshot"));
    o.theme = parser.value(QStringLiteral("theme"));
    o.panel = parser.value(QStringLiteral("panel"));
    o.demoConversation = parser.value(QStringLiteral("demo-conversation"));
    o.timeoutMs = parser.value(QStringLiteral("timeout")).toInt();
    return o;
}

WindowAutomation::WindowAutomation(const AutomationOptions& options, AppController* controller, QObject* parent)
    : QObject(parent), options_(options), controller_(controller) {}

bool WindowAutomation::prepare() {
    if (options_.demoConversation.isEmpty())
        return true;
    QFile file(options_.demoConversation);
    if (!file.open(QIODevice::ReadOnly)) {
        printErr(QStringLiteral("cannot read %1: %2").arg(options_.demoConversation, file.errorString()));
        return false;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (!doc.isArray()) {
        printErr(QStringLiteral("%1 is not a JSON array of {role, text} objects: %2")
                     .arg(options_.demoConversation, error.errorString()));
        return false;
    }
    history::HistoryStore* store = controller_->store();
    if (!store) {
        printErr(QStringLiteral("the history could not be opened, so the demo conversation cannot be added"));
        return false;
    }
    try {
        const qint64 conversation = store->createConversation(QStringLiteral("demo"));
        qint64 parent = 0;
        for (const QJsonValue& v : doc.array()) {
            const QJsonObject o = v.toObject();
            const auto role = history::roleFromName(o.value(QStringLiteral("role")).toString());
            if (!role) {
                printErr(QStringLiteral("%1: unknown role '%2' (use user, assistant or system)")
                             .arg(options_.demoConversation, o.value(QStringLiteral("role")).toString()));
                return false;
            }
            history::NewMessage m;
            m.role = *role;
            m.text = o.value(QStringLiteral("text")).toString();
            parent = store->appendMessage(conversation, parent, m);
        }
        controller_->conversations()->reload();
        controller_->openConversation(conversation);
    } catch (const history::HistoryError& e) {
        printErr(QStringLiteral("adding the demo conversation: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    return true;
}

void WindowAutomation::start(QQuickWindow* window) {
    window_ = window;
    if (!options_.theme.isEmpty())
        QMetaObject::invokeMethod(window_, "setDarkTheme", Q_ARG(QVariant, options_.theme == QLatin1String("dark")));
    if (options_.timeoutMs > 0)
        QTimer::singleShot(options_.timeoutMs, this, [this] {
            const GenerationController* g = controller_->generation();
            const QString state = g->loading()      ? QStringLiteral("the model was still loading")
                                  : g->generating() ? QStringLiteral("the answer was still being written")
                                  : !controller_->canSend() ? controller_->cannotSendReason()
                                                            : QStringLiteral("nothing was pending");
            fail(2, QStringLiteral("gave up after %1 ms: %2").arg(options_.timeoutMs).arg(state));
        });
    if (options_.dumpConversations) {
        QTimer::singleShot(0, this, &WindowAutomation::dumpConversations);
        return;
    }
    if (options_.quitAfterAnswer) {
        connect(controller_, &AppController::answerFinished, this, [](qint64, qint64, const QString& finish) {
            const int code = finish == QLatin1String("complete") || finish == QLatin1String("length") ? 0 : 1;
            if (code != 0)
                printErr(QStringLiteral("the answer ended as '%1'").arg(finish));
            QTimer::singleShot(kAfterAnswerMs, qApp, [code] { QCoreApplication::exit(code); });
        });
    }
    if (!options_.send.isEmpty() || !options_.screenshot.isEmpty()) {
        auto* poll = new QTimer(this);
        poll->setInterval(kPollMs);
        connect(poll, &QTimer::timeout, this, [this, poll] {
            GenerationController* g = controller_->generation();
            if (g->loading())
                return;
            if (!options_.send.isEmpty() && !sent_) {
                if (!controller_->canSend())
                    return;
                sent_ = true;
                if (!typeAndSend())
                    return;
            }
            if (options_.screenshot.isEmpty() || g->generating()) {
                if (options_.screenshot.isEmpty())
                    poll->stop();
                return;
            }
            poll->stop();
            if (!options_.panel.isEmpty())
                QMetaObject::invokeMethod(window_, "openPanel", Q_ARG(QVariant, options_.panel));
            QTimer::singleShot(kSettleMs, this, &WindowAutomation::takeScreenshot);
        });
        poll->start();
    }
}

bool WindowAutomation::typeAndSend() {
    auto* input = window_->findChild<QQuickItem*>(QStringLiteral("messageInput"));
    if (!input) {
        fail(3, QStringLiteral("the message box (objectName messageInput) is not in the window"));
        return false;
    }
    window_->requestActivate();
    input->forceActiveFocus(Qt::OtherFocusReason);
    // Typed one character at a time, as a keyboard would.
    for (const char32_t c : options_.send.toUcs4()) {
        const QString text = QString::fromUcs4(&c, 1);
        const QChar ascii(static_cast<char16_t>(c < 128 ? c : 0));
        const int key = c < 128 && ascii.isLetterOrNumber() ? ascii.toUpper().unicode() : int{Qt::Key_unknown};
        sendKey(window_, key, text);
    }
    const QString typed = input->property("text").toString();
    if (typed != options_.send) {
        fail(3, QStringLiteral("typing into the message box gave '%1' instead of '%2'").arg(typed, options_.send));
        return false;
    }
    sendKey(window_, Qt::Key_Return, QStringLiteral("\r"));
    if (controller_->currentConversationId() == 0 || !input->property("text").toString().isEmpty()) {
        fail(3, QStringLiteral("pressing Enter in the message box did not send the message"));
        return false;
    }
    return true;
}

void WindowAutomation::dumpConversations() {
    ConversationListModel* list = controller_->conversations();
    // The sidebar shows this model: check that its list view holds every row before printing them.
    int shown = -1;
    for (QQuickItem* item : window_->findChildren<QQuickItem*>()) {
        if (item->property("model").value<QObject*>() == list && item->property("count").isValid())
            shown = item->property("count").toInt();
    }
    if (shown != list->count()) {
        fail(4, QStringLiteral("the sidebar shows %1 conversations, its model has %2").arg(shown).arg(list->count()));
        return;
    }
    QJsonArray conversations;
    for (int row = 0; row < list->count(); ++row) {
        const QModelIndex index = list->index(row);
        const qint64 id = list->data(index, ConversationListModel::IdRole).toLongLong();
        controller_->openConversation(id);
        QJsonArray messages;
        MessageListModel* m = controller_->messages();
        for (int i = 0; i < m->count(); ++i) {
            messages.append(QJsonObject{
                {QStringLiteral("role"), m->data(m->index(i), MessageListModel::RoleRole).toString()},
                {QStringLiteral("text"), m->textAt(i)},
                {QStringLiteral("finish"), m->data(m->index(i), MessageListModel::FinishRole).toString()},
            });
        }
        conversations.append(QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("title"), list->data(index, ConversationListModel::TitleRole).toString()},
            {QStringLiteral("messages"), messages},
        });
    }
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("conversations"), conversations}}).toJson();
    std::fwrite(json.constData(), 1, static_cast<size_t>(json.size()), stdout);
    std::fflush(stdout);
    QCoreApplication::exit(0);
}

void WindowAutomation::takeScreenshot() {
    const QImage image = window_->grabWindow();
    if (image.isNull() || !image.save(options_.screenshot)) {
        fail(5, QStringLiteral("could not save the screenshot to %1").arg(options_.screenshot));
        return;
    }
    QCoreApplication::exit(0);
}

void WindowAutomation::fail(int exitCode, const QString& message) {
    printErr(message);
    QCoreApplication::exit(exitCode);
}

} // namespace lamp::app
