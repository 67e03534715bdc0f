#include "ui_models/markdown_segments.h"

#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace lamp::app {

namespace {

struct Fence {
    qsizetype indent = 0;  // whitespace characters before the fence
    QChar marker;          // '`' or '~'
    qsizetype length = 0;  // how many markers
    QString info;          // the rest of the line, trimmed
};

qsizetype leadingWhitespace(const QString& line) {
    qsizetype i = 0;
    while (i < line.size() && (line[i] == QLatin1Char(' ') || line[i] == QLatin1Char('\t')))
        ++i;
    return i;
}

std::optional<Fence> openingFence(const QString& line) {
    Fence f;
    f.indent = leadingWhitespace(line);
    if (f.indent >= line.size())
        return std::nullopt;
    f.marker = line[f.indent];
    if (f.marker != QLatin1Char('`') && f.marker != QLatin1Char('~'))
        return std::nullopt;
    qsizetype end = f.indent;
    while (end < line.size() && line[end] == f.marker)
        ++end;
    f.length = end - f.indent;
    if (f.length < 3)
        return std::nullopt;
    f.info = line.mid(end).trimmed();
    // "```a`b" is inline code, not a fence (CommonMark).
    if (f.marker == QLatin1Char('`') && f.info.contains(QLatin1Char('`')))
        return std::nullopt;
    return f;
}

bool closesFence(const QString& line, const Fence& open) {
    qsizetype i = leadingWhitespace(line);
    const qsizetype start = i;
    while (i < line.size() && line[i] == open.marker)
        ++i;
    return i - start >= open.length && line.mid(i).trimmed().isEmpty();
}

// The info string's first word: "python" of "python title=x".
QString languageOf(const Fence& f) { return f.info.section(QLatin1Char(' '), 0, 0); }

// Up to `indent` whitespace characters off the front of a code line.
QString dropIndent(const QString& line, qsizetype indent) {
    return line.mid(std::min(indent, leadingWhitespace(line)));
}

void appendProse(QList<MarkdownSegment>& out, QStringList& lines) {
    while (!lines.isEmpty() && lines.first().trimmed().isEmpty())
        lines.removeFirst();
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    if (!lines.isEmpty())
        out.append({MarkdownSegment::Kind::Prose, lines.join(QLatin1Char('\n')), {}, true});
    lines.clear();
}

} // namespace

QList<MarkdownSegment> splitMarkdown(const QString& markdown) {
    QList<MarkdownSegment> out;
    QStringList prose;
    QStringList code;
    std::optional<Fence> open;
    QString text = markdown;
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        if (open) {
            if (closesFence(line, *open)) {
                out.append({MarkdownSegment::Kind::Code, code.join(QLatin1Char('\n')), languageOf(*open), true});
                code.clear();
                open.reset();
            } else {
                code.append(dropIndent(line, open->indent));
            }
            continue;
        }
        if (auto fence = openingFence(line)) {
            appendProse(out, prose);
            open = fence;
            continue;
        }
        prose.append(line);
    }
    if (open)
        out.append({MarkdownSegment::Kind::Code, code.join(QLatin1Char('\n')), languageOf(*open), false});
    else
        appendProse(out, prose);
    return out;
}

QVariantList Markdown::segments(const QString& markdown) const {
    QVariantList list;
    for (const MarkdownSegment& s : splitMarkdown(markdown)) {
        list.append(QVariantMap{
            {QStringLiteral("kind"),
             s.kind == MarkdownSegment::Kind::Code ? QStringLiteral("code") : QStringLiteral("prose")},
            {QStringLiteral("text"), s.text},
            {QStringLiteral("language"), s.language},
            {QStringLiteral("closed"), s.closed},
        });
    }
    return list;
}

} // namespace lamp::app
