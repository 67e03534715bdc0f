#include "books/request_lexicon.h"

#include "books/text_normalize.h"

#include <QSet>

#include <algorithm>

namespace lamp::books {

namespace {

using Kind = LexiconEntry::Kind;

struct Row {
    const char* phrases; // '|'-separated
    Kind kind;
    const char* values;  // ','-separated
};

// English phrases are matched as whole words with an optional plural "s"; Chinese ones as substrings.
const Row kRows[] = {
    // Genres.
    {"science fiction|sci fi|scifi|space opera|sf novel|科幻|科幻小说", Kind::Genre, "science-fiction"},
    {"fantasy|奇幻|魔幻|玄幻", Kind::Genre, "fantasy"},
    {"mystery|mysteries|detective|whodunit|whodunnit|cozy mystery|推理|侦探|探案|悬疑推理", Kind::Genre, "mystery"},
    {"crime|crime novel|crime fiction|犯罪|罪案", Kind::Genre, "mystery,thriller,true-crime"},
    {"thriller|suspense|悬疑|惊悚", Kind::Genre, "thriller,mystery"},
    {"horror|scary|ghost story|恐怖|鬼故事|惊悚恐怖", Kind::Genre, "horror"},
    {"romance|love story|romance novel|爱情|言情|爱情小说", Kind::Genre, "romance"},
    {"historical fiction|historical novel|历史小说", Kind::Genre, "historical-fiction"},
    {"wuxia|martial arts|kung fu|武侠|武侠小说|功夫", Kind::Genre, "wuxia"},
    {"humor|humour|comedy|comic novel|satire|幽默小说|讽刺", Kind::Genre, "humor"},
    {"short stories|short story|story collection|短篇|短篇小说|小说集|短篇集", Kind::Genre, "short-stories"},
    {"poetry|poem|poems|poet|verse|诗|诗歌|诗集|诗词", Kind::Genre, "poetry"},
    {"play|plays|drama|theatre|theater|stage|for the stage|playwright|戏剧|剧本|话剧|舞台剧|戏曲", Kind::Genre, "drama"},
    {"young adult|ya|ya novel|青春|青春小说", Kind::Genre, "young-adult"},
    {"picture book|fairy tale|fairy tales|bedtime story|童话|绘本|儿童文学|童书", Kind::Genre, "children"},
    {"graphic novel|comic|comics|manga|漫画|图像小说", Kind::Genre, "graphic-novel"},
    {"biography|biographies|life of|传记|人物传记", Kind::Genre, "biography,memoir"},
    {"memoir|memoirs|autobiography|回忆录|自传", Kind::Genre, "memoir,biography"},
    {"history|history book|non fiction history|历史|历史书|史书", Kind::Genre, "history"},
    {"science|science book|科学", Kind::Genre, "science,popular-science"},
    {"popular science|pop science|pop sci|科普|科普书", Kind::Genre, "popular-science,science"},
    {"philosophy|philosophical|哲学", Kind::Genre, "philosophy"},
    {"psychology|心理学|心理", Kind::Genre, "psychology"},
    {"economics|economy|经济学|经济", Kind::Genre, "economics"},
    {"politics|political|政治", Kind::Genre, "politics"},
    {"sociology|社会学", Kind::Genre, "sociology"},
    {"self help|self improvement|personal development|productivity|自我提升|自我成长|个人成长|成长类|自助", Kind::Genre, "self-help"},
    {"business|management|entrepreneurship|entrepreneur|startup|company|companies|founder|商业|管理|创业|商业类|公司|企业", Kind::Genre, "business"},
    {"travelogue|travel writing|travel book|travel memoir|travel literature|旅行文学|游记|旅行记", Kind::Genre, "travel"},
    {"travel|traveling|travelling|journey|旅行|旅游|旅途", Kind::Topic, "journey,travel,旅行"},
    {"nature|nature writing|wildlife|自然|大自然|自然文学", Kind::Genre, "nature"},
    {"religion|religious|spiritual|spirituality|宗教", Kind::Genre, "religion"},
    {"art|art history|painting|艺术|美术", Kind::Genre, "art"},
    {"essay|essays|散文|随笔|杂文|散文集", Kind::Genre, "essays"},
    {"true crime|真实犯罪|纪实犯罪", Kind::Genre, "true-crime"},
    {"technology|tech|computer|computers|programming|技术|科技|计算机|编程", Kind::Genre, "technology"},
    {"math|maths|mathematics|数学", Kind::Genre, "mathematics"},
    {"cooking|cookbook|recipe|recipes|food writing|烹饪|美食|做菜|食谱", Kind::Genre, "cooking"},
    {"health|fitness|nutrition|健康|养生", Kind::Genre, "health"},
    {"classic|classics|classic novel|经典|名著|世界名著|经典名著|名作|经典名作|古典", Kind::Genre, "classic"},
    {"literary fiction|literary novel|literary|纯文学|严肃文学|文学", Kind::Genre, "literary-fiction"},
    {"dystopia|dystopian|反乌托邦", Kind::Genre, "science-fiction"},
    // Topic words that suggest a genre but do not limit to it.
    {"space|spaceship|spaceships|alien|aliens|robot|robots|time travel|artificial intelligence|clone|clones|cloning|android|androids|"
     "太空|宇宙|外星|外星人|机器人|人工智能|星际|克隆|仿生人", Kind::GenreHint, "science-fiction"},
    {"magic|wizard|wizards|dragon|dragons|witch|witches|魔法|巫师|龙|精灵", Kind::GenreHint, "fantasy"},
    {"murder|murders|killer|谋杀|凶手|命案|破案", Kind::GenreHint, "mystery,thriller"},
    {"ghost|ghosts|haunted|鬼|闹鬼", Kind::GenreHint, "horror"},
    {"teen|teens|teenager|teenagers|adolescent|adolescence|coming of age|high school|青少年|少年|青春期|中学|高中", Kind::GenreHint, "young-adult"},
    // Themes: extra keywords, mostly the catalogue's English tags for Chinese words.
    {"second world war|world war ii|world war two|wwii|ww2|二战|第二次世界大战|二次大战", Kind::Topic, "world war ii,二战"},
    {"first world war|world war i|world war one|wwi|一战|第一次世界大战", Kind::Topic, "world war i,一战"},
    {"holocaust|nazi|nazis|concentration camp|大屠杀|集中营|纳粹", Kind::Topic, "holocaust,集中营,纳粹"},
    {"coming of age|growing up|成长|青春期", Kind::Topic, "coming of age,youth,成长"},
    {"grief|death|dying|loss|mourning|死亡|去世|告别|离别|丧亲", Kind::Topic, "grief,death,死亡"},
    {"old age|aging|ageing|衰老|变老|老年", Kind::Topic, "old age,衰老"},
    {"illness|disease|疾病|生病", Kind::Topic, "illness,疾病"},
    {"immigrant|immigrants|immigration|migrant|diaspora|移民", Kind::Topic, "immigra,移民"},
    {"african|africa|非洲", Kind::Topic, "africa,nigeria,非洲"},
    {"family|家庭|家人", Kind::Topic, "family,家庭"},
    {"parents|parenting|父母|亲子|育儿", Kind::Topic, "parent,father,mother,父母"},
    {"friendship|友谊|友情", Kind::Topic, "friendship,友谊"},
    {"childhood|童年", Kind::Topic, "childhood,童年"},
    {"women|woman|female|女性|女人|女作家", Kind::Topic, "women,女性"},
    {"war|战争|抗战|抗日", Kind::Topic, "war,战争"},
    {"animals|animal|动物", Kind::Topic, "animal,动物"},
    {"shanghai|上海", Kind::Topic, "shanghai,上海"},
    {"beijing|peking|北京|老北京", Kind::Topic, "beijing,北京"},
    {"hong kong|香港", Kind::Topic, "hong kong,香港"},
    {"ancient china|古代|中国古代", Kind::Topic, "ancient china,古代"},
    {"qing dynasty|清朝|清代", Kind::Topic, "qing dynasty,清朝,清代"},
    {"ming dynasty|明朝|明代", Kind::Topic, "ming dynasty,明朝"},
    {"tang dynasty|唐朝|唐代", Kind::Topic, "tang dynasty,唐朝"},
    {"cultural revolution|文革|文化大革命", Kind::Topic, "cultural revolution,文革"},
    {"rural|village|countryside|乡村|农村|乡土", Kind::Topic, "rural,village,乡村,农村"},
    {"buddhism|佛教|佛学", Kind::Topic, "buddhism,佛"},
    {"taoism|daoism|道家|道教", Kind::Topic, "taoism,道家"},
    {"confucianism|儒家", Kind::Topic, "confucianism,儒家"},
    {"time travel|穿越|时间旅行", Kind::Topic, "time travel,穿越"},
    {"school|high school|学校|校园|中学|高中", Kind::Topic, "school,学校"},
    {"love|爱情|恋爱", Kind::Topic, "love,爱情"},
    {"magical realism|magic realism|魔幻现实主义|魔幻现实", Kind::Topic, "magical realism,魔幻现实"},
    {"picture book|picture books|绘本|图画书", Kind::Topic, "picture book,绘本"},
    {"fairy tale|fairy tales|fairytale|童话|童话故事|童话集", Kind::Topic, "fairy tale,童话"},
    {"bedtime|bedtime story|睡前|睡前故事", Kind::Topic, "bedtime,睡前"},
    {"pre qin|hundred schools|warring states|先秦|诸子|诸子百家|春秋战国", Kind::Topic, "warring states,pre-qin,先秦,诸子,战国,ancient china"},
    // The "hundred schools" were thinkers: their books are philosophy.
    {"hundred schools|诸子|诸子百家", Kind::GenreHint, "philosophy"},
    {"another world|other world|other worlds|parallel world|parallel worlds|magical land|magic land|fantasy land|"
     "另一个世界|异世界|幻想世界|奇幻世界", Kind::Topic, "world,land,parallel worlds,世界"},
    {"latin america|latin american|拉美|拉丁美洲", Kind::Topic, "latin america,拉美,拉丁美洲"},
    // Easy going: nothing challenging.
    {"for beginners|beginner|beginners|introduction|introductory|accessible|not too technical|nothing too technical|"
     "easy to read|easy|入门|通俗|浅显|易懂|好读|不要太难|别太难", Kind::Easy, ""},
    // Fiction or not, without a genre.
    {"novel|novels|fiction|story|stories|小说|故事", Kind::Fiction, ""},
    {"non fiction|nonfiction|non fic|true story|true stories|非虚构|纪实|非小说", Kind::NonFiction, ""},
    // Moods.
    {"adventure|adventures|adventurous|quest|冒险|探险", Kind::Mood, "adventurous"},
    {"dark|bleak|grim|disturbing|黑暗|压抑|沉重", Kind::Mood, "dark"},
    {"emotional|moving|touching|tearjerker|heartfelt|heartbreaking|感人|催泪|动人|感动", Kind::Mood, "emotional"},
    {"funny|hilarious|humorous|laugh|witty|fun|playful|搞笑|幽默|有趣|好笑|逗|好玩", Kind::Mood, "funny"},
    {"hopeful|uplifting|optimistic|heartwarming|comforting|温暖|希望", Kind::Mood, "hopeful"},
    {"inspiring|inspirational|motivating|motivational|励志|鼓舞|激励", Kind::Mood, "inspiring"},
    {"lighthearted|light hearted|light read|cozy|cosy|feel good|easy read|轻松|温馨|轻快|轻松愉快", Kind::Mood, "lighthearted"},
    {"mysterious|enigmatic|神秘|神秘感", Kind::Mood, "mysterious"},
    {"reflective|contemplative|meditative|quiet|沉思|思考人生|安静", Kind::Mood, "reflective"},
    {"relaxing|calm|gentle|soothing|healing|放松|治愈|治愈系|平静", Kind::Mood, "relaxing"},
    {"sad|tragic|tragedy|melancholy|melancholic|cry|make me cry|悲伤|悲剧|伤感|忧伤|虐|哭|泪|心碎", Kind::Mood, "sad"},
    {"tense|gripping|suspenseful|page turner|edge of my seat|紧张|刺激|扣人心弦", Kind::Mood, "tense"},
    {"thought provoking|makes me think|make me think|deep|profound|发人深省|引人深思|深刻|有深度|引人思考", Kind::Mood, "thought-provoking"},
    {"challenging|difficult|demanding|complex|有难度|烧脑|难读", Kind::Mood, "challenging"},
    {"informative|educational|learn|learn something|知识|长知识|涨知识|学到", Kind::Mood, "informative"},
    {"romantic|浪漫", Kind::Mood, "romantic"},
    // Length.
    {"short|quick read|quick|brief|slim|thin|novella|under 200 pages|in an afternoon|one sitting|in one evening|"
     "in an evening|one evening|短|篇幅短|薄|短一点|短小|一口气读完|一个下午|一个晚上|一两个晚上|一晚上", Kind::Length, "short"},
    {"not too long|nothing too long|not long|not very long|not too big|不太长|不要太长|别太长|不用太长|不长|不算长", Kind::Length, "not-long"},
    {"long|epic|doorstopper|chunky|sweeping|长篇|厚|大部头|篇幅长|长一点", Kind::Length, "long"},
    // Age.
    {"for kids|for my kids|for a kid|for children|for a child|for my child|childrens|kids book|my son|my daughter|"
     "little one|给孩子|适合孩子|孩子看|孩子读|陪孩子|给孩子讲|给小孩|给儿子|给女儿|儿子看|女儿看|儿童|小朋友|小学生|小学|幼儿|"
     "童书|亲子共读", Kind::Age, "children"},
    {"for teens|for a teen|for my teen|for teenagers|for a teenager|teen readers|young readers|for high school|"
     "for middle school|high schooler|high schoolers|for a 13|给青少年|适合青少年|青少年读|初中生|中学生|高中生", Kind::Age, "teen"},
    {"for adults|for an adult|for grown ups|for grownups|grown up readers|adult readers|grown ups|grownups|"
     "成年人|给大人|大人看|大人读|适合大人", Kind::Age, "adult"},
    {"teen|teens|teenager|teenagers|adolescent|adolescence|青少年|少年|青春期", Kind::Topic, "youth,coming of age,teen,少年"},
    // Pace.
    {"fast paced|fast|page turner|action packed|快节奏|节奏快|节奏紧凑|紧凑", Kind::Pace, "fast"},
    {"slow paced|slow burn|slow|leisurely|慢节奏|节奏慢|慢热", Kind::Pace, "slow"},
    // Origin (the original language). "foreign" = not Chinese (as 外国 means to a Chinese reader).
    {"foreign|western|外国|国外|西方|外国文学|欧美", Kind::Origin, "foreign"},
    {"chinese|china|中国|国内|华语|中文原创|国产|中国作家|中国人写", Kind::Origin, "zh"},
    {"japanese|japan|日本|日系", Kind::Origin, "ja"},
    {"russian|russia|俄国|俄罗斯|苏联", Kind::Origin, "ru"},
    {"french|france|法国", Kind::Origin, "fr"},
    {"german|germany|德国", Kind::Origin, "de"},
    {"spanish|latin american|spain|西班牙|拉美|拉丁美洲", Kind::Origin, "es"},
    {"italian|italy|意大利", Kind::Origin, "it"},
    {"korean|korea|韩国", Kind::Origin, "ko"},
    {"british|english|英国", Kind::Origin, "en"},
    {"american|美国", Kind::Origin, "en"},
};

} // namespace

const std::vector<LexiconEntry>& requestLexicon() {
    static const std::vector<LexiconEntry> entries = [] {
        std::vector<LexiconEntry> out;
        for (const Row& row : kRows) {
            const QStringList values = QString::fromUtf8(row.values).split(QLatin1Char(','), Qt::SkipEmptyParts);
            for (const QString& p : QString::fromUtf8(row.phrases).split(QLatin1Char('|'), Qt::SkipEmptyParts)) {
                LexiconEntry e{foldText(p), row.kind, values, containsCjk(p), {}};
                if (!e.cjk)
                    e.wholeWords = QRegularExpression(QStringLiteral("(?<![\\p{L}\\p{N}])") + QRegularExpression::escape(e.phrase) +
                                                          QStringLiteral("(?:s|es)?(?![\\p{L}\\p{N}])"),
                                                      QRegularExpression::UseUnicodePropertiesOption);
                out.push_back(std::move(e));
            }
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const LexiconEntry& a, const LexiconEntry& b) { return a.phrase.size() > b.phrase.size(); });
        return out;
    }();
    return entries;
}

bool isEnglishStopword(const QString& word) {
    static const QSet<QString> words = [] {
        QSet<QString> s;
        const char* const list =
            "a an the and or but if of to in on at by for with about from into over as is are was were be been being "
            "am do does did have has had i me my mine we us our you your he she it its they them their this that these "
            "those there here what which who whom whose when where why how can could would should will shall may might "
            "must please thanks thank hi hello hey ok okay yes no not so very really just also too some any something "
            "anything one ones more most much many few lot lots want wanted wants looking look need like liked love loved "
            "enjoy enjoyed recommend recommendation recommendations suggest suggestion suggestions book books read "
            "reading reads good great nice best new give tell find get got let lets something else kind sort type "
            "maybe perhaps then than other others again still now today recently read im ive id dont think feel "
            "next hi set during including within written write writing author authors title titles genre genres pages page well around all "
            "week weeks weekend stressful stressed busy tired evening isnt arent doesnt wasnt wont cant";
        for (const QString& w : QString::fromLatin1(list).split(QLatin1Char(' '), Qt::SkipEmptyParts))
            s.insert(w);
        return s;
    }();
    return words.contains(word);
}

const QStringList& chineseStopPhrases() {
    static const QStringList phrases = [] {
        QStringList l = QString::fromUtf8(
            "你好|您好|能不能|可不可以|可以|能帮我|帮我|给我|请你|请|推荐|推荐一下|推荐几本|推荐一本|介绍|有没有|"
            "有什么|什么样|什么|一本|几本|一些|一下|本书|好书|好看|好的|书籍|书单|书|我想|我要|想要|想看|想读|"
            "我喜欢|喜欢|看看|看|读|的|了|吗|呢|吧|啊|呀|和|与|或者|还是|我|你|他|她|们|这|那|个|本|些|最近|"
            "适合|关于|有关|讲|写|类|类型|一点|一种|方面|相关|比较|特别|非常|很|有点|有些|一样|感觉|就|都|也|"
            "想找|找|谢谢|能|会|要|是|在|不|别|背景|为背景|以|题材|作品|有哪些|哪些|几部|一部|部|值得|读物|东西|点|看完|"
            "能看完|大人|成年人|给|送|送给|朋友|可以读|可以看|以外|之外").split(QLatin1Char('|'));
        std::sort(l.begin(), l.end(), [](const QString& a, const QString& b) { return a.size() > b.size(); });
        return l;
    }();
    return phrases;
}

} // namespace lamp::books
