// `lamplight-cli tokenize` and `detokenize`: the model's own tokenizer, from the command line.
#include "cli/cli.h"

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

#include <QJsonArray>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <iterator>

namespace lamp::cli {
namespace {

std::string readAllStdin() {
    std::ios::sync_with_stdio(false);
    return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
}

// Ids from arguments: "15043 3186", "15043,3186" or several arguments; "-" reads standard input.
std::vector<int32_t> parseIds(const std::vector<std::string>& args) {
    std::string all;
    for (const auto& a : args)
        all += (a == "-" ? readAllStdin() : a) + " ";
    std::vector<int32_t> ids;
    size_t i = 0;
    while (i < all.size()) {
        const char c = all[i];
        if (c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r' || c == '[' || c == ']') {
            ++i;
            continue;
        }
        int32_t id = 0;
        const auto [end, ec] = std::from_chars(all.data() + i, all.data() + all.size(), id);
        if (ec != std::errc() || end == all.data() + i)
            throw UsageError("not a token id: '" + all.substr(i, all.find_first_of(" ,\n", i) - i) + "'");
        ids.push_back(id);
        i = static_cast<size_t>(end - all.data());
    }
    return ids;
}

} // namespace

int runTokenize(Args& args) {
    const bool json = args.flag("--json");
    const bool special = args.flag("--special");
    const bool addBos = args.flag("--add-bos");
    const auto positional = args.positionals();
    if (positional.size() != 2)
        throw UsageError("tokenize takes a model file and a text (- reads standard input)");
    const auto file = GgufFile::open(positional[0]);
    const auto tokenizer = makeTokenizer(file);
    const std::string text = positional[1] == "-" ? readAllStdin() : positional[1];

    EncodeOptions options;
    options.parseSpecial = special;
    options.addSpecial = addBos;  // BOS/EOS as the model's metadata asks for them
    std::vector<int32_t> ids = tokenizer->encode(text, options);
    // --add-bos is an explicit request: honour it even for models whose metadata does not add BOS.
    const int32_t bos = tokenizer->vocab().bos();
    if (addBos && bos != kNoToken && (ids.empty() || ids.front() != bos))
        ids.insert(ids.begin(), bos);

    if (json) {
        QJsonArray array;
        for (const int32_t id : ids)
            array.append(id);
        printJson(QJsonDocument(array));
    } else {
        for (const int32_t id : ids)
            std::printf("%d\n", id);
    }
    return 0;
}

int runDetokenize(Args& args) {
    const auto positional = args.positionals();
    if (positional.size() < 2)
        throw UsageError("detokenize takes a model file and token ids (- reads them from standard input)");
    const auto file = GgufFile::open(positional[0]);
    const auto tokenizer = makeTokenizer(file);
    const std::vector<std::string> rest(positional.begin() + 1, positional.end());
    const std::vector<int32_t> ids = parseIds(rest);
    // A tool for looking at tokens: control tokens such as <s> are shown, not hidden.
    DecodeOptions options;
    options.renderSpecial = true;
    const std::string text = tokenizer->decode(ids, options);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
}

} // namespace lamp::cli
