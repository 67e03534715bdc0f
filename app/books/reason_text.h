// The retriever's reasons and a book's facts in the reader's language. The retriever speaks in
// the catalogue's English vocabulary ("science-fiction", "hopeful", "180 pages", "like Dune");
// a Chinese conversation shows them in Chinese, in the prompt, the terminal and the cards alike.
#pragma once

#include <QString>
#include <QStringList>

namespace lamp::books {

// A catalogue genre or mood ("science-fiction", "hopeful") in Chinese; the term itself if unknown.
QString termInChinese(const QString& term);
// One retriever reason ("180 pages", "written in ja", "like Dune", a genre or mood) in Chinese.
QString reasonInChinese(const QString& reason);
// The reasons as the reader reads them: unchanged for English, in Chinese for `chinese`.
QStringList reasonsFor(const QStringList& reasons, bool chinese);

} // namespace lamp::books
