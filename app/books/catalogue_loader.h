// Reads the book catalogue: JSON Lines files in the format of resources/books/README.md, one book
// per line. The files are embedded in lamp_books as Qt resources under :/books/, so the app and the
// command-line tool find them wherever they are installed.
#pragma once

#include "books/book.h"

#include <vector>

namespace lamp::books {

struct CatalogueProblem {
    QString file;
    int line = 0;       // 1-based
    QString message;    // what is wrong with the line and how to fix it
};

struct CatalogueLoad {
    std::vector<Book> books;                 // the valid lines, in file order
    std::vector<CatalogueProblem> problems;  // lines skipped, and duplicate ids
    QStringList files;                       // files read, in order
};

// Parses one line; on a problem returns nullopt and sets `problem`.
std::optional<Book> parseCatalogueLine(const QByteArray& line, QString* problem);

// Reads one JSON Lines file (a path or a ":/..." resource path). Blank lines are ignored.
void loadCatalogueFile(const QString& path, CatalogueLoad& into);

// Every catalogue_*.jsonl under `dir` (default: the embedded ":/books"), sorted by name. Ids must be
// unique across files: a repeated id is a problem and the later line is skipped.
CatalogueLoad loadCatalogue(const QString& dir = QStringLiteral(":/books"));

} // namespace lamp::books
