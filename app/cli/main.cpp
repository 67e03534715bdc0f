// lamplight-cli: the command-line face of the engine. Subcommands:
//   info MODEL [--json]
//   tokenize MODEL TEXT|- [--json] [--special] [--add-bos]
//   detokenize MODEL ID...
// Errors go to stderr with a non-zero exit code (1 for a failure, 2 for a usage mistake).
#include "cli/cli.h"

#include "core/error.h"
#include "core/log.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: lamplight-cli COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  info MODEL.gguf [--json]            architecture, parameters, formats, vocabulary, template\n"
    "  tokenize MODEL.gguf TEXT [--json] [--special] [--add-bos]\n"
    "                                      token ids of TEXT (- reads standard input); --special\n"
    "                                      recognises control tokens such as <|im_start|> in TEXT,\n"
    "                                      --add-bos adds BOS (and EOS where the model asks for it)\n"
    "  detokenize MODEL.gguf ID...         the text of token ids\n"
    "\n"
    "options for every command: --verbose (debug logging), --help\n";

} // namespace

namespace lamp::cli {

void printJson(const QJsonDocument& doc) {
    const QByteArray bytes = doc.toJson(QJsonDocument::Indented);
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
}

} // namespace lamp::cli

int main(int argc, char** argv) {
    using namespace lamp::cli;
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    try {
        Args args(argc, argv, 2);
        if (args.flag("--help")) {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (args.flag("--verbose"))
            lamp::log::setLevel(spdlog::level::debug);
        if (command == "info")
            return runInfo(args);
        if (command == "tokenize")
            return runTokenize(args);
        if (command == "detokenize")
            return runDetokenize(args);
        if (command == "generate")
            return runGenerate(args);
        if (command == "eval")
            return runEval(args);
        if (command == "chat")
            return runChat(args);
        if (command == "bench")
            return runBench(args);
        throw UsageError("unknown command '" + command + "'");
    } catch (const UsageError& e) {
        std::fprintf(stderr, "lamplight-cli: %s\n\n%s", e.what(), kUsage);
        return 2;
    } catch (const lamp::Error& e) {
        std::fprintf(stderr, "lamplight-cli %s: %s\n", command.c_str(), e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lamplight-cli %s: unexpected error: %s\n", command.c_str(), e.what());
        return 1;
    }
}
