// The forward pass against an established engine: for every model in
// ../shared/reference/models.json, every case's token sequence is evaluated from position 0 and the
// logits of every position must be within the recorded NMSE tolerance of the reference
// (NMSE = Σ(ours − ref)² / Σ ref² over the whole array), with the default F16 KV cache and with an
// F32 one. Greedy continuations must match the recorded ids token for token. The measured NMSE of
// every model is printed.
#include "model/model.h"
#include "model/session.h"
#include "support/reference_data.h"
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
using lamp::test::argmax;
using lamp::test::nmse;
using lamp::test::readFloats;

class TestReferenceLogits : public QObject {
    Q_OBJECT

private slots:
    void logitsMatchReference() {
        LAMP_REQUIRE_SHARED(shared);
        const QJsonObject manifest = test::readReferenceManifest(shared);
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
                const auto tokens = test::tokenIds(kase.value("tokens").toArray());
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
        const QJsonArray greedy = test::readReferenceManifest(shared).value("greedy").toArray();
        QVERIFY2(!greedy.isEmpty(), "reference/models.json lists no greedy continuations");
        for (const auto& g : greedy) {
            const QJsonObject entry = g.toObject();
            const std::string file = entry.value("file").toString().toStdString();
            const auto prompt = test::tokenIds(entry.value("prompt_tokens").toArray());
            const auto expected = test::tokenIds(entry.value("greedy_tokens").toArray());
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
