// `lamplight-cli books search QUERY [--lang zh] [--limit N] [--db PATH] [--json] [--explain]`: the book
// assistant's candidates for a request, with why each fits (--explain: what it read in the request).
// `lamplight-cli books import FILE [--db PATH]`: adds a Goodreads or StoryGraph export CSV or a Calibre
// metadata.db to the user's library; rows it cannot read are listed with their line numbers.
// Both use the books database the window uses (<AppDataLocation>/books.db) unless --db says otherwise.
// Also here: BookChat, the assistant inside `chat --assistant books`.
#include "cli/cli.h"

#include "books/book_assistant.h"
#include "books/book_database.h"
#include "books/catalogue_loader.h"
#include "books/grounding.h"
#include "books/library_import.h"
#include "books/reason_text.h"
#include "books/retriever.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>
#include <memory>
#include <optional>

namespace lamp::cli {

namespace {

// Qt SQL loads its SQLite driver as a plugin, which needs an application object; the names give
// the same data folder as the window's.
void ensureApplication() {
    static int argc = 1;
    static char name[] = "lamplight-cli";
    static char* argv[] = {name, nullptr};
    // Never deleted on purpose: the command ends the process, and a QCoreApplication destroyed among
    // the static destructors (after Qt's own) crashes.
    if (!QCoreApplication::instance())
        new QCoreApplication(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Lamplight"));
    QCoreApplication::setApplicationName(QStringLiteral("Lamplight"));
}

// The books database with the embedded catalogue brought up to date.
std::unique_ptr<books::BookDatabase> openBooks(const std::optional<std::string>& path) {
    ensureApplication();
    const QString file = path ? QString::fromStdString(*path) : books::defaultDatabasePath();
    auto db = std::make_unique<books::BookDatabase>(file);
    const books::CatalogueLoad catalogue = books::loadCatalogue();
    if (catalogue.books.empty())
        throw Error("the book catalogue is missing from this build (resources/books/catalogue_*.jsonl); rebuild "
                    "Lamplight from a complete checkout");
    db->syncCatalogue(catalogue.books);
    return db;
}

void print(const QString& text, FILE* to = stdout) {
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), to);
}

QString cardLine(const books::Book& b, bool zh) {
    QString title = zh && !b.titleZh.isEmpty() ? QStringLiteral("《%1》 %2").arg(b.titleZh, b.title) : b.title;
    const QString author = zh && !b.authorZh.isEmpty() ? b.authorZh : b.author;
    return QStringLiteral("%1 — %2%3").arg(title, author, b.year != 0 ? QStringLiteral(" (%1)").arg(b.year) : QString());
}

struct BooksOptions {
    std::optional<std::string> db;
    std::optional<std::string> lang;
    std::optional<int64_t> limit;
    bool json = false;
    bool explain = false;
};

// What the parser read in the request: for people tuning the assistant, and for bug reports.
void printExplanation(const books::ParsedRequest& p, const QStringList& examples) {
    auto line = [](const char* label, const QStringList& values) {
        if (!values.isEmpty())
            print(QStringLiteral("  %1: %2\n").arg(QLatin1String(label), values.join(QStringLiteral(", "))), stderr);
    };
    print(QStringLiteral("[request] language %1\n").arg(p.language), stderr);
    line("genres", p.genres);
    line("not genres", p.excludedGenres);
    line("genre hints", p.hintGenres);
    line("moods", p.moods);
    line("not moods", p.excludedMoods);
    line("keywords", p.keywords);
    line("examples", examples);
    QStringList limits;
    if (!p.length.isEmpty()) limits << "length " + p.length;
    if (!p.age.isEmpty()) limits << "age " + p.age;
    if (!p.pace.isEmpty()) limits << "pace " + p.pace;
    if (!p.origin.isEmpty()) limits << "origin " + p.origin;
    if (p.fiction) limits << QStringLiteral("fiction");
    if (p.nonFiction) limits << QStringLiteral("non-fiction");
    if (p.easy) limits << QStringLiteral("easy");
    if (p.minYear != 0) limits << QStringLiteral("from %1").arg(p.minYear);
    if (p.maxYear != 0) limits << QStringLiteral("before %1").arg(p.maxYear);
    if (p.preferAfter != 0) limits << QStringLiteral("preferably after %1").arg(p.preferAfter);
    line("limits", limits);
}

int runSearch(const BooksOptions& o, const std::vector<std::string>& words) {
    const auto& db = o.db;
    const std::string lang = o.lang.value_or("");
    const int64_t limit = o.limit.value_or(5);
    const bool json = o.json;
    if (words.size() < 2)
        throw UsageError("books search needs a request, e.g. books search \"a short funny novel\"");
    if (limit < 1 || limit > 100)
        throw UsageError("--limit must be between 1 and 100");
    if (!lang.empty() && lang != "en" && lang != "zh")
        throw UsageError("--lang takes en or zh");
    std::string query;
    for (size_t i = 1; i < words.size(); ++i)
        query += (i > 1 ? " " : "") + words[i];
    const QString request = QString::fromStdString(query);

    const auto database = openBooks(db);
    const books::Retriever retriever(*database);
    const books::BookAssistant assistant(retriever);
    if (o.explain)
        printExplanation(books::parseRequest(request), retriever.findMentioned(request));
    const auto found = assistant.candidatesFor(request, static_cast<int>(limit));
    const bool zh = lang == "zh" || (lang.empty() && books::parseRequest(request).language == QLatin1String("zh"));
    if (json) {
        QJsonArray out;
        for (const books::ScoredBook& s : found)
            out.append(QJsonObject{{"id", s.book.id}, {"title", s.book.title}, {"title_zh", s.book.titleZh},
                                   {"author", s.book.author}, {"year", s.book.year},
                                   {"score", s.score}, {"why", QJsonArray::fromStringList(s.reasons)}});
        printJson(QJsonDocument(out));
        return 0;
    }
    if (found.empty()) {
        print(zh ? QStringLiteral("没有找到符合的书。\n") : QStringLiteral("No book in the catalogue fits that request.\n"));
        return 0;
    }
    int n = 0;
    for (const books::ScoredBook& s : found) {
        print(QStringLiteral("%1. %2   [%3]\n").arg(++n).arg(cardLine(s.book, zh), s.book.id));
        const QString comma = zh ? QStringLiteral("、") : QStringLiteral(", ");
        const QString why = s.reasons.isEmpty() ? QStringLiteral("-") : books::reasonsFor(s.reasons, zh).join(comma);
        if (zh)
            print(QStringLiteral("   %1;%2 页。推荐理由:%3\n")
                      .arg(books::reasonsFor(s.book.genres + s.book.moods, true).join(comma))
                      .arg(s.book.pages)
                      .arg(why));
        else
            print(QStringLiteral("   %1; %2 pages. why: %3\n")
                      .arg((s.book.genres + s.book.moods).join(comma))
                      .arg(s.book.pages)
                      .arg(why));
    }
    return 0;
}

int runImport(const BooksOptions& o, const std::vector<std::string>& words) {
    const auto& db = o.db;
    if (o.lang || o.limit || o.json || o.explain)
        throw UsageError("books import takes only --db");
    if (words.size() != 2)
        throw UsageError("books import takes one file: a Goodreads or StoryGraph export CSV, or a Calibre metadata.db");
    const auto database = openBooks(db);
    const books::ImportSummary s = books::importLibraryFile(*database, QString::fromStdString(words[1]));
    for (const books::ImportProblem& p : s.problems)
        print(QStringLiteral("%1:%2: skipped: %3\n").arg(QString::fromStdString(words[1])).arg(p.line).arg(p.message), stderr);
    print(QStringLiteral("%1 library: %2 books imported (%3 found in the catalogue, %4 added to it), %5 rows skipped; "
                         "database %6\n")
              .arg(s.format).arg(s.rows).arg(s.matched).arg(s.added).arg(s.problems.size()).arg(database->path()));
    return s.rows == 0 && !s.problems.empty() ? 1 : 0;
}

} // namespace

int runBooks(Args& args) {
    BooksOptions o;
    o.db = args.value({"--db"});
    o.lang = args.value({"--lang"});
    o.limit = args.integer({"--limit", "-n"});
    o.json = args.flag("--json");
    o.explain = args.flag("--explain");
    const auto words = args.positionals();
    const std::string sub = words.empty() ? "" : words.front();
    if (sub == "search")
        return runSearch(o, words);
    if (sub == "import")
        return runImport(o, words);
    throw UsageError("books takes search or import");
}

struct BookChat::Impl {
    std::unique_ptr<books::BookDatabase> db;
    std::unique_ptr<books::Retriever> retriever;
    std::unique_ptr<books::BookAssistant> assistant;
    std::unique_ptr<books::GroundingChecker> checker;
    bool zh = false;
};

BookChat::BookChat(const std::optional<std::string>& dbPath) : d_(std::make_unique<Impl>()) {
    d_->db = openBooks(dbPath);
    d_->retriever = std::make_unique<books::Retriever>(*d_->db);
    d_->assistant = std::make_unique<books::BookAssistant>(*d_->retriever);
    d_->checker = std::make_unique<books::GroundingChecker>(d_->retriever->books());
    std::fprintf(stderr, "book assistant: %zu books; /read N marks candidate N as read, /skip N as not interested\n",
                 d_->retriever->books().size());
}

BookChat::~BookChat() = default;

std::string BookChat::systemPrompt() const { return books::BookAssistant::systemPrompt().toStdString(); }

void BookChat::reset() { d_->assistant->reset(); }

BookChat::Turn BookChat::handle(const std::string& line) {
    const QString text = QString::fromStdString(line).trimmed();
    if (text.startsWith(QLatin1String("/read ")) || text.startsWith(QLatin1String("/skip "))) {
        const bool read = text.startsWith(QLatin1String("/read"));
        const int n = text.mid(6).trimmed().toInt();
        const auto& last = d_->assistant->lastCandidates();
        if (n < 1 || n > static_cast<int>(last.size()))
            return {Turn::Kind::Command, "(no candidate with that number: use 1 to " + std::to_string(last.size()) + ")"};
        const books::Book& b = last[static_cast<size_t>(n - 1)].book;
        if (read)
            d_->assistant->markRead(b.id);
        else
            d_->assistant->notInterested(b.id);
        // Stored too, so later conversations honour it.
        d_->db->setUserState({b.id, read ? books::Shelf::Read : books::Shelf::None, 0, !read});
        return {Turn::Kind::Command, QStringLiteral("(%1: %2)").arg(read ? QStringLiteral("marked as read") : QStringLiteral("not interested"), books::describe(b)).toStdString()};
    }
    const books::AssistantTurn turn = d_->assistant->handle(text);
    d_->zh = turn.parsed.language == QLatin1String("zh");
    if (turn.kind == books::AssistantTurn::Kind::Clarify)
        return {Turn::Kind::Reply, turn.reply.toStdString()};
    QString list;
    int n = 0;
    for (const books::ScoredBook& s : turn.candidates)
        list += QStringLiteral("  %1. %2\n").arg(++n).arg(cardLine(s.book, d_->zh));
    print(QStringLiteral("[candidates]\n%1").arg(list.isEmpty() ? QStringLiteral("  (none fits)\n") : list), stderr);
    return {Turn::Kind::Model, turn.modelMessage.toStdString()};
}

void BookChat::checkAnswer(const std::string& answer) {
    QStringList ids;
    for (const books::ScoredBook& s : d_->assistant->lastCandidates())
        ids << s.book.id;
    const books::GroundingReport report = d_->checker->check(QString::fromStdString(answer), ids);
    for (const QString& id : report.mentionedCandidates)
        if (const books::Book* b = d_->retriever->find(id))
            print(QStringLiteral("[recommended] %1  (%2)\n").arg(cardLine(*b, d_->zh), id), stderr);
    for (const books::GroundingFlag& f : report.flags)
        print(f.kind == books::GroundingFlag::Kind::NotACandidate
                  ? QStringLiteral("[not verified] \"%1\" is in the catalogue but was not a candidate for this request\n").arg(f.text)
                  : QStringLiteral("[not verified] \"%1\" is not a book in the catalogue; the model may have invented it\n").arg(f.text),
              stderr);
}

} // namespace lamp::cli
