// Uploading a model's weights (see device_weights.h).
#include "vulkan/device_weights.h"

#include "core/log.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/weights.h"
#include "vulkan/ops_transformer.h"

#include <span>
#include <vector>

namespace lamp::vulkan {
namespace {

// Walks the model's tensors in upload order, counting bytes for the progress callback.
class Uploader {
public:
    Uploader(Device& device, const Model& model, const std::function<void(uint64_t, uint64_t)>& progress)
        : device_(device), model_(model), file_(model.file()), load_(model.file(), model.spec()),
          progress_(progress), total_(deviceWeightBytes(model)) {}

    bool has(const std::string& name) const { return file_.findTensor(name) != nullptr; }

    // Rows [firstRow, firstRow + rows) of a [.. × cols] matrix (all rows when rows < 0).
    DeviceMatrix matrix(const std::string& name, int64_t cols, int64_t allRows, int64_t firstRow = 0,
                        int64_t rows = -1) {
        const cpu::WeightMatrix m = load_.matrix(name, cols, allRows);
        if (rows < 0)
            rows = allRows - firstRow;
        const uint64_t rowSize = rowBytes(m.type, cols);
        const std::byte* data = m.data + rowSize * static_cast<uint64_t>(firstRow);
        // A matrix the CPU backend interleaved earlier in this process (cpu/interleave.h) goes up in
        // the file's layout, restored into a temporary copy of the rows.
        std::vector<std::byte> restored;
        if (model_.layoutOf(m.data) == cpu::WeightLayout::Interleaved4) {
            restored.resize(rowSize * static_cast<uint64_t>(rows));
            cpu::deinterleaveRows(m.type, m.data, cols, firstRow, rows, restored.data());
            data = restored.data();
        }
        DeviceMatrix d = uploadMatrix(device_, m.type, rows, cols, data, name);
        advance(rowSize * static_cast<uint64_t>(rows));
        return d;
    }

    Buffer vector(const std::string& name, int64_t n, int64_t first = 0, int64_t count = -1) {
        const std::vector<float> v = load_.vector(name, n);
        if (count < 0)
            count = n - first;
        return floats(std::span(v).subspan(static_cast<size_t>(first), static_cast<size_t>(count)), name);
    }
    Buffer optionalVector(const std::string& name, int64_t n) { return has(name) ? vector(name, n) : Buffer(); }

    Buffer floats(std::span<const float> v, const std::string& label) {
        Buffer b = device_.createBuffer(v.size_bytes(), label);
        device_.upload(b, 0, v.data(), v.size_bytes());
        advance(v.size_bytes());
        return b;
    }

    const WeightLoader& loader() const { return load_; }

private:
    void advance(uint64_t bytes) {
        done_ += bytes;
        if (progress_)
            progress_(std::min(done_, total_), total_);
    }

    Device& device_;
    const Model& model_;
    const GgufFile& file_;
    const WeightLoader load_;
    const std::function<void(uint64_t, uint64_t)>& progress_;
    uint64_t total_;
    uint64_t done_ = 0;
};

} // namespace

uint64_t deviceWeightBytes(const Model& model) {
    // Matrices go up as stored; vectors are decoded to F32 (4 bytes per element).
    uint64_t total = 0;
    for (const auto& t : model.file().tensors())
        total += t.nDims == 1 ? t.nElements * 4 : t.nBytes;
    return total;
}

DeviceWeights uploadWeights(Device& device, const Model& model,
                            const std::function<void(uint64_t done, uint64_t total)>& progress) {
    const ModelSpec& s = model.spec();
    const int64_t embd = s.embeddingLength, ffn = s.feedForwardLength;
    Uploader up(device, model, progress);
    DeviceWeights w;
    w.layerNorm = up.has("blk.0.attn_norm.bias");
    w.ropeEnabled = s.positions != PositionEncoding::Learned;

    const GgufTensorInfo* embdInfo = model.file().findTensor("token_embd.weight");
    const bool tied = !up.has("output.weight");
    w.embedOnDevice = canEmbed(embdInfo->type);
    if (w.embedOnDevice || tied)
        w.tokenEmbd = up.matrix("token_embd.weight", embd, s.vocabSize);
    if (!w.ropeEnabled) {
        const GgufTensorInfo* pos = model.file().findTensor("position_embd.weight");
        w.positionsOnDevice = canEmbed(pos->type);
        if (w.positionsOnDevice)
            w.positionEmbd = up.matrix("position_embd.weight", embd, pos->dims[1]);
    }

    for (int64_t l = 0; l < s.blockCount; ++l) {
        const auto name = [l](const char* n) { return WeightLoader::layerName(l, n); };
        DeviceLayer& L = w.layers.emplace_back();
        L.attnNorm = up.vector(name("attn_norm.weight"), embd);
        L.attnNormBias = up.optionalVector(name("attn_norm.bias"), embd);
        const int64_t qw = s.qWidth(), kw = s.kvWidth(), vw = s.vWidth();
        if (up.has(name("attn_qkv.weight"))) {
            // A fused q|k|v projection: its rows split into the three matrices (and biases).
            const std::string fused = name("attn_qkv.weight"), bias = name("attn_qkv.bias");
            L.wq = up.matrix(fused, embd, qw + kw + vw, 0, qw);
            L.wk = up.matrix(fused, embd, qw + kw + vw, qw, kw);
            L.wv = up.matrix(fused, embd, qw + kw + vw, qw + kw, vw);
            if (up.has(bias)) {
                L.bq = up.vector(bias, qw + kw + vw, 0, qw);
                L.bk = up.vector(bias, qw + kw + vw, qw, kw);
                L.bv = up.vector(bias, qw + kw + vw, qw + kw, vw);
            }
        } else {
            L.wq = up.matrix(name("attn_q.weight"), embd, qw);
            L.wk = up.matrix(name("attn_k.weight"), embd, kw);
            L.wv = up.matrix(name("attn_v.weight"), embd, vw);
            L.bq = up.optionalVector(name("attn_q.bias"), qw);
            L.bk = up.optionalVector(name("attn_k.bias"), kw);
            L.bv = up.optionalVector(name("attn_v.bias"), vw);
        }
        L.wo = up.matrix(name("attn_output.weight"), s.headCount * s.valueLength, embd);
        L.bo = up.optionalVector(name("attn_output.bias"), embd);
        L.ffnNorm = up.vector(name("ffn_norm.weight"), embd);
        L.ffnNormBias = up.optionalVector(name("ffn_norm.bias"), embd);
        if (up.has(name("ffn_gate.weight")))
            L.gate = up.matrix(name("ffn_gate.weight"), embd, ffn);
        L.up = up.matrix(name("ffn_up.weight"), embd, ffn);
        L.bUp = up.optionalVector(name("ffn_up.bias"), ffn);
        L.down = up.matrix(name("ffn_down.weight"), ffn, embd);
        L.bDown = up.optionalVector(name("ffn_down.bias"), embd);
    }
    w.outputNorm = up.vector("output_norm.weight", embd);
    w.outputNormBias = up.optionalVector("output_norm.bias", embd);
    if (!tied)
        w.output = up.matrix("output.weight", embd, s.vocabSize);

    if (w.ropeEnabled) {
        w.rope.mode = s.positions == PositionEncoding::RopeNeox ? ops::RopeMode::Neox : ops::RopeMode::Normal;
        w.rope.nRot = s.ropeDimensionCount;
        w.rope.freqBase = s.ropeFreqBase;
        w.rope.freqScale = s.ropeFreqScale;
        const auto factors = up.loader().optionalVector("rope_freqs.weight", s.ropeDimensionCount / 2);
        if (factors)
            w.rope.freqFactors = factors->data();
        const std::vector<uint32_t> table = ropeTable(w.rope);
        w.rope.freqFactors = nullptr;  // folded into the table; the vector goes out of scope
        w.ropeTable = device.createBuffer(table.size() * 4, "rope table");
        device.upload(w.ropeTable, 0, table.data(), table.size() * 4);
    }
    w.bytes = device.allocatedBytes();
    log::get("vulkan")->info("{}: weights uploaded to {} ({} MiB)", s.fileName, device.info().name,
                             w.bytes >> 20);
    return w;
}

} // namespace lamp::vulkan
