// The sampler's steps against hand-computed values on small logit vectors, the whole chain against
// a naive reference (full sort, double-precision softmax) on a 150k vocabulary, the seeded draw
// against an independent std::mt19937_64 and, statistically, against the softmax probabilities.
#include "sampling/sampler.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace lamp;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

Candidates make(const std::vector<float>& logits) {
    Candidates c;
    c.assign(logits);
    return c;
}

std::vector<int32_t> ids(const Candidates& c) {
    std::vector<int32_t> out;
    for (const TokenCandidate& t : c.items())
        out.push_back(t.id);
    return out;
}

std::vector<float> logitsOf(const Candidates& c) {
    std::vector<float> out;
    for (const TokenCandidate& t : c.items())
        out.push_back(t.logit);
    return out;
}

// Logits whose softmax is exactly `probs` (up to rounding).
std::vector<float> fromProbs(const std::vector<double>& probs) {
    std::vector<float> out;
    for (double p : probs)
        out.push_back(static_cast<float>(std::log(p)));
    return out;
}

std::vector<double> softmax(const std::vector<double>& logits) {
    const double m = *std::max_element(logits.begin(), logits.end());
    std::vector<double> p;
    double sum = 0;
    for (double l : logits) {
        p.push_back(std::exp(l - m));
        sum += p.back();
    }
    for (double& x : p)
        x /= sum;
    return p;
}

SamplingParams plain() {  // every filter and penalty off, temperature 1
    SamplingParams p;
    p.topK = 0;
    p.topP = 1;
    p.minP = 0;
    p.repeatPenalty = 1;
    p.temperature = 1;
    return p;
}

std::vector<float> randomLogits(size_t n, uint32_t seed, float scale = 3.0f) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> out(n);
    for (float& x : out)
        x = normal(gen);
    return out;
}

void compareFloats(const std::vector<float>& actual, const std::vector<float>& expected,
                   float tolerance = 1e-6f) {
    QCOMPARE(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(std::fabs(actual[i] - expected[i]) <= tolerance,
                 qPrintable(QString("index %1: %2 vs %3").arg(i).arg(actual[i]).arg(expected[i])));
}

} // namespace

class TestSampler : public QObject {
    Q_OBJECT

private slots:
    void defaultsAndValidation();
    void candidatesRejectBadLogits();
    void repeatPenalty();
    void frequencyAndPresencePenalties();
    void penaltyWindow();
    void penaltyAfterReordering();
    void topK();
    void topP();
    void minP();
    void temperature();
    void greedy();
    void greedySamplerUsesPenalties();
    void onlyOneAllowedToken();
    void rngFollowsTheStandard();
    void drawMatchesIndependentGenerator();
    void sameSeedSameTokens();
    void drawFrequenciesMatchSoftmax();
    void logProbability();
    void chainMatchesNaiveReferenceOnLargeVocab_data();
    void chainMatchesNaiveReferenceOnLargeVocab();
    void describeListsSteps();
};

void TestSampler::defaultsAndValidation() {
    const SamplingParams p;
    QCOMPARE(p.temperature, 0.8f);
    QCOMPARE(p.topK, 40);
    QCOMPARE(p.topP, 0.95f);
    QCOMPARE(p.minP, 0.05f);
    QCOMPARE(p.repeatPenalty, 1.1f);
    QCOMPARE(p.frequencyPenalty, 0.0f);
    QCOMPARE(p.presencePenalty, 0.0f);
    QCOMPARE(p.repeatLastN, 64);
    p.validate();

    const auto bad = [](auto change, const char* word) {
        SamplingParams q;
        change(q);
        try {
            Sampler s(q);
            QFAIL(qPrintable(QString("accepted bad %1").arg(word)));
        } catch (const SamplingError& e) {
            QVERIFY2(std::string(e.what()).find(word) != std::string::npos, e.what());
        }
    };
    bad([](SamplingParams& q) { q.temperature = -0.1f; }, "temperature");
    bad([](SamplingParams& q) { q.temperature = std::nanf(""); }, "temperature");
    bad([](SamplingParams& q) { q.topK = -1; }, "top-k");
    bad([](SamplingParams& q) { q.topP = 1.5f; }, "top-p");
    bad([](SamplingParams& q) { q.minP = -0.01f; }, "min-p");
    bad([](SamplingParams& q) { q.repeatPenalty = 0; }, "repeat penalty");
    bad([](SamplingParams& q) { q.frequencyPenalty = kInf; }, "frequency penalty");
    bad([](SamplingParams& q) { q.presencePenalty = std::nanf(""); }, "presence penalty");
    bad([](SamplingParams& q) { q.repeatLastN = -2; }, "repeat window");
}

void TestSampler::candidatesRejectBadLogits() {
    const Candidates c = make({0.5f, -kInf, 2.0f});
    QVERIFY(c.inIdOrder());
    QCOMPARE(ids(c), (std::vector<int32_t>{0, 1, 2}));

    const auto rejects = [](const std::vector<float>& logits, const char* what) {
        Candidates d;
        try {
            d.assign(logits);
            QFAIL("accepted bad logits");
        } catch (const SamplingError& e) {
            QVERIFY2(std::string(e.what()).find(what) != std::string::npos, e.what());
        }
    };
    rejects({1.0f, 2.0f, std::nanf(""), 0.0f}, "token 2 is NaN");
    rejects({kInf, 0.0f}, "token 0 is +inf");
    rejects({-kInf, -kInf}, "every logit is -inf");
    rejects({}, "no logits");

    // The Sampler reports the same error.
    Sampler s{SamplingParams{}};
    const std::vector<float> nan{0.0f, std::nanf("")};
    QVERIFY_THROWS_EXCEPTION(SamplingError, s.sample(nan, {}));
}

void TestSampler::repeatPenalty() {
    // Positive logits are divided by the penalty, negative ones multiplied, zero stays; tokens
    // outside the history are untouched and the count does not matter.
    Candidates c = make({2.0f, -2.0f, 0.5f, 1.0f, -1.0f, 0.0f});
    PenaltyStep step(2.0f, 0.0f, 0.0f, 64);
    const std::vector<int32_t> history{0, 1, 0, 3, 5, 0};
    step.apply(c, history);
    compareFloats(logitsOf(c), {1.0f, -4.0f, 0.5f, 0.5f, -1.0f, 0.0f});
    QVERIFY(!c.probsValid());
    QCOMPARE(step.penalized(0, 2.0f), 1.0f);
    QCOMPARE(step.penalized(2, 0.5f), 0.5f);
}

void TestSampler::frequencyAndPresencePenalties() {
    // c·freq + (c>0)·presence is subtracted after the repeat penalty.
    Candidates c = make({2.0f, -2.0f, 0.5f, 1.0f});
    PenaltyStep step(1.0f, 0.5f, 0.25f, 64);
    const std::vector<int32_t> history{0, 0, 0, 2};
    step.apply(c, history);
    compareFloats(logitsOf(c), {2.0f - (1.5f + 0.25f), -2.0f, 0.5f - 0.75f, 1.0f});

    Candidates d = make({2.0f, -2.0f, 0.5f, 1.0f});
    PenaltyStep all(2.0f, 0.5f, 0.25f, 64);
    const std::vector<int32_t> h2{1, 1, 0};
    all.apply(d, h2);
    compareFloats(logitsOf(d), {1.0f - 0.75f, -4.0f - 1.25f, 0.5f, 1.0f});
}

void TestSampler::penaltyWindow() {
    const std::vector<float> logits{1.0f, 1.0f, 1.0f, 1.0f};
    const std::vector<int32_t> history{0, 1, 2, 99, -5};  // out-of-vocabulary ids are ignored

    Candidates last2 = make(logits);
    PenaltyStep(2.0f, 0, 0, 2).apply(last2, history);  // window {99, -5}: nothing to penalize
    compareFloats(logitsOf(last2), {1, 1, 1, 1});

    Candidates last4 = make(logits);
    PenaltyStep(2.0f, 0, 0, 4).apply(last4, history);  // window {1, 2, 99, -5}
    compareFloats(logitsOf(last4), {1, 0.5f, 0.5f, 1});

    Candidates whole = make(logits);
    PenaltyStep(2.0f, 0, 0, -1).apply(whole, history);
    compareFloats(logitsOf(whole), {0.5f, 0.5f, 0.5f, 1});

    Candidates off = make(logits);
    PenaltyStep(2.0f, 0, 0, 0).apply(off, history);
    compareFloats(logitsOf(off), {1, 1, 1, 1});

    Candidates empty = make(logits);
    PenaltyStep(2.0f, 0, 0, 64).apply(empty, {});
    compareFloats(logitsOf(empty), {1, 1, 1, 1});
}

void TestSampler::penaltyAfterReordering() {
    // Out of id order the step finds tokens by id, with the same result.
    Candidates c = make({3.0f, -1.0f, 2.0f, 1.0f});
    c.sortTop(4);
    QVERIFY(!c.inIdOrder());
    QCOMPARE(ids(c), (std::vector<int32_t>{0, 2, 3, 1}));
    const std::vector<int32_t> history{1, 2};
    PenaltyStep(2.0f, 0, 0, 64).apply(c, history);
    compareFloats(logitsOf(c), {3.0f, 1.0f, 1.0f, -2.0f});
    QVERIFY(!c.sorted());  // logits changed: the order is no longer known
}

void TestSampler::topK() {
    Candidates c = make({1, 5, 3, 4, 2});
    TopKStep(3).apply(c, {});
    QCOMPARE(ids(c), (std::vector<int32_t>{1, 3, 2}));
    QVERIFY(c.sorted());

    Candidates off = make({1, 5, 3, 4, 2});
    TopKStep(0).apply(off, {});
    QCOMPARE(ids(off), (std::vector<int32_t>{0, 1, 2, 3, 4}));

    Candidates large = make({1, 5, 3, 4, 2});
    TopKStep(100).apply(large, {});
    QCOMPARE(large.size(), size_t(5));

    Candidates ties = make({1, 2, 2, 1, 2});  // equal logits: lower ids first
    TopKStep(2).apply(ties, {});
    QCOMPARE(ids(ties), (std::vector<int32_t>{1, 2}));

    Candidates masked = make({-kInf, 0.0f, -kInf, -kInf});
    TopKStep(2).apply(masked, {});
    QCOMPARE(ids(masked), (std::vector<int32_t>{1, 0}));
}

void TestSampler::topP() {
    // Probabilities 0.1, 0.5, 0.15, 0.25 for ids 0..3: ranked 1 (0.5), 3 (0.75), 2 (0.9), 0 (1.0).
    const std::vector<float> logits = fromProbs({0.1, 0.5, 0.15, 0.25});
    const auto keep = [&](float p) {
        Candidates c = make(logits);
        TopPStep(p).apply(c, {});
        return ids(c);
    };
    QCOMPARE(keep(0.3f), (std::vector<int32_t>{1}));
    QCOMPARE(keep(0.7f), (std::vector<int32_t>{1, 3}));
    QCOMPARE(keep(0.8f), (std::vector<int32_t>{1, 3, 2}));
    QCOMPARE(keep(0.95f), (std::vector<int32_t>{1, 3, 2, 0}));
    QCOMPARE(keep(0.0f), (std::vector<int32_t>{1}));  // at least one
    QCOMPARE(keep(1.0f), (std::vector<int32_t>{0, 1, 2, 3}));  // off: untouched

    // After top-k the step renormalizes over what is left: 0.5 / 0.75 ≥ 0.6 keeps one token.
    Candidates c = make(logits);
    TopKStep(2).apply(c, {});
    TopPStep(0.6f).apply(c, {});
    QCOMPARE(ids(c), (std::vector<int32_t>{1}));

    // A flat distribution over many tokens (0.0002 each): the growing partial sorts reach far
    // enough. 1500 tokens make 0.3, just short of 0.30005; the 1501st crosses it.
    std::vector<float> flat(5000, 0.0f);
    Candidates f = make(flat);
    TopPStep(0.30005f).apply(f, {});
    QCOMPARE(f.size(), size_t(1501));
    QCOMPARE(f[0].id, 0);
    QCOMPARE(f[1500].id, 1500);
}

void TestSampler::minP() {
    // Probabilities 0.15, 0.5, 0.05, 0.3: minP 0.2 keeps p ≥ 0.1, in their original order.
    const std::vector<float> logits = fromProbs({0.15, 0.5, 0.05, 0.3});
    Candidates c = make(logits);
    MinPStep(0.2f).apply(c, {});
    QCOMPARE(ids(c), (std::vector<int32_t>{0, 1, 3}));

    Candidates strict = make(logits);
    MinPStep(0.7f).apply(strict, {});  // p ≥ 0.35
    QCOMPARE(ids(strict), (std::vector<int32_t>{1}));

    Candidates one = make(logits);
    MinPStep(1.0f).apply(one, {});
    QCOMPARE(ids(one), (std::vector<int32_t>{1}));

    Candidates off = make(logits);
    MinPStep(0.0f).apply(off, {});
    QCOMPARE(off.size(), size_t(4));

    // On a sorted list the kept ones stay sorted.
    Candidates sorted = make(logits);
    sorted.sortTop(4);
    MinPStep(0.2f).apply(sorted, {});
    QCOMPARE(ids(sorted), (std::vector<int32_t>{1, 3, 0}));
    QVERIFY(sorted.sorted());
}

void TestSampler::temperature() {
    float spread = 0;  // logit difference between ids 2 and 0 after the step
    const auto probsAt = [&spread](float t) {
        Candidates c = make({1.0f, 2.0f, 3.0f});
        TemperatureStep(t).apply(c, {});
        c.computeProbs();
        std::vector<float> p;
        for (const TokenCandidate& x : c.items())
            p.push_back(x.prob);
        spread = c[2].logit - c[0].logit;
        return p;
    };
    const auto expected = [](double t) {
        std::vector<float> out;
        for (double p : softmax({1 / t, 2 / t, 3 / t}))
            out.push_back(static_cast<float>(p));
        return out;
    };
    // Probabilities are softmax(logit / t); logit differences scale by 1/t.
    compareFloats(probsAt(0.5f), expected(0.5));
    QCOMPARE(spread, 4.0f);
    compareFloats(probsAt(2.0f), expected(2.0));
    QCOMPARE(spread, 1.0f);
    compareFloats(probsAt(1.0f), expected(1.0));
    QCOMPARE(spread, 2.0f);

    // A tiny temperature is (almost) greedy, without overflowing to inf/NaN.
    const std::vector<float> tiny = probsAt(1e-30f);
    compareFloats(tiny, {0.0f, 0.0f, 1.0f});
}

void TestSampler::greedy() {
    Candidates c = make({1.0f, 3.0f, 3.0f, 2.0f});
    GreedyStep().apply(c, {});
    QCOMPARE(c.selected, std::ptrdiff_t(1));  // tie → lowest id

    Candidates sorted = make({1.0f, 3.0f, 3.0f, 2.0f});
    sorted.sortTop(2);
    GreedyStep().apply(sorted, {});
    QCOMPARE(sorted[static_cast<size_t>(sorted.selected)].id, 1);

    SamplingParams p;
    p.temperature = 0;
    Sampler s(p);
    QCOMPARE(s.describe(), std::string("penalties(repeat 1.10, frequency 0.00, presence 0.00, "
                                       "last 64) → greedy"));
    const std::vector<float> logits = randomLogits(1000, 7);
    const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
    for (int i = 0; i < 5; ++i)
        QCOMPARE(s.sample(logits, {}).token, static_cast<int32_t>(best));
}

void TestSampler::greedySamplerUsesPenalties() {
    // 3.0 / 1.1 = 2.73 < 2.9: the repeated token loses its lead.
    SamplingParams p;
    p.temperature = 0;
    Sampler s(p);
    const std::vector<float> logits{3.0f, 2.9f, 0.0f};
    QCOMPARE(s.sample(logits, {}).token, 0);
    const std::vector<int32_t> history{0};
    QCOMPARE(s.sample(logits, history).token, 1);
}

void TestSampler::onlyOneAllowedToken() {
    std::vector<float> logits(100, -kInf);
    logits[42] = -3.0f;
    for (float t : {0.0f, 0.8f, 1.5f}) {
        SamplingParams p;
        p.temperature = t;
        Sampler s(p);
        for (int i = 0; i < 10; ++i) {
            const Sampler::Result r = s.sample(logits, std::vector<int32_t>{42, 42});
            QCOMPARE(r.token, 42);
            QCOMPARE(r.logProb, 0.0f);
        }
    }
}

void TestSampler::rngFollowsTheStandard() {
    // [rand.predef]: the 10000th output of a default-constructed mt19937_64 (seed 5489).
    Rng rng(5489);
    for (int i = 0; i < 9999; ++i)
        rng.next();
    QCOMPARE(rng.next(), uint64_t(9981545732273789042ull));

    // uniform() is the top 53 bits of one output, scaled by 2^-53.
    Rng a(123);
    std::mt19937_64 b(123);
    for (int i = 0; i < 1000; ++i) {
        const double u = a.uniform();
        QCOMPARE(u, std::ldexp(static_cast<double>(b() >> 11), -53));
        QVERIFY(u >= 0.0 && u < 1.0);
    }
}

void TestSampler::drawMatchesIndependentGenerator() {
    // Probabilities 1/2, 1/4, 1/8, 1/8 (exact in binary): a draw u picks id 0 when u < 0.5, id 1
    // when u < 0.75, id 2 when u < 0.875, else id 3.
    const std::vector<float> logits = fromProbs({0.5, 0.25, 0.125, 0.125});
    DistStep step(2024);
    std::mt19937_64 reference(2024);
    for (int i = 0; i < 2000; ++i) {
        Candidates c = make(logits);
        step.apply(c, {});
        const double u = std::ldexp(static_cast<double>(reference() >> 11), -53);
        const int32_t expected = u < 0.5 ? 0 : u < 0.75 ? 1 : u < 0.875 ? 2 : 3;
        QCOMPARE(c[static_cast<size_t>(c.selected)].id, expected);
    }
}

void TestSampler::sameSeedSameTokens() {
    const auto run = [](uint64_t seed, Sampler* reuse = nullptr) {
        SamplingParams p;
        p.seed = seed;
        p.temperature = 1.2f;
        p.topK = 0;
        Sampler own(p);
        Sampler& s = reuse ? *reuse : own;
        std::vector<int32_t> tokens;
        for (uint32_t step = 0; step < 200; ++step) {
            const std::vector<float> logits = randomLogits(500, step, 1.0f);
            tokens.push_back(s.sample(logits, tokens).token);
        }
        return tokens;
    };
    const std::vector<int32_t> a = run(7), b = run(7), c = run(8);
    QCOMPARE(a, b);
    QVERIFY(a != c);

    SamplingParams p;
    p.temperature = 1.2f;
    p.topK = 0;
    Sampler s(p);
    run(0, &s);
    s.reseed(7);  // starts the sequence over
    QCOMPARE(run(0, &s), a);
}

void TestSampler::drawFrequenciesMatchSoftmax() {
    // Chi-square goodness of fit of many draws to softmax(logits / t); the bound is the 0.1%
    // critical value for 5 categories (4 degrees of freedom): 18.47.
    const std::vector<float> logits{2.0f, 1.0f, 0.5f, 0.0f, -1.0f};
    for (float t : {1.0f, 0.7f}) {
        SamplingParams p = plain();
        p.temperature = t;
        p.seed = 99;
        Sampler s(p);
        constexpr int kDraws = 100000;
        std::vector<int> counts(logits.size(), 0);
        for (int i = 0; i < kDraws; ++i)
            ++counts[static_cast<size_t>(s.sample(logits, {}).token)];
        std::vector<double> scaled;
        for (float l : logits)
            scaled.push_back(l / static_cast<double>(t));
        const std::vector<double> probs = softmax(scaled);
        double chi2 = 0;
        for (size_t i = 0; i < logits.size(); ++i) {
            const double expected = probs[i] * kDraws;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        QVERIFY2(chi2 < 18.47, qPrintable(QString("chi-square %1 at t=%2").arg(chi2).arg(t)));
    }
}

void TestSampler::logProbability() {
    // Greedy: log-softmax of the penalized logits at temperature 1. Penalty 2 halves token 0:
    // logits {1, 1.5, 0} → token 1, ln P = 1.5 − ln(e + e^1.5 + 1).
    SamplingParams g;
    g.temperature = 0;
    g.repeatPenalty = 2;
    const std::vector<float> logits{2.0f, 1.5f, 0.0f};
    const std::vector<int32_t> history{0};
    const Sampler::Result r = Sampler(g).sample(logits, history);
    QCOMPARE(r.token, 1);
    const double expected = 1.5 - std::log(std::exp(1.0) + std::exp(1.5) + 1.0);
    QVERIFY(std::fabs(r.logProb - expected) < 1e-5);

    // Temperature 0.5 with top-k 1 (so the token is known): the full distribution is
    // softmax({1, 1.5, 0} / 0.5), not the one-token distribution after top-k (which would be 0).
    SamplingParams t = g;
    t.temperature = 0.5f;
    t.topK = 1;
    const Sampler::Result r2 = Sampler(t).sample(logits, history);
    QCOMPARE(r2.token, 1);
    const double expected2 = 3.0 - std::log(std::exp(2.0) + std::exp(3.0) + 1.0);
    QVERIFY(std::fabs(r2.logProb - expected2) < 1e-5);
}

void TestSampler::chainMatchesNaiveReferenceOnLargeVocab_data() {
    QTest::addColumn<int>("topK");
    QTest::addColumn<float>("topP");
    QTest::addColumn<float>("minP");
    QTest::newRow("defaults") << 40 << 0.95f << 0.05f;
    QTest::newRow("no top-k") << 0 << 0.95f << 0.05f;
    QTest::newRow("top-p only") << 0 << 0.9f << 0.0f;
    QTest::newRow("min-p only") << 0 << 1.0f << 0.1f;
    QTest::newRow("top-k and top-p") << 200 << 0.5f << 0.0f;
}

void TestSampler::chainMatchesNaiveReferenceOnLargeVocab() {
    // The chain on a 150k vocabulary against a direct implementation: penalties by hand, a full
    // sort, double-precision softmax. Top-p and min-p keep a prefix of the ranking; its length
    // must be the reference's, give or take a cut-off within rounding distance (1e-5 in the sum).
    QFETCH(int, topK);
    QFETCH(float, topP);
    QFETCH(float, minP);
    constexpr size_t kVocab = 150000;
    SamplingParams p;  // repeat penalty 1.1 over 64 tokens, temperature 0.8
    p.topK = topK;
    p.topP = topP;
    p.minP = minP;
    Sampler s(p);
    std::vector<int32_t> history;
    QElapsedTimer timer;
    qint64 nanoseconds = 0;
    constexpr int kSteps = 12;
    for (uint32_t step = 0; step < kSteps; ++step) {
        std::vector<float> logits = randomLogits(kVocab, 1000 + step, 2.0f);
        // Make the history's tokens strong candidates so the penalties matter.
        for (size_t i = 0; i < history.size(); ++i)
            logits[static_cast<size_t>(history[i])] += 6.0f;

        timer.start();
        const Sampler::Result r = s.sample(logits, history);
        nanoseconds += timer.nsecsElapsed();

        // Reference: penalties over the last 64 tokens, then the ranking.
        std::vector<double> penalized(logits.begin(), logits.end());
        const size_t from = history.size() > 64 ? history.size() - 64 : 0;
        std::vector<int32_t> seen(history.begin() + static_cast<std::ptrdiff_t>(from),
                                  history.end());
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (int32_t id : seen) {
            double& l = penalized[static_cast<size_t>(id)];
            l = l <= 0 ? l * 1.1f : l / 1.1f;
        }
        std::vector<int32_t> order(kVocab);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
            const auto la = static_cast<float>(penalized[a]), lb = static_cast<float>(penalized[b]);
            return la > lb || (la == lb && a < b);
        });
        if (topK > 0)
            order.resize(static_cast<size_t>(topK));
        std::vector<double> kept;
        for (int32_t id : order)
            kept.push_back(penalized[static_cast<size_t>(id)]);
        const std::vector<double> probs = softmax(kept);
        const auto topPCount = [&](double target) {
            if (topP >= 1)
                return probs.size();
            size_t n = 0;
            double cumulative = 0;
            while (n < probs.size() && cumulative < target)
                cumulative += probs[n++];
            return std::max<size_t>(n, 1);
        };
        const auto minPCount = [&](double ratio) {
            size_t n = 0;
            while (n < probs.size() && probs[n] >= ratio * probs[0])
                ++n;
            return n;
        };
        const size_t low = std::min(topPCount(topP - 1e-5), minPCount(minP * (1 + 1e-5)));
        const size_t high = std::min(topPCount(topP + 1e-5), minPCount(minP * (1 - 1e-5)));

        // The survivors are the first n of the ranking (in ranking order after top-k, in id
        // order when top-p/min-p worked on the unsorted vocabulary).
        std::vector<int32_t> got = ids(s.candidates());
        const size_t n = got.size();
        QVERIFY2(n >= low && n <= high,
                 qPrintable(QString("kept %1, expected %2..%3").arg(n).arg(low).arg(high)));
        if (topK > 0)
            QVERIFY(std::equal(got.begin(), got.end(), order.begin()));
        std::vector<int32_t> prefix(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
        std::sort(got.begin(), got.end());
        std::sort(prefix.begin(), prefix.end());
        QCOMPARE(got, prefix);
        QVERIFY(std::binary_search(got.begin(), got.end(), r.token));

        // The token's log-probability under the full distribution at t = 0.8.
        double sum = 0;
        const double m = *std::max_element(penalized.begin(), penalized.end());
        for (double l : penalized)
            sum += std::exp((l - m) / 0.8);
        const double lp = (penalized[static_cast<size_t>(r.token)] - m) / 0.8 - std::log(sum);
        QVERIFY2(std::fabs(r.logProb - lp) < 1e-4,
                 qPrintable(QString("%1 vs %2").arg(r.logProb).arg(lp)));
        history.push_back(r.token);
    }
    qInfo("%zu-token vocabulary: %.3f ms per token", kVocab,
          static_cast<double>(nanoseconds) / kSteps / 1e6);
}

void TestSampler::describeListsSteps() {
    SamplingParams p;
    p.seed = 5;
    QCOMPARE(Sampler(p).describe(),
             std::string("penalties(repeat 1.10, frequency 0.00, presence 0.00, last 64) → "
                         "top-k 40 → top-p 0.95 → min-p 0.05 → temperature 0.8 → draw (seed 5)"));
    SamplingParams off = plain();
    off.seed = 1;
    QCOMPARE(Sampler(off).describe(), std::string("draw (seed 1)"));
    SamplingParams window0;
    window0.repeatLastN = 0;
    window0.temperature = 0;
    QCOMPARE(Sampler(window0).describe(), std::string("greedy"));
}

QTEST_APPLESS_MAIN(TestSampler)
#include "test_sampler.moc"
