#include "books/text_normalize.h"

#include <algorithm>

namespace lamp::books {

bool isCjk(QChar c) {
    const char16_t u = c.unicode();
    return (u >= 0x4E00 && u <= 0x9FFF) || (u >= 0x3400 && u <= 0x4DBF) || (u >= 0x3040 && u <= 0x30FF) ||
           (u >= 0xAC00 && u <= 0xD7AF) || (u >= 0xF900 && u <= 0xFAFF);
}

bool containsCjk(const QString& text) {
    return std::any_of(text.begin(), text.end(), [](QChar c) { return isCjk(c); });
}

bool appearsCapitalised(const QString& text, const QString& word) {
    if (word.isEmpty())
        return false;
    for (qsizetype at = text.indexOf(word, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(word, at + 1, Qt::CaseInsensitive)) {
        const qsizetype end = at + word.size();
        const bool bounded = (at == 0 || !text[at - 1].isLetterOrNumber()) && (end >= text.size() || !text[end].isLetterOrNumber());
        if (bounded && text[at].isUpper())
            return true;
    }
    return false;
}

QString foldText(const QString& text) {
    // NFKD splits "é" into "e" + a combining accent, which is then dropped; it also turns
    // full-width letters into ASCII.
    const QString decomposed = text.normalized(QString::NormalizationForm_KD);
    QString out;
    out.reserve(decomposed.size());
    bool space = true;
    for (const QChar c : decomposed) {
        if (c.category() == QChar::Mark_NonSpacing)
            continue;
        if (c.isLetterOrNumber()) {
            out += c.toLower();
            space = false;
        } else if (c == QLatin1Char('\'') || c == QChar(0x2019)) {
            continue; // "Ender's" and "Enders" agree
        } else if (!space) {
            out += QLatin1Char(' ');
            space = true;
        }
    }
    if (out.endsWith(QLatin1Char(' ')))
        out.chop(1);
    return out;
}

QString normaliseTitle(const QString& title) {
    QString t = title;
    // A series note at the end: "Dune (Dune Chronicles, #1)".
    const qsizetype paren = t.lastIndexOf(QLatin1Char('('));
    if (paren > 0 && t.trimmed().endsWith(QLatin1Char(')')))
        t.truncate(paren);
    // A subtitle: "Sapiens: A Brief History of Humankind".
    const qsizetype colon = t.indexOf(QLatin1Char(':'));
    if (colon > 0)
        t.truncate(colon);
    QString folded = foldText(t);
    for (const char* article : {"the ", "a ", "an "}) {
        const QLatin1String a(article);
        if (folded.startsWith(a) && folded.size() > a.size()) {
            folded.remove(0, a.size());
            break;
        }
    }
    return folded;
}

QString normaliseAuthor(const QString& author) {
    QString a = author;
    const qsizetype comma = a.indexOf(QLatin1Char(','));
    if (comma > 0)
        a = a.mid(comma + 1) + QLatin1Char(' ') + a.left(comma);
    QStringList words = foldText(a).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    // Single-letter initials are written with and without dots and sometimes left out: ignore them.
    words.erase(std::remove_if(words.begin(), words.end(),
                               [](const QString& w) { return w.size() == 1 && !isCjk(w.front()); }),
                words.end());
    std::sort(words.begin(), words.end());
    return words.join(QLatin1Char(' '));
}

namespace {

bool isbn13Valid(const QString& d) {
    int sum = 0;
    for (int i = 0; i < 13; ++i)
        sum += (d[i].unicode() - u'0') * (i % 2 == 0 ? 1 : 3);
    return sum % 10 == 0;
}

bool isbn10Valid(const QString& d) {
    int sum = 0;
    for (int i = 0; i < 10; ++i) {
        const int v = (d[i] == QLatin1Char('X')) ? 10 : d[i].unicode() - u'0';
        sum += v * (10 - i);
    }
    return sum % 11 == 0;
}

} // namespace

QString normaliseIsbn(const QString& text) {
    QString d;
    for (const QChar c : text) {
        if (c.isDigit())
            d += c;
        else if (c == QLatin1Char('x') || c == QLatin1Char('X'))
            d += QLatin1Char('X');
    }
    if (d.size() == 13 && !d.contains(QLatin1Char('X')) && isbn13Valid(d))
        return d;
    if (d.size() == 10 && !d.left(9).contains(QLatin1Char('X')) && isbn10Valid(d)) {
        QString t = QStringLiteral("978") + d.left(9);
        int sum = 0;
        for (int i = 0; i < 12; ++i)
            sum += (t[i].unicode() - u'0') * (i % 2 == 0 ? 1 : 3);
        t += QChar(u'0' + (10 - sum % 10) % 10);
        return t;
    }
    return {};
}

} // namespace lamp::books
