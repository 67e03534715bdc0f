// Chat formatting against Python's jinja2: every collected real template (tests/data/chat_templates,
// see its README) renders every test conversation byte for byte as jinja2 3.1.2 does in Hugging
// Face's environment (expected/, written by render.py), including the conversations the templates
// refuse with raise_exception(). The built-in templates are those real templates; fromModel() reads
// the template of the shared GGUF vocab files and falls back to a built-in when a file has none or
// a broken one.
#include "chat/builtin_templates.h"
#include "chat/chat_template.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/shared_data.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace lamp;
namespace fs = std::filesystem;

namespace {

fs::path dataDir() { return fs::path(__FILE__).parent_path() / "data" / "chat_templates"; }

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

QJsonDocument readJson(const fs::path& path) {
    const std::string text = readFile(path);
    return QJsonDocument::fromJson(QByteArray::fromStdString(text));
}

struct TemplateEntry {
    std::string name;
    std::string source;
    std::string bos;
    std::string eos;
    std::string builtin;
};

std::vector<TemplateEntry> templates() {
    std::vector<TemplateEntry> out;
    for (const auto& v : readJson(dataDir() / "templates.json").array()) {
        const QJsonObject o = v.toObject();
        out.push_back({o["name"].toString().toStdString(),
                       readFile(dataDir() / o["file"].toString().toStdString()),
                       o["bos_token"].toString().toStdString(), o["eos_token"].toString().toStdString(),
                       o["builtin"].toString().toStdString()});
    }
    return out;
}

struct Conversation {
    std::string name;
    std::vector<ChatMessage> messages;
    bool addGenerationPrompt = true;
};

std::vector<Conversation> conversations() {
    std::vector<Conversation> out;
    const QJsonObject cases = readJson(dataDir() / "cases.json").object();
    for (auto it = cases.begin(); it != cases.end(); ++it) {
        Conversation c;
        c.name = it.key().toStdString();
        const QJsonObject o = it.value().toObject();
        c.addGenerationPrompt = o["add_generation_prompt"].toBool();
        for (const auto& m : o["messages"].toArray())
            c.messages.push_back({m.toObject()["role"].toString().toStdString(), m.toObject()["content"].toString().toStdString()});
        out.push_back(std::move(c));
    }
    return out;
}

std::tm fixedTime() {
    std::tm tm{};
    tm.tm_year = 2025 - 1900;
    tm.tm_mon = 2;
    tm.tm_mday = 14;
    tm.tm_hour = 9;
    tm.tm_min = 26;
    tm.tm_sec = 53;
    tm.tm_wday = 5;
    tm.tm_yday = 72;
    return tm;
}

// What jinja2 produced for a template and conversation.
struct Expected {
    bool isError = false;
    bool raised = false;   // the template called raise_exception()
    std::string text;      // the prompt, or the error message
};

Expected expected(const std::string& templateName, const std::string& caseName) {
    const fs::path ok = dataDir() / "expected" / (templateName + "." + caseName + ".txt");
    if (fs::exists(ok))
        return {false, false, readFile(ok)};
    const std::string err = readFile(dataDir() / "expected" / (templateName + "." + caseName + ".error.txt"));
    const size_t nl = err.find('\n');
    return {true, err.substr(0, nl) == "raise_exception", err.substr(nl + 1)};
}

// Checks one rendering against jinja2's; returns an explanation of the difference or "".
std::string check(const ChatTemplate& t, const Conversation& c, const Expected& want) {
    try {
        const std::string got = t.render(c.messages, c.addGenerationPrompt);
        if (want.isError)
            return "rendered, but jinja2 failed with: " + want.text;
        if (got == want.text)
            return {};
        size_t i = 0;
        while (i < got.size() && i < want.text.size() && got[i] == want.text[i])
            ++i;
        return "differs at byte " + std::to_string(i) + ":\n got:  " + got.substr(i, 80) + "\n want: " +
               want.text.substr(i, 80);
    } catch (const TemplateError& e) {
        if (!want.isError)
            return std::string("failed: ") + e.what();
        if (want.raised && (!e.raisedByTemplate() || e.detail() != want.text))
            return std::string("expected raise_exception('") + want.text + "'), got: " + e.what();
        return {};
    }
}

std::string imStart(const std::string& role, const std::string& content) {
    return "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
}

// A vocabulary-only GGUF for fromModel().
GgufFile makeGguf(const std::vector<std::string>& tokens, const std::optional<std::string>& chatTemplate,
                  const std::string& name = "test-model", const std::string& arch = "llama") {
    GgufWriter w;
    w.set("general.architecture", arch);
    w.set("general.name", name);
    w.set("tokenizer.ggml.model", "gpt2");
    w.set("tokenizer.ggml.tokens", GgufValue::stringArray(tokens));
    w.set("tokenizer.ggml.bos_token_id", uint32_t{1});
    w.set("tokenizer.ggml.eos_token_id", uint32_t{2});
    if (chatTemplate)
        w.set("tokenizer.chat_template", *chatTemplate);
    const auto bytes = w.toBytes();
    return GgufFile::fromBytes(bytes, name + ".gguf");
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

} // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY2(fs::exists(dataDir() / "templates.json"), dataDir().string().c_str());
        QVERIFY(templates().size() >= 10);
    }

    // Every template x conversation, byte for byte against jinja2.
    void matchesJinja2_data() {
        QTest::addColumn<QString>("templateName");
        QTest::addColumn<QString>("caseName");
        for (const auto& t : templates())
            for (const auto& c : conversations())
                QTest::newRow((t.name + "." + c.name).c_str()) << QString::fromStdString(t.name) << QString::fromStdString(c.name);
    }

    void matchesJinja2() {
        QFETCH(QString, templateName);
        QFETCH(QString, caseName);
        const auto all = templates();
        const auto convs = conversations();
        const auto t = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == templateName.toStdString(); });
        const auto c = std::find_if(convs.begin(), convs.end(), [&](const auto& e) { return e.name == caseName.toStdString(); });
        QVERIFY(t != all.end() && c != convs.end());
        ChatTemplate tmpl = ChatTemplate::fromSource(t->source, t->bos, t->eos);
        tmpl.setFixedTime(fixedTime());
        const std::string problem = check(tmpl, *c, expected(t->name, c->name));
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void everyRaiseExceptionCaseIsCovered() {
        // The data must exercise refusals, or the raise_exception path goes untested.
        int raised = 0;
        for (const auto& entry : fs::directory_iterator(dataDir() / "expected"))
            if (entry.path().filename().string().find(".error.txt") != std::string::npos &&
                readFile(entry.path()).rfind("raise_exception\n", 0) == 0)
                ++raised;
        QVERIFY(raised >= 10);
    }

    // The built-ins are the real templates: same text, same renderings.
    void builtinsAreTheRealTemplates() {
        const auto all = templates();
        for (const BuiltinTemplate kind : kAllBuiltinTemplates) {
            const std::string name(builtinTemplateName(kind));
            QCOMPARE(builtinTemplateFromName(name), std::optional<BuiltinTemplate>(kind));
            const auto t = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.builtin == name; });
            QVERIFY2(t != all.end(), ("no collected template is marked as built-in " + name).c_str());
            QCOMPARE(std::string(builtinTemplateSource(kind)), t->source);
            const ChatTemplate b = ChatTemplate::builtin(kind);
            QCOMPARE(b.builtinKind(), std::optional<BuiltinTemplate>(kind));
            QCOMPARE(b.bosToken(), t->bos);
            QCOMPARE(b.eosToken(), t->eos);
            QVERIFY2(contains(b.description(), "built-in " + name), b.description().c_str());
            for (const auto& c : conversations()) {
                const std::string problem = check(b, c, expected(t->name, c.name));
                QVERIFY2(problem.empty(), (name + "." + c.name + ": " + problem).c_str());
            }
        }
        QCOMPARE(builtinTemplateFromName("ChatML"), std::optional<BuiltinTemplate>(BuiltinTemplate::ChatML));
        QCOMPARE(builtinTemplateFromName("nonsense"), std::optional<BuiltinTemplate>());
    }

    void rendersMessagesDirectly() {
        const ChatTemplate t = ChatTemplate::builtin(BuiltinTemplate::ChatML);
        const std::vector<ChatMessage> chat = {{"system", "Be brief."}, {"user", "Hi"}};
        QCOMPARE(t.render(chat, true), imStart("system", "Be brief.") + imStart("user", "Hi") + "<|im_start|>assistant\n");
        QCOMPARE(t.render(chat, false), imStart("system", "Be brief.") + imStart("user", "Hi"));
        QCOMPARE(t.render({}, true), std::string("<|im_start|>assistant\n"));
    }

    void refusalIsATemplateErrorWithTheMessage() {
        const ChatTemplate t = ChatTemplate::builtin(BuiltinTemplate::Llama2);
        try {
            t.render({{"user", "a"}, {"user", "b"}}, true);
            QFAIL("the Llama 2 template accepted two user turns in a row");
        } catch (const TemplateError& e) {
            QVERIFY(e.raisedByTemplate());
            QCOMPARE(e.detail(), std::string("Conversation roles must alternate user/assistant/user/assistant/..."));
            QVERIFY(e.line() >= 1);
        }
    }

    void customTemplateSyntaxError() {
        try {
            ChatTemplate::fromSource("{% for m in messages %}\n{{ m.content }", "", "");
            QFAIL("a broken template parsed");
        } catch (const TemplateError& e) {
            QCOMPARE(e.kind(), TemplateError::Kind::Syntax);
            QCOMPARE(e.line(), 2);
        }
    }

    void fromModelUsesTheModelsTemplate_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("templateName");
        QTest::newRow("llama 3") << "ggml-vocab-llama-bpe.gguf" << "llama3-gguf";
        QTest::newRow("qwen 3") << "ggml-vocab-qwen2.gguf" << "qwen3-gguf";
        QTest::newRow("phi 3") << "ggml-vocab-phi-3.gguf" << "phi3-gguf";
    }

    void fromModelUsesTheModelsTemplate() {
        LAMP_REQUIRE_SHARED(shared);
        QFETCH(QString, file);
        QFETCH(QString, templateName);
        const GgufFile gguf = GgufFile::open(shared / "models" / "vocab" / file.toStdString());
        ChatTemplate t = ChatTemplate::fromModel(gguf);
        t.setFixedTime(fixedTime());
        QCOMPARE(t.builtinKind(), std::optional<BuiltinTemplate>());
        QVERIFY2(contains(t.description(), "the model's chat template"), t.description().c_str());
        const auto all = templates();
        const auto entry = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == templateName.toStdString(); });
        QVERIFY(entry != all.end());
        QCOMPARE(t.source(), entry->source);
        QCOMPARE(t.bosToken(), entry->bos);
        QCOMPARE(t.eosToken(), entry->eos);
        for (const auto& c : conversations()) {
            const std::string problem = check(t, c, expected(entry->name, c.name));
            QVERIFY2(problem.empty(), (c.name + ": " + problem).c_str());
        }
    }

    void fromModelWithoutTemplateFallsBack() {
        LAMP_REQUIRE_SHARED(shared);
        const GgufFile gguf = GgufFile::open(shared / "models" / "vocab" / "ggml-vocab-llama-spm.gguf");
        const ChatTemplate t = ChatTemplate::fromModel(gguf);
        QVERIFY(t.builtinKind().has_value());
        QVERIFY2(contains(t.description(), "no tokenizer.chat_template"), t.description().c_str());
        QCOMPARE(t.bosToken(), std::string("<s>"));
        QCOMPARE(t.eosToken(), std::string("</s>"));
    }

    void brokenTemplateFallsBackAndSaysSo() {
        const GgufFile gguf = makeGguf({"<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"}, "{% if %}broken");
        const ChatTemplate t = ChatTemplate::fromModel(gguf);
        QCOMPARE(t.builtinKind(), std::optional<BuiltinTemplate>(BuiltinTemplate::ChatML));
        QVERIFY2(contains(t.description(), "cannot be used"), t.description().c_str());
        QVERIFY2(contains(t.description(), "syntax error"), t.description().c_str());
        QVERIFY2(contains(t.description(), "<|im_start|>"), t.description().c_str());
        QCOMPARE(t.bosToken(), std::string("<s>"));
        QCOMPARE(t.render({{"user", "Hi"}}, true), imStart("user", "Hi") + "<|im_start|>assistant\n");
    }

    void templateThatFailsToRenderFallsBack() {
        // Parses, but uses a filter this interpreter lacks: the trial render catches it.
        const GgufFile gguf = makeGguf({"<unk>", "<s>", "</s>", "<|start_header_id|>"}, "{{ messages|groupby('role') }}");
        const ChatTemplate t = ChatTemplate::fromModel(gguf);
        QCOMPARE(t.builtinKind(), std::optional<BuiltinTemplate>(BuiltinTemplate::Llama3));
        QVERIFY2(contains(t.description(), "groupby"), t.description().c_str());
    }

    void templateThatRefusesTheTrialConversationIsKept() {
        const std::string source = "{% if messages[0].role != 'system' %}{{ raise_exception('Needs a system prompt') }}"
                                   "{% endif %}{% for m in messages %}{{ m.content }};{% endfor %}";
        const ChatTemplate t = ChatTemplate::fromModel(makeGguf({"<unk>", "<s>", "</s>"}, source));
        QCOMPARE(t.builtinKind(), std::optional<BuiltinTemplate>());
        QCOMPARE(t.render({{"system", "S"}, {"user", "U"}}, true), std::string("S;U;"));
    }

    void fallbackHeuristics_data() {
        QTest::addColumn<QStringList>("tokens");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("builtin");
        QTest::newRow("[INST] token") << QStringList{"<unk>", "<s>", "</s>", "[INST]", "[/INST]"} << "x" << "llama" << "mistral";
        QTest::newRow("gemma tokens") << QStringList{"<pad>", "<bos>", "<eos>", "<start_of_turn>"} << "x" << "gemma2" << "gemma";
        QTest::newRow("phi tokens") << QStringList{"<unk>", "<s>", "</s>", "<|user|>", "<|end|>"} << "x" << "phi3" << "phi3";
        QTest::newRow("tinyllama name") << QStringList{"<unk>", "<s>", "</s>"} << "TinyLlama-1.1B-Chat-v1.0" << "llama" << "zephyr";
        QTest::newRow("llama 2 name") << QStringList{"<unk>", "<s>", "</s>"} << "Llama-2-7b-chat" << "llama" << "llama2";
        QTest::newRow("gemma arch") << QStringList{"<unk>", "<s>", "</s>"} << "x" << "gemma" << "gemma";
        QTest::newRow("nothing known") << QStringList{"<unk>", "<s>", "</s>"} << "x" << "llama" << "chatml";
    }

    void fallbackHeuristics() {
        QFETCH(QStringList, tokens);
        QFETCH(QString, name);
        QFETCH(QString, arch);
        QFETCH(QString, builtin);
        std::vector<std::string> toks;
        for (const auto& s : tokens)
            toks.push_back(s.toStdString());
        const ChatTemplate t = ChatTemplate::fromModel(makeGguf(toks, std::nullopt, name.toStdString(), arch.toStdString()));
        QCOMPARE(t.builtinKind(), builtinTemplateFromName(builtin.toStdString()));
        QVERIFY2(contains(t.description(), "chosen because"), t.description().c_str());
        QCOMPARE(t.bosToken(), toks[1]);
        QCOMPARE(t.eosToken(), toks[2]);
    }

    void pinnedTimeReachesStrftimeNow() {
        ChatTemplate t = ChatTemplate::fromSource("{{ strftime_now('%d %b %Y') }}", "", "");
        t.setFixedTime(fixedTime());
        QCOMPARE(t.render({}, false), std::string("14 Mar 2025"));
    }
};

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
