// Parity of the Vulkan Transformer kernels (vulkan/ops_transformer.h) with the CPU reference, in
// the manner of test_vulkan_ops.cpp: table-driven over awkward shapes, NMSE = Σ(gpu − ref)² / Σref²
// (≤ 1e-7 elementwise, norms and RoPE; ≤ 5e-4 attention), any NaN failing, guard regions around
// every output that must come back untouched, and the Khronos validation layer on, failing on any
// message. Everything runs twice: with the device's optional features, and with all of them off.
// Runs on lavapipe; skips without Vulkan (fails in CI).
#include "cpu/thread_pool.h"
#include "model/attention.h"
#include "model/kv_cache.h"
#include "model/ops.h"
#include "quant/dequantize.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "quant/tensor_type.h"
#include "support/shared_data.h"
#include "support/vulkan_harness.h"
#include "vulkan/device.h"
#include "vulkan/instance.h"
#include "vulkan/ops_transformer.h"
#include "vulkan/vulkan_error.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace lamp;
using namespace lamp::vulkan;
using namespace lamp::test;

class TestVulkanTransformerOps : public test::VulkanTestBase {
    Q_OBJECT

    void rope() {
        Device& dev = *device_;
        struct Case {
            ops::RopeMode mode;
            uint32_t tokens, heads, headDim, nRot, startPos;
            float base, scale;
            bool factors;
        };
        const Case cases[] = {
            {ops::RopeMode::Normal, 1, 32, 64, 64, 0, 10000.0f, 1.0f, false},
            {ops::RopeMode::Normal, 5, 7, 80, 80, 17, 10000.0f, 1.0f, false},
            {ops::RopeMode::Neox, 1, 3, 64, 64, 1234, 1000000.0f, 1.0f, false},
            {ops::RopeMode::Neox, 5, 5, 80, 32, 3, 10000.0f, 0.25f, false},
            {ops::RopeMode::Normal, 3, 9, 128, 96, 4000, 500000.0f, 0.5f, true},
            {ops::RopeMode::Neox, 5, 14, 64, 64, 250, 500000.0f, 1.0f, true},
            {ops::RopeMode::Normal, 2, 3, 64, 64, 32766, 10000.0f, 1.0f, false},
            {ops::RopeMode::Neox, 2, 3, 64, 64, 131070, 1000000.0f, 1.0f, false},
        };
        for (const Case& c : cases) {
            const uint32_t n = c.tokens * c.heads * c.headDim;
            const auto x = randomVector(n, n + c.startPos, 2.0f);
            std::vector<float> factors(c.nRot / 2);
            for (size_t i = 0; i < factors.size(); ++i)
                factors[i] = 1.0f + 0.37f * static_cast<float>(i % 5);
            Guarded out(dev, n, &x);
            ops::RopeParams p;
            p.mode = c.mode;
            p.nRot = c.nRot;
            p.freqBase = c.base;
            p.freqScale = c.scale;
            if (c.factors)
                p.freqFactors = factors.data();
            const std::vector<uint32_t> words = ropeTable(p);
            Buffer table = dev.createBuffer(words.size() * 4, "rope table");
            dev.upload(table, 0, words.data(), words.size() * 4);
            Recorder rec = dev.record();
            recordRope(rec, out.buffer, kGuard, c.tokens, c.heads, c.headDim, c.startPos, p, table);
            rec.submitAndWait();
            std::vector<float> ref = x, cs(c.nRot / 2), sn(c.nRot / 2);
            for (uint32_t t = 0; t < c.tokens; ++t) {
                ops::ropeAngles(p, c.startPos + t, cs.data(), sn.data());
                ops::ropeApply(p, ref.data() + size_t{t} * c.heads * c.headDim, c.heads, c.headDim, cs.data(), sn.data());
            }
            std::string why;
            const std::string name = c.mode == ops::RopeMode::Neox ? "rope_neox" : "rope_normal";
            QVERIFY2(close(name, out.read(dev, why), ref, 1e-7, why) && why.empty(), why.c_str());
        }
        QVERIFY(validationClean());
    }

    void softmax() {
        Device& dev = *device_;
        for (const uint32_t n : {1u, 5u, 127u, 128u, 300u, 2049u})
            for (const uint32_t rows : {1u, 3u}) {
                const auto x = randomVector(size_t{n} * rows, n * 3 + rows, 4.0f);
                Buffer bx = upload(dev, x, "x");
                Guarded out(dev, n * rows);
                Recorder rec = dev.record();
                recordSoftmax(rec, bx, 0, out.buffer, kGuard, n, rows);
                rec.submitAndWait();
                std::vector<float> ref = x;
                for (uint32_t r = 0; r < rows; ++r)
                    ops::softmax(ref.data() + size_t{r} * n, n);
                std::string why;
                QVERIFY2(close("softmax", out.read(dev, why), ref, 1e-7, why) && why.empty(), why.c_str());
            }
        QVERIFY(validationClean());
    }

    void elementwise() {
        Device& dev = *device_;
        for (const uint32_t n : {1u, 7u, 255u, 256u, 257u, 1000u, 70001u}) {
            auto a = randomVector(n, n, 3.0f), b = randomVector(n, n + 1);
            if (n > 4) {
                a[0] = 60.0f;  // large arguments must not overflow tanh / exp into NaN
                a[1] = -60.0f;
            }
            Buffer ba = upload(dev, a, "a"), bb = upload(dev, b, "b");
            Guarded gelu(dev, n), swiglu(dev, n);
            Recorder rec = dev.record();
            recordGelu(rec, ba, 0, gelu.buffer, kGuard, n);
            recordSwiglu(rec, ba, 0, bb, 0, swiglu.buffer, kGuard, n);
            QCOMPARE(rec.barrierCount(), 0);  // independent dispatches
            rec.submitAndWait();
            std::vector<float> refGelu = a, refSwiglu = a;
            ops::gelu(refGelu.data(), n);
            ops::swiglu(refSwiglu.data(), b.data(), n);
            std::string why;
            QVERIFY2(close("gelu", gelu.read(dev, why), refGelu, 1e-7, why) && why.empty(), why.c_str());
            QVERIFY2(close("swiglu", swiglu.read(dev, why), refSwiglu, 1e-7, why) && why.empty(), why.c_str());
        }
        for (const uint32_t n : {1u, 5u, 257u, 896u})
            for (const uint32_t rows : {1u, 3u}) {
                const auto x = randomVector(size_t{n} * rows, n + rows), b = randomVector(n, n * 3);
                Buffer bx = upload(dev, x, "x"), bb = upload(dev, b, "b");
                Guarded out(dev, n * rows);
                Recorder rec = dev.record();
                recordAddBias(rec, bx, 0, bb, 0, out.buffer, kGuard, n, rows);
                rec.submitAndWait();
                std::vector<float> ref = x;
                ops::addBias(ref.data(), b.data(), rows, n);
                std::string why;
                QVERIFY2(close("add_bias", out.read(dev, why), ref, 1e-7, why) && why.empty(), why.c_str());
            }
        QVERIFY(validationClean());
    }

    void layerNorm() {
        Device& dev = *device_;
        for (const uint32_t n : {1u, 5u, 127u, 128u, 300u, 2049u})
            for (const uint32_t rows : {1u, 3u}) {
                auto x = randomVector(size_t{n} * rows, n * 11 + rows, 2.0f);
                for (auto& v : x)
                    v += 3.0f;  // a mean far from zero
                const auto w = randomVector(n, n + 5), b = randomVector(n, n + 6);
                Buffer bx = upload(dev, x, "x"), bw = upload(dev, w, "w"), bb = upload(dev, b, "b");
                Guarded out(dev, n * rows);
                Recorder rec = dev.record();
                recordLayerNorm(rec, bx, 0, bw, 0, bb, 0, out.buffer, kGuard, n, rows, 1e-5f);
                rec.submitAndWait();
                std::vector<float> ref(x.size());
                for (uint32_t r = 0; r < rows; ++r)
                    ops::layerNorm(x.data() + size_t{r} * n, w.data(), b.data(), ref.data() + size_t{r} * n, n, 1e-5f);
                std::string why;
                QVERIFY2(close("layer_norm", out.read(dev, why), ref, 1e-7, why) && why.empty(), why.c_str());
            }
        QVERIFY(validationClean());
    }

    // The f16 cache written on the device must hold the values the CPU cache stores.
    void kvStore() {
        Device& dev = *device_;
        struct Case {
            uint32_t kvHeads, dim, pos, n;
        };
        for (const Case c : {Case{1, 64, 0, 1}, Case{2, 80, 37, 5}, Case{4, 64, 130, 3}, Case{3, 2, 9, 1}}) {
            const uint32_t ctx = c.pos + c.n + 2, width = c.kvHeads * c.dim;
            KvCache kv(1, ctx, c.kvHeads, c.dim, c.dim, KvType::F16);
            const auto src = randomVector(size_t{c.n} * width, width + c.pos, 3.0f);
            kv.storeKeys(0, c.pos, c.n, src.data());
            Buffer bs = upload(dev, src, "src");
            // The cache behind a guard; its words outside the stored rows must stay untouched.
            const uint32_t words = ctx * width / 2;
            Guarded cache(dev, words);
            Recorder rec = dev.record();
            recordKvStore(rec, bs, 0, cache.buffer, 2 * kGuard, c.pos, c.n, width);
            rec.submitAndWait();
            std::string why;
            const std::vector<float> raw = cache.read(dev, why);
            QVERIFY2(why.empty(), why.c_str());
            std::vector<uint16_t> halves(size_t{words} * 2);
            std::memcpy(halves.data(), raw.data(), halves.size() * 2);
            const size_t first = size_t{c.pos} * width, last = first + size_t{c.n} * width;
            for (size_t i = 0; i < halves.size(); ++i)
                if ((i < first || i >= last) && halves[i] != (i % 2 == 0 ? (kSentinel & 0xFFFFu) : (kSentinel >> 16)))
                    QFAIL(("kv_store wrote outside its rows at half " + std::to_string(i)).c_str());
            std::vector<float> got(last - first), ref(last - first);
            for (size_t i = first; i < last; ++i)
                got[i - first] = fp16ToFp32(halves[i]);
            kv.load(kv.key(0, c.pos, 0), static_cast<int64_t>(last - first), ref.data());
            size_t mismatched = 0;
            for (size_t i = first; i < last; ++i)
                mismatched += halves[i] != static_cast<const uint16_t*>(kv.key(0, 0, 0))[i] ? 1 : 0;
            QVERIFY2(close("kv_store", got, ref, 1e-7, why) && why.empty(), why.c_str());
            if (mismatched != 0)
                qInfo("kv_store: %zu of %zu halves rounded differently from the CPU", mismatched, last - first);
        }
        QVERIFY(validationClean());
    }

    void embed(size_t maxRowBytes = 1 << 30) {
        Device& dev = *device_;
        struct Shape {
            int64_t rows, cols;
        };
        for (const TensorType type : {TensorType::F32, TensorType::F16, TensorType::Q8_0})
            for (const Shape s : {Shape{1, 32}, Shape{50, 64}, Shape{301, 96}, Shape{7, 4096}}) {
                const auto wf = randomVector(static_cast<size_t>(s.rows * s.cols), static_cast<uint32_t>(s.rows + s.cols));
                const size_t rb = rowBytes(type, s.cols);
                if (rb > maxRowBytes || (maxRowBytes < (size_t{1} << 30) && s.cols > 1024))
                    continue;  // a row, or the output of 5 rows, over a small buffer limit
                std::vector<uint8_t> wq(rb * static_cast<size_t>(s.rows));
                std::vector<float> wd(wf.size());
                for (int64_t r = 0; r < s.rows; ++r) {
                    quantizeRow(type, wf.data() + r * s.cols, wq.data() + static_cast<size_t>(r) * rb, s.cols);
                    dequantizeRow(type, wq.data() + static_cast<size_t>(r) * rb, wd.data() + r * s.cols, s.cols);
                }
                const DeviceMatrix m = uploadMatrix(dev, type, s.rows, s.cols, wq.data(), "table");
                if (s.rows == 301)
                    QVERIFY(m.pieces.size() > 1 || dev.maxBufferBytes() > 8192);
                std::vector<uint32_t> ids = {0, static_cast<uint32_t>(s.rows - 1), static_cast<uint32_t>(s.rows / 2), 0,
                                             static_cast<uint32_t>(s.rows / 3)};
                Buffer bi = dev.createBuffer(ids.size() * 4, "ids");
                dev.upload(bi, 0, ids.data(), ids.size() * 4);
                const auto n = static_cast<uint32_t>(ids.size() * static_cast<size_t>(s.cols));
                Guarded out(dev, n);
                Recorder rec = dev.record();
                recordEmbed(rec, m, bi, 0, static_cast<uint32_t>(ids.size()), out.buffer, kGuard);
                rec.submitAndWait();
                std::vector<float> ref;
                for (const uint32_t id : ids)
                    ref.insert(ref.end(), wd.begin() + id * s.cols, wd.begin() + (id + 1) * s.cols);
                std::string why;
                const std::string name = "embed_" + std::string(tensorTypeName(type));
                QVERIFY2(close(name, out.read(dev, why), ref, 1e-7, why) && why.empty(), why.c_str());
            }
        QVERIFY(validationClean());
    }

    void attention() {
        Device& dev = *device_;
        cpu::ThreadPool pool(2);
        struct Case {
            uint32_t heads, kvHeads, headDim, tokens, startPos;
        };
        const Case cases[] = {
            {4, 4, 64, 1, 0},  {7, 7, 80, 5, 3},    {8, 2, 64, 1, 200},  {9, 1, 80, 5, 130},
            {8, 4, 64, 5, 127}, {6, 2, 128, 1, 300}, {12, 4, 80, 1, 1000}, {3, 1, 64, 5, 0},
            {16, 2, 128, 5, 260}, {14, 2, 64, 1, 50},  // groups of 8 and 7
        };
        for (const Case& c : cases) {
            const uint32_t ctx = c.startPos + c.tokens + 3;  // a little unused cache at the end
            KvCache kv(1, ctx, c.kvHeads, c.headDim, c.headDim, KvType::F16);
            const uint32_t used = c.startPos + c.tokens;
            const auto keys = randomVector(size_t{used} * c.kvHeads * c.headDim, used * 5 + c.heads);
            const auto values = randomVector(size_t{used} * c.kvHeads * c.headDim, used * 7 + c.heads);
            kv.storeKeys(0, 0, used, keys.data());
            kv.storeValues(0, 0, used, values.data());
            const uint64_t cacheBytes = uint64_t{ctx} * c.kvHeads * c.headDim * 2;
            // Each cache behind an odd number of halves, so rows start mid-word.
            constexpr uint32_t kvPad = 3;
            Buffer bk = dev.createBuffer(cacheBytes + kvPad * 2, "keys"), bv = dev.createBuffer(cacheBytes + kvPad * 2, "values");
            dev.fill(bk, kSentinel);
            dev.fill(bv, kSentinel);
            dev.upload(bk, kvPad * 2, kv.key(0, 0, 0), cacheBytes);
            dev.upload(bv, kvPad * 2, kv.value(0, 0, 0), cacheBytes);
            const uint32_t nq = c.tokens * c.heads * c.headDim;
            const auto q = randomVector(nq, nq + c.startPos);
            Buffer bq = upload(dev, q, "q");
            Guarded out(dev, nq);
            AttentionShape s;
            s.tokens = c.tokens;
            s.startPos = c.startPos;
            s.heads = c.heads;
            s.kvHeads = c.kvHeads;
            s.keyLength = s.valueLength = c.headDim;
            s.scale = 1.0f / std::sqrt(static_cast<float>(c.headDim));
            Guarded outPerHead(dev, nq);
            Recorder rec = dev.record();
            recordAttention(rec, s, bq, 0, bk, kvPad, bv, kvPad, out.buffer, kGuard);
            s.perGroup = false;
            recordAttention(rec, s, bq, 0, bk, kvPad, bv, kvPad, outPerHead.buffer, kGuard);
            rec.submitAndWait();
            std::vector<float> ref(nq);
            AttentionArgs a;
            a.kv = &kv;
            a.q = q.data();
            a.n = c.tokens;
            a.startPos = c.startPos;
            a.headCount = c.heads;
            a.scale = s.scale;
            a.out = ref.data();
            lamp::attention(a, pool);
            std::string why;
            const std::string name = c.kvHeads < c.heads ? "attention_group" : "attention";
            const bool ok = close(name, out.read(dev, why), ref, 5e-4, why) && why.empty() &&
                            close("attention", outPerHead.read(dev, why), ref, 5e-4, why) && why.empty();
            QVERIFY2(ok, ("heads " + std::to_string(c.heads) + "/" + std::to_string(c.kvHeads) + " dim " +
                          std::to_string(c.headDim) + " tokens " + std::to_string(c.tokens) + " at " +
                          std::to_string(c.startPos) + ": " + why).c_str());
        }
        QVERIFY(validationClean());
    }

    // One recorder, one submit: RoPE on q and k, k and v stored into the f16 cache after an earlier
    // prefix, then attention over it; the recorder must put barriers where data flows.
    void chained() {
        Device& dev = *device_;
        cpu::ThreadPool pool(2);
        constexpr uint32_t heads = 6, kvHeads = 2, dim = 64, prefix = 9, tokens = 3, ctx = 16;
        const uint32_t width = kvHeads * dim, cacheHalves = ctx * width;
        ops::RopeParams p;
        p.mode = ops::RopeMode::Neox;
        p.nRot = dim;
        p.freqBase = 1000000.0f;
        KvCache kv(1, ctx, kvHeads, dim, dim, KvType::F16);
        const auto k0 = randomVector(size_t{prefix} * width, 91), v0 = randomVector(size_t{prefix} * width, 92);
        kv.storeKeys(0, 0, prefix, k0.data());
        kv.storeValues(0, 0, prefix, v0.data());
        Buffer bk = dev.createBuffer(uint64_t{cacheHalves} * 2, "keys"), bv = dev.createBuffer(uint64_t{cacheHalves} * 2, "values");
        dev.upload(bk, 0, kv.key(0, 0, 0), uint64_t{cacheHalves} * 2);
        dev.upload(bv, 0, kv.value(0, 0, 0), uint64_t{cacheHalves} * 2);
        auto q = randomVector(size_t{tokens} * heads * dim, 93), k = randomVector(size_t{tokens} * width, 94);
        const auto v = randomVector(size_t{tokens} * width, 95);
        Buffer bq = upload(dev, q, "q"), bkn = upload(dev, k, "k new"), bvn = upload(dev, v, "v new");
        const std::vector<uint32_t> words = ropeTable(p);
        Buffer table = dev.createBuffer(words.size() * 4, "rope table");
        dev.upload(table, 0, words.data(), words.size() * 4);
        Guarded out(dev, tokens * heads * dim);
        Recorder rec = dev.record();
        recordRope(rec, bq, 0, tokens, heads, dim, prefix, p, table);
        recordRope(rec, bkn, 0, tokens, kvHeads, dim, prefix, p, table);
        recordKvStore(rec, bkn, 0, bk, 0, prefix, tokens, width);
        recordKvStore(rec, bvn, 0, bv, 0, prefix, tokens, width);
        AttentionShape s;
        s.tokens = tokens;
        s.startPos = prefix;
        s.heads = heads;
        s.kvHeads = kvHeads;
        s.keyLength = s.valueLength = dim;
        s.scale = 0.125f;
        recordAttention(rec, s, bq, 0, bk, 0, bv, 0, out.buffer, kGuard);
        QVERIFY(rec.barrierCount() >= 2);
        rec.submitAndWait();
        std::vector<float> cs(dim / 2), sn(dim / 2);
        for (uint32_t t = 0; t < tokens; ++t) {
            ops::ropeAngles(p, prefix + t, cs.data(), sn.data());
            ops::ropeApply(p, q.data() + size_t{t} * heads * dim, heads, dim, cs.data(), sn.data());
            ops::ropeApply(p, k.data() + size_t{t} * width, kvHeads, dim, cs.data(), sn.data());
        }
        kv.storeKeys(0, prefix, tokens, k.data());
        kv.storeValues(0, prefix, tokens, v.data());
        std::vector<float> ref(q.size());
        AttentionArgs a;
        a.kv = &kv;
        a.q = q.data();
        a.n = tokens;
        a.startPos = prefix;
        a.headCount = heads;
        a.scale = s.scale;
        a.out = ref.data();
        lamp::attention(a, pool);
        std::string why;
        QVERIFY2(close("chained", out.read(dev, why), ref, 5e-4, why) && why.empty(), why.c_str());
        QVERIFY(validationClean());
    }

    void all() {
        rope();
        softmax();
        attention();
        elementwise();
        layerNorm();
        kvStore();
        embed();
        chained();
    }

private slots:
    void withFeatures() {
        if (open(""))
            all();
    }
    void withoutOptionalFeatures() {
        if (open("all"))
            all();
    }
    // Each optional feature on its own (the variants a device with only that one runs).
    void eachFeatureAlone() {
        for (const std::string& feature : kernelFeatureSwitches())
            if (open(disableAllBut(feature)))
                all();
    }
    // Tables split into many buffers (a small per-buffer limit), as big tensors are on lavapipe.
    void splitTable() {
        if (!open("", 8192))
            return;
        embed(8192);
    }
    void cleanupTestCase() { QVERIFY(closeAndReport()); }
};

QTEST_APPLESS_MAIN(TestVulkanTransformerOps)
#include "test_vulkan_transformer_ops.moc"
