#include "history/history_types.h"

#include <QTextBoundaryFinder>

#include <array>
#include <utility>

namespace lamp::history {

namespace {

constexpr std::array<std::pair<Role, const char*>, 3> kRoles{{
    {Role::System, "system"},
    {Role::User, "user"},
    {Role::Assistant, "assistant"},
}};

constexpr std::array<std::pair<FinishReason, const char*>, 6> kFinishReasons{{
    {FinishReason::Complete, "complete"},
    {FinishReason::Length, "length"},
    {FinishReason::Stopped, "stopped"},
    {FinishReason::Interrupted, "interrupted"},
    {FinishReason::Error, "error"},
    {FinishReason::Generating, "generating"},
}};

} // namespace

QString roleName(Role role) {
    for (const auto& [value, name] : kRoles)
        if (value == role)
            return QString::fromLatin1(name);
    return {};
}

std::optional<Role> roleFromName(const QString& name) {
    for (const auto& [value, text] : kRoles)
        if (name == QLatin1String(text))
            return value;
    return std::nullopt;
}

QString finishReasonName(FinishReason reason) {
    for (const auto& [value, name] : kFinishReasons)
        if (value == reason)
            return QString::fromLatin1(name);
    return {};
}

std::optional<FinishReason> finishReasonFromName(const QString& name) {
    for (const auto& [value, text] : kFinishReasons)
        if (name == QLatin1String(text))
            return value;
    return std::nullopt;
}

DateGroup dateGroupFor(const QDateTime& updated, const QDateTime& now) {
    const qint64 days = updated.toLocalTime().date().daysTo(now.toLocalTime().date());
    if (days <= 0)
        return DateGroup::Today; // today, or a clock that went backwards
    if (days == 1)
        return DateGroup::Yesterday;
    if (days <= 7)
        return DateGroup::Last7Days;
    return DateGroup::Older;
}

QString titleFromText(const QString& text, int maxChars) {
    const QString flat = text.simplified();
    if (flat.isEmpty() || maxChars < 2)
        return flat.left(std::max(maxChars, 0));

    // Grapheme boundaries: a cut never splits a surrogate pair or a letter from its accents.
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, flat);
    qsizetype cut = -1;
    int count = 0;
    while (graphemes.toNextBoundary() != -1) {
        ++count;
        if (count == maxChars - 1) // room for the "…"
            cut = graphemes.position();
        if (count > maxChars)
            break;
    }
    if (count <= maxChars)
        return flat;

    // Prefer the last space in the second half; CJK text usually has none, so it is cut between
    // characters.
    const qsizetype space = flat.lastIndexOf(QLatin1Char(' '), cut);
    QString head = flat.left(space >= cut / 2 && space > 0 ? space : cut);
    while (!head.isEmpty() && (head.back().isSpace() || head.back().isPunct()))
        head.chop(1);
    if (head.isEmpty())
        head = flat.left(cut);
    return head + QChar(0x2026);
}

} // namespace lamp::history
