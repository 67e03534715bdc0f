// History store benchmark: fills a temporary database with 1,000 conversations x 100 messages (one
// transaction, prepared statements), reopens it, and times what the window waits for: the sidebar
// (open + list with titles, times, pinned flags and date groups) and opening a conversation (its
// active path of 100 messages with sibling positions). Also search and the full integrity check.
//
//   bench_history [conversations] [messages-per-conversation]
// Targets (issue 5): sidebar ready < 300 ms, conversation open < 100 ms.
#include "history/history_export.h"
#include "history/history_store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace lamp::history;

namespace {

double msSince(const QElapsedTimer& timer) {
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

QString sentence(std::mt19937& rng, int words) {
    static const char* const kWords[] = {
        "the",    "model",   "answer", "question", "token",   "context", "history", "window",   "memory",
        "vulkan", "shader",  "book",   "library",  "reading", "story",   "weather", "tomorrow", "quickly",
        "under",  "between", "with",   "without",  "because", "local",   "offline", "private",  "学习",
        "天气",   "图书馆",  "recommend", "novel", "science", "history", "poetry",  "a",        "of",
    };
    std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
    QString out;
    for (int i = 0; i < words; ++i) {
        if (i > 0)
            out += QLatin1Char(' ');
        out += QString::fromUtf8(kWords[pick(rng)]);
    }
    return out + QLatin1Char('.');
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int conversations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000;
    const int perConversation = argc > 2 ? std::max(2, std::atoi(argv[2])) : 100;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));

    try {
        std::mt19937 rng(42);
        std::uniform_int_distribution<int> userWords(5, 40), answerWords(30, 150);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 span = 90LL * 24 * 3600 * 1000; // conversations spread over 90 days
        qint64 clock = now - span;
        const qint64 step = span / conversations;

        QElapsedTimer timer;
        timer.start();
        {
            auto store = HistoryStore::open(path);
            store->setClockForTesting([&] { return clock += 1; });
            HistoryStore::Batch batch(*store);
            for (int c = 0; c < conversations; ++c) {
                clock = now - span + c * step;
                const qint64 id = store->createConversation(QStringLiteral("bench-model-q4"));
                qint64 parent = 0;
                for (int m = 0; m < perConversation; ++m) {
                    NewMessage message;
                    message.role = m % 2 == 0 ? Role::User : Role::Assistant;
                    message.text = sentence(rng, message.role == Role::User ? userWords(rng) : answerWords(rng));
                    if (message.role == Role::Assistant) {
                        message.model = QStringLiteral("bench-model-q4");
                        message.completionTokens = 120;
                        message.generationMs = 2400;
                    }
                    parent = store->appendMessage(id, parent, message);
                }
                if (c % 50 == 0)
                    store->setPinned(id, true);
            }
            batch.commit();
        }
        const double fillMs = msSince(timer);
        std::printf("history benchmark: %d conversations x %d messages\n", conversations, perConversation);
        std::printf("  fill (one transaction)         %9.0f ms  (%.1f us/message), file %.1f MiB\n", fillMs,
                    fillMs * 1000.0 / (conversations * perConversation),
                    static_cast<double>(QFileInfo(path).size()) / (1 << 20));

        // The sidebar: what the window does at start.
        timer.restart();
        OpenReport report;
        auto store = HistoryStore::open(path, &report);
        const double openMs = msSince(timer);
        timer.restart();
        const std::vector<SidebarEntry> sidebar = store->listConversations();
        const double listMs = msSince(timer);
        int groups[4] = {};
        for (const SidebarEntry& e : sidebar)
            ++groups[static_cast<int>(e.group)];
        std::printf("  open the file                  %9.2f ms\n", openMs);
        std::printf("  list %zu conversations         %9.2f ms  (today %d, yesterday %d, 7 days %d, older %d)\n",
                    sidebar.size(), listMs, groups[0], groups[1], groups[2], groups[3]);
        std::printf("  SIDEBAR READY (open + list)    %9.2f ms  (target < 300 ms)\n", openMs + listMs);

        // Opening conversations: the first one (cold statements) and a spread of others.
        std::vector<double> opens;
        double firstOpen = 0;
        size_t pathLength = 0;
        std::uniform_int_distribution<size_t> pickConversation(0, sidebar.size() - 1);
        for (int i = 0; i < 50; ++i) {
            const qint64 id = sidebar[i == 0 ? 0 : pickConversation(rng)].id;
            timer.restart();
            const std::vector<PathEntry> p = store->activePath(id);
            const double ms = msSince(timer);
            pathLength = p.size();
            if (i == 0)
                firstOpen = ms;
            opens.push_back(ms);
        }
        std::printf("  OPEN A CONVERSATION (%zu msgs)  %9.2f ms first, %.2f ms median, %.2f ms worst  (target < 100 ms)\n",
                    pathLength, firstOpen, median(opens), *std::max_element(opens.begin(), opens.end()));

        // Search: through the trigram index, and a two-character CJK word (LIKE scan).
        for (const QString& query : {QStringLiteral("weather tomorrow"), QStringLiteral("图书馆"), QStringLiteral("天气")}) {
            timer.restart();
            const std::vector<SearchHit> hits = store->search(query, 50);
            std::printf("  search \"%s\"%*s %9.2f ms  (%zu hits)\n", query.toUtf8().constData(),
                        std::max(0, 18 - static_cast<int>(query.size())), "", msSince(timer), hits.size());
        }
        timer.restart();
        const QString check = store->integrityCheck();
        std::printf("  integrity check (quick_check)  %9.0f ms  (%s)\n", msSince(timer), qPrintable(check));
        timer.restart();
        const QByteArray json = exportAllJson(*store);
        std::printf("  export everything to JSON      %9.0f ms  (%.1f MiB)\n", msSince(timer),
                    static_cast<double>(json.size()) / (1 << 20));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_history: %s\n", e.what());
        return 1;
    }
    return 0;
}
