// The Vulkan backend and its per-session executor (see vulkan_backend.h).
#include "vulkan/vulkan_backend.h"

#include "core/log.h"
#include "gguf/gguf_file.h"
#include "gguf/model_info.h"  // humanBytes
#include "model/model.h"
#include "model/model_error.h"
#include "model/weights.h"
#include "vulkan/device.h"
#include "vulkan/device_weights.h"
#include "vulkan/ops.h"
#include "vulkan/ops_transformer.h"
#include "vulkan/vulkan_error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <optional>

namespace lamp::vulkan {
namespace {

constexpr int64_t kBatchCapacity = 512;  // tokens per recorded forward call (larger batches loop)
constexpr uint64_t kLogitBytes = 16u << 20;  // host-visible logits per submission (more rows loop)

// Rows of logits one submission reads back: all of a batch when they fit in kLogitBytes.
int64_t logitRowsFor(int64_t vocab, int64_t batchCapacity, uint64_t maxBufferBytes) {
    const uint64_t bytes = std::min(kLogitBytes, maxBufferBytes);
    return std::clamp<int64_t>(static_cast<int64_t>(bytes / (4 * static_cast<uint64_t>(vocab))), 1, batchCapacity);
}

uint32_t u32(int64_t v) { return static_cast<uint32_t>(v); }

// Widths of the activation buffers per token.
struct Widths {
    int64_t embd, q, k, v, att, ffn, vocab;
    explicit Widths(const ModelSpec& s)
        : embd(s.embeddingLength), q(s.qWidth()), k(s.kvWidth()), v(s.vWidth()), att(s.headCount * s.valueLength),
          ffn(s.feedForwardLength), vocab(s.vocabSize) {}
    int64_t widest() const { return std::max({embd, q, k, v, att, ffn}); }
    int64_t widestInput() const { return std::max({embd, att, ffn}); }  // of a matrix product
};

uint64_t kvCacheBytes(const ModelSpec& s, int64_t ctx) {
    return static_cast<uint64_t>(s.blockCount) * static_cast<uint64_t>(ctx) *
           static_cast<uint64_t>(s.kvWidth() + s.vWidth()) * 2;
}

// The weights on a device, shared by the sessions; saves the pipeline cache when the last goes.
struct Shared {
    std::unique_ptr<Device> device;
    DeviceWeights weights;
    std::optional<std::filesystem::path> pipelineCache;
    ~Shared() {
        if (pipelineCache && device) {
            try {
                device->savePipelineCache(*pipelineCache);
            } catch (const Error& e) {
                log::get("vulkan")->warn("{}", e.what());
            }
        }
        weights = DeviceWeights();  // buffers before the device handle goes
    }
};

class VulkanExecutor final : public Executor {
public:
    VulkanExecutor(std::shared_ptr<Shared> shared, const Model& model, int64_t ctx)
        : shared_(std::move(shared)), model_(model), s_(model.spec()), w_(s_), ctx_(ctx) {
        Device& d = *shared_->device;
        const uint64_t limit = d.maxBufferBytes();
        cap_ = std::clamp<int64_t>(static_cast<int64_t>(limit / (4 * static_cast<uint64_t>(w_.widest()))), 1,
                                   kBatchCapacity);
        logitRows_ = logitRowsFor(w_.vocab, cap_, limit);
        const auto floats = [&](int64_t width, const char* label) {
            return d.createBuffer(static_cast<uint64_t>(cap_ * width) * 4, label);
        };
        x_ = floats(w_.embd, "x (residual stream)");
        xb_ = floats(w_.embd, "xb (normalized)");
        q_ = floats(w_.q, "q");
        k_ = floats(w_.k, "k");
        v_ = floats(w_.v, "v");
        att_ = floats(w_.att, "attention output");
        ffnA_ = floats(w_.ffn, "ffn gate");
        ffnB_ = floats(w_.ffn, "ffn up");
        if (d.info().enabled.integerDotProduct)
            q8_ = d.createBuffer(quantizedInputBytes(u32(w_.widestInput()), u32(cap_)),
                                 "activations quantized for integer dot products");
        ids_ = d.createHostBuffer(static_cast<uint64_t>(cap_) * 4, "token ids");
        const DeviceWeights& W = shared_->weights;
        if (!W.ropeEnabled && W.positionsOnDevice)
            positions_ = d.createHostBuffer(static_cast<uint64_t>(cap_) * 4, "positions");
        if (!W.embedOnDevice || (!W.ropeEnabled && !W.positionsOnDevice))
            hostRows_ = d.createHostBuffer(static_cast<uint64_t>(cap_ * w_.embd) * 4, "embeddings from the host");
        // The tables the host decodes rows of, bound once (views of the mapped file).
        const WeightLoader load(model_.file(), s_);
        if (!W.embedOnDevice) {
            hostTokenTable_ = load.matrix("token_embd.weight", w_.embd, s_.vocabSize);
            hostTokenTable_->layout = model_.layoutOf(hostTokenTable_->data);  // embedRows undoes it
        }
        if (!W.ropeEnabled && !W.positionsOnDevice) {
            const GgufTensorInfo* info = model_.file().findTensor("position_embd.weight");
            hostPositionTable_ = load.matrix("position_embd.weight", w_.embd, info->dims[1]);
            positionScratch_.resize(static_cast<size_t>(cap_ * w_.embd));
        }
        logits_ = d.createHostBuffer(static_cast<uint64_t>(logitRows_ * w_.vocab) * 4, "logits");
        const uint64_t kBytes = static_cast<uint64_t>(ctx * w_.k) * 2, vBytes = static_cast<uint64_t>(ctx * w_.v) * 2;
        if (kBytes > limit || vBytes > limit)
            throw VulkanError("Vulkan: one layer's KV cache for " + std::to_string(ctx) + " positions (" +
                              humanBytes(std::max(kBytes, vBytes)) + ") is larger than a buffer may be on " +
                              d.info().name + " — choose a shorter context");
        for (int64_t l = 0; l < s_.blockCount; ++l) {
            keys_.push_back(d.createBuffer(kBytes, "KV cache keys, layer " + std::to_string(l)));
            values_.push_back(d.createBuffer(vBytes, "KV cache values, layer " + std::to_string(l)));
        }
        kvBytes_ = static_cast<size_t>(kBytes + vBytes) * static_cast<size_t>(s_.blockCount);
    }

    void forward(const ForwardBatch& b) override {
        const int64_t n = static_cast<int64_t>(b.tokens.size());
        if (b.startPos + n > ctx_)
            throw ModelError("positions " + std::to_string(b.startPos) + ".." + std::to_string(b.startPos + n - 1) +
                             " are past the KV cache of " + std::to_string(ctx_) + " positions");
        for (int64_t first = 0; first < n; first += cap_) {
            const int64_t count = std::min(cap_, n - first);
            const bool last = first + count == n;
            float* logits = nullptr;
            if (b.logits != nullptr && b.allLogits)
                logits = b.logits + first * w_.vocab;
            else if (b.logits != nullptr && last)
                logits = b.logits;
            run(b.tokens.subspan(static_cast<size_t>(first), static_cast<size_t>(count)), b.startPos + first,
                logits, b.allLogits);
        }
    }

    int64_t contextLength() const override { return ctx_; }
    size_t kvBytes() const override { return kvBytes_; }
    KvType kvType() const override { return KvType::F16; }
    int threads() const override { return 1; }

private:
    // One chunk of at most cap_ tokens: every layer in one command buffer, one submission (plus one
    // more per further logitRows_ rows of logits when all rows are wanted).
    void run(std::span<const int32_t> tokens, int64_t pos, float* logits, bool allLogits) {
        Device& d = *shared_->device;
        const DeviceWeights& W = shared_->weights;
        const int64_t n = static_cast<int64_t>(tokens.size());
        const uint32_t un = u32(n);
        std::memcpy(ids_.mapped(), tokens.data(), tokens.size_bytes());
        Recorder rec = d.record();
        embed(rec, tokens, pos);
        const float scale = 1.0f / std::sqrt(static_cast<float>(s_.keyLength));
        for (int64_t l = 0; l < s_.blockCount; ++l) {
            const DeviceLayer& L = W.layers[static_cast<size_t>(l)];
            // Grouped so that independent dispatches share one barrier: the three projections,
            // then their biases, then both rotations, then both cache stores.
            norm(rec, x_, 0, L.attnNorm, L.attnNormBias, xb_, un);
            const auto qkvIn = quantizeFor(rec, xb_, w_.embd, un, {&L.wq, &L.wk, &L.wv});
            recordMatVec(rec, L.wq, xb_, 0, q_, 0, un, {input(qkvIn)});
            recordMatVec(rec, L.wk, xb_, 0, k_, 0, un, {input(qkvIn)});
            recordMatVec(rec, L.wv, xb_, 0, v_, 0, un, {input(qkvIn)});
            addBias(rec, q_, L.bq, u32(w_.q), un);
            addBias(rec, k_, L.bk, u32(w_.k), un);
            addBias(rec, v_, L.bv, u32(w_.v), un);
            if (W.ropeEnabled) {
                recordRope(rec, q_, 0, un, u32(s_.headCount), u32(s_.keyLength), u32(pos), W.rope, W.ropeTable);
                recordRope(rec, k_, 0, un, u32(s_.headCountKv), u32(s_.keyLength), u32(pos), W.rope, W.ropeTable);
            }
            const auto li = static_cast<size_t>(l);
            recordKvStore(rec, k_, 0, keys_[li], 0, u32(pos), un, u32(w_.k));
            recordKvStore(rec, v_, 0, values_[li], 0, u32(pos), un, u32(w_.v));
            AttentionShape shape;
            shape.tokens = un;
            shape.startPos = u32(pos);
            shape.heads = u32(s_.headCount);
            shape.kvHeads = u32(s_.headCountKv);
            shape.keyLength = u32(s_.keyLength);
            shape.valueLength = u32(s_.valueLength);
            shape.scale = scale;
            recordAttention(rec, shape, q_, 0, keys_[li], 0, values_[li], 0, att_, 0);
            // x += wo·att (+ bo): the residual add fused into the product.
            linear(rec, L.wo, L.bo, att_, x_, un, quantizeFor(rec, att_, w_.att, un, {&L.wo}), true);
            norm(rec, x_, 0, L.ffnNorm, L.ffnNormBias, xb_, un);
            if (!L.gate.pieces.empty()) {
                const auto ffnIn = quantizeFor(rec, xb_, w_.embd, un, {&L.gate, &L.up});
                linear(rec, L.gate, {}, xb_, ffnA_, un, ffnIn);
                linear(rec, L.up, {}, xb_, ffnB_, un, ffnIn);
                recordSwiglu(rec, ffnA_, 0, ffnB_, 0, ffnA_, 0, u32(n * w_.ffn));
            } else {
                linear(rec, L.up, L.bUp, xb_, ffnA_, un, quantizeFor(rec, xb_, w_.embd, un, {&L.up}));
                recordGelu(rec, ffnA_, 0, ffnA_, 0, u32(n * w_.ffn));
            }
            linear(rec, L.down, L.bDown, ffnA_, x_, un, quantizeFor(rec, ffnA_, w_.ffn, un, {&L.down}), true);
        }
        if (logits == nullptr) {
            rec.submitAndWait();
            return;
        }
        // Final norm and the output matrix for the rows wanted, logitRows_ rows per submission.
        const int64_t first = allLogits ? 0 : n - 1;
        for (int64_t row = first; row < n; row += logitRows_) {
            const int64_t rows = std::min(logitRows_, n - row);
            if (row != first)
                rec = d.record();
            norm(rec, x_, u32(row * w_.embd), W.outputNorm, W.outputNormBias, xb_, u32(rows));
            const auto outIn = quantizeFor(rec, xb_, w_.embd, u32(rows), {&W.outputMatrix()});
            recordMatVec(rec, W.outputMatrix(), xb_, 0, logits_, 0, u32(rows), {input(outIn)});
            rec.submitAndWait();
            std::memcpy(logits + (row - first) * w_.vocab, logits_.mapped(),
                        static_cast<size_t>(rows * w_.vocab) * sizeof(float));
        }
    }

    // x = token embeddings (+ learned position embeddings).
    void embed(Recorder& rec, std::span<const int32_t> tokens, int64_t pos) {
        const DeviceWeights& W = shared_->weights;
        const int64_t n = static_cast<int64_t>(tokens.size());
        const bool learned = !W.ropeEnabled;
        // What the device cannot look up is decoded on the host into hostRows_ (summed when both).
        if (!W.embedOnDevice || (learned && !W.positionsOnDevice)) {
            auto* host = static_cast<float*>(hostRows_.mapped());
            if (hostTokenTable_)
                embedRows(*hostTokenTable_, tokens, host);
            if (hostPositionTable_) {
                positionIds_.resize(static_cast<size_t>(n));
                std::iota(positionIds_.begin(), positionIds_.end(), static_cast<int32_t>(pos));
                float* dst = hostTokenTable_ ? positionScratch_.data() : host;
                embedRows(*hostPositionTable_, positionIds_, dst);
                if (hostTokenTable_)
                    for (size_t i = 0; i < static_cast<size_t>(n * w_.embd); ++i)
                        host[i] += positionScratch_[i];
            }
        }
        if (W.embedOnDevice)
            recordEmbed(rec, W.tokenEmbd, ids_, 0, u32(n), x_, 0);
        else
            recordCopy(rec, hostRows_, 0, x_, 0, u32(n * w_.embd));
        if (learned) {
            if (W.positionsOnDevice) {
                auto* ids = static_cast<uint32_t*>(positions_.mapped());
                for (int64_t t = 0; t < n; ++t)
                    ids[t] = u32(pos + t);
                recordEmbed(rec, W.positionEmbd, positions_, 0, u32(n), xb_, 0);
                recordAdd(rec, x_, 0, xb_, 0, x_, 0, u32(n * w_.embd));
            } else if (W.embedOnDevice) {
                recordAdd(rec, x_, 0, hostRows_, 0, x_, 0, u32(n * w_.embd));
            }
        }
    }

    void norm(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& w, const Buffer& b, const Buffer& out,
              uint32_t rows) {
        if (shared_->weights.layerNorm)
            recordLayerNorm(rec, x, xOff, w, 0, b, 0, out, 0, u32(w_.embd), rows, s_.normEpsilon);
        else
            recordRmsNorm(rec, x, xOff, w, 0, out, 0, u32(w_.embd), rows, s_.normEpsilon);
    }

    // out = w·in + bias, or out += w·in + bias with `accumulate`.
    static void linear(Recorder& rec, const DeviceMatrix& w, const Buffer& bias, const Buffer& in, const Buffer& out,
                       uint32_t n, const std::optional<QuantizedInput>& quantized, bool accumulate = false) {
        recordMatVec(rec, w, in, 0, out, 0, n, {input(quantized), accumulate});
        addBias(rec, out, bias, u32(w.rows), n);
    }

    // `in` ([n][cols] floats) quantized for the integer-dot kernels when one of `users` will take
    // it in this batch (see usesIntegerDot); once per input, shared by the matrices that read it.
    std::optional<QuantizedInput> quantizeFor(Recorder& rec, const Buffer& in, int64_t cols, uint32_t n,
                                              std::initializer_list<const DeviceMatrix*> users) {
        if (!q8_ || cols % 32 != 0)
            return std::nullopt;
        for (const DeviceMatrix* w : users)
            if (usesIntegerDot(rec, *w, n))
                return recordQuantizeQ8(rec, in, 0, u32(cols), u32(cols), n, q8_);
        return std::nullopt;
    }
    static const QuantizedInput* input(const std::optional<QuantizedInput>& q) { return q ? &*q : nullptr; }

    // out[t] += bias for n rows of `width` (nothing without a bias).
    static void addBias(Recorder& rec, const Buffer& out, const Buffer& bias, uint32_t width, uint32_t n) {
        if (bias)
            recordAddBias(rec, out, 0, bias, 0, out, 0, width, n);
    }

    std::shared_ptr<Shared> shared_;
    const Model& model_;
    const ModelSpec& s_;
    Widths w_;
    int64_t ctx_;
    int64_t cap_ = 1, logitRows_ = 1;
    Buffer x_, xb_, q_, k_, v_, att_, ffnA_, ffnB_;
    Buffer q8_;  // quantized activations, on devices with integer dot products
    // Embedding tables whose rows the host decodes (formats embed.comp does not read), and room.
    std::optional<cpu::WeightMatrix> hostTokenTable_, hostPositionTable_;
    std::vector<float> positionScratch_;
    std::vector<int32_t> positionIds_;
    Buffer ids_, positions_, hostRows_, logits_;  // host-visible
    std::vector<Buffer> keys_, values_;           // [layer] f16 [ctx][kvHeads·dk / dv]
    size_t kvBytes_ = 0;
};

class VulkanBackend final : public lamp::Backend {
public:
    explicit VulkanBackend(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

    std::unique_ptr<Executor> makeExecutor(const Model& model, int64_t contextLength, KvType kvType,
                                           int /*threads*/) const override {
        if (kvType != KvType::F16)
            throw VulkanError("Vulkan: the KV cache on the GPU is f16 only (an f32 cache was asked for)");
        return std::make_unique<VulkanExecutor>(shared_, model, contextLength);
    }
    std::string name() const override { return "vulkan"; }
    std::string device() const override {
        const DeviceInfo& info = shared_->device->info();
        return info.name + " (" + std::string(deviceTypeName(info.type)) + ", device " + std::to_string(info.index) + ")";
    }

private:
    std::shared_ptr<Shared> shared_;
};

// Shapes the kernels cannot take, as a reason (empty when fine).
std::string unsupportedShape(const ModelSpec& s) {
    if (s.keyLength > 256 || s.valueLength > 256)
        return "heads of " + std::to_string(std::max(s.keyLength, s.valueLength)) +
               " values are wider than the attention kernel's 256";
    if (s.kvWidth() % 2 != 0 || s.vWidth() % 2 != 0)
        return "the KV rows have an odd width";
    if (s.headCountKv == 0 || s.headCount % s.headCountKv != 0)
        return "the KV head count does not divide the head count";
    return {};
}

std::optional<uint64_t> envMemoryLimit() {
    const char* v = std::getenv("LAMPLIGHT_VK_MEMORY_LIMIT");
    if (v == nullptr || *v == '\0')
        return std::nullopt;
    return static_cast<uint64_t>(std::strtoull(v, nullptr, 10)) << 20;
}

} // namespace

uint64_t sessionDeviceBytes(const Model& model, int64_t contextLength) {
    const ModelSpec& s = model.spec();
    const Widths w(s);
    const int64_t cap = kBatchCapacity;
    const uint64_t activations = static_cast<uint64_t>(cap) * 4 *
                                 static_cast<uint64_t>(2 * w.embd + w.q + w.k + w.v + w.att + 2 * w.ffn);
    const auto logits = static_cast<uint64_t>(logitRowsFor(w.vocab, cap, kLogitBytes) * w.vocab) * 4;
    const uint64_t ids = static_cast<uint64_t>(cap) * 4 * 2 + static_cast<uint64_t>(cap * w.embd) * 4;
    const uint64_t quantized = quantizedInputBytes(u32(w.widestInput()), u32(cap));  // with integer dot products
    return kvCacheBytes(s, contextLength) + activations + logits + ids + quantized;
}

std::shared_ptr<const lamp::Backend> makeBackend(const Model& model, const BackendOptions& options) {
    const ModelSpec& s = model.spec();
    if (const std::string why = unsupportedShape(s); !why.empty())
        throw VulkanError("Vulkan: " + why);
    std::shared_ptr<Instance> instance = options.instance ? options.instance : Instance::create();
    DeviceOptions deviceOptions;
    deviceOptions.index = options.device;
    deviceOptions.maxBufferBytes = options.maxBufferBytes;
    deviceOptions.pipelineCache = options.pipelineCache;
    deviceOptions.memoryLimit = options.memoryLimit ? options.memoryLimit : envMemoryLimit();
    const DeviceInfo& info = instance->select(options.device);

    // Refuse before uploading anything when the sizes say it cannot fit.
    const uint64_t needs = deviceWeightBytes(model) + sessionDeviceBytes(model, options.contextLength);
    const uint64_t has = deviceOptions.memoryLimit.value_or(info.deviceLocalBytes);
    if (has > 0 && needs > has)
        throw VulkanError("Vulkan: " + s.fileName + " needs " + humanBytes(needs) + " of device memory (weights " +
                          humanBytes(deviceWeightBytes(model)) + ", KV cache and buffers for " +
                          std::to_string(options.contextLength) + " positions " +
                          humanBytes(sessionDeviceBytes(model, options.contextLength)) + "), " + info.name + " has " +
                          humanBytes(has));

    auto shared = std::make_shared<Shared>();
    shared->device = Device::create(std::move(instance), deviceOptions);
    shared->pipelineCache = options.pipelineCache;
    try {
        shared->weights = uploadWeights(*shared->device, model, options.progress);
    } catch (const FormatError& e) {
        throw VulkanError(e.what());
    }
    return std::make_shared<VulkanBackend>(std::move(shared));
}

} // namespace lamp::vulkan
