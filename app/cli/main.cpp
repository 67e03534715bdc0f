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
    "  generate -m MODEL -p PROMPT [-n N] [--num-sequences K] [--temp T] [--top-k K] [--top-p P]\n"
    "           [--min-p P] [--repeat-penalty R] [--repeat-last-n N] [--frequency-penalty F]\n"
    "           [--presence-penalty F] [--seed S] [--stop STR]... [--special] [--json]\n"
    "                                      sampled continuations, streamed (--temp 0: greedy)\n"
    "  eval -m MODEL --tokens ID,ID,... [--logits-out FILE] [--compare REF.f32]\n"
    "                                      every position's logits as float32 [n_tokens][n_vocab]\n"
    "  chat -m MODEL [--system TEXT] [--template NAME] [-n N] [--show-prompt] [sampling options]\n"
    "       [--assistant books [--books-db PATH]]\n"
    "                                      a multi-turn conversation with the model's chat template;\n"
    "                                      --assistant books: the book assistant, grounded in the catalogue\n"
    "  bench -m MODEL [-p 512] [-n 128] [-t THREADS] [-r REPEATS] [--backend cpu,vulkan]\n"
    "        [-b BATCH] [--device-bandwidth GBPS] [--mmap] [--json]\n"
    "                                      prompt and generation speed, memory, bandwidth share\n"
    "  devices [--json]                    Vulkan devices: type, driver, memory heaps, limits, features\n"
    "  books search REQUEST [--lang zh] [--limit N] [--db PATH] [--json] [--explain]\n"
    "                                      the book assistant's picks from the catalogue, and why\n"
    "  books import FILE [--db PATH]       add a Goodreads/StoryGraph export CSV or a Calibre metadata.db\n"
    "                                      to your library (rows it cannot read are listed by line)\n"
    "\n"
    "options of the commands that run a model: -c/--ctx N (context length), -t/--threads N,\n"
    "  --backend auto|cpu|vulkan and --device INDEX (which backend runs, and why, is said on stderr),\n"
    "  --mmap (the CPU reads the weights from the file mapping, not from a private copy in memory)\n"
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
        if (command == "devices")
            return runDevices(args);
        if (command == "books")
            return runBooks(args);
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
