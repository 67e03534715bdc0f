// The conversation history store: conversations (create, list, rename, pin, delete and undo), message
// branches (siblings, active path), partial answers surviving a stop, a closed store and a killed
// process, migration from a hand-made v1 file, damaged files moved aside, unwritable places and a
// full disk, search (Latin and CJK, with and without the trigram index), exports checked against
// hand-written Markdown and JSON, the export/import round trip, and automatic titles.
#include "history/history_export.h"
#include "history/history_store.h"
#include "history/schema.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <thread>
#include <unistd.h>

using namespace lamp::history;
using Kind = HistoryError::Kind;

namespace {

constexpr qint64 kT0 = 1709287200000; // 2024-03-01T10:00:00Z
constexpr const char* kCrashChildVariable = "LAMP_HISTORY_CRASH_CHILD";

NewMessage userMessage(const QString& text) {
    NewMessage m;
    m.role = Role::User;
    m.text = text;
    return m;
}

NewMessage answer(const QString& text, const QString& model = QStringLiteral("tiny-llama")) {
    NewMessage m;
    m.role = Role::Assistant;
    m.text = text;
    m.model = model;
    m.promptTokens = 12;
    m.completionTokens = 3;
    m.generationMs = 250;
    return m;
}

std::vector<qint64> pathIds(const std::vector<PathEntry>& path) {
    std::vector<qint64> ids;
    for (const PathEntry& e : path)
        ids.push_back(e.message.id);
    return ids;
}

std::vector<qint64> listIds(HistoryStore& store) {
    std::vector<qint64> ids;
    for (const SidebarEntry& e : store.listConversations())
        ids.push_back(e.id);
    return ids;
}

// Runs `sql` statements on a plain connection (for hand-made and inspected files).
void rawSql(const QString& path, const QStringList& statements, QVariant* lastValue = nullptr) {
    const QString name = QStringLiteral("raw-%1").arg(reinterpret_cast<quintptr>(&statements));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        for (const QString& sql : statements) {
            QSqlQuery query(db);
            QVERIFY2(query.exec(sql), qPrintable(sql + QStringLiteral(": ") + query.lastError().text()));
            if (lastValue && query.next())
                *lastValue = query.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

// Replaces message ids by their position, so that exports of renumbered copies compare equal.
QJsonArray normalized(QJsonArray conversations) {
    for (qsizetype c = 0; c < conversations.size(); ++c) {
        QJsonObject conversation = conversations[c].toObject();
        QJsonArray messages = conversation.value(QLatin1String("messages")).toArray();
        QHash<qint64, int> position;
        for (qsizetype i = 0; i < messages.size(); ++i)
            position[static_cast<qint64>(messages[i].toObject().value(QLatin1String("id")).toDouble())] = static_cast<int>(i);
        auto renumber = [&](const QJsonValue& v) {
            return v.isNull() ? v : QJsonValue(position.value(static_cast<qint64>(v.toDouble()), -1));
        };
        for (qsizetype i = 0; i < messages.size(); ++i) {
            QJsonObject m = messages[i].toObject();
            m[QLatin1String("id")] = renumber(m.value(QLatin1String("id")));
            m[QLatin1String("parent_id")] = renumber(m.value(QLatin1String("parent_id")));
            messages[i] = m;
        }
        conversation[QLatin1String("messages")] = messages;
        conversation[QLatin1String("active_leaf_id")] = renumber(conversation.value(QLatin1String("active_leaf_id")));
        conversation.remove(QLatin1String("id"));
        conversations[c] = conversation;
    }
    return conversations;
}

// The child process of partialAnswerSurvivesAKill: starts an answer, saves part of it, dies.
int crashChild(const QString& path) {
    auto store = HistoryStore::open(path);
    const qint64 c = store->createConversation(QStringLiteral("tiny-llama"));
    const qint64 u = store->appendMessage(c, 0, userMessage(QStringLiteral("Tell me a story")));
    const qint64 a = store->beginAnswer(c, u, QStringLiteral("tiny-llama"));
    store->savePartialAnswer(a, QStringLiteral("Once upon"));
    store->savePartialAnswer(a, QStringLiteral("Once upon a time"));
    ::raise(SIGKILL); // no destructor, no checkpoint: the WAL holds the data
    return 1;
}

} // namespace

class TestHistoryStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    int serial_ = 0;
    QString freshPath() { return dir_.filePath(QStringLiteral("h%1/history.sqlite").arg(++serial_)); }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void conversationsCreateListRenamePinDeleteUndo() {
        auto store = HistoryStore::open(freshPath());
        qint64 clock = kT0;
        store->setClockForTesting([&] { return clock; });
        const qint64 a = store->createConversation(QStringLiteral("m1"), QStringLiteral("Be brief."),
                                                   QJsonObject{{QStringLiteral("temperature"), 0.5}});
        clock += 1000;
        const qint64 b = store->createConversation();
        clock += 1000;
        const qint64 c = store->createConversation();
        QCOMPARE(listIds(*store), (std::vector<qint64>{c, b, a})); // newest first

        clock += 1000;
        store->appendMessage(a, 0, userMessage(QStringLiteral("hello"))); // a becomes the newest
        QCOMPARE(listIds(*store), (std::vector<qint64>{a, c, b}));
        store->setPinned(b, true);
        QCOMPARE(listIds(*store), (std::vector<qint64>{b, a, c})); // pinned first
        QVERIFY(store->listConversations().front().pinned);

        std::optional<Conversation> conv = store->conversation(a);
        QVERIFY(conv);
        QCOMPARE(conv->title, QStringLiteral("hello"));
        QVERIFY(conv->titleIsAuto);
        QCOMPARE(conv->model, QStringLiteral("m1"));
        QCOMPARE(conv->systemPrompt, QStringLiteral("Be brief."));
        QCOMPARE(conv->settings.value(QLatin1String("temperature")).toDouble(), 0.5);
        QCOMPARE(conv->created.toMSecsSinceEpoch(), kT0);
        QCOMPARE(conv->updated.toMSecsSinceEpoch(), kT0 + 3000);

        store->rename(a, QStringLiteral("  My   chat "));
        conv = store->conversation(a);
        QCOMPARE(conv->title, QStringLiteral("My chat"));
        QVERIFY(!conv->titleIsAuto);
        QVERIFY(!store->setAutoTitle(a, QStringLiteral("Summarised"))); // the user's title stays
        QVERIFY(store->setAutoTitle(c, QStringLiteral("Summarised")));
        QCOMPARE(store->conversation(c)->title, QStringLiteral("Summarised"));
        store->setSystemPrompt(a, QStringLiteral("Be verbose."));
        store->setSettings(a, QJsonObject{{QStringLiteral("top_k"), 40}});
        store->setModel(a, QStringLiteral("m2"));
        conv = store->conversation(a);
        QCOMPARE(conv->systemPrompt, QStringLiteral("Be verbose."));
        QCOMPARE(conv->settings, (QJsonObject{{QStringLiteral("top_k"), 40}}));
        QCOMPARE(conv->model, QStringLiteral("m2"));

        // Delete and undo.
        const qint64 firstMessage = store->activeLeaf(a);
        store->deleteConversation(a);
        QCOMPARE(listIds(*store), (std::vector<qint64>{b, c}));
        QVERIFY(!store->conversation(a));
        store->restoreConversation(a);
        QCOMPARE(listIds(*store), (std::vector<qint64>{b, a, c}));
        QCOMPARE(store->activePath(a).size(), size_t(1));

        // Delete, purge: gone for good, messages too.
        store->deleteConversation(a);
        QCOMPARE(store->purgeDeleted(QDateTime::fromMSecsSinceEpoch(clock + 1, Qt::UTC)), 1);
        QVERIFY(!store->message(firstMessage));
        try {
            store->restoreConversation(a);
            QFAIL("restoring a purged conversation must fail");
        } catch (const HistoryError& e) {
            QCOMPARE(e.kind(), Kind::BadInput);
        }
        try {
            store->rename(12345, QStringLiteral("x"));
            QFAIL("renaming a missing conversation must fail");
        } catch (const HistoryError& e) {
            QCOMPARE(e.kind(), Kind::BadInput);
            QVERIFY(QString::fromUtf8(e.what()).contains(QStringLiteral("12345")));
        }
    }

    void sidebarDateGroups() {
        auto store = HistoryStore::open(freshPath());
        const QDateTime now(QDate(2024, 3, 10), QTime(12, 0)); // local noon
        qint64 clock = 0;
        store->setClockForTesting([&] { return clock; });
        const QList<std::pair<QDateTime, DateGroup>> cases{
            {now.addSecs(-3600), DateGroup::Today},
            {now.addDays(-1), DateGroup::Yesterday},
            {now.addDays(-3), DateGroup::Last7Days},
            {now.addDays(-7), DateGroup::Last7Days},
            {now.addDays(-30), DateGroup::Older},
        };
        for (const auto& [time, group] : cases) {
            clock = time.toMSecsSinceEpoch();
            store->createConversation();
            QCOMPARE(dateGroupFor(time, now), group);
        }
        const std::vector<SidebarEntry> list = store->listConversations(now);
        QCOMPARE(list.size(), size_t(cases.size()));
        for (qsizetype i = 0; i < cases.size(); ++i) {
            QCOMPARE(list[i].updated, cases[i].first.toUTC());
            QCOMPARE(list[i].group, cases[i].second);
        }
    }

    void branchesSiblingsAndActivePath() {
        const QString path = freshPath();
        auto store = HistoryStore::open(path);
        const qint64 c = store->createConversation();
        const qint64 u1 = store->appendMessage(c, 0, userMessage(QStringLiteral("Question")));
        const qint64 a1 = store->appendMessage(c, u1, answer(QStringLiteral("First answer")));
        const qint64 a2 = store->appendMessage(c, u1, answer(QStringLiteral("Regenerated"))); // regenerate
        QCOMPARE(store->siblings(a1), (std::vector<qint64>{a1, a2}));
        std::vector<PathEntry> p = store->activePath(c);
        QCOMPARE(pathIds(p), (std::vector<qint64>{u1, a2}));
        QCOMPARE(p[1].siblingIndex, 1);
        QCOMPARE(p[1].siblingCount, 2);
        QCOMPARE(p[1].message.text, QStringLiteral("Regenerated"));
        QCOMPARE(p[1].message.parentId, u1);
        QCOMPARE(p[1].message.completionTokens, 3);

        QCOMPARE(store->selectBranch(a1), a1); // "‹" on the answer
        p = store->activePath(c);
        QCOMPARE(pathIds(p), (std::vector<qint64>{u1, a1}));
        QCOMPARE(p[1].siblingIndex, 0);

        const qint64 u2 = store->appendMessage(c, a1, userMessage(QStringLiteral("Follow-up")));
        const qint64 a3 = store->appendMessage(c, u2, answer(QStringLiteral("Third")));
        const qint64 u1b = store->appendMessage(c, 0, userMessage(QStringLiteral("Question, edited"))); // edit
        QCOMPARE(store->siblings(u1), (std::vector<qint64>{u1, u1b}));
        QCOMPARE(pathIds(store->activePath(c)), (std::vector<qint64>{u1b}));
        QCOMPARE(store->conversation(c)->title, QStringLiteral("Question")); // the title stays

        // Back to the first question: its branch's last message is shown.
        QCOMPARE(store->selectBranch(u1), a3);
        p = store->activePath(c);
        QCOMPARE(pathIds(p), (std::vector<qint64>{u1, a1, u2, a3}));
        QCOMPARE(p[0].siblingCount, 2);
        QCOMPARE(p[0].siblingIndex, 0);
        QCOMPARE(p[1].siblingCount, 2);
        QCOMPARE(p[2].siblingCount, 1);
        QCOMPARE(store->allMessages(c).size(), size_t(6));

        // A parent from another conversation is refused.
        const qint64 other = store->createConversation();
        QVERIFY_THROWS_EXCEPTION(HistoryError, store->appendMessage(other, a1, userMessage(QStringLiteral("x"))));

        // The active branch survives a reopen.
        store.reset();
        store = HistoryStore::open(path);
        QCOMPARE(pathIds(store->activePath(c)), (std::vector<qint64>{u1, a1, u2, a3}));
    }

    void partialAnswerSurvivesStopAndClose() {
        const QString path = freshPath();
        auto store = HistoryStore::open(path);
        const qint64 c = store->createConversation();
        const qint64 u = store->appendMessage(c, 0, userMessage(QStringLiteral("Count to ten")));
        const qint64 stopped = store->beginAnswer(c, u, QStringLiteral("m"));
        QCOMPARE(store->message(stopped)->finish, FinishReason::Generating);
        store->savePartialAnswer(stopped, QStringLiteral("1 2 3"));
        store->finishAnswer(stopped, QStringLiteral("1 2 3 4"), AnswerStats{20, 4, 80, FinishReason::Stopped});
        QVERIFY_THROWS_EXCEPTION(HistoryError, store->savePartialAnswer(stopped, QStringLiteral("late")));

        const qint64 cut = store->beginAnswer(c, u, QStringLiteral("m")); // regenerate, then "crash"
        store->savePartialAnswer(cut, QStringLiteral("1 2"));
        store.reset(); // closed without finishing

        OpenReport report;
        store = HistoryStore::open(path, &report);
        QCOMPARE(report.interruptedAnswers, 1);
        const Message m = *store->message(cut);
        QCOMPARE(m.text, QStringLiteral("1 2"));
        QCOMPARE(m.finish, FinishReason::Interrupted);
        const Message s = *store->message(stopped);
        QCOMPARE(s.text, QStringLiteral("1 2 3 4"));
        QCOMPARE(s.finish, FinishReason::Stopped);
        QCOMPARE(s.completionTokens, 4);
        QCOMPARE(s.generationMs, qint64(80));
        QCOMPARE(pathIds(store->activePath(c)), (std::vector<qint64>{u, cut}));
    }

    void partialAnswerSurvivesAKill() {
        const QString path = freshPath();
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kCrashChildVariable), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(30000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY2(QFileInfo::exists(path + QStringLiteral("-wal")), "the killed process left its WAL");

        OpenReport report;
        auto store = HistoryStore::open(path, &report);
        QCOMPARE(report.interruptedAnswers, 1);
        const std::vector<SidebarEntry> list = store->listConversations();
        QCOMPARE(list.size(), size_t(1));
        QCOMPARE(list[0].title, QStringLiteral("Tell me a story"));
        const std::vector<PathEntry> p = store->activePath(list[0].id);
        QCOMPARE(p.size(), size_t(2));
        QCOMPARE(p[1].message.text, QStringLiteral("Once upon a time"));
        QCOMPARE(p[1].message.finish, FinishReason::Interrupted);
    }

    void migratesAVersion1File() {
        const QString path = freshPath();
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QStringList statements = schema::version1Statements();
        statements << QStringLiteral("INSERT INTO conversations VALUES (1, 'Old chat', %1, %2, 'old-model', 'Be kind.', 1)")
                          .arg(kT0)
                          .arg(kT0 + 2000)
                   << QStringLiteral("INSERT INTO messages VALUES (1, 1, NULL, 'user', 'How is the weather?', %1, '')").arg(kT0)
                   << QStringLiteral("INSERT INTO messages VALUES (2, 1, 1, 'assistant', 'Sunny.', %1, 'old-model')").arg(kT0 + 1000)
                   << QStringLiteral("INSERT INTO messages VALUES (3, 1, 1, 'assistant', 'Rainy.', %1, 'old-model')").arg(kT0 + 2000);
        rawSql(path, statements);

        OpenReport report;
        auto store = HistoryStore::open(path, &report);
        QCOMPARE(report.fromVersion, 1);
        QVERIFY(report.notice.isEmpty());
        const Conversation c = *store->conversation(1);
        QCOMPARE(c.title, QStringLiteral("Old chat"));
        QCOMPARE(c.model, QStringLiteral("old-model"));
        QCOMPARE(c.systemPrompt, QStringLiteral("Be kind."));
        QVERIFY(c.pinned);
        QCOMPARE(c.settings, QJsonObject());
        QCOMPARE(c.activeLeafId, qint64(3)); // the newest message
        const std::vector<PathEntry> p = store->activePath(1);
        QCOMPARE(pathIds(p), (std::vector<qint64>{1, 3}));
        QCOMPARE(p[1].siblingCount, 2);
        QCOMPARE(p[1].message.finish, FinishReason::Complete);
        QCOMPARE(p[1].message.created.toMSecsSinceEpoch(), kT0 + 2000);
        QCOMPARE(store->search(QStringLiteral("weather")).size(), size_t(1)); // the old text is indexed
        const qint64 added = store->appendMessage(1, 3, userMessage(QStringLiteral("Thanks")));
        QCOMPARE(store->activeLeaf(1), added);
        store.reset();

        QVariant version;
        rawSql(path, {QStringLiteral("PRAGMA user_version")}, &version);
        QCOMPARE(version.toInt(), schema::kCurrentVersion);

        // A file from a newer Lamplight is refused and left alone.
        rawSql(path, {QStringLiteral("PRAGMA user_version = 99")});
        try {
            HistoryStore::open(path);
            QFAIL("a newer schema must be refused");
        } catch (const HistoryError& e) {
            QCOMPARE(e.kind(), Kind::NewerSchema);
            QVERIFY(QString::fromUtf8(e.what()).contains(QStringLiteral("newer Lamplight")));
        }
        rawSql(path, {QStringLiteral("PRAGMA user_version")}, &version);
        QCOMPARE(version.toInt(), 99);
    }

    void damagedFileIsMovedAsideAndANewOneStarted() {
        const QString path = freshPath();
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        const QByteArray garbage = QByteArray("this is not a database\n").repeated(300);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(garbage);
        }
        OpenReport report;
        auto store = HistoryStore::open(path, &report);
        QVERIFY2(report.notice.contains(QStringLiteral("damaged")), qPrintable(report.notice));
        qInfo("damaged file: %s", qPrintable(report.notice));
        QVERIFY(report.notice.contains(report.movedAsidePath));
        QVERIFY(report.movedAsidePath.contains(QStringLiteral("history.damaged-")));
        QVERIFY(report.movedAsidePath.endsWith(QStringLiteral(".sqlite")));
        QFile kept(report.movedAsidePath);
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), garbage); // kept byte for byte
        QVERIFY(store->listConversations().empty());
        const qint64 c = store->createConversation();
        store->appendMessage(c, 0, userMessage(QStringLiteral("fresh start")));
        store.reset();
        store = HistoryStore::open(path, &report);
        QVERIFY(report.notice.isEmpty());
        QCOMPARE(store->listConversations().size(), size_t(1));
    }

    void damagedPagesFoundByTheIntegrityCheck() {
        const QString path = freshPath();
        {
            auto store = HistoryStore::open(path);
            const qint64 c = store->createConversation();
            HistoryStore::Batch batch(*store);
            qint64 parent = 0;
            for (int i = 0; i < 200; ++i)
                parent = store->appendMessage(c, parent, userMessage(QString(1000, QChar(u'a' + i % 26))));
            batch.commit();
            QCOMPARE(store->integrityCheck(), QStringLiteral("ok"));
        }
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.size() > 40 * 4096);
            file.seek(8 * 4096);
            file.write(QByteArray(16 * 4096, '\xab'));
        }
        OpenReport report;
        auto store = HistoryStore::open(path, &report, OpenOptions{true, true});
        QVERIFY2(!report.movedAsidePath.isEmpty(), "the damaged file was moved aside");
        QVERIFY(QFileInfo::exists(report.movedAsidePath));
        QVERIFY(store->listConversations().empty());
        QCOMPARE(store->integrityCheck(), QStringLiteral("ok"));
    }

    void unwritablePlacesAndAFullDiskGiveClearErrors() {
        // A folder that cannot be created (its parent is a file).
        const QString blocker = dir_.filePath(QStringLiteral("a-file"));
        {
            QFile file(blocker);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        try {
            HistoryStore::open(blocker + QStringLiteral("/sub/history.sqlite"));
            QFAIL("opening under a file must fail");
        } catch (const HistoryError& e) {
            QCOMPARE(e.kind(), Kind::CannotOpen);
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("Could not create the folder")), e.what());
        }
        // A folder without write permission (root ignores permissions: skipped there).
        if (::geteuid() != 0) {
            const QString locked = dir_.filePath(QStringLiteral("locked"));
            QVERIFY(QDir().mkpath(locked));
            QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
            QVERIFY_THROWS_EXCEPTION(HistoryError, HistoryStore::open(locked + QStringLiteral("/history.sqlite")));
            QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        }

        // A full disk: writes fail with a clear message, nothing saved before is lost, and the store
        // works again once there is room.
        auto store = HistoryStore::open(freshPath());
        const qint64 c = store->createConversation();
        const qint64 u = store->appendMessage(c, 0, userMessage(QStringLiteral("Keep me")));
        const qint64 a = store->beginAnswer(c, u, QStringLiteral("m"));
        store->savePartialAnswer(a, QStringLiteral("partial"));
        store->limitSizeForTesting(1); // raised by SQLite to the current size: no more pages
        const QString big(1 << 20, QLatin1Char('x'));
        try {
            store->appendMessage(c, a, userMessage(big));
            QFAIL("a write past the size limit must fail");
        } catch (const HistoryError& e) {
            QCOMPARE(e.kind(), Kind::DiskFull);
            qInfo("full disk: %s", e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("the disk is full")), e.what());
            QVERIFY(QString::fromUtf8(e.what()).contains(store->path()));
        }
        QVERIFY_THROWS_EXCEPTION(HistoryError, store->savePartialAnswer(a, big));
        QCOMPARE(pathIds(store->activePath(c)), (std::vector<qint64>{u, a}));
        QCOMPARE(store->message(a)->text, QStringLiteral("partial"));
        store->limitSizeForTesting(1 << 30);
        store->savePartialAnswer(a, big);
        QCOMPARE(store->message(a)->text.size(), big.size());
    }

    void storeRefusesOtherThreads() {
        auto store = HistoryStore::open(freshPath());
        bool threw = false;
        std::thread other([&] {
            try {
                store->listConversations();
            } catch (const HistoryError&) {
                threw = true;
            }
        });
        other.join();
        QVERIFY(threw);
    }

    void searchTitlesAndMessages() {
        auto store = HistoryStore::open(freshPath());
        qInfo("full-text index (FTS5 trigram) through QSQLITE: %s", store->hasFullTextSearch() ? "yes" : "no, LIKE");
        QVERIFY2(store->hasFullTextSearch(), "Debian's SQLite has FTS5: the index should exist");
        const qint64 weather = store->createConversation();
        const qint64 wu = store->appendMessage(weather, 0, userMessage(QStringLiteral("Will it rain tomorrow?")));
        const qint64 wa = store->appendMessage(weather, wu, answer(QStringLiteral("The WEATHER forecast says 100% sun.")));
        const qint64 chinese = store->createConversation();
        const qint64 cu = store->appendMessage(chinese, 0, userMessage(QStringLiteral("今天天气很好，我们去公园吧")));
        const qint64 gone = store->createConversation();
        store->appendMessage(gone, 0, userMessage(QStringLiteral("weather in a deleted chat")));
        store->deleteConversation(gone);

        auto messageIds = [&](const QString& q) {
            std::vector<qint64> ids;
            for (const SearchHit& h : store->search(q))
                if (h.messageId != 0)
                    ids.push_back(h.messageId);
            return ids;
        };
        QCOMPARE(messageIds(QStringLiteral("weather")), (std::vector<qint64>{wa}));       // index, any case
        QCOMPARE(messageIds(QStringLiteral("forecast sun")), (std::vector<qint64>{wa}));  // every word
        QCOMPARE(messageIds(QStringLiteral("forecast moon")), (std::vector<qint64>{}));
        QCOMPARE(messageIds(QStringLiteral("今天天气")), (std::vector<qint64>{cu}));     // CJK substring
        QCOMPARE(messageIds(QStringLiteral("天气")), (std::vector<qint64>{cu}));         // short: LIKE
        QCOMPARE(messageIds(QStringLiteral("100%")), (std::vector<qint64>{wa}));         // % is literal
        QCOMPARE(messageIds(QStringLiteral("10_%")), (std::vector<qint64>{}));
        QCOMPARE(messageIds(QStringLiteral("\"rain")), (std::vector<qint64>{}));          // quotes are safe
        QCOMPARE(messageIds(QStringLiteral("  ")), (std::vector<qint64>{}));

        const std::vector<SearchHit> hits = store->search(QStringLiteral("rain"));
        QCOMPARE(hits.size(), size_t(2)); // the title (from the first message) and the message
        QCOMPARE(hits[0].conversationId, weather);
        QCOMPARE(hits[0].messageId, qint64(0));
        QCOMPARE(hits[0].title, QStringLiteral("Will it rain tomorrow?"));
        QCOMPARE(hits[1].messageId, wu);
        QCOMPARE(hits[1].snippet, QStringLiteral("Will it rain tomorrow?"));

        store->restoreConversation(gone);
        QCOMPARE(messageIds(QStringLiteral("weather")).size(), size_t(2));
    }

    void exportsMarkdownAndJsonExactly() {
        auto store = HistoryStore::open(freshPath());
        qint64 clock = kT0;
        store->setClockForTesting([&] { return clock; });
        const qint64 c = store->createConversation(QStringLiteral("tiny-llama"), QStringLiteral("Be brief."));
        clock += 60000;
        const qint64 u1 = store->appendMessage(c, 0, userMessage(QStringLiteral("What is 2+2?")));
        clock += 60000;
        const qint64 a1 = store->appendMessage(c, u1, answer(QStringLiteral("4")));
        clock += 60000;
        const qint64 u2 = store->appendMessage(c, a1, userMessage(QStringLiteral("And 3+3?")));
        clock += 60000;
        const qint64 a2 = store->beginAnswer(c, u2, QStringLiteral("tiny-llama"));
        clock += 60000;
        store->finishAnswer(a2, QStringLiteral("It is"), AnswerStats{30, 2, 120, FinishReason::Stopped});

        const QString expectedMarkdown = QStringLiteral(
            "# What is 2+2?\n"
            "\n"
            "- Model: tiny-llama\n"
            "- Created: 2024-03-01 10:00 UTC\n"
            "- Updated: 2024-03-01 10:05 UTC\n"
            "\n"
            "## System prompt\n"
            "\n"
            "Be brief.\n"
            "\n"
            "## User\n"
            "\n"
            "What is 2+2?\n"
            "\n"
            "## Assistant (tiny-llama)\n"
            "\n"
            "4\n"
            "\n"
            "## User\n"
            "\n"
            "And 3+3?\n"
            "\n"
            "## Assistant (tiny-llama)\n"
            "\n"
            "It is\n"
            "\n"
            "_Stopped by the user: the answer is incomplete._\n");
        QCOMPARE(exportMarkdown(*store, c), expectedMarkdown);

        auto msg = [](qint64 id, QJsonValue parent, const char* role, const char* text, const char* created,
                      const char* model, int prompt, int completion, int ms, const char* finish) {
            return QJsonObject{{"id", id},
                               {"parent_id", parent},
                               {"role", QLatin1String(role)},
                               {"text", QString::fromUtf8(text)},
                               {"created", QLatin1String(created)},
                               {"model", QLatin1String(model)},
                               {"prompt_tokens", prompt},
                               {"completion_tokens", completion},
                               {"generation_ms", ms},
                               {"finish_reason", QLatin1String(finish)}};
        };
        const QJsonObject expected{
            {"format", "lamplight-conversation"},
            {"version", 1},
            {"conversation",
             QJsonObject{
                 {"id", c},
                 {"title", "What is 2+2?"},
                 {"title_is_auto", true},
                 {"created", "2024-03-01T10:00:00.000Z"},
                 {"updated", "2024-03-01T10:05:00.000Z"},
                 {"model", "tiny-llama"},
                 {"system_prompt", "Be brief."},
                 {"settings", QJsonObject{}},
                 {"pinned", false},
                 {"active_leaf_id", a2},
                 {"messages",
                  QJsonArray{
                      msg(u1, QJsonValue::Null, "user", "What is 2+2?", "2024-03-01T10:01:00.000Z", "", 0, 0, 0, "complete"),
                      msg(a1, u1, "assistant", "4", "2024-03-01T10:02:00.000Z", "tiny-llama", 12, 3, 250, "complete"),
                      msg(u2, a1, "user", "And 3+3?", "2024-03-01T10:03:00.000Z", "", 0, 0, 0, "complete"),
                      msg(a2, u2, "assistant", "It is", "2024-03-01T10:04:00.000Z", "tiny-llama", 30, 2, 120, "stopped"),
                  }},
             }},
        };
        const QJsonDocument actual = QJsonDocument::fromJson(exportConversationJson(*store, c));
        QCOMPARE(actual.object(), expected);

        // Written to a file safely; an impossible place is a clear error.
        const QString file = dir_.filePath(QStringLiteral("export.md"));
        saveExport(file, expectedMarkdown.toUtf8());
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(written.readAll()), expectedMarkdown);
        QVERIFY_THROWS_EXCEPTION(HistoryError, saveExport(dir_.filePath(QStringLiteral("a-file/x.md")), "x"));
    }

    void exportAllRoundTrip() {
        auto store = HistoryStore::open(freshPath());
        qint64 clock = kT0;
        store->setClockForTesting([&] { return clock += 1000; });
        for (int i = 0; i < 3; ++i) {
            const qint64 c = store->createConversation(QStringLiteral("m%1").arg(i), QString(),
                                                       QJsonObject{{QStringLiteral("seed"), i}});
            const qint64 u = store->appendMessage(c, 0, userMessage(QStringLiteral("Question %1 ✓ 问题").arg(i)));
            const qint64 a = store->appendMessage(c, u, answer(QStringLiteral("Answer %1").arg(i)));
            store->appendMessage(c, u, answer(QStringLiteral("Other answer %1").arg(i)));
            if (i == 1) {
                store->selectBranch(a);
                store->setPinned(c, true);
                store->rename(c, QStringLiteral("Renamed"));
            }
        }
        const QByteArray json = exportAllJson(*store);
        const QJsonObject root = QJsonDocument::fromJson(json).object();
        QCOMPARE(root.value(QLatin1String("format")).toString(), QStringLiteral("lamplight-history"));
        const QJsonArray conversations = root.value(QLatin1String("conversations")).toArray();
        QCOMPARE(conversations.size(), 3);
        QCOMPARE(conversations[0].toObject().value(QLatin1String("title")).toString(), QStringLiteral("Renamed"));
        QCOMPARE(conversations[0].toObject().value(QLatin1String("messages")).toArray().size(), 3);
        QCOMPARE(conversations[2].toObject().value(QLatin1String("messages")).toArray()[0].toObject()
                     .value(QLatin1String("text")).toString(),
                 QStringLiteral("Question 0 ✓ 问题"));

        auto copy = HistoryStore::open(freshPath());
        QCOMPARE(importJson(*copy, json), 3);
        const QJsonArray again =
            QJsonDocument::fromJson(exportAllJson(*copy)).object().value(QLatin1String("conversations")).toArray();
        QCOMPARE(normalized(again), normalized(conversations));

        try {
            importJson(*copy, "{\"format\": \"something-else\"}");
            QFAIL("a foreign file must be refused");
        } catch (const HistoryError& e) {
            QCOMPARE(e.kind(), Kind::BadInput);
        }
        QVERIFY_THROWS_EXCEPTION(HistoryError, importJson(*copy, "not json"));
        QCOMPARE(copy->listConversations().size(), size_t(3)); // nothing half-imported
    }

    void titlesFromTheFirstUserMessage() {
        QCOMPARE(titleFromText(QStringLiteral("  Hello   world \n how are you?  ")), QStringLiteral("Hello world how are you?"));
        QCOMPARE(titleFromText(QStringLiteral(" \n\t ")), QString());
        const QString english = QStringLiteral("Please explain how the transformer attention mechanism works in detail");
        const QString cutEnglish = titleFromText(english);
        QCOMPARE(cutEnglish, QStringLiteral("Please explain how the transformer attention…"));
        QVERIFY(cutEnglish.size() <= 48);
        QCOMPARE(titleFromText(QStringLiteral("Hello, wonderful world"), 12), QStringLiteral("Hello…")); // no trailing comma

        const QString chinese = QStringLiteral("请给我推荐几本关于人工智能历史的书籍，最好是适合初学者阅读的入门读物，谢谢你的帮助和建议");
        const QString cutChinese = titleFromText(chinese, 20);
        QCOMPARE(cutChinese, chinese.left(18) + QChar(0x2026)); // the 19th, "，", is dropped before "…"
        // Emoji (surrogate pairs) and combining accents are never split.
        const QString emoji = QString(30, QChar(0x20)).replace(QLatin1Char(' '), QStringLiteral("😀"));
        const QString cutEmoji = titleFromText(emoji, 10);
        QCOMPARE(cutEmoji, QStringLiteral("😀").repeated(9) + QChar(0x2026));
        const QString accents = QStringLiteral("e\u0301").repeated(20);
        QCOMPARE(titleFromText(accents, 10), QStringLiteral("e\u0301").repeated(9) + QChar(0x2026));

        auto store = HistoryStore::open(freshPath());
        const qint64 c = store->createConversation();
        QCOMPARE(store->conversation(c)->title, QString());
        const qint64 u = store->appendMessage(c, 0, userMessage(english));
        QCOMPARE(store->conversation(c)->title, cutEnglish);
        store->appendMessage(c, u, answer(QStringLiteral("Sure.")));
        store->appendMessage(c, 0, userMessage(QStringLiteral("Something else entirely"))); // edit: title stays
        QCOMPARE(store->conversation(c)->title, cutEnglish);
        QVERIFY(store->setAutoTitle(c, QStringLiteral("Transformer attention"))); // the model's summary
        QCOMPARE(store->listConversations().front().title, QStringLiteral("Transformer attention"));
    }
};

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kCrashChildVariable))
        return crashChild(qEnvironmentVariable(kCrashChildVariable));
    TestHistoryStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_history_store.moc"
