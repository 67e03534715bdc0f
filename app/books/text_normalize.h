// Normal forms used to recognise the same book written differently: "The Left Hand of Darkness
// (Hainish Cycle, #4)" by "Le Guin, Ursula K." is the catalogue's "The Left Hand of Darkness" by
// "Ursula K. Le Guin"; ISBN-10 and ISBN-13 of one edition compare equal.
#pragma once

#include <QString>
#include <QStringList>

namespace lamp::books {

// Lowercase, accents removed, punctuation to spaces, spaces collapsed. CJK text is kept as is.
QString foldText(const QString& text);

// foldText of the title without a series note in parentheses, a subtitle after ':' and a leading
// English article.
QString normaliseTitle(const QString& title);

// foldText of the name, with "Last, First" turned into "First Last" and the name's words sorted,
// so "Le Guin, Ursula K." and "Ursula K. Le Guin" agree.
QString normaliseAuthor(const QString& author);

// The ISBN-13 of an ISBN written in any common way (`="0441478123"`, "978-0-441-47812-5",
// ISBN-10 with X); empty when the text holds no valid ISBN (checksum included).
QString normaliseIsbn(const QString& text);

// True when `word` appears in `text` (case-insensitively, as a whole word) starting with a capital
// letter at least once: "I loved Sapiens" names a book, "a beloved classic" does not name Beloved.
bool appearsCapitalised(const QString& text, const QString& word);

// True for a character of a CJK script (Han, kana, hangul), where words are not split by spaces.
bool isCjk(QChar c);
bool containsCjk(const QString& text);

} // namespace lamp::books
