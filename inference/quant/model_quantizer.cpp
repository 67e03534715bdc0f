#include "quant/model_quantizer.h"

#include "core/strings.h"

#include "core/error.h"
#include "core/log.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

namespace lamp {
namespace {

struct TargetInfo {
    QuantTarget target;
    std::string_view name;
    uint32_t fileType;
    TensorType baseType;
};

constexpr TargetInfo kTargets[] = {
    {QuantTarget::Q8_0, "Q8_0", 7, TensorType::Q8_0},
    {QuantTarget::Q4_0, "Q4_0", 2, TensorType::Q4_0},
    {QuantTarget::Q4_K_M, "Q4_K_M", 15, TensorType::Q4_K},
};

const TargetInfo& targetInfo(QuantTarget target) {
    for (const auto& info : kTargets)
        if (info.target == target)
            return info;
    throw FormatError("unknown quantization target " + std::to_string(static_cast<int>(target)));
}

// "blk.12.attn_v.weight" -> {12, "attn_v.weight"}; nullopt for tensors outside the layers.
std::optional<std::pair<int, std::string_view>> splitLayerName(std::string_view name) {
    constexpr std::string_view kPrefix = "blk.";
    if (!name.starts_with(kPrefix))
        return std::nullopt;
    const char* begin = name.data() + kPrefix.size();
    const char* end = name.data() + name.size();
    int layer = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, layer);
    if (ec != std::errc() || ptr == begin || ptr == end || *ptr != '.' || layer < 0)
        return std::nullopt;
    return std::pair{layer, std::string_view(ptr + 1, static_cast<size_t>(end - ptr - 1))};
}

int countLayers(const GgufFile& source) {
    int fromNames = 0;
    for (const auto& t : source.tensors())
        if (const auto split = splitLayerName(t.name))
            fromNames = std::max(fromNames, split->first + 1);
    if (const auto arch = source.getString("general.architecture")) {
        if (const auto count = source.getUInt(*arch + ".block_count"))
            return static_cast<int>(std::max<uint64_t>(*count, static_cast<uint64_t>(fromNames)));
    }
    return fromNames;
}

bool isFloatType(TensorType type) {
    return type == TensorType::F32 || type == TensorType::F16 || type == TensorType::BF16;
}

uint64_t tensorBytes(TensorType type, const std::vector<int64_t>& dims) {
    uint64_t rows = 1;
    for (size_t i = 1; i < dims.size(); ++i)
        rows *= static_cast<uint64_t>(dims[i]);
    return rows * rowBytes(type, dims[0]);
}

bool fitsBlocks(TensorType type, int64_t rowLength) {
    return rowLength % tensorTypeInfo(type).blockSize == 0;
}

// Converts rows [first, last) of a tensor into `out` (the whole output tensor).
void convertRows(const TensorView& src, const TensorPlan& plan, std::span<std::byte> out,
                 int64_t first, int64_t last) {
    const int64_t n = plan.dims[0];
    const size_t srcRow = rowBytes(plan.oldType, n);
    const size_t dstRow = rowBytes(plan.newType, n);
    std::vector<float> row(static_cast<size_t>(n));
    for (int64_t r = first; r < last; ++r) {
        const auto rr = static_cast<size_t>(r);
        dequantizeRow(plan.oldType, src.data.data() + rr * srcRow, row.data(), n);
        quantizeRow(plan.newType, row.data(), out.data() + rr * dstRow, n);
    }
}

// Fills one output tensor, splitting its rows over worker threads.
void fillTensor(const TensorView& src, const TensorPlan& plan, std::span<std::byte> out,
                unsigned threads) {
    if (src.data.size() != plan.oldBytes || out.size() != plan.newBytes)
        throw FormatError("tensor '" + plan.name + "': expected " + std::to_string(plan.oldBytes) +
                          " source bytes and " + std::to_string(plan.newBytes) +
                          " output bytes, got " + std::to_string(src.data.size()) + " and " +
                          std::to_string(out.size()));
    if (plan.newType == plan.oldType) {
        std::memcpy(out.data(), src.data.data(), out.size());
        return;
    }
    int64_t rows = 1;
    for (size_t i = 1; i < plan.dims.size(); ++i)
        rows *= plan.dims[i];
    // Small tensors are not worth a thread: aim for at least 64 Ki values per worker.
    const int64_t values = rows * plan.dims[0];
    const int64_t maxWorkers = std::max<int64_t>(1, values / 65536);
    const int64_t workers = std::min<int64_t>({static_cast<int64_t>(threads), maxWorkers, rows});
    if (workers <= 1) {
        convertRows(src, plan, out, 0, rows);
        return;
    }
    std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
    {
        std::vector<std::jthread> pool;
        for (int64_t w = 0; w < workers; ++w) {
            const int64_t first = rows * w / workers, last = rows * (w + 1) / workers;
            pool.emplace_back([&, w, first, last] {
                try {
                    convertRows(src, plan, out, first, last);
                } catch (...) {
                    errors[static_cast<size_t>(w)] = std::current_exception();
                }
            });
        }
    }  // joins
    for (const auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

} // namespace

std::optional<QuantTarget> quantTargetFromName(std::string_view name) {
    for (const auto& info : kTargets)
        if (equalsIgnoreCase(info.name, name))
            return info.target;
    return std::nullopt;
}

std::string_view quantTargetName(QuantTarget target) { return targetInfo(target).name; }

uint32_t llamaFileType(QuantTarget target) { return targetInfo(target).fileType; }

bool useMoreBits(int layer, int layerCount) {
    const int eighth = layerCount / 8;
    return layer < eighth || layer >= 7 * layerCount / 8 || (layer - eighth) % 3 == 2;
}

uint64_t QuantizePlan::oldBytes() const {
    uint64_t total = 0;
    for (const auto& t : tensors)
        total += t.oldBytes;
    return total;
}

uint64_t QuantizePlan::newBytes() const {
    uint64_t total = 0;
    for (const auto& t : tensors)
        total += t.newBytes;
    return total;
}

TensorPlan chooseTensorType(const GgufTensorInfo& tensor, QuantTarget target, int layerCount,
                            bool hasOutput) {
    TensorPlan plan;
    plan.name = tensor.name;
    plan.dims.assign(tensor.dims.begin(),
                     tensor.dims.begin() + std::max<uint32_t>(tensor.nDims, 1));
    plan.oldType = tensor.type;
    const int64_t rowLength = plan.dims[0];

    if (plan.dims.size() == 1) {
        plan.newType = TensorType::F32;
        plan.reason = "1-D";
    } else if (tensor.name == "position_embd.weight" || tensor.name == "token_types.weight") {
        plan.newType = isFloatType(plan.oldType) ? plan.oldType : TensorType::F32;
        plan.reason = "positional / token-type embedding: not quantized";
    } else {
        plan.newType = targetInfo(target).baseType;
        if (target == QuantTarget::Q4_K_M) {
            const auto layer = splitLayerName(tensor.name);
            if (tensor.name == "output.weight") {
                plan.newType = TensorType::Q6_K;
                plan.reason = "output projection";
            } else if (tensor.name == "token_embd.weight" && !hasOutput) {
                plan.newType = TensorType::Q6_K;
                plan.reason = "embedding tied to the output";
            } else if (layer &&
                       (layer->second == "attn_v.weight" || layer->second == "attn_qkv.weight" ||
                        layer->second == "ffn_down.weight") &&
                       useMoreBits(layer->first, layerCount)) {
                plan.newType = TensorType::Q6_K;
                plan.reason = "more bits in layer " + std::to_string(layer->first);
            }
        }
        // Fallbacks for rows that are not whole blocks.
        if (!fitsBlocks(plan.newType, rowLength)) {
            const TensorType wanted = plan.newType;
            if (wanted == TensorType::Q6_K)
                plan.newType = TensorType::Q8_0;
            else if (wanted == TensorType::Q4_K)
                plan.newType = TensorType::Q5_0;
            std::string tried = std::string(tensorTypeName(wanted)) + " (" +
                                std::to_string(tensorTypeInfo(wanted).blockSize) + ")";
            if (plan.newType != wanted && !fitsBlocks(plan.newType, rowLength))
                tried += " or " + std::string(tensorTypeName(plan.newType)) + " (" +
                         std::to_string(tensorTypeInfo(plan.newType).blockSize) + ")";
            if (!fitsBlocks(plan.newType, rowLength))
                plan.newType = isFloatType(plan.oldType) ? plan.oldType : TensorType::F32;
            plan.reason = "row length " + std::to_string(rowLength) + " is not a multiple of the " +
                          tried + " block";
        }
    }
    if (plan.newType != plan.oldType && !canDequantize(plan.oldType))
        throw FormatError("tensor '" + tensor.name + "' is stored as " +
                          std::string(tensorTypeName(plan.oldType)) +
                          ", which this quantizer cannot read");
    plan.oldBytes = tensorBytes(plan.oldType, plan.dims);
    plan.newBytes = tensorBytes(plan.newType, plan.dims);
    return plan;
}

QuantizePlan planQuantization(const GgufFile& source, QuantTarget target) {
    QuantizePlan plan;
    plan.target = target;
    plan.layerCount = countLayers(source);
    const bool hasOutput = source.findTensor("output.weight") != nullptr;
    plan.tensors.reserve(source.tensors().size());
    for (const auto& t : source.tensors())
        plan.tensors.push_back(chooseTensorType(t, target, plan.layerCount, hasOutput));
    return plan;
}

GgufWriter makeQuantizedWriter(const GgufFile& source, const QuantizePlan& plan,
                               const QuantizeOptions& options) {
    if (plan.tensors.size() != source.tensors().size())
        throw FormatError("quantization plan does not match " + source.name() + ": " +
                          std::to_string(plan.tensors.size()) + " tensors planned, the file has " +
                          std::to_string(source.tensors().size()));
    GgufWriter writer;
    // Metadata in file order, with the two quantization keys replaced in place (or appended).
    // A general.alignment key is copied like the others and sets the writer's alignment too.
    const GgufValue fileType(llamaFileType(plan.target));
    const GgufValue quantVersion(uint32_t{2});
    bool haveFileType = false, haveQuantVersion = false;
    for (const auto& kv : source.metadata()) {
        if (kv.key == "general.file_type") {
            writer.set(kv.key, fileType);
            haveFileType = true;
        } else if (kv.key == "general.quantization_version") {
            writer.set(kv.key, quantVersion);
            haveQuantVersion = true;
        } else {
            writer.set(kv.key, kv.value);
        }
    }
    if (!haveFileType)
        writer.set("general.file_type", fileType);
    if (!haveQuantVersion)
        writer.set("general.quantization_version", quantVersion);

    const unsigned threads =
        options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    const size_t count = plan.tensors.size();
    for (size_t i = 0; i < count; ++i) {
        const TensorPlan& tp = plan.tensors[i];
        const GgufTensorInfo& info = source.tensors()[i];
        if (info.name != tp.name)
            throw FormatError("quantization plan does not match " + source.name() + ": tensor " +
                              std::to_string(i) + " is '" + info.name + "', planned '" + tp.name +
                              "'");
        auto fill = [&source, &info, tp, i, count, threads,
                     onTensor = options.onTensor](std::span<std::byte> out) {
            if (onTensor)
                onTensor(tp, i, count);
            log::get("quant")->debug("{}: {} -> {} ({})", tp.name, tensorTypeName(tp.oldType),
                                     tensorTypeName(tp.newType), tp.reason);
            fillTensor(source.tensor(info), tp, out, threads);
        };
        writer.addTensor(tp.name, tp.newType, tp.dims, std::move(fill));
    }
    return writer;
}

QuantizePlan quantizeModel(const GgufFile& source, const std::filesystem::path& output,
                           QuantTarget target, const QuantizeOptions& options) {
    QuantizePlan plan = planQuantization(source, target);
    makeQuantizedWriter(source, plan, options).write(output);
    return plan;
}

} // namespace lamp
