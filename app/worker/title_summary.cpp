#include "worker/title_summary.h"

#include <QRegularExpression>
#include <QStringList>

namespace lamp::app {
namespace {

// The start of `text`, at most `chars` characters, never half of a surrogate pair.
QString excerpt(const QString& text, int chars) {
    const QString t = text.trimmed();
    if (t.size() <= chars)
        return t;
    qsizetype cut = chars;
    if (cut > 0 && t.at(cut - 1).isHighSurrogate())
        --cut;
    return t.left(cut).trimmed() + QStringLiteral("…");
}

// Quotes and markup a model wraps titles in. Double quotes, bold and code marks never belong to a
// title and go wherever they are; the rest only at the ends ("Don't panic", "C#", "snake_case").
bool isDroppedAnywhere(QChar c) {
    static const QString chars = QStringLiteral("\"“”„「」『』*`\uFFFD");
    return chars.contains(c);
}

bool isEndJunk(QChar c) {
    static const QString chars = QStringLiteral("'‘’«»‹›《》〈〉()[]【】{}<>-–—~_.,;:!?。，；：！？、…·");
    return c.isSpace() || chars.contains(c);
}

QString trimJunk(const QString& text) {
    qsizetype begin = 0, end = text.size();
    while (begin < end && isEndJunk(text.at(begin)))
        ++begin;
    while (end > begin && isEndJunk(text.at(end - 1)))
        --end;
    return text.mid(begin, end - begin);
}

// One line → the title in it, or "" when the line holds none.
QString cleanLine(QString line) {
    line.removeIf(isDroppedAnywhere);
    line = line.trimmed();
    while (line.startsWith(QLatin1Char('#')))  // a markdown heading
        line.remove(0, 1);
    line = line.trimmed();
    // A label the model put before the title ("Title: …", "标题：…").
    static const QRegularExpression label(QStringLiteral("^(?:title|conversation title|标题|題目|标题是)\\s*[:：]\\s*"),
                                          QRegularExpression::CaseInsensitiveOption);
    line.remove(label);
    return trimJunk(line).simplified();
}

} // namespace

QString titlePrompt(const QString& userText, const QString& answerText, int excerptChars) {
    // Plain English instructions: small models follow them best; the title's language is the
    // conversation's, which they are told to keep.
    return QStringLiteral(
               "Write a short title for the conversation below: at most %1 words, on one line, in the same "
               "language as the user's message. Reply with the title only, without quotes or a full stop.\n\n"
               "User: %2\n\nAssistant: %3")
        .arg(kTitleMaxWords)
        .arg(excerpt(userText, excerptChars), excerpt(answerText, excerptChars));
}

QString cleanTitle(const QString& raw) {
    static const QRegularExpression lineBreak(QStringLiteral("[\\r\\n\\x{2028}\\x{2029}]"));
    QString title;
    for (const QString& line : raw.split(lineBreak)) {
        title = cleanLine(line);
        if (!title.isEmpty())
            break;
    }
    QStringList words = title.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.size() > kTitleMaxWords) {
        words.resize(kTitleMaxWords);
        title = words.join(QLatin1Char(' '));
    }
    // At a space when there is one (whole words), else a hard cut (text without spaces).
    const bool spaced = title.contains(QLatin1Char(' '));
    const int limit = spaced ? kTitleMaxChars : kTitleMaxUnspacedChars;
    if (title.size() > limit) {
        qsizetype cut = spaced ? title.lastIndexOf(QLatin1Char(' '), limit) : -1;
        if (cut <= 0) {
            cut = limit;
            if (title.at(cut - 1).isHighSurrogate())
                --cut;
        }
        title.truncate(cut);
    }
    return trimJunk(title);
}

} // namespace lamp::app
