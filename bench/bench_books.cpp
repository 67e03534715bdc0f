// The book assistant's quality, measured on the evaluation set (resources/books/eval_*.jsonl: requests
// with every catalogue book that satisfies each, judged over the whole catalogue): retrieval
// precision@3 and recall@10 over every request, by language and by file; with --model, the share of
// the model's answers that name only candidates (the grounding check finds no other book).
//   bench_books [--eval DIR] [--catalogue DIR] [--misses] [--explain ID] [--model M.gguf [--limit N] [-n TOKENS] [-t THREADS]]
// --misses lists the requests with fewer than two relevant books in the top three, and with --model
// the answers that named a book outside their candidates. --explain prints how one request was read
// and the top ten with their scores and reasons (* = relevant), to see why a ranking went wrong.
#include "books/book_assistant.h"
#include "books/book_database.h"
#include "books/catalogue_loader.h"
#include "books/grounding.h"
#include "books/retriever.h"

#include "chat/chat_template.h"
#include "core/error.h"
#include "engine/generator.h"
#include "model/model.h"
#include "model/session.h"
#include "tokenizer/tokenizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

using namespace lamp::books;

namespace {

struct Request {
    QString id, file, lang, text;
    QStringList relevant;
};

std::vector<Request> readEval(const QString& dir) {
    std::vector<Request> out;
    const QDir d(dir);
    for (const QString& name : d.entryList({QStringLiteral("eval_*.jsonl")}, QDir::Files, QDir::Name)) {
        QFile f(d.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            throw BooksError("cannot read " + f.fileName().toStdString());
        while (!f.atEnd()) {
            const QByteArray line = f.readLine().trimmed();
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            Request r{o.value("id").toString(), name, o.value("lang").toString(), o.value("request").toString(), {}};
            for (const QJsonValue& v : o.value("relevant").toArray())
                r.relevant << v.toString();
            out.push_back(std::move(r));
        }
    }
    return out;
}

struct Tally {
    double p3 = 0, r10 = 0;
    int n = 0;
    void add(double p, double r) { p3 += p, r10 += r, ++n; }
    void print(const char* label) const {
        if (n > 0)
            std::printf("  %-28s %4d requests  precision@3 %.3f  recall@10 %.3f\n", label, n, p3 / n, r10 / n);
    }
};

void printExplanation(const Request& r, const std::vector<ScoredBook>& top) {
    const ParsedRequest p = parseRequest(r.text);
    std::printf("[%s] %s\n  genres %s | excluded %s | hints %s | moods %s | not %s\n  length %s age %s pace %s origin %s "
                "fiction %d non-fiction %d easy %d\n  keywords %s | excluded %s\n",
                qPrintable(r.id), qPrintable(r.text), qPrintable(p.genres.join(',')), qPrintable(p.excludedGenres.join(',')),
                qPrintable(p.hintGenres.join(',')), qPrintable(p.moods.join(',')), qPrintable(p.excludedMoods.join(',')),
                qPrintable(p.length), qPrintable(p.age), qPrintable(p.pace), qPrintable(p.origin), p.fiction, p.nonFiction,
                p.easy, qPrintable(p.keywords.join(',')), qPrintable(p.excludedKeywords.join(',')));
    for (const ScoredBook& s : top)
        std::printf("  %6.2f%s %s%s  [%s]\n", s.score, s.partial ? " (partial)" : "", qPrintable(s.book.id), r.relevant.contains(s.book.id) ? " *" : "",
                    qPrintable(s.reasons.join(", ")));
}

int usage() {
    std::fputs("usage: bench_books [--eval DIR] [--catalogue DIR] [--misses] [--explain ID] [--model M.gguf [--limit N] "
               "[-n TOKENS] [-t THREADS]]\n", stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QString evalDir = QStringLiteral(LAMP_BOOKS_DIR);
    QString catalogueDir = QStringLiteral(":/books");
    std::string modelPath;
    bool misses = false;
    QString explain;
    int limit = 0, maxTokens = 200, threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--eval" && hasValue) evalDir = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--catalogue" && hasValue) catalogueDir = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--model" && hasValue) modelPath = argv[++i];
        else if (a == "--limit" && hasValue) limit = std::atoi(argv[++i]);
        else if (a == "-n" && hasValue) maxTokens = std::atoi(argv[++i]);
        else if (a == "-t" && hasValue) threads = std::atoi(argv[++i]);
        else if (a == "--misses") misses = true;
        else if (a == "--explain" && hasValue) explain = QString::fromLocal8Bit(argv[++i]);
        else return usage();
    }
    try {
        const CatalogueLoad load = loadCatalogue(catalogueDir);
        BookDatabase db(QStringLiteral(":memory:"));
        db.syncCatalogue(load.books);
        const Retriever retriever(db);
        const std::vector<Request> requests = readEval(evalDir);
        std::printf("catalogue: %zu books (%lld problems); evaluation: %zu requests from %s\n", load.books.size(),
                    static_cast<long long>(load.problems.size()), requests.size(), qPrintable(evalDir));

        Tally all;
        std::map<std::string, Tally> byGroup;
        const BookAssistant assistant(retriever);
        for (const Request& r : requests) {
            const auto wide = assistant.candidatesFor(r.text, 10);
            if (r.id == explain)
                printExplanation(r, wide);
            const std::vector<ScoredBook>& top = wide;
            int hits3 = 0, hits10 = 0;
            for (size_t i = 0; i < top.size(); ++i)
                if (r.relevant.contains(top[i].book.id)) {
                    hits10++;
                    hits3 += i < 3;
                }
            const double p3 = hits3 / 3.0;
            if (misses && hits3 < 2) {
                std::printf("[%s] p@3 %.2f  %s\n    got:", qPrintable(r.id), p3, qPrintable(r.text));
                for (size_t i = 0; i < std::min<size_t>(top.size(), 3); ++i)
                    std::printf(" %s%s", qPrintable(top[i].book.id), r.relevant.contains(top[i].book.id) ? "*" : "");
                std::printf("\n    want: %s\n", qPrintable(r.relevant.mid(0, 6).join(' ')));
            }
            const double r10 = r.relevant.isEmpty() ? 0 : static_cast<double>(hits10) / static_cast<double>(r.relevant.size());
            all.add(p3, r10);
            byGroup["language " + r.lang.toStdString()].add(p3, r10);
            byGroup[r.file.toStdString()].add(p3, r10);
        }
        std::printf("retrieval (target precision@3 >= 0.8):\n");
        all.print("all");
        for (const auto& [label, tally] : byGroup)
            tally.print(label.c_str());

        if (modelPath.empty())
            return 0;
        // Grounding: the model answers each request from its candidates; an answer that names
        // any book outside them (or an unknown quoted title) is ungrounded.
        const auto model = lamp::Model::load(modelPath);
        const lamp::ChatTemplate tmpl = lamp::ChatTemplate::fromModel(model->file());
        lamp::SessionOptions so;
        so.threads = threads;
        lamp::Session session(*model, so);
        lamp::GenerateOptions go;
        go.maxTokens = maxTokens;
        go.sampling.temperature = 0; // greedy: the figure is reproducible
        const GroundingChecker checker(retriever.books());
        int answered = 0, grounded = 0, namedSome = 0;
        for (const Request& r : requests) {
            if (limit > 0 && answered >= limit)
                break;
            BookAssistant a(retriever);
            AssistantTurn turn = a.handle(r.text);
            if (turn.kind != AssistantTurn::Kind::Recommend)
                turn = a.handle(r.text); // a vague request: the clarifying question was asked once
            const std::vector<lamp::ChatMessage> messages = {
                {"system", BookAssistant::systemPrompt().toStdString()}, {"user", turn.modelMessage.toStdString()}};
            lamp::EncodeOptions eo;
            eo.parseSpecial = true;
            std::vector<int32_t> prompt = model->tokenizer().encode(tmpl.render(messages, true), eo);
            const lamp::Vocab& vocab = model->vocab();
            if (vocab.addBos() && vocab.bos() != lamp::kNoToken && (prompt.empty() || prompt.front() != vocab.bos()))
                prompt.insert(prompt.begin(), vocab.bos());
            session.clear();
            const auto out = lamp::generate(session, prompt, go);
            QStringList candidates;
            for (const ScoredBook& s : turn.candidates)
                candidates << s.book.id;
            const GroundingReport report = checker.check(QString::fromStdString(out.front().text), candidates);
            ++answered;
            grounded += report.onlyCandidates();
            namedSome += !report.mentionedCandidates.isEmpty();
            if (misses && !report.onlyCandidates()) {
                std::printf("[%s] ungrounded:", qPrintable(r.id));
                for (const GroundingFlag& f : report.flags)
                    std::printf(" \"%s\"", qPrintable(f.text));
                std::printf("\n");
            }
        }
        std::printf("grounding with %s: %d answers, %.3f name only candidates, %.3f name at least one candidate\n",
                    modelPath.c_str(), answered, answered ? static_cast<double>(grounded) / answered : 0.0,
                    answered ? static_cast<double>(namedSome) / answered : 0.0);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_books: %s\n", e.what());
        return 1;
    }
}
