// The window's list models (app/ui_models) over a real HistoryStore in a temporary folder: the
// sidebar's rows, roles, date groups, pin order, rename, delete and undo, search; the chat's active
// path with sibling positions; and the streaming answer's row growing in place (dataChanged on that
// row only, no reset) while the tiny model writes it through the AppController.
#include "support/tiny_models.h"

#include "history/history_store.h"
#include "ui_models/app_controller.h"
#include "ui_models/conversation_list_model.h"
#include "ui_models/message_list_model.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace lamp;
using namespace lamp::app;
using history::HistoryStore;

namespace {

history::NewMessage userText(const QString& text) {
    history::NewMessage m;
    m.role = history::Role::User;
    m.text = text;
    return m;
}

history::NewMessage answerText(const QString& text) {
    history::NewMessage m;
    m.role = history::Role::Assistant;
    m.text = text;
    m.model = QStringLiteral("tiny");
    return m;
}

QVariant roleData(const QAbstractListModel& model, int row, const char* roleName) {
    const auto names = model.roleNames();
    const int role = names.key(roleName, -1);
    return model.data(model.index(row), role);
}

} // namespace

class TestListModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        QVERIFY(dir_.isValid());
        path_ = dir_.filePath(QStringLiteral("history-%1.sqlite").arg(++counter_));
    }

    void conversationRowsRolesAndGroups() {
        auto store = HistoryStore::open(path_);
        const QDateTime now = QDateTime::fromString(QStringLiteral("2026-11-20T15:00:00"), Qt::ISODate);
        qint64 clock = now.addDays(-30).toMSecsSinceEpoch();
        store->setClockForTesting([&clock] { return clock; });

        const qint64 old = store->createConversation();
        store->appendMessage(old, 0, userText(QStringLiteral("An old question about tea")));
        clock = now.addDays(-3).toMSecsSinceEpoch();
        const qint64 week = store->createConversation();
        store->appendMessage(week, 0, userText(QStringLiteral("Books about the sea")));
        clock = now.addDays(-1).toMSecsSinceEpoch();
        const qint64 yesterday = store->createConversation();
        store->appendMessage(yesterday, 0, userText(QStringLiteral("What did I ask yesterday")));
        clock = now.addSecs(-60).toMSecsSinceEpoch();
        const qint64 today = store->createConversation();
        store->appendMessage(today, 0, userText(QStringLiteral("Hello there")));

        ConversationListModel model;
        model.setNowForTesting(now);
        model.setStore(store.get());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.count(), 4);
        const QStringList expectedRoles{"conversationId", "title", "updated", "pinned", "group", "snippet"};
        for (const QString& r : expectedRoles)
            QVERIFY2(model.roleNames().values().contains(r.toUtf8()), qPrintable(r));

        // Newest first, each in its date group, titled from the first user message.
        QCOMPARE(roleData(model, 0, "conversationId").toLongLong(), today);
        QCOMPARE(roleData(model, 0, "title").toString(), QStringLiteral("Hello there"));
        QCOMPARE(roleData(model, 0, "group").toString(), QStringLiteral("Today"));
        QCOMPARE(roleData(model, 1, "group").toString(), QStringLiteral("Yesterday"));
        QCOMPARE(roleData(model, 2, "group").toString(), QStringLiteral("Previous 7 days"));
        QCOMPARE(roleData(model, 3, "group").toString(), QStringLiteral("Older"));
        QCOMPARE(roleData(model, 3, "conversationId").toLongLong(), old);
        QCOMPARE(roleData(model, 0, "pinned").toBool(), false);
        QCOMPARE(roleData(model, 0, "updated").toDateTime(), now.addSecs(-60));

        // Pinning moves a conversation to the top, in the "Pinned" section.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        store->setPinned(old, true);
        model.reload();
        QCOMPARE(resets.count(), 1);
        QCOMPARE(roleData(model, 0, "conversationId").toLongLong(), old);
        QCOMPARE(roleData(model, 0, "pinned").toBool(), true);
        QCOMPARE(roleData(model, 0, "group").toString(), QStringLiteral("Pinned"));
        QCOMPARE(model.rowOf(week), 3);

        // Rename shows; delete hides; restore brings it back.
        store->rename(week, QStringLiteral("Sea stories"));
        model.reload();
        QCOMPARE(roleData(model, model.rowOf(week), "title").toString(), QStringLiteral("Sea stories"));
        QSignalSpy counts(&model, &ConversationListModel::countChanged);
        store->deleteConversation(yesterday);
        model.reload();
        QCOMPARE(model.count(), 3);
        QCOMPARE(model.rowOf(yesterday), -1);
        QCOMPARE(counts.count(), 1);
        store->restoreConversation(yesterday);
        model.reload();
        QCOMPARE(model.count(), 4);

        // A filter lists the search hits (titles and message text), with snippets for text hits.
        model.setFilter(QStringLiteral("sea"));
        QCOMPARE(model.count(), 1);
        QCOMPARE(roleData(model, 0, "conversationId").toLongLong(), week);
        QCOMPARE(roleData(model, 0, "group").toString(), QStringLiteral("Results"));
        model.setFilter(QStringLiteral("yesterday"));
        QCOMPARE(model.count(), 1);
        QCOMPARE(roleData(model, 0, "conversationId").toLongLong(), yesterday);
        model.setFilter(QString());
        QCOMPARE(model.count(), 4);
    }

    void messagePathWithSiblings() {
        auto store = HistoryStore::open(path_);
        const qint64 c = store->createConversation();
        const qint64 u = store->appendMessage(c, 0, userText(QStringLiteral("Tell me a **story**")));
        const qint64 a1 = store->appendMessage(c, u, answerText(QStringLiteral("Once upon a time")));
        const qint64 a2 = store->appendMessage(c, u, answerText(QStringLiteral("Long ago")));

        MessageListModel model;
        model.setStore(store.get());
        QCOMPARE(model.count(), 0);
        QSignalSpy idSpy(&model, &MessageListModel::conversationIdChanged);
        model.load(c);
        QCOMPARE(idSpy.count(), 1);
        QCOMPARE(model.conversationId(), c);
        QCOMPARE(model.count(), 2);
        QCOMPARE(roleData(model, 0, "role").toString(), QStringLiteral("user"));
        QCOMPARE(roleData(model, 0, "siblingCount").toInt(), 1);
        QCOMPARE(roleData(model, 1, "messageId").toLongLong(), a2);
        QCOMPARE(roleData(model, 1, "role").toString(), QStringLiteral("assistant"));
        QCOMPARE(roleData(model, 1, "text").toString(), QStringLiteral("Long ago"));
        QCOMPARE(roleData(model, 1, "siblingIndex").toInt(), 1);
        QCOMPARE(roleData(model, 1, "siblingCount").toInt(), 2);
        QCOMPARE(roleData(model, 1, "finish").toString(), QStringLiteral("complete"));
        QCOMPARE(roleData(model, 1, "generating").toBool(), false);
        QCOMPARE(roleData(model, 1, "model").toString(), QStringLiteral("tiny"));

        store->selectBranch(a1);
        model.reload();
        QCOMPARE(roleData(model, 1, "messageId").toLongLong(), a1);
        QCOMPARE(roleData(model, 1, "siblingIndex").toInt(), 0);
        QCOMPARE(model.textAt(1), QStringLiteral("Once upon a time"));

        // A streaming answer: its row's text changes in place.
        const qint64 g = store->beginAnswer(c, u, QStringLiteral("tiny"));
        model.reload();
        QCOMPARE(model.count(), 2);
        QCOMPARE(roleData(model, 1, "generating").toBool(), true);
        QCOMPARE(roleData(model, 1, "siblingCount").toInt(), 3);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setStreamingText(g, QStringLiteral("Th"));
        model.setStreamingText(g, QStringLiteral("There was"));
        model.setStreamingText(12345, QStringLiteral("not shown"));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changed.at(1).at(0).toModelIndex().row(), 1);
        QCOMPARE(changed.at(1).at(1).toModelIndex().row(), 1);
        QCOMPARE(model.textAt(1), QStringLiteral("There was"));
        model.load(0);
        QCOMPARE(model.count(), 0);
    }

    // The controller without a model: rename, pin, delete and undo update the sidebar's model.
    void controllerEditsConversations() {
        AppOptions options;
        options.historyPath = path_;
        options.modelsFolder = dir_.filePath(QStringLiteral("no-models"));
        AppController app(options);
        QVERIFY(!app.canSend());
        QVERIFY(!app.cannotSendReason().isEmpty());
        QVERIFY(!app.sendMessage(QStringLiteral("nobody is listening")));

        const qint64 a = app.store()->createConversation();
        app.store()->appendMessage(a, 0, userText(QStringLiteral("First")));
        const qint64 b = app.store()->createConversation();
        app.store()->appendMessage(b, 0, userText(QStringLiteral("Second")));
        app.conversations()->reload();
        QCOMPARE(app.conversations()->count(), 2);

        app.openConversation(a);
        QCOMPARE(app.messages()->count(), 1);
        QCOMPARE(app.currentTitle(), QStringLiteral("First"));

        app.renameConversation(a, QStringLiteral("  Renamed  "));
        ConversationListModel* list = app.conversations();
        QCOMPARE(roleData(*list, list->rowOf(a), "title").toString(), QStringLiteral("Renamed"));
        QCOMPARE(app.currentTitle(), QStringLiteral("Renamed"));

        app.setPinned(a, true);
        QCOMPARE(list->rowOf(a), 0);

        QSignalSpy undo(&app, &AppController::undoChanged);
        app.deleteConversation(a);
        QCOMPARE(list->count(), 1);
        QVERIFY(app.canUndoDelete());
        QCOMPARE(app.deletedTitle(), QStringLiteral("Renamed"));
        QCOMPARE(app.currentConversationId(), 0);
        QCOMPARE(app.messages()->count(), 0);
        app.undoDelete();
        QVERIFY(!app.canUndoDelete());
        QCOMPARE(list->count(), 2);
        QCOMPARE(undo.count(), 2);
    }

    // The controller with the tiny model: the answer's row grows by dataChanged, then it is saved.
    void controllerStreamsIntoTheRow() {
        const QString model = dir_.filePath(QStringLiteral("tiny.gguf"));
        test::tinyLlamaModel().write(model.toStdString());
        AppOptions options;
        options.historyPath = path_;
        options.modelPath = model;
        AppController app(options);
        QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);
        QVERIFY(app.canSend());
        app.setMaxAnswerTokens(24);

        QSignalSpy finished(&app, &AppController::answerFinished);
        QSignalSpy changed(app.messages(), &QAbstractItemModel::dataChanged);
        QVERIFY(app.sendMessage(QStringLiteral("Hello")));
        QCOMPARE(app.messages()->count(), 2);
        QCOMPARE(app.conversations()->count(), 1);
        const qint64 answer = app.streamingMessageId();
        QVERIFY(answer > 0);
        QCOMPARE(roleData(*app.messages(), 1, "generating").toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(1).toLongLong(), answer);
        QVERIFY(changed.count() >= 1);
        for (const auto& args : changed)
            QCOMPARE(args.at(0).toModelIndex().row(), 1);

        const auto saved = app.store()->message(answer);
        QVERIFY(saved.has_value());
        QVERIFY(saved->finish != history::FinishReason::Generating);
        QVERIFY(!saved->text.isEmpty());
        QCOMPARE(app.messages()->textAt(1), saved->text);
        QCOMPARE(roleData(*app.messages(), 1, "generating").toBool(), false);

        // Regenerate: a second answer beside the first, browsable with selectSibling.
        QVERIFY(app.regenerate(answer));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(app.messages()->count(), 2);
        QCOMPARE(roleData(*app.messages(), 1, "siblingCount").toInt(), 2);
        QCOMPARE(roleData(*app.messages(), 1, "siblingIndex").toInt(), 1);
        app.selectSibling(app.messages()->data(app.messages()->index(1), MessageListModel::IdRole).toLongLong(), -1);
        QCOMPARE(roleData(*app.messages(), 1, "messageId").toLongLong(), answer);

        // Edit and resend: a second user message beside the first, with its own answer.
        const qint64 firstUser = roleData(*app.messages(), 0, "messageId").toLongLong();
        QVERIFY(app.editAndResend(firstUser, QStringLiteral("Hello again")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 60000);
        QCOMPARE(app.messages()->count(), 2);
        QCOMPARE(app.messages()->textAt(0), QStringLiteral("Hello again"));
        QCOMPARE(roleData(*app.messages(), 0, "siblingCount").toInt(), 2);
        QCOMPARE(roleData(*app.messages(), 0, "siblingIndex").toInt(), 1);
        QCOMPARE(roleData(*app.messages(), 1, "siblingCount").toInt(), 1);
        app.selectSibling(roleData(*app.messages(), 0, "messageId").toLongLong(), -1);
        QCOMPARE(roleData(*app.messages(), 0, "messageId").toLongLong(), firstUser);
        QCOMPARE(roleData(*app.messages(), 1, "siblingCount").toInt(), 2);
    }

private:
    QTemporaryDir dir_;
    QString path_;
    int counter_ = 0;
};

QTEST_MAIN(TestListModels)
#include "test_list_models.moc"
