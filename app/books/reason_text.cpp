#include "books/reason_text.h"

#include <QHash>
#include <QRegularExpression>

namespace lamp::books {
namespace {

const QHash<QString, QString>& terms() {
    static const QHash<QString, QString> map{
        // genres (resources/books/README.md)
        {"literary-fiction", "纯文学"}, {"classic", "经典"}, {"science-fiction", "科幻"}, {"fantasy", "奇幻"},
        {"mystery", "推理"}, {"thriller", "惊悚"}, {"horror", "恐怖"}, {"romance", "爱情"},
        {"historical-fiction", "历史小说"}, {"wuxia", "武侠"}, {"humor", "幽默"}, {"short-stories", "短篇小说"},
        {"poetry", "诗歌"}, {"drama", "戏剧"}, {"young-adult", "青少年"}, {"children", "儿童"},
        {"graphic-novel", "图像小说"}, {"biography", "传记"}, {"memoir", "回忆录"}, {"history", "历史"},
        {"science", "科学"}, {"popular-science", "科普"}, {"philosophy", "哲学"}, {"psychology", "心理学"},
        {"economics", "经济学"}, {"politics", "政治"}, {"sociology", "社会学"}, {"self-help", "自我成长"},
        {"business", "商业"}, {"travel", "旅行"}, {"nature", "自然"}, {"religion", "宗教"}, {"art", "艺术"},
        {"essays", "散文随笔"}, {"true-crime", "真实罪案"}, {"technology", "科技"}, {"mathematics", "数学"},
        {"cooking", "烹饪"}, {"health", "健康"},
        // moods
        {"adventurous", "冒险"}, {"dark", "黑暗"}, {"emotional", "动人"}, {"funny", "有趣"},
        {"hopeful", "充满希望"}, {"inspiring", "励志"}, {"lighthearted", "轻松"}, {"mysterious", "神秘"},
        {"reflective", "引人深思"}, {"relaxing", "治愈"}, {"sad", "悲伤"}, {"tense", "紧张"},
        {"thought-provoking", "发人深省"}, {"challenging", "有挑战性"}, {"informative", "长知识"},
        {"romantic", "浪漫"},
    };
    return map;
}

QString languageInChinese(const QString& code) {
    static const QHash<QString, QString> names{
        {"zh", "中文"}, {"en", "英文"}, {"ja", "日文"}, {"fr", "法文"}, {"ru", "俄文"}, {"es", "西班牙文"},
        {"de", "德文"}, {"it", "意大利文"}, {"pt", "葡萄牙文"}, {"ko", "韩文"}, {"ar", "阿拉伯文"},
        {"tr", "土耳其文"}, {"sv", "瑞典文"}, {"pl", "波兰文"}, {"el", "希腊文"}, {"la", "拉丁文"},
        {"he", "希伯来文"}, {"no", "挪威文"}, {"cs", "捷克文"}, {"nl", "荷兰文"}, {"da", "丹麦文"},
        {"hu", "匈牙利文"}, {"fa", "波斯文"}, {"hi", "印地文"}, {"bn", "孟加拉文"},
    };
    return names.value(code, code);
}

} // namespace

QString termInChinese(const QString& term) { return terms().value(term, term); }

QString reasonInChinese(const QString& reason) {
    static const QRegularExpression pages(QStringLiteral("^(\\d+) pages$"));
    static const QRegularExpression published(QStringLiteral("^published (-?\\d+)$"));
    static const QRegularExpression written(QStringLiteral("^written (\\d+)$"));
    static const QRegularExpression bce(QStringLiteral("^written about (\\d+) BCE$"));
    static const QRegularExpression paced(QStringLiteral("^(slow|medium|fast)-paced$"));
    static const QRegularExpression language(QStringLiteral("^written in ([a-z]{2})$"));
    static const QRegularExpression like(QStringLiteral("^like (.+)$"));
    if (const auto m = pages.match(reason); m.hasMatch())
        return QStringLiteral("%1 页").arg(m.captured(1));
    if (const auto m = published.match(reason); m.hasMatch())
        return QStringLiteral("%1 年出版").arg(m.captured(1));
    if (const auto m = written.match(reason); m.hasMatch())
        return QStringLiteral("写于 %1 年").arg(m.captured(1));
    if (const auto m = bce.match(reason); m.hasMatch())
        return QStringLiteral("约写于公元前 %1 年").arg(m.captured(1));
    if (const auto m = paced.match(reason); m.hasMatch()) {
        const QString pace = m.captured(1);
        return pace == QLatin1String("slow") ? QStringLiteral("节奏舒缓")
               : pace == QLatin1String("fast") ? QStringLiteral("节奏明快")
                                               : QStringLiteral("节奏适中");
    }
    if (const auto m = language.match(reason); m.hasMatch())
        return QStringLiteral("原作为%1").arg(languageInChinese(m.captured(1)));
    if (reason == QLatin1String("matches your words"))
        return QStringLiteral("与你的描述相符");
    if (reason == QLatin1String("close to books you rated highly"))
        return QStringLiteral("与你评分高的书相近");
    if (reason == QLatin1String("on your to-read shelf"))
        return QStringLiteral("在你的“想读”书单上");
    if (const auto m = like.match(reason); m.hasMatch())
        return QStringLiteral("与《%1》相似").arg(m.captured(1));
    return termInChinese(reason);
}

QStringList reasonsFor(const QStringList& reasons, bool chinese) {
    if (!chinese)
        return reasons;
    QStringList out;
    for (const QString& r : reasons)
        out << reasonInChinese(r);
    return out;
}

} // namespace lamp::books
