// `lamplight-cli generate` (sampled continuations of a prompt, streamed) and `lamplight-cli eval`
// (every position's logits of a token sequence, in the format of the reference files).
#include "cli/model_options.h"

#include "core/error.h"
#include "engine/generator.h"
#include "model/model.h"
#include "model/session.h"
#include "tokenizer/tokenizer.h"

#include <QJsonArray>
#include <QJsonObject>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

namespace lamp::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

} // namespace

SamplingParams samplingFrom(Args& args) {
    SamplingParams p;
    p.temperature = static_cast<float>(args.number({"--temp"}).value_or(p.temperature));
    p.topK = static_cast<int32_t>(args.integer({"--top-k"}).value_or(p.topK));
    p.topP = static_cast<float>(args.number({"--top-p"}).value_or(p.topP));
    p.minP = static_cast<float>(args.number({"--min-p"}).value_or(p.minP));
    p.repeatPenalty = static_cast<float>(args.number({"--repeat-penalty"}).value_or(p.repeatPenalty));
    p.repeatLastN = static_cast<int32_t>(args.integer({"--repeat-last-n"}).value_or(p.repeatLastN));
    p.frequencyPenalty = static_cast<float>(args.number({"--frequency-penalty"}).value_or(p.frequencyPenalty));
    p.presencePenalty = static_cast<float>(args.number({"--presence-penalty"}).value_or(p.presencePenalty));
    const auto seed = args.integer({"--seed"});
    p.seed = seed && *seed >= 0 ? static_cast<uint64_t>(*seed) : SamplingParams::randomSeed();
    p.validate();
    return p;
}

namespace {

QJsonArray toJsonArray(const std::vector<int32_t>& ids) {
    QJsonArray a;
    for (const int32_t id : ids)
        a.append(id);
    return a;
}

std::vector<int32_t> parseIdList(const std::string& text) {
    std::vector<int32_t> ids;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ',' || text[i] == ' ' || text[i] == '[' || text[i] == ']') {
            ++i;
            continue;
        }
        int32_t id = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), id);
        if (ec != std::errc() || end == text.data() + i)
            throw UsageError("--tokens takes ids separated by commas, e.g. 1,15043,3186");
        ids.push_back(id);
        i = static_cast<size_t>(end - text.data());
    }
    return ids;
}

std::vector<float> readFloats(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open");
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    std::vector<float> out(bytes.size() / sizeof(float));
    std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
    return out;
}

} // namespace

int runGenerate(Args& args) {
    const ModelOptions modelOptions = ModelOptions::parse(args);
    const auto prompt = args.value({"-p", "--prompt"});
    if (!prompt)
        throw UsageError("-p PROMPT is required (- reads standard input)");
    GenerateOptions options;
    options.maxTokens = static_cast<int32_t>(args.integer({"-n", "--n-predict"}).value_or(128));
    options.numSequences = static_cast<int32_t>(args.integer({"--num-sequences", "--num-return-sequences"}).value_or(1));
    if (options.numSequences < 1 || options.numSequences > 1000)
        throw UsageError("--num-sequences must be between 1 and 1000");
    options.stopStrings = args.values({"--stop"});
    options.sampling = samplingFrom(args);
    const bool json = args.flag("--json");
    const bool special = args.flag("--special");
    if (!args.positionals().empty())
        throw UsageError("generate takes no positional arguments (the prompt goes after -p)");

    const auto model = modelOptions.load();
    Session session(*model, modelOptions.session());
    std::string promptText = *prompt;
    if (promptText == "-")
        promptText.assign(std::istreambuf_iterator<char>(std::cin), {});
    EncodeOptions encode;
    encode.addSpecial = true;  // BOS as the model's metadata asks
    encode.parseSpecial = special;
    const std::vector<int32_t> promptIds = model->tokenizer().encode(promptText, encode);
    std::fprintf(stderr, "prompt: %zu tokens; context %lld; seed %llu; sampling: %s\n", promptIds.size(),
                 static_cast<long long>(session.contextLength()),
                 static_cast<unsigned long long>(options.sampling.seed), Sampler(options.sampling).describe().c_str());

    const auto start = Clock::now();
    int32_t current = -1;
    const auto results = generate(session, promptIds, options, [&](int32_t seq, std::string_view delta) {
        if (json)
            return true;
        if (seq != current) {
            if (current >= 0)
                std::fputc('\n', stdout);
            if (options.numSequences > 1)
                std::fprintf(stderr, "--- sequence %d ---\n", seq + 1);
            current = seq;
        }
        std::fwrite(delta.data(), 1, delta.size(), stdout);
        std::fflush(stdout);
        return true;
    });
    const double seconds = secondsSince(start);

    size_t generated = 0;
    for (const auto& r : results) {
        generated += r.tokens.size();
        if (json) {
            QJsonArray logprobs;
            for (const float lp : r.logProbs)
                logprobs.append(std::isfinite(lp) ? QJsonValue(static_cast<double>(lp)) : QJsonValue());
            const QJsonObject o{{"text", QString::fromStdString(r.text)},
                                {"tokens", toJsonArray(r.tokens)},
                                {"logprobs", logprobs},
                                {"prompt_tokens", toJsonArray(promptIds)},
                                {"finish_reason", toString(r.finish)}};
            const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
            std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
            std::fputc('\n', stdout);
        }
    }
    if (!json)
        std::fputc('\n', stdout);
    std::fprintf(stderr, "%zu sequence(s), %zu tokens in %.2f s (%.1f tokens/s, prompt included); finish: %s\n",
                 results.size(), generated, seconds, static_cast<double>(generated) / seconds,
                 results.empty() ? "-" : toString(results.back().finish));
    reportFallback(session);
    return 0;
}

int runEval(Args& args) {
    const ModelOptions modelOptions = ModelOptions::parse(args);
    const auto tokens = args.value({"--tokens"});
    const auto out = args.value({"--logits-out"});
    const auto compare = args.value({"--compare"});
    if (!tokens)
        throw UsageError("--tokens ID,ID,... is required");
    if (!args.positionals().empty())
        throw UsageError("eval takes no positional arguments");
    const std::vector<int32_t> ids = parseIdList(*tokens);
    if (ids.empty())
        throw UsageError("--tokens names no token");

    const auto model = modelOptions.load();
    SessionOptions so = modelOptions.session();
    if (so.contextLength == 0)
        so.contextLength = static_cast<int64_t>(ids.size());
    Session session(*model, so);
    const auto start = Clock::now();
    session.evaluate(ids, Logits::All);
    const auto logits = session.allLogits();
    std::fprintf(stderr, "evaluated %zu tokens in %.3f s; logits [%zu][%lld]\n", ids.size(), secondsSince(start),
                 ids.size(), static_cast<long long>(model->vocabSize()));
    if (out) {
        std::ofstream f(*out, std::ios::binary);
        f.write(reinterpret_cast<const char*>(logits.data()), static_cast<std::streamsize>(logits.size_bytes()));
        f.close();
        if (!f)
            throw Error(*out + ": write failed");
    }
    if (compare) {
        const std::vector<float> ref = readFloats(*compare);
        if (ref.size() != logits.size())
            throw Error(*compare + ": has " + std::to_string(ref.size()) + " floats, the evaluation " +
                        std::to_string(logits.size()));
        double err = 0, norm = 0;
        for (size_t i = 0; i < ref.size(); ++i) {
            const double d = static_cast<double>(logits[i]) - ref[i];
            err += d * d;
            norm += static_cast<double>(ref[i]) * ref[i];
        }
        std::printf("nmse %.3e\n", norm > 0 ? err / norm : err);
    }
    return 0;
}

} // namespace lamp::cli
