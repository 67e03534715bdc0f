// Sessions: prefix reuse between turns (counted), batch sizes that give the same logits, the
// context-full policy (fitTurns / evaluateTurns for chats, the keep-and-drop-half rule of append),
// prompts longer than the context, and load errors that name the missing or mis-shaped tensor.
#include "data/hand_model/hand_models.h"
#include "support/tiny_models.h"

#include "model/model.h"
#include "model/model_error.h"
#include "model/session.h"

#include <QtTest>

#include <cmath>
#include <numeric>
#include <thread>

using namespace lamp;

namespace {

std::unique_ptr<Model> tinyModel() {
    return Model::load(GgufFile::fromBytes(test::tinyLlamaModel().toBytes(), "tiny-llama.gguf"));
}

// Deterministic token ids below `vocab`.
std::vector<int32_t> someTokens(size_t n, int32_t vocab, int32_t seed = 3) {
    std::vector<int32_t> out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<int32_t>((static_cast<int64_t>(i) * 37 + seed * 11 + 5) % vocab);
    return out;
}

double maxDiff(std::span<const float> a, std::span<const float> b) {
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]));
    return worst;
}

// The logits after `tokens` in a fresh session (the comparison every reuse test makes).
std::vector<float> freshLogits(const Model& model, std::span<const int32_t> tokens, int64_t ctx) {
    Session s(model, ctx, 2);
    s.evaluate(tokens);
    return {s.logits().begin(), s.logits().end()};
}

template <typename F>
QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT

private slots:
    void followUpEvaluatesOnlyNewTokens() {
        auto model = tinyModel();
        const int32_t vocab = static_cast<int32_t>(model->vocabSize());
        Session session(*model, 128, 2);
        const auto system = someTokens(12, vocab, 1), turn1 = someTokens(9, vocab, 2);
        const auto answer = someTokens(7, vocab, 4), turn2 = someTokens(5, vocab, 5);

        std::vector<int32_t> conversation = system;
        conversation.insert(conversation.end(), turn1.begin(), turn1.end());
        auto r = session.evaluate(conversation);
        QCOMPARE(r.reused, int64_t{0});
        QCOMPARE(r.evaluated, int64_t{21});

        // The follow-up turn: the whole conversation again plus the answer and the next message.
        conversation.insert(conversation.end(), answer.begin(), answer.end());
        conversation.insert(conversation.end(), turn2.begin(), turn2.end());
        r = session.evaluate(conversation);
        QCOMPARE(r.reused, int64_t{21});
        QCOMPARE(r.evaluated, int64_t{12});
        QCOMPARE(session.tokens(), conversation);
        QVERIFY(maxDiff(session.logits(), freshLogits(*model, conversation, 128)) < 1e-4);

        // The same tokens again: nothing to evaluate, the logits are at hand.
        r = session.evaluate(conversation);
        QCOMPARE(r.evaluated, int64_t{0});
        QCOMPARE(r.reused, int64_t{33});

        // An edited last message: only the tokens after the common prefix.
        auto edited = conversation;
        edited[30] = (edited[30] + 1) % vocab;
        r = session.evaluate(edited);
        QCOMPARE(r.reused, int64_t{30});
        QCOMPARE(r.evaluated, int64_t{3});
        QVERIFY(maxDiff(session.logits(), freshLogits(*model, edited, 128)) < 1e-4);

        // A view into the session's own tokens works too.
        r = session.evaluate(std::span(session.tokens()).first(25));
        QCOMPARE(r.evaluated, int64_t{1});
        QCOMPARE(session.size(), int64_t{25});

        // Going back to a prefix (regenerating an answer): the last token is evaluated again for
        // its logits.
        r = session.evaluate(std::span(conversation).first(21));
        QCOMPARE(r.reused, int64_t{20});
        QCOMPARE(r.evaluated, int64_t{1});
        QCOMPARE(session.size(), int64_t{21});
        QVERIFY(maxDiff(session.logits(), freshLogits(*model, std::span(conversation).first(21), 128)) < 1e-4);
    }

    void batchSizesGiveTheSameLogits() {
        auto model = tinyModel();
        const auto tokens = someTokens(70, static_cast<int32_t>(model->vocabSize()));
        for (KvType kv : {KvType::F32, KvType::F16}) {
        std::vector<float> reference;
        for (int64_t batch : {512, 1, 7, 64}) {
            SessionOptions options;
            options.contextLength = 128;
            options.threads = 2;
            options.batchSize = batch;
            options.kvType = kv;
            Session session(*model, options);
            const auto r = session.evaluate(tokens, Logits::All);
            QCOMPARE(r.evaluated, int64_t{70});
            QCOMPARE(session.allLogits().size(), 70 * static_cast<size_t>(model->vocabSize()));
            if (reference.empty()) {
                reference.assign(session.allLogits().begin(), session.allLogits().end());
                continue;
            }
            const double diff = maxDiff(session.allLogits(), reference);
            qInfo("%s KV, batch %lld vs 512: max |difference| %.3g", kv == KvType::F32 ? "F32" : "F16",
                  static_cast<long long>(batch), diff);
            QVERIFY2(diff < 1e-4, qPrintable(QString("batch %1 differs by %2").arg(batch).arg(diff)));
        }
        }
    }

    void progressAndCancel() {
        auto model = tinyModel();
        const auto tokens = someTokens(50, static_cast<int32_t>(model->vocabSize()));
        SessionOptions options;
        options.contextLength = 64;
        options.batchSize = 16;
        Session session(*model, options);
        std::vector<int64_t> seen;
        session.setProgress([&](int64_t done, int64_t total) {
            seen.push_back(done);
            return !(done >= 32 && total == 50);  // stop the first time after two batches
        });
        auto r = session.evaluate(tokens);
        QVERIFY(r.cancelled);
        QCOMPARE(seen, (std::vector<int64_t>{16, 32}));
        QCOMPARE(session.size(), int64_t{32});
        QVERIFY(session.logits().empty());
        // Resuming reuses what was evaluated.
        session.setProgress({});
        r = session.evaluate(tokens);
        QVERIFY(!r.cancelled);
        QCOMPARE(r.reused, int64_t{32});
        QCOMPARE(r.evaluated, int64_t{18});
        QVERIFY(maxDiff(session.logits(), freshLogits(*model, tokens, 64)) < 1e-4);
    }

    // Sessions of one model run at the same time on different threads.
    void sessionsRunConcurrently() {
        auto model = tinyModel();
        const int32_t vocab = static_cast<int32_t>(model->vocabSize());
        std::vector<std::vector<float>> results(3);
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i)
            threads.emplace_back([&, i] {
                Session s(*model, 64, 1);
                for (int32_t t : someTokens(20, vocab, i))
                    s.append(t);
                results[static_cast<size_t>(i)].assign(s.logits().begin(), s.logits().end());
            });
        for (auto& t : threads)
            t.join();
        for (int i = 0; i < 3; ++i)
            QVERIFY(maxDiff(results[static_cast<size_t>(i)], freshLogits(*model, someTokens(20, vocab, i), 64)) < 1e-4);
    }

    void kvCacheSize() {
        auto model = tinyModel();
        const ModelSpec& s = model->spec();
        Session f16(*model, 100, 1);
        QCOMPARE(f16.kvBytes(), static_cast<size_t>(2 * s.blockCount * 100 * s.headCountKv * (s.keyLength + s.valueLength)));
        QCOMPARE(f16.contextLength(), int64_t{100});
        SessionOptions options;
        options.contextLength = 100;
        options.kvType = KvType::F32;
        QCOMPARE(Session(*model, options).kvBytes(), 2 * f16.kvBytes());
        // Default context: the training context (256 for this model), capped at 4096.
        QCOMPARE(Session(*model).contextLength(), int64_t{256});
    }

    void promptLongerThanContextIsAnError() {
        auto model = tinyModel();
        Session session(*model, 32, 1);
        const auto tokens = someTokens(33, static_cast<int32_t>(model->vocabSize()));
        session.evaluate(std::span(tokens).first(10));
        const auto before = session.tokens();
        const QString message = errorOf([&] { session.evaluate(tokens); });
        QVERIFY2(message.contains("33 tokens do not fit the context of 32"), qPrintable(message));
        QVERIFY_THROWS_EXCEPTION(ContextOverflowError, session.evaluate(tokens));
        QCOMPARE(session.tokens(), before);  // unchanged
        QVERIFY(!session.logits().empty());
        // A token id outside the vocabulary: an error, not a crash, and nothing changes.
        std::vector<int32_t> bad(before);
        bad.push_back(static_cast<int32_t>(model->vocabSize()));
        QVERIFY(errorOf([&] { session.evaluate(bad); }).contains("outside the vocabulary"));
        QCOMPARE(session.tokens(), before);
    }

    // append() on a full context: keep the first keep() tokens, drop the oldest half of the rest,
    // re-evaluate the survivors at their new positions, then append.
    void appendOnFullContextDropsOldestHalf() {
        auto model = tinyModel();
        const auto tokens = someTokens(40, static_cast<int32_t>(model->vocabSize()));
        Session session(*model, 32, 2);
        session.setKeep(8);
        session.evaluate(std::span(tokens).first(32));
        QCOMPARE(session.remaining(), int64_t{0});
        const auto r = session.append(tokens[32]);
        QCOMPARE(r.dropped, int64_t{12});   // (32 − 8) / 2
        QCOMPARE(r.reused, int64_t{8});     // the kept prefix stays in the cache
        QCOMPARE(r.evaluated, int64_t{13}); // 12 survivors re-evaluated + the new token
        std::vector<int32_t> expected(tokens.begin(), tokens.begin() + 8);
        expected.insert(expected.end(), tokens.begin() + 20, tokens.begin() + 33);
        QCOMPARE(session.tokens(), expected);
        QVERIFY(maxDiff(session.logits(), freshLogits(*model, expected, 32)) < 1e-4);
        // Appending keeps working: now there is room for 11 more.
        QCOMPARE(session.append(tokens[33]).dropped, int64_t{0});
        // A block that cannot fit even after dropping everything but the kept prefix.
        QVERIFY_THROWS_EXCEPTION(ContextOverflowError, session.append(someTokens(30, 100)));
    }

    // The chat policy: keep the system prompt and the newest whole turns, drop the oldest.
    void fitTurnsKeepsSystemAndNewestTurns() {
        const std::vector<std::vector<int32_t>> turns{
            {1, 1, 1, 1}, {2, 2, 2, 2, 2}, {3, 3, 3}, {4, 4, 4, 4, 4, 4}, {5, 5}};
        QCOMPARE(fitTurns(turns, 100).size(), size_t{20});                               // everything fits
        QCOMPARE(fitTurns(turns, 15), (std::vector<int32_t>{1, 1, 1, 1, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5}));
        QCOMPARE(fitTurns(turns, 14), (std::vector<int32_t>{1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 5, 5}));
        QCOMPARE(fitTurns(turns, 7), (std::vector<int32_t>{1, 1, 1, 1, 5, 5}));
        QVERIFY_THROWS_EXCEPTION(ContextOverflowError, fitTurns(turns, 5));  // system + newest = 6

        // In a session: the cached system prompt is reused, everything after it re-evaluated.
        auto model = tinyModel();
        const int32_t vocab = static_cast<int32_t>(model->vocabSize());
        std::vector<std::vector<int32_t>> chat{someTokens(10, vocab, 1)};
        Session session(*model, 48, 2);
        for (int turn = 0; turn < 3; ++turn) {
            chat.push_back(someTokens(12, vocab, 10 + turn));
            const auto r = session.evaluateTurns(chat, 8);
            QCOMPARE(r.reused + r.evaluated, session.size());
        }
        QCOMPARE(session.size(), int64_t{34});  // 10 + 2 × 12: 3 turns of 12 need 46 > 48 − 8
        chat.push_back(someTokens(12, vocab, 20));
        const auto r = session.evaluateTurns(chat, 8);
        QCOMPARE(r.reused, int64_t{10});     // only the system prompt was still valid
        QCOMPARE(r.evaluated, int64_t{24});  // the two newest turns
        std::vector<int32_t> expected = chat[0];
        for (size_t i = 3; i < chat.size(); ++i)
            expected.insert(expected.end(), chat[i].begin(), chat[i].end());
        QCOMPARE(session.tokens(), expected);
    }

    void missingOrMisshapedTensorsAreNamed() {
        using hand_model::Damage;
        const struct {
            const char* arch;
            Damage damage;
            const char* expected;
        } cases[] = {
            {"llama", {"blk.1.ffn_up.weight", ""}, "tensor 'blk.1.ffn_up.weight' is missing"},
            {"llama", {"output_norm.weight", ""}, "tensor 'output_norm.weight' is missing"},
            {"llama", {"token_embd.weight", ""}, "tensor 'token_embd.weight' is missing"},
            {"llama", {"", "blk.0.attn_k.weight"}, "tensor 'blk.0.attn_k.weight' has shape [8, 5], expected [8, 4]"},
            {"llama", {"", "blk.1.attn_norm.weight"}, "tensor 'blk.1.attn_norm.weight' has shape [9], expected [8]"},
            {"llama", {"", "rope_freqs.weight"}, "tensor 'rope_freqs.weight' has shape [3], expected [2]"},
            {"qwen2", {"blk.0.attn_q.bias", ""}, "tensor 'blk.0.attn_q.bias' is missing"},
            {"qwen2", {"", "blk.1.attn_v.bias"}, "tensor 'blk.1.attn_v.bias' has shape [5], expected [4]"},
            {"gpt2", {"position_embd.weight", ""}, "tensor 'position_embd.weight' is missing"},
            {"gpt2", {"blk.1.ffn_down.bias", ""}, "tensor 'blk.1.ffn_down.bias' is missing"},
            {"gpt2", {"", "blk.0.attn_qkv.weight"}, "tensor 'blk.0.attn_qkv.weight' has shape [8, 25], expected [8, 24]"},
        };
        for (const auto& c : cases) {
            const std::string arch = c.arch;
            const QString message = errorOf([&] {
                Model::load(arch == "gpt2" ? hand_model::gpt2(c.damage) : hand_model::llamaLike(arch == "qwen2", c.damage));
            });
            QVERIFY2(message.contains(c.expected), qPrintable(arch.c_str() + QString(": ") + message));
            QVERIFY_THROWS_EXCEPTION(ModelError, Model::load(arch == "gpt2" ? hand_model::gpt2(c.damage)
                                                                             : hand_model::llamaLike(arch == "qwen2", c.damage)));
        }
    }

    void unknownArchitectureAndMissingKeys() {
        GgufWriter w;
        w.set("general.architecture", std::string("mamba"));
        QString message = errorOf([&] { Model::load(GgufFile::fromBytes(w.toBytes(), "m.gguf")); });
        QVERIFY2(message.contains("architecture 'mamba' is not supported") && message.contains("llama, qwen2, gpt2"),
                 qPrintable(message));

        GgufWriter k;
        k.set("general.architecture", std::string("llama"));
        k.set("llama.context_length", uint32_t{64});
        message = errorOf([&] { Model::load(GgufFile::fromBytes(k.toBytes(), "k.gguf")); });
        QVERIFY2(message.contains("missing metadata key 'llama.embedding_length'"), qPrintable(message));

        // Unsupported rope scaling is refused by name.
        hand_model::Builder b;
        b.writer().set("general.architecture", std::string("llama"));
        for (const char* key : {"llama.context_length", "llama.embedding_length", "llama.block_count",
                                "llama.feed_forward_length"})
            b.writer().set(key, uint32_t{8});
        b.writer().set("llama.attention.head_count", uint32_t{2});
        b.writer().set("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        b.writer().set("llama.rope.scaling.type", std::string("yarn"));
        message = errorOf([&] { Model::load(b.file("y.gguf")); });
        QVERIFY2(message.contains("rope scaling 'yarn'"), qPrintable(message));
    }

    void gpt2ContextIsLimitedByItsPositions() {
        auto model = Model::load(hand_model::gpt2());
        QCOMPARE(Session(*model).contextLength(), hand_model::kGpt2Positions);
        const QString message = errorOf([&] { Session(*model, 17, 1); });
        QVERIFY2(message.contains("16 positions"), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestSession)
#include "test_session.moc"
