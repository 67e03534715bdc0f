// Tokenizer behaviour on synthetic vocabularies written by our own GGUF writer (SentencePiece
// merges, byte fallback, the space prefix, BOS/EOS, BPE merge ranks, special tokens, bad metadata),
// on the real vocabularies in ../shared without reference expectations (round trips), and the
// streaming detokenizer.
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/shared_data.h"
#include "core/error.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

#include <QtTest>

#include <functional>
#include <thread>

using namespace lamp;

namespace {

constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kByte = 6;

struct VocabSpec {
    std::string model = "llama";
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
    std::vector<std::string> merges;
};

GgufFile makeFile(const VocabSpec& v, const std::string& name,
                  const std::function<void(GgufWriter&)>& extra = {}) {
    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    w.set("tokenizer.ggml.model", v.model);
    w.set("tokenizer.ggml.tokens", GgufValue::stringArray(v.tokens));
    if (!v.scores.empty())
        w.set("tokenizer.ggml.scores", GgufValue::array(GgufType::F32, v.scores));
    if (!v.types.empty())
        w.set("tokenizer.ggml.token_type", GgufValue::array(GgufType::I32, v.types));
    if (!v.merges.empty())
        w.set("tokenizer.ggml.merges", GgufValue::stringArray(v.merges));
    if (extra)
        extra(w);
    const auto bytes = w.toBytes();
    return GgufFile::fromBytes(bytes, name);
}

// <unk> 0, <s> 1, </s> 2, <0x00>..<0xFF> 3..258, then `pieces` (text, score) from 259.
VocabSpec spmSpec(const std::vector<std::pair<std::string, float>>& pieces) {
    VocabSpec v;
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.scores = {0, 0, 0};
    v.types = {kUnknown, kControl, kControl};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        v.tokens.emplace_back(name);
        v.scores.push_back(0);
        v.types.push_back(kByte);
    }
    for (const auto& [text, score] : pieces) {
        v.tokens.push_back(text);
        v.scores.push_back(score);
        v.types.push_back(kNormal);
    }
    return v;
}

// GPT-2's byte-to-character alphabet, written out independently of the library.
std::string byteChar(int b) {
    std::vector<int> direct;
    for (int c = 0x21; c <= 0x7E; ++c)
        direct.push_back(c);
    for (int c = 0xA1; c <= 0xAC; ++c)
        direct.push_back(c);
    for (int c = 0xAE; c <= 0xFF; ++c)
        direct.push_back(c);
    int cp = -1, extra = 0;
    for (int x = 0; x < 256; ++x) {
        const bool isDirect = std::find(direct.begin(), direct.end(), x) != direct.end();
        if (x == b)
            cp = isDirect ? x : 256 + extra;
        if (!isDirect)
            ++extra;
    }
    std::string out;
    utf8::append(out, static_cast<char32_t>(cp));
    return out;
}

// Byte-level BPE: the 256 byte characters (id = byte), then `merged` tokens, then `specials`.
VocabSpec bpeSpec(const std::vector<std::string>& merged, const std::vector<std::string>& merges,
                  const std::vector<std::pair<std::string, int32_t>>& specials = {}) {
    VocabSpec v;
    v.model = "gpt2";
    for (int b = 0; b < 256; ++b) {
        v.tokens.push_back(byteChar(b));
        v.types.push_back(kNormal);
    }
    for (const auto& m : merged) {
        v.tokens.push_back(m);
        v.types.push_back(kNormal);
    }
    for (const auto& [text, type] : specials) {
        v.tokens.push_back(text);
        v.types.push_back(type);
    }
    v.merges = merges;
    return v;
}

std::vector<int32_t> idsOf(const Tokenizer& t, const std::vector<std::string>& texts) {
    std::vector<int32_t> ids;
    for (const auto& s : texts) {
        const int32_t id = t.vocab().find(s);
        if (id == kNoToken)
            throw std::runtime_error("test vocabulary lacks '" + s + "'");
        ids.push_back(id);
    }
    return ids;
}

// Runs `fn` and returns the TokenizerError message it throws ("" when it throws nothing).
std::string tokenizerError(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const TokenizerError& e) {
        return e.what();
    }
    return {};
}

const std::vector<std::string>& sampleTexts() {
    static const std::vector<std::string> texts = {
        "Hello, world! Lamplight reads books at night.",
        " leading space and  double  spaces, trailing space ",
        "我想在苹果工作。今天天气很好！",
        "Emoji: 🦙🚀 😶‍🌫️ ✅ and flags 🇩🇪",
        "int main() {\n\treturn 0; // exit\n}\n",
        "Ünïcödé Ελληνικά русский ひらがな 한국어 العربية",
        "\n\n\t  \r\n",
        "3.14159 and 1,000,000 and 0x1F",
    };
    return texts;
}

// Feeds ids one at a time; checks every chunk is valid UTF-8 and returns the concatenation.
std::string streamed(const Tokenizer& t, const std::vector<int32_t>& ids, bool& allValid) {
    StreamingDetokenizer stream(t);
    std::string out;
    allValid = true;
    for (int32_t id : ids) {
        const std::string chunk = stream.push(id);
        allValid = allValid && utf8::isValid(chunk) && stream.pendingBytes() <= 3;
        out += chunk;
    }
    const std::string rest = stream.flush();
    allValid = allValid && utf8::isValid(rest);
    return out + rest;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private slots:
    void spmScoreOrderedMerges();
    void spmTiesMergeLeftmostFirst();
    void spmByteFallback();
    void spmLeadingSpaceRule();
    void addBosAndEos();
    void bpeMergeRanks();
    void bpeMergesNamingUnknownTokensAreSkipped();
    void specialTokensOnlyWhenAsked();
    void specialTokensInRealVocabs();
    void endOfGeneration();
    void mismatchedArrayLengthsAreErrors();
    void outOfRangeIdsAreErrors();
    void unsupportedModelsAreErrors();
    void unknownPreTokenizerFallsBack();
    void invalidUtf8Input();
    void longInputs();
    void vocabsWithoutExpectationsRoundTrip();
    void streamingNeverBreaksUtf8();
    void streamingReplacesInvalidBytes();
    void concurrentEncoding();
};

void TestTokenizer::spmScoreOrderedMerges() {
    // "abc" becomes "▁abc": "bc" scores higher than "ab", so it merges first; then "▁a".
    const auto t = makeTokenizer(makeFile(spmSpec({{"▁", -10}, {"a", -10}, {"b", -10}, {"c", -10},
                                                   {"ab", -1}, {"bc", -0.5f}, {"▁a", -3}}),
                                          "spm-merges.gguf"));
    QCOMPARE(t->encode("abc"), idsOf(*t, {"▁a", "bc"}));

    // With the scores of "ab" and "bc" swapped, "ab" wins and "▁a" can no longer form.
    const auto u = makeTokenizer(makeFile(spmSpec({{"▁", -10}, {"a", -10}, {"b", -10}, {"c", -10},
                                                   {"ab", -0.5f}, {"bc", -1}, {"▁a", -3}}),
                                          "spm-merges2.gguf"));
    QCOMPARE(u->encode("abc"), idsOf(*u, {"▁", "ab", "c"}));
    QCOMPARE(u->decode(u->encode("abc")), std::string("abc"));
}

void TestTokenizer::spmTiesMergeLeftmostFirst() {
    const auto t = makeTokenizer(
        makeFile(spmSpec({{"▁", -10}, {"a", -10}, {"b", -10}, {"c", -10}, {"ab", -1}, {"bc", -1}}),
                 "spm-ties.gguf"));
    QCOMPARE(t->encode("abc"), idsOf(*t, {"▁", "ab", "c"}));
}

void TestTokenizer::spmByteFallback() {
    const auto t =
        makeTokenizer(makeFile(spmSpec({{"▁", -10}, {"a", -10}, {"▁a", -1}}), "spm-bytes.gguf"));
    // "€" (E2 82 AC) has no piece: three byte tokens.
    QCOMPARE(t->encode("a€"), idsOf(*t, {"▁a", "<0xE2>", "<0x82>", "<0xAC>"}));
    QCOMPARE(t->decode(t->encode("a€")), std::string("a€"));
    QCOMPARE(t->tokenPiece(t->vocab().find("<0xE2>")), std::string("\xE2"));
    QCOMPARE(t->tokenPiece(t->vocab().find("▁a")), std::string(" a"));

    // Without tokenizer.ggml.token_type: <0xNN> pieces are still bytes, <s> is still control.
    auto untyped = spmSpec({{"▁", -10}, {"a", -10}, {"▁a", -1}});
    untyped.types.clear();
    const auto u = makeTokenizer(makeFile(untyped, "spm-untyped.gguf"));
    QCOMPARE(u->encode("a€"), t->encode("a€"));
    QCOMPARE(u->decode(u->encode("a€")), std::string("a€"));
    QCOMPARE(u->vocab().type(1), TokenType::Control);
    QCOMPARE(u->encode("<s>", {.parseSpecial = true}), (std::vector<int32_t>{1}));
    QVERIFY(u->encode("<s>").size() > 1);
}

void TestTokenizer::spmLeadingSpaceRule() {
    const auto spec = spmSpec({{"▁", -10}, {"a", -10}, {"b", -10}, {"▁a", -1}, {"▁b", -1}});
    const auto t = makeTokenizer(makeFile(spec, "spm-space.gguf"));
    QCOMPARE(t->encode("a"), idsOf(*t, {"▁a"}));
    QCOMPARE(t->encode(" a"), idsOf(*t, {"▁", "▁a"}));
    QCOMPARE(t->encode("a b"), idsOf(*t, {"▁a", "▁b"}));
    QVERIFY(t->encode("").empty());
    // After a special token the text gets the prefix again; decoding removes only the first one.
    QCOMPARE(t->encode("<s>a", {.parseSpecial = true}),
             (std::vector<int32_t>{1, t->vocab().find("▁a")}));
    QCOMPARE(t->decode(t->encode(" a")), std::string(" a"));
    QCOMPARE(t->decode(t->encode(" a"), {.stripLeadingSpace = false}), std::string("  a"));

    // tokenizer.ggml.add_space_prefix = false turns the rule off.
    const auto u = makeTokenizer(makeFile(spec, "spm-nospace.gguf", [](GgufWriter& w) {
        w.set("tokenizer.ggml.add_space_prefix", false);
    }));
    QVERIFY(!u->vocab().addSpacePrefix());
    QCOMPARE(u->encode("a b"), idsOf(*u, {"a", "▁b"}));
    QCOMPARE(u->decode(u->encode("a b")), std::string("a b"));
}

void TestTokenizer::addBosAndEos() {
    const auto spec = spmSpec({{"▁", -10}, {"a", -10}, {"▁a", -1}});
    const auto defaults = makeTokenizer(makeFile(spec, "spm-default-bos.gguf"));
    QVERIFY(defaults->vocab().addBos());  // SentencePiece vocabularies add BOS unless told not to
    const int32_t a = defaults->vocab().find("▁a");
    QCOMPARE(defaults->encode("a", {.addSpecial = true}), (std::vector<int32_t>{1, a}));
    QCOMPARE(defaults->encode("a"), (std::vector<int32_t>{a}));
    QCOMPARE(defaults->decode(std::vector<int32_t>{1, a}), std::string("a"));
    QCOMPARE(defaults->decode(std::vector<int32_t>{1, a}, {.renderSpecial = true}),
             std::string("<s>a"));

    const auto both = makeTokenizer(makeFile(spec, "spm-bos-eos.gguf", [](GgufWriter& w) {
        w.set("tokenizer.ggml.bos_token_id", uint32_t{1});
        w.set("tokenizer.ggml.eos_token_id", uint32_t{2});
        w.set("tokenizer.ggml.add_bos_token", true);
        w.set("tokenizer.ggml.add_eos_token", true);
    }));
    QCOMPARE(both->encode("a", {.addSpecial = true}), (std::vector<int32_t>{1, a, 2}));
    QCOMPARE(both->encode("", {.addSpecial = true}), (std::vector<int32_t>{1, 2}));

    const auto none = makeTokenizer(makeFile(spec, "spm-no-bos.gguf", [](GgufWriter& w) {
        w.set("tokenizer.ggml.add_bos_token", false);
    }));
    QCOMPARE(none->encode("a", {.addSpecial = true}), (std::vector<int32_t>{a}));
}

void TestTokenizer::bpeMergeRanks() {
    const std::string sp = byteChar(' ');
    // "a b" ranks before "b c": "abc" → a|b|c → ab|c → abc. In " ab", "a b" (rank 0) beats
    // "Ġ a" (rank 3), and no merge joins "Ġ" and "ab".
    const auto t = makeTokenizer(
        makeFile(bpeSpec({"ab", "bc", "abc", sp + "a"}, {"a b", "b c", "ab c", sp + " a"}),
                 "bpe-ranks.gguf"));
    QCOMPARE(t->encode("abc"), idsOf(*t, {"abc"}));
    QCOMPARE(t->encode("abc ab"), idsOf(*t, {"abc", sp, "ab"}));
    QCOMPARE(t->encode("abc a"), idsOf(*t, {"abc", sp + "a"}));
    QCOMPARE(t->decode(t->encode("abc ab")), std::string("abc ab"));
    QCOMPARE(t->vocab().mergeRank("a", "b"), 0);
    QCOMPARE(t->vocab().mergeRank("b", "c"), 1);
    QCOMPARE(t->vocab().mergeRank("c", "a"), -1);

    // "b c" first: a|bc, and no merge makes "abc" from there.
    const auto u = makeTokenizer(
        makeFile(bpeSpec({"ab", "bc", "abc"}, {"b c", "a b", "ab c"}), "bpe-ranks2.gguf"));
    QCOMPARE(u->encode("abc"), idsOf(*u, {"a", "bc"}));

    // Equal-rank competition does not exist in BPE, but the leftmost of two equal pairs goes first.
    const auto w =
        makeTokenizer(makeFile(bpeSpec({"aa", "aaa"}, {"a a", "aa a"}), "bpe-left.gguf"));
    QCOMPARE(w->encode("aaa"), idsOf(*w, {"aaa"}));
    QCOMPARE(w->encode("aaaa"), idsOf(*w, {"aa", "aa"}));
}

void TestTokenizer::bpeMergesNamingUnknownTokensAreSkipped() {
    // Decision: such merges are ignored (one warning per vocabulary), not an error: converters
    // leave them in real files, and they can never apply anyway.
    const auto t =
        makeTokenizer(makeFile(bpeSpec({"ab"}, {"a b", "x yz", "c d"}), "bpe-unknown.gguf"));
    QCOMPARE(t->vocab().mergeCount(), size_t{1});
    QCOMPARE(t->vocab().skippedMerges(), size_t{2});
    QCOMPARE(t->encode("abcd"), idsOf(*t, {"ab", "c", "d"}));

    const QString error = QString::fromStdString(tokenizerError(
        [] { makeTokenizer(makeFile(bpeSpec({"ab"}, {"ab"}), "bpe-nospace.gguf")); }));
    QVERIFY2(error.contains("bpe-nospace.gguf") && error.contains("merges[0]"), qPrintable(error));
}

void TestTokenizer::specialTokensOnlyWhenAsked() {
    const auto t = makeTokenizer(makeFile(
        bpeSpec({"ab"}, {"a b"},
                {{"<|im_start|>", kControl}, {"<|im_end|>", kControl}, {"<think>", kUserDefined}}),
        "bpe-special.gguf"));
    const int32_t imStart = t->vocab().find("<|im_start|>");
    const int32_t think = t->vocab().find("<think>");
    const std::string text = "<|im_start|>user\n<think>hi<|im_end|>";

    const auto plain = t->encode(text);
    QVERIFY(std::find(plain.begin(), plain.end(), imStart) == plain.end());
    QVERIFY(std::find(plain.begin(), plain.end(), think) != plain.end());  // user-defined: always
    QCOMPARE(t->decode(plain), text);

    const auto parsed = t->encode(text, {.parseSpecial = true});
    QCOMPARE(parsed.front(), imStart);
    QCOMPARE(parsed.back(), t->vocab().find("<|im_end|>"));
    QCOMPARE(std::count(parsed.begin(), parsed.end(), think), 1);
    // Control tokens are hidden when decoding unless asked for.
    QCOMPARE(t->decode(parsed), std::string("user\n<think>hi"));
    QCOMPARE(t->decode(parsed, {.renderSpecial = true}), text);

    // Longest match: "<|im_start|>" is not cut at a shorter special token starting there.
    const auto v = makeTokenizer(
        makeFile(bpeSpec({"ab"}, {"a b"}, {{"<|im", kControl}, {"<|im_start|>", kControl}}),
                 "bpe-longest.gguf"));
    QCOMPARE(v->encode("<|im_start|>", {.parseSpecial = true}), idsOf(*v, {"<|im_start|>"}));
    QCOMPARE(v->encode("<|im_x", {.parseSpecial = true}).front(), v->vocab().find("<|im"));
}

void TestTokenizer::specialTokensInRealVocabs() {
    LAMP_REQUIRE_SHARED(shared);
    const auto qwen = makeTokenizer(GgufFile::open(shared / "models/vocab/ggml-vocab-qwen2.gguf"));
    const int32_t imStart = qwen->vocab().find("<|im_start|>");
    const int32_t imEnd = qwen->vocab().find("<|im_end|>");
    QCOMPARE(imStart, 151644);
    QCOMPARE(imEnd, 151645);
    std::vector<int32_t> expected{imStart};
    for (int32_t id : qwen->encode("user\nHello"))
        expected.push_back(id);
    expected.push_back(imEnd);
    expected.push_back(198);  // "\n"
    QCOMPARE(qwen->encode("<|im_start|>user\nHello<|im_end|>\n", {.parseSpecial = true}), expected);
    const auto plain = qwen->encode("<|im_start|>");
    QVERIFY(plain.size() > 1);
    QVERIFY(std::find(plain.begin(), plain.end(), imStart) == plain.end());

    const auto llama3 =
        makeTokenizer(GgufFile::open(shared / "models/vocab/ggml-vocab-llama-bpe.gguf"));
    const auto ids = llama3->encode("<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>",
                                    {.addSpecial = true, .parseSpecial = true});
    QCOMPARE(ids.front(), 128000);  // add_bos_token
    QCOMPARE(ids[1], 128006);
    QCOMPARE(ids.back(), 128009);

    const auto spm =
        makeTokenizer(GgufFile::open(shared / "models/vocab/ggml-vocab-llama-spm.gguf"));
    QCOMPARE(spm->encode("<s>Hello", {.parseSpecial = true}), (std::vector<int32_t>{1, 15043}));
    QVERIFY(spm->encode("<s>Hello").front() != 1);
}

void TestTokenizer::endOfGeneration() {
    LAMP_REQUIRE_SHARED(shared);
    const Vocab qwen(GgufFile::open(shared / "models/vocab/ggml-vocab-qwen2.gguf"));
    QVERIFY(qwen.isEog(151645));  // <|im_end|>, also the file's eos
    QVERIFY(qwen.isEog(151643));  // <|endoftext|>
    QVERIFY(!qwen.isEog(151644));
    const Vocab llama3(GgufFile::open(shared / "models/vocab/ggml-vocab-llama-bpe.gguf"));
    QVERIFY(llama3.isEog(128001));
    QVERIFY(llama3.isEog(128009));  // <|eot_id|>
    QCOMPARE(llama3.eot(), 128009);
    const Vocab phi3(GgufFile::open(shared / "models/vocab/ggml-vocab-phi-3.gguf"));
    QVERIFY(phi3.isEog(phi3.find("<|end|>")));
}

void TestTokenizer::mismatchedArrayLengthsAreErrors() {
    auto spec = spmSpec({{"a", -1}});
    spec.scores.pop_back();
    QString error = QString::fromStdString(
        tokenizerError([&] { Vocab v(makeFile(spec, "short-scores.gguf")); }));
    QVERIFY2(error.contains("short-scores.gguf") && error.contains("tokenizer.ggml.scores") &&
                 error.contains("259") && error.contains("260"),
             qPrintable(error));

    spec = spmSpec({{"a", -1}});
    spec.types.push_back(kNormal);
    error =
        QString::fromStdString(tokenizerError([&] { Vocab v(makeFile(spec, "long-types.gguf")); }));
    QVERIFY2(error.contains("long-types.gguf") && error.contains("tokenizer.ggml.token_type"),
             qPrintable(error));

    spec = spmSpec({{"a", -1}});
    spec.types.back() = 9;
    error =
        QString::fromStdString(tokenizerError([&] { Vocab v(makeFile(spec, "bad-type.gguf")); }));
    QVERIFY2(error.contains("bad-type.gguf") && error.contains("token_type[259]"),
             qPrintable(error));
}

void TestTokenizer::outOfRangeIdsAreErrors() {
    const auto spec = spmSpec({{"a", -1}});
    const QString error = QString::fromStdString(tokenizerError([&] {
        Vocab v(makeFile(spec, "bad-bos.gguf", [](GgufWriter& w) {
            w.set("tokenizer.ggml.bos_token_id", uint32_t{5000});
        }));
    }));
    QVERIFY2(error.contains("bad-bos.gguf") && error.contains("bos_token_id") &&
                 error.contains("5000"),
             qPrintable(error));
    QVERIFY(!tokenizerError([&] {
                 Vocab v(makeFile(spec, "eos-neg.gguf", [](GgufWriter& w) {
                     w.set("tokenizer.ggml.eos_token_id", int32_t{-7});
                 }));
             }).empty());

    // 0xFFFFFFFF and -1 mean "none", as converters write them.
    const Vocab none(makeFile(spec, "no-pad.gguf", [](GgufWriter& w) {
        w.set("tokenizer.ggml.padding_token_id", uint32_t{0xFFFFFFFFu});
        w.set("tokenizer.ggml.seperator_token_id", int32_t{-1});
    }));
    QCOMPARE(none.pad(), kNoToken);
    QCOMPARE(none.sep(), kNoToken);

    // add_eos_token without an EOS id.
    const auto bpe = bpeSpec({}, {"a b"});
    QVERIFY(QString::fromStdString(tokenizerError([&] {
                Vocab v(makeFile(bpe, "eos-missing.gguf", [](GgufWriter& w) {
                    w.set("tokenizer.ggml.add_eos_token", true);
                }));
            })).contains("eos-missing.gguf"));

    // Decoding an id outside the vocabulary.
    const auto t = makeTokenizer(makeFile(spec, "decode-range.gguf"));
    const QString decodeError = QString::fromStdString(tokenizerError([&] {
        t->decode(std::vector<int32_t>{3, 260});
    }));
    QVERIFY2(decodeError.contains("decode-range.gguf") && decodeError.contains("260"),
             qPrintable(decodeError));
    QVERIFY(!tokenizerError([&] { t->tokenPiece(-1); }).empty());
    StreamingDetokenizer stream(*t);
    QVERIFY(!tokenizerError([&] { stream.push(99999); }).empty());
}

void TestTokenizer::unsupportedModelsAreErrors() {
    auto spec = spmSpec({});
    spec.model = "bert";
    QString error =
        QString::fromStdString(tokenizerError([&] { makeTokenizer(makeFile(spec, "bert.gguf")); }));
    QVERIFY2(error.contains("bert.gguf") && error.contains("'bert'") &&
                 error.contains("not supported"),
             qPrintable(error));
    spec.model = "t5";
    error =
        QString::fromStdString(tokenizerError([&] { makeTokenizer(makeFile(spec, "t5.gguf")); }));
    QVERIFY2(error.contains("unsupported tokenizer model 't5'"), qPrintable(error));

    GgufWriter w;
    w.set("general.architecture", std::string("llama"));
    const auto bytes = w.toBytes();
    error = QString::fromStdString(
        tokenizerError([&] { makeTokenizer(GgufFile::fromBytes(bytes, "no-vocab.gguf")); }));
    QVERIFY2(error.contains("no-vocab.gguf") && error.contains("tokenizer.ggml.model"),
             qPrintable(error));

    spec = bpeSpec({}, {});
    error = QString::fromStdString(
        tokenizerError([&] { makeTokenizer(makeFile(spec, "no-merges.gguf")); }));
    QVERIFY2(error.contains("no-merges.gguf") && error.contains("merges"), qPrintable(error));
}

void TestTokenizer::unknownPreTokenizerFallsBack() {
    const auto t =
        makeTokenizer(makeFile(bpeSpec({"ab"}, {"a b"}), "bpe-pre.gguf", [](GgufWriter& w) {
            w.set("tokenizer.ggml.pre", std::string("no-such-pre"));
        }));
    QCOMPARE(t->encode("ab ab"), idsOf(*t, {"ab", byteChar(' '), "ab"}));
    QCOMPARE(PreTokenizer("no-such-pre", "x.gguf").family(), std::string("gpt2"));
    QCOMPARE(PreTokenizer("llama-bpe").family(), std::string("llama3"));
    QVERIFY(PreTokenizer("llama-bpe").ignoreMerges());
    for (const auto& name : PreTokenizer::knownNames()) {
        // Every pattern compiles and splits without losing bytes.
        std::vector<PreTokenizer::Piece> pieces;
        const std::string text = "Hello, 世界! it's 2024 — \t\n ok";
        PreTokenizer(name).split(text, pieces);
        size_t covered = 0;
        for (const auto& p : pieces) {
            QCOMPARE(size_t{p.offset}, covered);
            covered += p.length;
        }
        QCOMPARE(covered, text.size());
    }
}

void TestTokenizer::invalidUtf8Input() {
    const std::string bad = "ok \xFF\xFE \xE4\xB8 end \xC0\x80";
    const auto spm =
        makeTokenizer(makeFile(spmSpec({{"▁", -1}, {"o", -2}, {"k", -2}}), "spm-bad.gguf"));
    QCOMPARE(spm->decode(spm->encode(bad)), bad);
    const auto bpe = makeTokenizer(makeFile(bpeSpec({"ok"}, {"o k"}), "bpe-bad.gguf"));
    QCOMPARE(bpe->decode(bpe->encode(bad)), bad);
}

void TestTokenizer::longInputs() {
    const auto bpe = makeTokenizer(makeFile(bpeSpec({"aa", byteChar(' ') + byteChar(' ')},
                                                    {"a a", byteChar(' ') + " " + byteChar(' ')}),
                                            "bpe-long.gguf"));
    const std::string spaces = "x" + std::string(1 << 20, ' ') + "y";
    QCOMPARE(bpe->decode(bpe->encode(spaces)), spaces);
    const std::string word(200000, 'a');
    const auto ids = bpe->encode(word);
    QCOMPARE(ids.size(), size_t{100000});
    const auto spm = makeTokenizer(
        makeFile(spmSpec({{"▁", -1}, {"▁▁", -2}, {"a", -1}, {"aa", -2}}), "spm-long.gguf"));
    QCOMPARE(spm->decode(spm->encode(spaces)), spaces);
    QCOMPARE(spm->decode(spm->encode(word)), word);
}

void TestTokenizer::vocabsWithoutExpectationsRoundTrip() {
    LAMP_REQUIRE_SHARED(shared);
    std::vector<std::filesystem::path> files{shared / "models/vocab/ggml-vocab-baichuan.gguf",
                                             shared / "models/vocab/ggml-vocab-gpt-neox.gguf"};
    for (const auto& entry : std::filesystem::directory_iterator(shared / "models"))
        if (entry.path().extension() == ".gguf")
            files.push_back(entry.path());
    std::sort(files.begin() + 2, files.end());
    QVERIFY(files.size() > 4);
    for (const auto& path : files) {
        const auto t = makeTokenizer(GgufFile::open(path));
        for (const auto& text : sampleTexts()) {
            const auto ids = t->encode(text);
            QVERIFY2(!ids.empty(), qPrintable(QString::fromStdString(path.filename().string())));
            const std::string back = t->decode(ids);
            if (back != text)
                QFAIL(qPrintable(QString::fromStdString(path.filename().string() + ": '" + text +
                                                        "' came back as '" + back + "'")));
            QCOMPARE(t->decode(t->encode(text, {.addSpecial = true})), text);
        }
    }
}

void TestTokenizer::streamingNeverBreaksUtf8() {
    // Synthetic: every multi-byte character goes through byte fallback.
    const auto tiny = makeTokenizer(makeFile(spmSpec({{"▁", -1}, {"a", -1}}), "spm-stream.gguf"));
    std::vector<const Tokenizer*> tokenizers{tiny.get()};
    std::vector<std::unique_ptr<Tokenizer>> owned;
    if (const auto shared = test::sharedDir()) {
        for (const char* name : {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-qwen2.gguf",
                                 "vocab/ggml-vocab-gpt-2.gguf", "stories260K.gguf"}) {
            owned.push_back(makeTokenizer(GgufFile::open(*shared / "models" / name)));
            tokenizers.push_back(owned.back().get());
        }
    }
    for (const Tokenizer* t : tokenizers) {
        for (const auto& text : sampleTexts()) {
            const auto ids = t->encode(text);
            bool valid = false;
            const std::string out = streamed(*t, ids, valid);
            QVERIFY2(valid, text.c_str());
            QCOMPARE(out, t->decode(ids));
            QCOMPARE(out, text);
        }
    }
    // Emoji on LLaMA's SentencePiece vocabulary come as four <0xNN> tokens: nothing is emitted
    // until the fourth.
    if (owned.empty())
        return;
    const Tokenizer& spm = *owned.front();
    const auto ids = spm.encode("🦙");
    QCOMPARE(ids, (std::vector<int32_t>{29871, 243, 162, 169, 156}));
    StreamingDetokenizer stream(spm);
    QCOMPARE(stream.push(ids[0]), std::string());  // the prefix space, stripped
    QCOMPARE(stream.push(ids[1]), std::string());
    QCOMPARE(stream.push(ids[2]), std::string());
    QCOMPARE(stream.push(ids[3]), std::string());
    QCOMPARE(stream.pendingBytes(), size_t{3});
    QCOMPARE(stream.push(ids[4]), std::string("🦙"));
}

void TestTokenizer::streamingReplacesInvalidBytes() {
    const auto t = makeTokenizer(makeFile(spmSpec({{"▁", -1}, {"a", -1}}), "spm-invalid.gguf"));
    const auto byteId = [&](int b) { return t->vocab().byteToken(static_cast<uint8_t>(b)); };
    const int32_t a = t->vocab().find("a");
    // E4 starts a 3-byte character that "a" interrupts; a lone continuation byte; then a truncated
    // character at the end.
    const std::vector<int32_t> ids{byteId(0xE4), byteId(0xB8), a, byteId(0x80), a,
                                   byteId(0xF0), byteId(0x9F)};
    bool valid = false;
    const std::string out = streamed(*t, ids, valid);
    QVERIFY(valid);
    QCOMPARE(out, utf8::sanitize(t->decode(ids)));
    QCOMPARE(out, std::string("\xEF\xBF\xBD"
                              "a"
                              "\xEF\xBF\xBD"
                              "a"
                              "\xEF\xBF\xBD"));
    QVERIFY(!utf8::isValid(t->decode(ids)));
}

void TestTokenizer::concurrentEncoding() {
    // One tokenizer, several threads: the results equal the single-threaded ones.
    const auto t = makeTokenizer(makeFile(
        bpeSpec({"ab", byteChar(' ') + "a"}, {"a b", byteChar(' ') + " a"}), "bpe-threads.gguf"));
    std::string big;
    for (int i = 0; i < 200; ++i)
        for (const auto& text : sampleTexts())
            big += text;
    const auto expected = t->encode(big);
    std::vector<std::vector<int32_t>> results(4);
    std::vector<std::thread> threads;
    for (auto& r : results)
        threads.emplace_back([&t, &big, &r] {
            for (int k = 0; k < 5; ++k)
                r = t->encode(big);
        });
    for (auto& th : threads)
        th.join();
    for (const auto& r : results)
        QCOMPARE(r, expected);
}

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
