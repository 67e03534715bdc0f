// Splits a message's markdown into prose and fenced code blocks, so the chat can render prose with
// Qt's markdown (headings, lists, tables, emphasis) and each code block as its own monospace box with
// a copy button, which Qt's markdown rendering has no way to give.
//
// Fences follow CommonMark: a line of at least three backticks or tildes (an info string after it
// names the language; a backtick fence's info may hold no backtick) opens a block, and a line of the
// same character, at least as long, with nothing but spaces after it closes it. Unlike CommonMark,
// an opening fence may be indented any amount: models nest code in list items ("1. …\n    ```"), and
// the block's lines lose that indentation. A block still open at the end (an answer being streamed)
// runs to the end of the text and is marked open.
#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace lamp::app {

struct MarkdownSegment {
    enum class Kind { Prose, Code };
    Kind kind = Kind::Prose;
    QString text;      // prose: markdown as written; code: the block's lines, without the fences
    QString language;  // code: the first word of the info string ("" when none)
    bool closed = true;  // code: false while the closing fence has not come yet

    bool operator==(const MarkdownSegment&) const = default;
};

// Prose segments lose their leading and trailing blank lines; those that are only blank lines are
// left out.
QList<MarkdownSegment> splitMarkdown(const QString& markdown);

// QML's view of splitMarkdown: the singleton `Markdown`.
class Markdown : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

public:
    explicit Markdown(QObject* parent = nullptr) : QObject(parent) {}

    // [{kind: "prose"|"code", text, language, closed}, ...]
    Q_INVOKABLE QVariantList segments(const QString& markdown) const;
};

} // namespace lamp::app
