// GgufFile and GgufWriter: everything the writer writes reads back unchanged (every value type,
// nested arrays, arrays of strings, tensors, alignment, versions 2 and 3), and real files from
// ../shared read as their producer described them.
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/shared_data.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <limits>

using namespace lamp;

namespace {

std::vector<std::byte> floatBytes(const std::vector<float>& values) {
    std::vector<std::byte> out(values.size() * sizeof(float));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

// One pair of every scalar type, strings (empty, UTF-8), arrays of each type and nested arrays.
void addEveryValueType(GgufWriter& w) {
    w.set("t.u8", uint8_t{250});
    w.set("t.i8", int8_t{-120});
    w.set("t.u16", uint16_t{65000});
    w.set("t.i16", int16_t{-32000});
    w.set("t.u32", uint32_t{4000000000u});
    w.set("t.i32", int32_t{-2000000000});
    w.set("t.f32", 3.25f);
    w.set("t.bool", true);
    w.set("t.string", std::string("Lamplight 灯光 🦙"));
    w.set("t.empty_string", std::string());
    w.set("t.u64", uint64_t{std::numeric_limits<uint64_t>::max()});
    w.set("t.i64", int64_t{std::numeric_limits<int64_t>::min()});
    w.set("t.f64", 2.718281828459045);
    w.set("t.strings", GgufValue::stringArray({"<s>", "", "▁the", "\n", "你好"}));
    w.set("t.floats", GgufValue::array(GgufType::F32, std::vector<float>{-1.5f, 0.0f, 1e-30f}));
    w.set("t.i32s", GgufValue::array(GgufType::I32, std::vector<int32_t>{1, -2, 3}));
    w.set("t.bools", GgufValue::array(GgufType::Bool, std::vector<bool>{true, false}));
    w.set("t.empty_array", GgufValue::array(GgufType::U8, std::vector<uint8_t>{}));
    GgufArray inner1{GgufType::U16, {GgufValue(uint16_t{1}), GgufValue(uint16_t{2})}};
    GgufArray inner2{GgufType::U16, {}};
    GgufArray nested{GgufType::Array, {GgufValue(inner1), GgufValue(inner2)}};
    GgufArray nestedStrings{GgufType::Array, {GgufValue::stringArray({"a", "b"})}};
    w.set("t.nested", GgufValue(nested));
    w.set("t.nested_strings", GgufValue(nestedStrings));
}

} // namespace

class GgufReaderTest : public QObject {
    Q_OBJECT

private slots:
    void roundTripsEveryValueType_data() {
        QTest::addColumn<uint32_t>("version");
        QTest::newRow("v2") << 2u;
        QTest::newRow("v3") << 3u;
    }

    void roundTripsEveryValueType() {
        QFETCH(uint32_t, version);
        GgufWriter w;
        w.setVersion(version);
        addEveryValueType(w);
        const auto f = GgufFile::fromBytes(w.toBytes(), "values.gguf");
        QCOMPARE(f.version(), version);
        QCOMPARE(f.metadata().size(), size_t{20});
        QCOMPARE(f.get("t.u8").type(), GgufType::U8);
        QCOMPARE(f.getUInt("t.u8").value(), uint64_t{250});
        QCOMPARE(f.getInt("t.i8").value(), int64_t{-120});
        QCOMPARE(f.getUInt("t.u16").value(), uint64_t{65000});
        QCOMPARE(f.getInt("t.i16").value(), int64_t{-32000});
        QCOMPARE(f.getUInt("t.u32").value(), uint64_t{4000000000u});
        QCOMPARE(f.getInt("t.i32").value(), int64_t{-2000000000});
        QCOMPARE(f.get("t.f32").type(), GgufType::F32);
        QCOMPARE(f.getFloat("t.f32").value(), 3.25);
        QCOMPARE(f.getBool("t.bool").value(), true);
        QCOMPARE(f.getString("t.string").value(), std::string("Lamplight 灯光 🦙"));
        QCOMPARE(f.getString("t.empty_string").value(), std::string());
        QCOMPARE(f.getUInt("t.u64").value(), std::numeric_limits<uint64_t>::max());
        QCOMPARE(f.getInt("t.i64").value(), std::numeric_limits<int64_t>::min());
        QCOMPARE(f.get("t.f64").type(), GgufType::F64);
        QCOMPARE(f.getFloat("t.f64").value(), 2.718281828459045);

        const GgufArray* strings = f.getArray("t.strings");
        QVERIFY(strings != nullptr);
        QCOMPARE(strings->elementType, GgufType::String);
        QCOMPARE(strings->items.size(), size_t{5});
        QCOMPARE(strings->items[2].asString(), std::string("▁the"));
        QCOMPARE(strings->items[4].asString(), std::string("你好"));
        QCOMPARE(f.getArray("t.floats")->items[2].asDouble(), double(1e-30f));
        QCOMPARE(f.getArray("t.i32s")->items[1].asInt(), int64_t{-2});
        QCOMPARE(f.getArray("t.bools")->items[0].asBool(), true);
        QVERIFY(f.getArray("t.empty_array")->items.empty());
        const GgufArray* nested = f.getArray("t.nested");
        QCOMPARE(nested->elementType, GgufType::Array);
        QCOMPARE(nested->items[0].asArray().items[1].asUInt(), uint64_t{2});
        QVERIFY(nested->items[1].asArray().items.empty());
        QCOMPARE(f.getArray("t.nested_strings")->items[0].asArray().items[1].asString(), std::string("b"));

        // Every pair equals what was written, in order.
        GgufWriter again;
        again.setVersion(version);
        addEveryValueType(again);
        const auto g = GgufFile::fromBytes(again.toBytes(), "again.gguf");
        for (size_t i = 0; i < f.metadata().size(); ++i) {
            QCOMPARE(f.metadata()[i].key, g.metadata()[i].key);
            QVERIFY(f.metadata()[i].value == g.metadata()[i].value);
        }
    }

    void wrongTypeIsAClearError() {
        GgufWriter w;
        w.set("general.name", std::string("x"));
        const auto f = GgufFile::fromBytes(w.toBytes(), "typed.gguf");
        QVERIFY(!f.getInt("absent").has_value());
        QVERIFY(f.getArray("absent") == nullptr);
        try {
            (void)f.getInt("general.name");
            QFAIL("expected GgufError");
        } catch (const GgufError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("typed.gguf") != std::string::npos, e.what());
            QVERIFY2(msg.find("general.name") != std::string::npos, e.what());
            QVERIFY2(msg.find("string") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(GgufError, f.get("absent.key"));
    }

    void tensorsAndViewsRoundTrip_data() {
        QTest::addColumn<uint32_t>("alignment");
        QTest::newRow("default 32") << 0u;
        QTest::newRow("64") << 64u;
        QTest::newRow("1") << 1u;
        QTest::newRow("4096") << 4096u;
    }

    void tensorsAndViewsRoundTrip() {
        QFETCH(uint32_t, alignment);
        GgufWriter w;
        if (alignment != 0)
            w.setAlignment(alignment);
        w.set("general.architecture", std::string("llama"));
        std::vector<float> a(3 * 5);
        for (size_t i = 0; i < a.size(); ++i)
            a[i] = static_cast<float>(i) * 0.5f - 3.0f;
        w.addTensor("a", TensorType::F32, {5, 3}, floatBytes(a));
        std::vector<std::byte> q8(2 * 34 * 4);  // Q8_0: 2 blocks per row, 4 rows
        for (size_t i = 0; i < q8.size(); ++i)
            q8[i] = std::byte(i * 7 % 251);
        w.addTensor("blk.0.q", TensorType::Q8_0, {64, 4}, q8);
        w.addTensor("lazy", TensorType::F16, {3, 2, 2}, [](std::span<std::byte> out) {
            for (size_t i = 0; i < out.size(); ++i)
                out[i] = std::byte(i);
        });
        w.addTensor("four_d", TensorType::F32, {1, 2, 1, 2}, floatBytes({1, 2, 3, 4}));
        const auto bytes = w.toBytes();
        const auto f = GgufFile::fromBytes(bytes, "tensors.gguf");

        const uint32_t expectAlign = alignment == 0 ? 32u : alignment;
        QCOMPARE(f.alignment(), expectAlign);
        QCOMPARE(f.dataOffset() % expectAlign, uint64_t{0});
        QCOMPARE(f.tensors().size(), size_t{4});
        const auto& t0 = f.tensors()[0];
        QCOMPARE(t0.name, std::string("a"));
        QCOMPARE(t0.nDims, 2u);
        QCOMPARE(t0.dims[0], int64_t{5});
        QCOMPARE(t0.dims[1], int64_t{3});
        QCOMPARE(t0.rows(), int64_t{3});
        QCOMPARE(t0.nElements, uint64_t{15});
        QCOMPARE(t0.shapeString(), std::string("[5, 3]"));
        const auto v0 = f.tensor("a");
        QCOMPARE(v0.data.size(), size_t{60});
        QVERIFY(std::memcmp(v0.data.data(), a.data(), 60) == 0);
        for (const auto& t : f.tensors())
            QCOMPARE(t.offset % expectAlign, uint64_t{0});

        const auto v1 = f.tensor("blk.0.q");
        QCOMPARE(v1.info->type, TensorType::Q8_0);
        QCOMPARE(v1.info->nBytes, uint64_t{q8.size()});
        QVERIFY(std::memcmp(v1.data.data(), q8.data(), q8.size()) == 0);
        const auto v2 = f.tensor("lazy");
        QCOMPARE(v2.data.size(), size_t{3 * 2 * 2 * 2});
        QCOMPARE(v2.data[5], std::byte{5});
        QCOMPARE(f.tensor("four_d").info->nDims, 4u);
        QCOMPARE(f.tensor("four_d").info->dims[3], int64_t{2});
        QVERIFY(f.findTensor("missing") == nullptr);
        QVERIFY_THROWS_EXCEPTION(GgufError, f.tensor("missing"));
    }

    void writesFilesAtomically() {
        QTemporaryDir dir;
        const std::filesystem::path path = dir.filePath("model.gguf").toStdString();
        GgufWriter w;
        w.set("general.name", std::string("on disk"));
        w.addTensor("x", TensorType::F32, {4}, floatBytes({1, 2, 3, 4}));
        w.write(path);
        QVERIFY(!std::filesystem::exists(path.string() + ".part"));
        const auto f = GgufFile::open(path);
        QCOMPARE(f.name(), path.string());
        QCOMPARE(f.getString("general.name").value(), std::string("on disk"));
        QCOMPARE(f.fileSize(), uint64_t(std::filesystem::file_size(path)));
        // A folder that does not exist: a clear error, nothing left behind.
        QVERIFY_THROWS_EXCEPTION(GgufError, w.write(dir.filePath("no/such/dir/m.gguf").toStdString()));
    }

    void writerRejectsInconsistentInput() {
        GgufWriter w;
        w.set("k", 1u);
        QVERIFY_THROWS_EXCEPTION(GgufError, w.set("k", 2u));
        w.addTensor("t", TensorType::F32, {2}, floatBytes({1, 2}));
        QVERIFY_THROWS_EXCEPTION(GgufError, w.addTensor("t", TensorType::F32, {2}, floatBytes({1, 2})));
        QVERIFY_THROWS_EXCEPTION(GgufError, w.addTensor("short", TensorType::F32, {3}, floatBytes({1, 2})));
        QVERIFY_THROWS_EXCEPTION(FormatError, w.addTensor("q", TensorType::Q4_0, {33}, std::vector<std::byte>(18)));
        QVERIFY_THROWS_EXCEPTION(GgufError, w.setAlignment(48));
        QVERIFY_THROWS_EXCEPTION(GgufError, w.setVersion(1));
    }

    void readsRealModels() {
        LAMP_REQUIRE_SHARED(shared);
        const auto f = GgufFile::open(shared / "models" / "stories260K.gguf");
        QCOMPARE(f.getString("general.architecture").value(), std::string("llama"));
        QCOMPARE(f.getUInt("llama.embedding_length").value(), uint64_t{64});
        QCOMPARE(f.getUInt("llama.block_count").value(), uint64_t{5});
        QCOMPARE(f.getArray("tokenizer.ggml.tokens")->items.size(), size_t{512});
        const auto* embd = f.findTensor("token_embd.weight");
        QVERIFY(embd != nullptr);
        QCOMPARE(embd->dims[0], int64_t{64});
        QCOMPARE(embd->dims[1], int64_t{512});

        // Every shared model and vocab opens, and its tensors lie inside the file.
        for (const auto& dir : {shared / "models", shared / "models" / "vocab"}) {
            for (const auto& entry : std::filesystem::directory_iterator(dir)) {
                if (entry.path().extension() != ".gguf")
                    continue;
                const auto g = GgufFile::open(entry.path());
                for (const auto& t : g.tensors())
                    QVERIFY(g.dataOffset() + t.offset + t.nBytes <= g.fileSize());
                QVERIFY2(g.find("tokenizer.ggml.model") != nullptr, entry.path().c_str());
            }
        }

        // Re-writing a real model with our writer reproduces its metadata and tensor bytes.
        const auto q = GgufFile::open(shared / "models" / "tiny-llama-q4_k_m.gguf");
        GgufWriter w;
        for (const auto& kv : q.metadata())
            w.set(kv.key, kv.value);
        for (const auto& t : q.tensors())
            w.addTensor(t.name, t.type, std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.nDims),
                        q.tensor(t).data);
        const auto r = GgufFile::fromBytes(w.toBytes(), "rewritten.gguf");
        QCOMPARE(r.metadata().size(), q.metadata().size());
        for (size_t i = 0; i < q.metadata().size(); ++i)
            QVERIFY2(r.metadata()[i].value == q.metadata()[i].value, q.metadata()[i].key.c_str());
        QCOMPARE(r.tensors().size(), q.tensors().size());
        for (const auto& t : q.tensors()) {
            const auto a = q.tensor(t).data;
            const auto b = r.tensor(t.name).data;
            QCOMPARE(b.size(), a.size());
            QVERIFY2(std::memcmp(a.data(), b.data(), a.size()) == 0, t.name.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(GgufReaderTest)
#include "test_gguf_reader.moc"
