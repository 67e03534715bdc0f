// The model quantizer end to end: a tiny llama-shaped model is written with GgufWriter, quantized
// to each target into a temporary folder, read back with GgufFile, and checked for the type of
// every tensor (the expectations are spelled out here per tensor, from the documented rule), the
// copied metadata, general.file_type, and values close to the originals. Against another
// implementation: the mix must equal that of the llama.cpp-made files in ../shared/models.
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/dequantize.h"
#include "quant/half.h"
#include "quant/model_quantizer.h"
#include "quant/quantize.h"
#include "support/shared_data.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace lamp;

namespace {

constexpr int kLayers = 8;  // "more bits" layers for Q4_K_M: 0 (first eighth), 7 (last), 3 and 6

// One source tensor: its values as float (what the file holds, after any F16 rounding).
struct Source {
    std::string name;
    TensorType type;
    std::vector<int64_t> dims;
    std::vector<float> values;
};

struct TinyModel {
    std::vector<Source> tensors;
    GgufWriter writer;
};

std::vector<float> randomValues(size_t n, float scale, std::mt19937& rng) {
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

void addSource(TinyModel& m, std::mt19937& rng, std::string name, TensorType type,
               std::vector<int64_t> dims) {
    size_t n = 1;
    for (auto d : dims)
        n *= static_cast<size_t>(d);
    std::vector<float> values = randomValues(n, 0.02f, rng);
    if (name.find("norm") != std::string::npos)
        for (auto& v : values)
            v += 1.0f;
    // Store as `type`, and keep the values the file really holds.
    const int64_t rowLength = dims[0];
    const auto rows = static_cast<int64_t>(n) / rowLength;
    std::vector<std::byte> bytes(static_cast<size_t>(rows) * rowBytes(type, rowLength));
    const size_t rb = rowBytes(type, rowLength);
    for (int64_t r = 0; r < rows; ++r) {
        quantizeRow(type, values.data() + r * rowLength, bytes.data() + static_cast<size_t>(r) * rb,
                    rowLength);
        dequantizeRow(type, bytes.data() + static_cast<size_t>(r) * rb,
                      values.data() + r * rowLength, rowLength);
    }
    m.writer.addTensor(name, type, dims, std::move(bytes));
    m.tensors.push_back({std::move(name), type, std::move(dims), std::move(values)});
}

// token_embd [256, 512] (big enough to be split over threads), output_norm, optionally output;
// per layer attn_norm (F16 in odd layers), attn_q (F16 source), attn_v, ffn_down [512, 8];
// layer 0 also has attn_v with rows of 96 (so Q6_K falls back), ffn_gate rows of 96 (Q4_K falls
// back), an odd [40, 4] tensor that fits no block, and attn_k already stored as Q8_0.
TinyModel makeModel(bool withOutput) {
    TinyModel m;
    std::mt19937 rng(42);
    m.writer.set("general.architecture", "llama");
    m.writer.set("general.name", "tiny test model");
    m.writer.set("general.file_type", uint32_t{0});
    m.writer.set("llama.block_count", uint32_t{kLayers});
    m.writer.set("llama.embedding_length", uint32_t{256});
    m.writer.set("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    m.writer.set("tokenizer.ggml.tokens", GgufValue::stringArray({"<unk>", "<s>", "</s>", "a"}));
    m.writer.set("tokenizer.ggml.scores",
                 GgufValue::array(GgufType::F32, std::vector<float>{0, 0, 0, -1.5f}));

    addSource(m, rng, "token_embd.weight", TensorType::F32, {256, 512});
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        addSource(m, rng, p + "attn_norm.weight", l % 2 ? TensorType::F16 : TensorType::F32, {256});
        addSource(m, rng, p + "attn_q.weight", TensorType::F16, {256, 8});
        addSource(m, rng, p + "attn_v.weight", TensorType::F32, {l == 0 ? 96 : 256, 8});
        addSource(m, rng, p + "ffn_down.weight", TensorType::F32, {512, 8});
        if (l == 0) {
            addSource(m, rng, p + "attn_k.weight", TensorType::Q8_0, {256, 8});
            addSource(m, rng, p + "ffn_gate.weight", TensorType::F32, {96, 8});
            addSource(m, rng, p + "odd.weight", TensorType::F32, {40, 4});
        }
    }
    addSource(m, rng, "output_norm.weight", TensorType::F32, {256});
    if (withOutput)
        addSource(m, rng, "output.weight", TensorType::F32, {256, 64});
    return m;
}

// The type each tensor must get, written out from the documented rule.
TensorType expectedType(const std::string& name, QuantTarget target, bool withOutput) {
    const bool oneD = name.find("norm") != std::string::npos;
    if (oneD)
        return TensorType::F32;
    if (name == "blk.0.odd.weight")
        return TensorType::F32;  // 40 is not a multiple of 32: kept as stored (F32)
    switch (target) {
    case QuantTarget::Q8_0:
        return TensorType::Q8_0;
    case QuantTarget::Q4_0:
        return TensorType::Q4_0;
    case QuantTarget::Q4_K_M:
        break;
    }
    static const std::map<std::string, TensorType> kQ4KM = {
        {"blk.0.attn_v.weight", TensorType::Q8_0},      // layer 0 wants Q6_K, rows of 96 -> Q8_0
        {"blk.0.ffn_gate.weight", TensorType::Q5_0},    // Q4_K, rows of 96 -> Q5_0
        {"blk.0.ffn_down.weight", TensorType::Q6_K},
        {"blk.3.attn_v.weight", TensorType::Q6_K},
        {"blk.3.ffn_down.weight", TensorType::Q6_K},
        {"blk.6.attn_v.weight", TensorType::Q6_K},
        {"blk.6.ffn_down.weight", TensorType::Q6_K},
        {"blk.7.attn_v.weight", TensorType::Q6_K},
        {"blk.7.ffn_down.weight", TensorType::Q6_K},
        {"output.weight", TensorType::Q6_K},
    };
    if (const auto it = kQ4KM.find(name); it != kQ4KM.end())
        return it->second;
    if (name == "token_embd.weight")
        return withOutput ? TensorType::Q4_K : TensorType::Q6_K;  // tied embedding gets Q6_K
    return TensorType::Q4_K;
}

// Honest upper bounds of the relative RMSE per output type on these small N(0, 0.02) tensors.
double rmseBound(TensorType t) {
    switch (t) {
    case TensorType::F32: return 0.0;
    case TensorType::Q8_0: return 0.008;
    case TensorType::Q6_K: return 0.022;
    case TensorType::Q5_0: return 0.055;
    case TensorType::Q4_K: return 0.085;
    case TensorType::Q4_0: return 0.11;
    default: return 0.0;
    }
}

std::vector<float> readTensor(const GgufFile& file, const GgufTensorInfo& info) {
    const TensorView view = file.tensor(info);
    std::vector<float> out(static_cast<size_t>(info.nElements));
    const int64_t n = info.dims[0];
    const size_t rb = rowBytes(info.type, n);
    for (int64_t r = 0; r < info.rows(); ++r)
        dequantizeRow(info.type, view.data.data() + static_cast<size_t>(r) * rb,
                      out.data() + r * n, n);
    return out;
}

double relativeRmse(const std::vector<float>& x, const std::vector<float>& y) {
    double se = 0.0, ss = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double e = static_cast<double>(y[i]) - x[i];
        se += e * e;
        ss += static_cast<double>(x[i]) * x[i];
    }
    return ss > 0 ? std::sqrt(se / ss) : std::sqrt(se);
}

} // namespace

class TestModelQuantizer : public QObject {
    Q_OBJECT

private slots:
    void names() {
        QCOMPARE(quantTargetFromName("q4_k_m"), std::optional(QuantTarget::Q4_K_M));
        QCOMPARE(quantTargetFromName("Q8_0"), std::optional(QuantTarget::Q8_0));
        QCOMPARE(quantTargetFromName("q4_0"), std::optional(QuantTarget::Q4_0));
        QVERIFY(!quantTargetFromName("q4_k"));
        QVERIFY(!quantTargetFromName("q5_k_m"));
        QVERIFY(!quantTargetFromName(""));
        QCOMPARE(quantTargetName(QuantTarget::Q4_K_M), std::string_view("Q4_K_M"));
        QCOMPARE(llamaFileType(QuantTarget::Q4_0), 2u);
        QCOMPARE(llamaFileType(QuantTarget::Q8_0), 7u);
        QCOMPARE(llamaFileType(QuantTarget::Q4_K_M), 15u);
    }

    void moreBitsLayers() {
        const auto layersOf = [](int n) {
            std::vector<int> out;
            for (int i = 0; i < n; ++i)
                if (useMoreBits(i, n))
                    out.push_back(i);
            return out;
        };
        QCOMPARE(layersOf(8), (std::vector<int>{0, 3, 6, 7}));
        // 22 layers (TinyLlama): first 22/8 = 2, last from 7*22/8 = 19, every third from 2 + 2.
        QCOMPARE(layersOf(22), (std::vector<int>{0, 1, 4, 7, 10, 13, 16, 19, 20, 21}));
        QCOMPARE(layersOf(32), (std::vector<int>{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29,
                                                 30, 31}));
    }

    void quantizeTargets_data() {
        QTest::addColumn<int>("target");
        QTest::addColumn<bool>("withOutput");
        QTest::newRow("Q8_0") << static_cast<int>(QuantTarget::Q8_0) << false;
        QTest::newRow("Q4_0") << static_cast<int>(QuantTarget::Q4_0) << true;
        QTest::newRow("Q4_K_M tied") << static_cast<int>(QuantTarget::Q4_K_M) << false;
        QTest::newRow("Q4_K_M with output") << static_cast<int>(QuantTarget::Q4_K_M) << true;
    }

    void quantizeTargets() {
        QFETCH(int, target);
        QFETCH(bool, withOutput);
        const auto t = static_cast<QuantTarget>(target);
        TinyModel model = makeModel(withOutput);
        const auto sourceBytes = model.writer.toBytes();
        const GgufFile source = GgufFile::fromBytes(sourceBytes, "tiny.gguf");

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::filesystem::path out = dir.filePath("out.gguf").toStdString();
        std::vector<std::string> seen;
        QuantizeOptions options;
        options.threads = 2;
        options.onTensor = [&](const TensorPlan& p, size_t index, size_t count) {
            QCOMPARE(index, seen.size());
            QCOMPARE(count, model.tensors.size());
            seen.push_back(p.name);
        };
        const QuantizePlan plan = quantizeModel(source, out, t, options);
        QCOMPARE(seen.size(), model.tensors.size());
        QCOMPARE(plan.layerCount, kLayers);

        const GgufFile result = GgufFile::open(out);

        // Metadata: everything copied in order, file type and quantization version set.
        const auto& srcMeta = source.metadata();
        const auto& outMeta = result.metadata();
        QCOMPARE(outMeta.size(), srcMeta.size() + 1);  // + general.quantization_version
        for (size_t i = 0; i < srcMeta.size(); ++i) {
            QCOMPARE(outMeta[i].key, srcMeta[i].key);
            if (srcMeta[i].key == "general.file_type")
                QCOMPARE(outMeta[i].value, GgufValue(llamaFileType(t)));
            else
                QVERIFY2(outMeta[i].value == srcMeta[i].value, srcMeta[i].key.c_str());
        }
        QCOMPARE(result.getUInt("general.file_type"), std::optional<uint64_t>(llamaFileType(t)));
        QCOMPARE(result.getUInt("general.quantization_version"), std::optional<uint64_t>(2));

        // Tensors: same names, order and shapes; the expected types; values close to the source.
        QCOMPARE(result.tensors().size(), model.tensors.size());
        uint64_t newTotal = 0;
        for (size_t i = 0; i < model.tensors.size(); ++i) {
            const Source& src = model.tensors[i];
            const GgufTensorInfo& info = result.tensors()[i];
            QCOMPARE(info.name, src.name);
            QCOMPARE(static_cast<size_t>(info.nDims), src.dims.size());
            for (size_t d = 0; d < src.dims.size(); ++d)
                QCOMPARE(info.dims[d], src.dims[d]);
            const TensorType want = expectedType(src.name, t, withOutput);
            QVERIFY2(
                info.type == want,
                qPrintable(QString("%1: got %2, expected %3")
                               .arg(QString::fromStdString(src.name))
                               .arg(QString::fromStdString(std::string(tensorTypeName(info.type))))
                               .arg(QString::fromStdString(std::string(tensorTypeName(want))))));
            QCOMPARE(plan.tensors[i].name, src.name);
            QCOMPARE(plan.tensors[i].oldType, src.type);
            QCOMPARE(plan.tensors[i].newType, want);
            QCOMPARE(plan.tensors[i].newBytes, info.nBytes);
            newTotal += info.nBytes;

            const auto values = readTensor(result, info);
            const double rmse = relativeRmse(src.values, values);
            QVERIFY2(rmse <= rmseBound(want),
                     qPrintable(QString("%1 (%2): relative RMSE %3")
                                    .arg(QString::fromStdString(src.name))
                                    .arg(QString::fromStdString(std::string(tensorTypeName(want))))
                                    .arg(rmse)));
            // A tensor already in its target type is copied byte for byte.
            if (src.type == want) {
                const auto a = source.tensor(src.name).data, b = result.tensor(src.name).data;
                QVERIFY(a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0);
            }
        }
        QCOMPARE(plan.newBytes(), newTotal);
        QVERIFY(plan.newBytes() < plan.oldBytes());
    }

    // The writer from makeQuantizedWriter can also produce bytes in memory, identical to the file.
    void inMemoryMatchesFile() {
        TinyModel model = makeModel(true);
        const auto bytes = model.writer.toBytes();
        const GgufFile source = GgufFile::fromBytes(bytes, "tiny.gguf");
        const QuantizePlan plan = planQuantization(source, QuantTarget::Q4_K_M);
        QuantizeOptions one;
        one.threads = 1;
        const auto single = makeQuantizedWriter(source, plan, one).toBytes();
        QuantizeOptions many;
        many.threads = 4;
        const auto threaded = makeQuantizedWriter(source, plan, many).toBytes();
        QVERIFY(single == threaded);  // threads change nothing
        const GgufFile again = GgufFile::fromBytes(single, "quantized.gguf");
        QCOMPARE(again.tensors().size(), source.tensors().size());
    }

    // Our plan gives every tensor the type llama.cpp chose in the reference files, and the real
    // tiny-llama model quantized to Q4_K_M is no further from its F32 weights than llama.cpp's
    // file.
    void matchesReferenceFiles_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("reference");
        QTest::addColumn<int>("target");
        QTest::newRow("llama q4_k_m") << "tiny-llama-f32" << "tiny-llama-q4_k_m"
                                      << static_cast<int>(QuantTarget::Q4_K_M);
        QTest::newRow("qwen2 q4_k_m (tied)") << "tiny-qwen2-f32" << "tiny-qwen2-q4_k_m"
                                             << static_cast<int>(QuantTarget::Q4_K_M);
        QTest::newRow("llama q8_0") << "tiny-llama-f32" << "tiny-llama-q8_0"
                                    << static_cast<int>(QuantTarget::Q8_0);
        QTest::newRow("qwen2 q8_0") << "tiny-qwen2-f32" << "tiny-qwen2-q8_0"
                                    << static_cast<int>(QuantTarget::Q8_0);
        QTest::newRow("llama q4_0") << "tiny-llama-f32" << "tiny-llama-q4_0"
                                    << static_cast<int>(QuantTarget::Q4_0);
    }

    void matchesReferenceFiles() {
        QFETCH(QString, source);
        QFETCH(QString, reference);
        QFETCH(int, target);
        LAMP_REQUIRE_SHARED(shared);
        const auto t = static_cast<QuantTarget>(target);
        const auto src = GgufFile::open(shared / "models" / (source.toStdString() + ".gguf"));
        const auto ref = GgufFile::open(shared / "models" / (reference.toStdString() + ".gguf"));
        QCOMPARE(ref.getUInt("general.file_type"), std::optional<uint64_t>(llamaFileType(t)));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::filesystem::path out = dir.filePath("out.gguf").toStdString();
        const QuantizePlan plan = quantizeModel(src, out, t);
        const auto result = GgufFile::open(out);
        QCOMPARE(result.tensors().size(), ref.tensors().size());
        double ss = 0.0, seOurs = 0.0, seRef = 0.0;
        for (size_t i = 0; i < plan.tensors.size(); ++i) {
            const auto& p = plan.tensors[i];
            const GgufTensorInfo* r = ref.findTensor(p.name);
            QVERIFY2(r != nullptr, p.name.c_str());
            QVERIFY2(
                p.newType == r->type,
                qPrintable(QString("%1: ours %2, reference %3")
                               .arg(QString::fromStdString(p.name))
                               .arg(QString::fromStdString(std::string(tensorTypeName(p.newType))))
                               .arg(QString::fromStdString(std::string(tensorTypeName(r->type))))));
            const auto x = readTensor(src, src.tensors()[i]);
            const auto yOurs = readTensor(result, result.tensors()[i]);
            const auto yRef = readTensor(ref, *r);
            for (size_t k = 0; k < x.size(); ++k) {
                ss += static_cast<double>(x[k]) * x[k];
                seOurs += (yOurs[k] - static_cast<double>(x[k])) * (yOurs[k] - x[k]);
                seRef += (yRef[k] - static_cast<double>(x[k])) * (yRef[k] - x[k]);
            }
        }
        const double ours = std::sqrt(seOurs / ss), theirs = std::sqrt(seRef / ss);
        qInfo("%s: relative RMSE ours %.5f, llama.cpp %.5f", qPrintable(reference), ours, theirs);
        QVERIFY(ours <= theirs * 1.002);
    }

    void alignmentKept() {
        TinyModel model = makeModel(true);
        model.writer.setAlignment(64);
        const auto bytes = model.writer.toBytes();
        const GgufFile source = GgufFile::fromBytes(bytes, "tiny64.gguf");
        QCOMPARE(source.alignment(), 64u);
        const auto out =
            makeQuantizedWriter(source, planQuantization(source, QuantTarget::Q8_0)).toBytes();
        const GgufFile result = GgufFile::fromBytes(out, "out.gguf");
        QCOMPARE(result.alignment(), 64u);
        QCOMPARE(result.dataOffset() % 64, uint64_t{0});
    }

    void unreadableSourceType() {
        GgufWriter writer;
        writer.set("general.architecture", "llama");
        writer.addTensor("blk.0.attn_q.weight", TensorType::Q8_1, {32, 2},
                         std::vector<std::byte>(72, std::byte{0}));
        const auto bytes = writer.toBytes();
        const GgufFile source = GgufFile::fromBytes(bytes, "q8_1.gguf");
        QVERIFY_THROWS_EXCEPTION(FormatError, planQuantization(source, QuantTarget::Q4_0));
    }
};

QTEST_APPLESS_MAIN(TestModelQuantizer)
#include "test_model_quantizer.moc"
