// The forward pass against an established engine: for every model in
// ../shared/reference/models.json, every case's token sequence is evaluated from position 0 and the
// logits of every position must be within the recorded NMSE tolerance of the reference
// (NMSE = Σ(ours − ref)² / Σ ref² over the whole array), with the default F16 KV cache and with an
// F32 one. Greedy continuations must match the recorded ids token for token. The measured NMSE of
// every model is printed.
#include "model/model.h"
#include "model/session.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"

#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <fstream>

using namespace lamp;

namespace {

std::vector<int32_t> ids(const QJsonArray& array) {
    std::vector<int32_t> out;
    for (const auto& v : array)
        out.push_back(static_cast<int32_t>(v.toInteger()));
    return out;
}

std::vector<float> readFloats(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        return {};
    const auto bytes = static_cast<size_t>(in.tellg());
    std::vector<float> out(bytes / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
    return out;
}

double nmse(std::span<const float> ours, std::span<const float> ref) {
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double d = static_cast<double>(ours[i]) - ref[i];
        num += d * d;
        den += static_cast<double>(ref[i]) * ref[i];
    }
    return num / den;
}

int32_t argmax(std::span<const float> logits) {
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

QJsonObject readManifest(const std::filesystem::path& shared) {
    QFile f(QString::fromStdString((shared / "reference" / "models.json").string()));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestReferenceLogits : public QObject {
    Q_OBJECT

private slots:
    void logitsMatchReference() {
        LAMP_REQUIRE_SHARED(shared);
        const QJsonObject manifest = readManifest(shared);
        const QJsonArray models = manifest.value("models").toArray();
        QVERIFY2(!models.isEmpty(), "reference/models.json lists no models");
        QStringList failures;
        int checked = 0;
        for (const auto& m : models) {
            const QJsonObject entry = m.toObject();
            const std::string file = entry.value("file").toString().toStdString();
            auto model = Model::load(shared / file);
            for (const auto& c : entry.value("cases").toArray()) {
                const QJsonObject kase = c.toObject();
                const auto tokens = ids(kase.value("tokens").toArray());
                const int64_t vocab = kase.value("n_vocab").toInteger();
                const double tolerance = kase.value("tolerance_nmse").toDouble();
                const auto ref = readFloats(shared / kase.value("logits").toString().toStdString());
                QCOMPARE(model->vocabSize(), vocab);
                QCOMPARE(ref.size(), tokens.size() * static_cast<size_t>(vocab));
                QString line = QString("%1 [%2]:").arg(QString::fromStdString(file), kase.value("name").toString());
                for (KvType kv : {KvType::F16, KvType::F32}) {
                    SessionOptions options;
                    options.contextLength = static_cast<int64_t>(tokens.size());
                    options.threads = kv == KvType::F16 ? 2 : 1;  // both the pooled and the inline paths
                    options.kvType = kv;
                    Session session(*model, options);
                    const auto r = session.evaluate(tokens, Logits::All);
                    QCOMPARE(r.evaluated, static_cast<int64_t>(tokens.size()));
                    const double e = nmse(session.allLogits(), ref);
                    const char* kvName = kv == KvType::F16 ? "F16" : "F32";
                    line += QString(" NMSE %1 KV %2").arg(kvName).arg(e, 0, 'g', 3);
                    if (!(e <= tolerance))
                        failures << QString("%1 with %2 KV: NMSE %3 > tolerance %4")
                                        .arg(QString::fromStdString(file), kvName)
                                        .arg(e, 0, 'g', 3)
                                        .arg(tolerance, 0, 'g', 3);
                }
                line += QString(" (tolerance %1, llama.cpp F16 KV %2)")
                            .arg(tolerance, 0, 'g', 3)
                            .arg(kase.value("llama_cpp_nmse_f16_kv").toDouble(), 0, 'g', 3);
                qInfo("%s", qPrintable(line));
                ++checked;
            }
        }
        QVERIFY(checked > 0);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join("\n")));
    }

    void greedyMatchesReference() {
        LAMP_REQUIRE_SHARED(shared);
        const QJsonArray greedy = readManifest(shared).value("greedy").toArray();
        QVERIFY2(!greedy.isEmpty(), "reference/models.json lists no greedy continuations");
        for (const auto& g : greedy) {
            const QJsonObject entry = g.toObject();
            const std::string file = entry.value("file").toString().toStdString();
            const auto prompt = ids(entry.value("prompt_tokens").toArray());
            const auto expected = ids(entry.value("greedy_tokens").toArray());
            auto model = Model::load(shared / file);
            SessionOptions options;
            options.contextLength = static_cast<int64_t>(prompt.size() + expected.size());
            options.threads = 2;
            Session session(*model, options);
            // The prompt tokenizes to the recorded ids with the model's own tokenizer.
            if (entry.contains("prompt")) {
                const auto encoded = model->tokenizer().encode(entry.value("prompt").toString().toStdString(),
                                                               EncodeOptions{true, false});
                QCOMPARE(encoded, prompt);
            }
            session.evaluate(prompt);
            size_t matched = 0;
            for (; matched < expected.size(); ++matched) {
                const int32_t next = argmax(session.logits());
                if (next != expected[matched])
                    break;
                if (matched + 1 < expected.size())
                    session.append(next);
            }
            qInfo("%s: greedy %zu of %zu tokens match", file.c_str(), matched, expected.size());
            QCOMPARE(matched, expected.size());
        }
    }
};

QTEST_APPLESS_MAIN(TestReferenceLogits)
#include "test_reference_logits.moc"
