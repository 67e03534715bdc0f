// Forward passes checked against an independent implementation: tiny llama, qwen2 and gpt2 models
// (data/hand_model/hand_models.h) whose logits numpy computed in float64 from the definitions
// (data/hand_model/make.py → expected_logits.h). A wrong RoPE pairing, rope scaling or frequency
// factor, GQA head mapping, causal mask, bias, norm or activation changes these logits far beyond
// the tolerance.
#include "data/hand_model/expected_logits.h"
#include "data/hand_model/hand_models.h"

#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"
#include "model/attention.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/model_error.h"
#include "model/ops.h"
#include "model/session.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <span>

using namespace lamp;

namespace {

constexpr size_t kCount = std::size(hand_model::kTokens);

std::vector<int32_t> handTokens() { return {std::begin(hand_model::kTokens), std::end(hand_model::kTokens)}; }

// The largest |ours − expected| over every position and vocabulary entry.
double maxError(std::span<const float> ours, const float (&expected)[kCount][hand_model::kVocab]) {
    double worst = 0.0;
    for (size_t t = 0; t < kCount; ++t)
        for (int64_t v = 0; v < hand_model::kVocab; ++v)
            worst = std::max(worst, std::fabs(static_cast<double>(ours[t * hand_model::kVocab + v]) -
                                              static_cast<double>(expected[t][v])));
    return worst;
}

} // namespace

class TestModelHand : public QObject {
    Q_OBJECT

private:
    void checkModel(GgufFile file, const float (&expected)[kCount][hand_model::kVocab]) {
        auto model = Model::load(std::move(file));
        QCOMPARE(model->vocabSize(), hand_model::kVocab);
        QVERIFY(!model->hasTokenizer());
        const auto tokens = handTokens();
        const cpu::Isa original = cpu::activeIsa();
        for (cpu::Isa isa : cpu::supportedIsas()) {
        cpu::setIsa(isa);  // the matrix products and attention kernels of every SIMD family
        for (KvType kv : {KvType::F32, KvType::F16}) {
            for (int threads : {1, 2}) {
                SessionOptions options;
                options.contextLength = 16;
                options.threads = threads;
                options.kvType = kv;
                Session session(*model, options);
                session.evaluate(tokens, Logits::All);
                const double err = maxError(session.allLogits(), expected);
                // F32 cache: only float rounding; F16 cache: keys and values rounded to 11 bits.
                const double tolerance = kv == KvType::F32 ? 2e-5 : 1e-2;
                qInfo("%s, %s, %s KV, %d threads: max |error| %.3g", model->architectureName().c_str(),
                      std::string(cpu::isaName(isa)).c_str(), kv == KvType::F32 ? "F32" : "F16", threads, err);
                QVERIFY2(err <= tolerance, qPrintable(QString("max error %1").arg(err)));
                // The last-token logits agree with the last row.
                const auto last = session.logits();
                QCOMPARE(static_cast<int64_t>(last.size()), hand_model::kVocab);
                for (int64_t v = 0; v < hand_model::kVocab; ++v)
                    QVERIFY(std::fabs(last[v] - expected[kCount - 1][v]) <= tolerance);
            }
        }
        }
        cpu::setIsa(original);
        // Token by token (decode path: one position per forward call) gives the same logits.
        SessionOptions options;
        options.contextLength = 16;
        options.kvType = KvType::F32;
        Session session(*model, options);
        session.evaluate(std::span(tokens).first(3), Logits::All);
        for (size_t t = 0; t < 3; ++t)
            for (int64_t v = 0; v < hand_model::kVocab; ++v)
                QVERIFY(std::fabs(session.allLogits()[t * hand_model::kVocab + v] - expected[t][v]) <= 2e-5);
        for (size_t t = 3; t < kCount; ++t) {
            const auto r = session.append(tokens[t]);
            QCOMPARE(r.evaluated, int64_t{1});
            for (int64_t v = 0; v < hand_model::kVocab; ++v)
                QVERIFY2(std::fabs(session.logits()[v] - expected[t][v]) <= 2e-5,
                         qPrintable(QString("position %1, logit %2").arg(t).arg(v)));
        }
    }

private slots:
    void llama() { checkModel(hand_model::llamaLike(false), hand_model::kLlamaLogits); }
    void qwen2() { checkModel(hand_model::llamaLike(true), hand_model::kQwen2Logits); }
    void gpt2() { checkModel(hand_model::gpt2(), hand_model::kGpt2Logits); }

    void specOfHandModels() {
        auto llama = Model::load(hand_model::llamaLike(false));
        const ModelSpec& s = llama->spec();
        QCOMPARE(s.architecture, std::string("llama"));
        QCOMPARE(s.headCount, int64_t{2});
        QCOMPARE(s.headCountKv, int64_t{1});
        QCOMPARE(s.keyLength, int64_t{4});
        QCOMPARE(s.positions, PositionEncoding::RopeNormal);
        QCOMPARE(s.ropeFreqScale, 0.5f);
        QCOMPARE(Model::load(hand_model::llamaLike(true))->spec().positions, PositionEncoding::RopeNeox);
        auto gpt2 = Model::load(hand_model::gpt2());
        QCOMPARE(gpt2->spec().positions, PositionEncoding::Learned);
        QCOMPARE(gpt2->maxPositions(), hand_model::kGpt2Positions);
    }

    // The two RoPE modes on one head of 4 at position 1 with base 10000: pair 0 turns by 1 rad,
    // pair 1 by 0.01 rad; normal pairs (0,1),(2,3), neox pairs (0,2),(1,3).
    void ropeModes() {
        const float c0 = std::cos(1.0f), s0 = std::sin(1.0f), c1 = std::cos(0.01f), s1 = std::sin(0.01f);
        for (auto mode : {ops::RopeMode::Normal, ops::RopeMode::Neox}) {
            ops::RopeParams p;
            p.mode = mode;
            p.nRot = 4;
            float cosv[2], sinv[2];
            ops::ropeAngles(p, 1, cosv, sinv);
            QVERIFY(std::fabs(cosv[0] - c0) < 1e-6f && std::fabs(sinv[1] - s1) < 1e-6f);
            float x[4] = {1, 2, 3, 4};
            ops::ropeApply(p, x, 1, 4, cosv, sinv);
            const int a0 = 0, b0 = mode == ops::RopeMode::Normal ? 1 : 2;
            const int a1 = mode == ops::RopeMode::Normal ? 2 : 1, b1 = 3;
            const float in[4] = {1, 2, 3, 4};
            QVERIFY(std::fabs(x[a0] - (in[a0] * c0 - in[b0] * s0)) < 1e-6f);
            QVERIFY(std::fabs(x[b0] - (in[a0] * s0 + in[b0] * c0)) < 1e-6f);
            QVERIFY(std::fabs(x[a1] - (in[a1] * c1 - in[b1] * s1)) < 1e-6f);
            QVERIFY(std::fabs(x[b1] - (in[a1] * s1 + in[b1] * c1)) < 1e-6f);
        }
    }

    // Attention over a long cache, computed whole (1 thread) and split over positions (decode with
    // more threads than KV heads), against a float64 evaluation of the definition.
    void attentionSplitMatchesDefinition() {
        constexpr int64_t ctx = 1500, kvHeads = 2, heads = 6, dk = 16, dv = 8, pos = 1400;
        KvCache kv(1, ctx, kvHeads, dk, dv, KvType::F32);
        uint64_t state = 42;
        const auto next = [&] {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            return static_cast<float>(static_cast<double>((state >> 40) & 0xFFFFFF) / 16777216.0 - 0.5);
        };
        std::vector<float> k(static_cast<size_t>(ctx * kvHeads * dk)), v(static_cast<size_t>(ctx * kvHeads * dv));
        for (auto& x : k)
            x = 2.0f * next();
        for (auto& x : v)
            x = next();
        kv.storeKeys(0, 0, ctx, k.data());
        kv.storeValues(0, 0, ctx, v.data());
        std::vector<float> q(heads * dk);
        for (auto& x : q)
            x = next();
        std::vector<double> expected(heads * dv, 0.0);
        for (int64_t h = 0; h < heads; ++h) {
            const int64_t g = h / (heads / kvHeads);
            std::vector<double> p(pos + 1);
            for (int64_t j = 0; j <= pos; ++j) {
                double d = 0;
                for (int64_t i = 0; i < dk; ++i)
                    d += static_cast<double>(q[h * dk + i]) * k[(j * kvHeads + g) * dk + i];
                p[j] = d / 4.0;
            }
            const double m = *std::max_element(p.begin(), p.end());
            double sum = 0;
            for (auto& x : p)
                sum += (x = std::exp(x - m));
            for (int64_t j = 0; j <= pos; ++j)
                for (int64_t i = 0; i < dv; ++i)
                    expected[h * dv + i] += p[j] / sum * v[(j * kvHeads + g) * dv + i];
        }
        for (int threads : {1, 4, 8}) {
            cpu::ThreadPool pool(threads);
            std::vector<float> out(heads * dv, -1.0f);
            attention({&kv, 0, q.data(), 1, pos, heads, 0.25f, out.data()}, pool);
            double worst = 0;
            for (size_t i = 0; i < out.size(); ++i)
                worst = std::max(worst, std::fabs(out[i] - expected[i]));
            qInfo("attention over %lld positions, %d threads: max |error| %.3g", static_cast<long long>(pos + 1),
                  threads, worst);
            QVERIFY(worst < 1e-5);
        }
    }

    void geluValues() {
        // gelu_tanh(1) = 0.8411919906, gelu_tanh(−2) = −0.04540230591
        QVERIFY(std::fabs(ops::geluScalar(1.0f) - 0.8411919906f) < 1e-6f);
        QVERIFY(std::fabs(ops::geluScalar(-2.0f) + 0.04540230591f) < 1e-6f);
    }
};

QTEST_APPLESS_MAIN(TestModelHand)
#include "test_model_hand.moc"
