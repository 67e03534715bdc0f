// Tokenizers against llama.cpp's expectations: every ../shared/reference/tokenizer/<vocab>.inp
// string, tokenized with the vocabulary ../shared/models/vocab/<vocab> (no BOS/EOS, no special
// parsing), must give the ids on the matching line of <vocab>.out, token for token.
//
// Round trip, defined precisely: for plain text s, decode(encode(s)) == s byte for byte, where
// decode uses the default options (the SentencePiece space prefix that encode adds is removed
// again). Every vocabulary here can represent every test string: SentencePiece ones through <0xNN>
// byte fallback, byte-level BPE ones through their 256 byte tokens.
#include "gguf/gguf_file.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace lamp;

namespace {

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The .inp format: strings separated by "\n__ggml_vocab_test__\n"; the file ends with a separator.
std::vector<std::string> splitInputs(const std::string& text) {
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t next = text.find(sep, pos);
        if (next == std::string::npos) {
            out.push_back(text.substr(pos));
            break;
        }
        out.push_back(text.substr(pos, next - pos));
        pos = next + sep.size();
    }
    return out;
}

// The .out format: one line per string, ids separated by spaces (with a leading space).
std::vector<std::vector<int32_t>> parseOutputs(const std::string& text) {
    std::vector<std::vector<int32_t>> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream ids(line);
        std::vector<int32_t> row;
        long long id;
        while (ids >> id)
            row.push_back(static_cast<int32_t>(id));
        out.push_back(std::move(row));
    }
    return out;
}

std::string idsToString(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids) {
        s += ' ';  // two appends: gcc 12 at -O3 warns falsely (-Wrestrict) on " " + std::string
        s += std::to_string(id);
    }
    return s;
}

std::string escaped(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()))
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .toStdString();
}

} // namespace

class TestTokenizerReference : public QObject {
    Q_OBJECT

private slots:
    void expectations_data();
    void expectations();
    void roundTrip_data() { expectations_data(); }
    void roundTrip();
};

void TestTokenizerReference::expectations_data() {
    QTest::addColumn<QString>("vocab");
    const auto shared = test::sharedDir();
    if (!shared) {
        QTest::newRow("no-shared") << QString();
        return;
    }
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(*shared / "reference/tokenizer"))
        if (entry.path().extension() == ".inp")
            names.push_back(entry.path().stem().string());  // "ggml-vocab-x.gguf"
    std::sort(names.begin(), names.end());
    for (const auto& name : names)
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
}

void TestTokenizerReference::expectations() {
    LAMP_REQUIRE_SHARED(shared);
    QFETCH(QString, vocab);
    const std::string name = vocab.toStdString();
    const auto inputs = splitInputs(readFile(shared / "reference/tokenizer" / (name + ".inp")));
    const auto expected = parseOutputs(readFile(shared / "reference/tokenizer" / (name + ".out")));
    QCOMPARE(inputs.size(), expected.size());
    QVERIFY(!inputs.empty());

    const auto file = GgufFile::open(shared / "models/vocab" / name);
    const auto tokenizer = makeTokenizer(file);

    size_t passed = 0;
    std::string failures;
    for (size_t k = 0; k < inputs.size(); ++k) {
        const auto got = tokenizer->encode(inputs[k]);
        if (got == expected[k]) {
            ++passed;
            continue;
        }
        failures += "\n  [" + std::to_string(k) + "] '" + escaped(inputs[k]) + "'\n    expected" +
                    idsToString(expected[k]) + "\n    got     " + idsToString(got);
    }
    qInfo("%s: %zu/%zu strings tokenized as expected", name.c_str(), passed, inputs.size());
    if (!failures.empty())
        QFAIL(("mismatches:" + failures).c_str());
}

void TestTokenizerReference::roundTrip() {
    LAMP_REQUIRE_SHARED(shared);
    QFETCH(QString, vocab);
    const std::string name = vocab.toStdString();
    const auto inputs = splitInputs(readFile(shared / "reference/tokenizer" / (name + ".inp")));
    const auto file = GgufFile::open(shared / "models/vocab" / name);
    const auto tokenizer = makeTokenizer(file);

    std::string failures;
    for (size_t k = 0; k < inputs.size(); ++k) {
        const auto ids = tokenizer->encode(inputs[k]);
        const std::string back = tokenizer->decode(ids);
        if (back != inputs[k])
            failures += "\n  [" + std::to_string(k) + "] '" + escaped(inputs[k]) + "' -> '" +
                        escaped(back) + "'";
        // With BOS/EOS added, decoding with the defaults still gives the text back.
        const auto withSpecial = tokenizer->encode(inputs[k], {.addSpecial = true});
        if (tokenizer->decode(withSpecial) != inputs[k])
            failures +=
                "\n  [" + std::to_string(k) + "] with BOS/EOS: '" + escaped(inputs[k]) + "'";
    }
    if (!failures.empty())
        QFAIL(("round trip differs:" + failures).c_str());
}

QTEST_APPLESS_MAIN(TestTokenizerReference)
#include "test_tokenizer_reference.moc"
