// `lamplight-cli info MODEL [--json]`: what a model file is, read from its metadata alone.
#include "cli/cli.h"

#include "gguf/gguf_file.h"
#include "gguf/model_info.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

namespace lamp::cli {
namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QJsonObject toJson(const ModelInfo& info) {
    QJsonObject o;
    o["path"] = q(info.path);
    o["gguf_version"] = static_cast<int>(info.ggufVersion);
    o["name"] = q(info.name);
    o["architecture"] = q(info.architecture);
    o["parameters"] = static_cast<double>(info.parameterCount);
    o["file_size"] = static_cast<double>(info.fileSize);
    const auto opt = [&](const char* key, const std::optional<uint64_t>& v) {
        o[key] = v ? QJsonValue(static_cast<double>(*v)) : QJsonValue();
    };
    opt("context_length", info.contextLength);
    opt("embedding_length", info.embeddingLength);
    opt("block_count", info.blockCount);
    opt("head_count", info.headCount);
    opt("head_count_kv", info.headCountKv);
    QJsonObject formats;
    for (const auto& [name, totals] : info.formats)
        formats[q(name)] = QJsonObject{{"tensors", static_cast<double>(totals.tensors)},
                                       {"bytes", static_cast<double>(totals.bytes)},
                                       {"parameters", static_cast<double>(totals.elements)}};
    o["formats"] = formats;
    QJsonObject vocab{{"type", q(info.vocabType)},
                      {"pre_tokenizer", q(info.preTokenizer)},
                      {"size", static_cast<double>(info.vocabSize)}};
    QJsonObject special;
    for (const auto& s : info.specialTokens)
        special[q(s.role)] = QJsonObject{{"id", static_cast<double>(s.id)}, {"text", q(s.text)}};
    vocab["special_tokens"] = special;
    o["vocab"] = vocab;
    o["chat_template"] = info.hasChatTemplate;
    o["metadata_count"] = static_cast<double>(info.metadataCount);
    o["tensor_count"] = static_cast<double>(info.tensorCount);
    return o;
}

void printText(const ModelInfo& info) {
    const auto line = [](const char* label, const std::string& value) {
        std::printf("%-16s %s\n", label, value.c_str());
    };
    const auto num = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : std::string("-"); };
    line("file", info.path + " (" + humanBytes(info.fileSize) + ", GGUF v" + std::to_string(info.ggufVersion) + ")");
    if (!info.name.empty())
        line("name", info.name);
    line("architecture", info.architecture.empty() ? "(not stated)" : info.architecture);
    line("parameters", humanCount(info.parameterCount) + " (" + std::to_string(info.parameterCount) + ")");
    line("context length", num(info.contextLength));
    line("shape", "width " + num(info.embeddingLength) + ", " + num(info.blockCount) + " layers, " +
                      num(info.headCount) + " heads, " + num(info.headCountKv) + " KV heads");
    line("tensors", std::to_string(info.tensorCount) + " in " + std::to_string(info.formats.size()) + " formats");
    for (const auto& [name, totals] : info.formats)
        std::printf("  %-14s %5llu tensors %12s  %s parameters\n", name.c_str(),
                    static_cast<unsigned long long>(totals.tensors), humanBytes(totals.bytes).c_str(),
                    humanCount(totals.elements).c_str());
    if (info.vocabType.empty()) {
        line("vocabulary", "(none in this file)");
    } else {
        line("vocabulary", info.vocabType + (info.preTokenizer.empty() ? "" : " (pre: " + info.preTokenizer + ")") +
                               ", " + std::to_string(info.vocabSize) + " tokens");
    }
    for (const auto& s : info.specialTokens)
        std::printf("  %-14s %lld %s\n", s.role.c_str(), static_cast<long long>(s.id),
                    s.text.empty() ? "(out of range)" : s.text.c_str());
    line("chat template", info.hasChatTemplate ? "yes" : "no");
}

} // namespace

int runInfo(Args& args) {
    const bool json = args.flag("--json");
    const auto positional = args.positionals();
    if (positional.size() != 1)
        throw UsageError("info takes one model file");
    const auto file = GgufFile::open(positional[0]);
    const ModelInfo info = describeModel(file);
    if (json)
        printJson(QJsonDocument(toJson(info)));
    else
        printText(info);
    return 0;
}

} // namespace lamp::cli
