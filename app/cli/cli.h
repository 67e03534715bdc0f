// lamplight-cli: subcommands share argument handling and error reporting through this header.
#pragma once

#include <QJsonDocument>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lamp::cli {

// A mistake in how the command was called: printed with the usage, exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Arguments after the subcommand: flags (--json, --special, ...) and positionals in order.
struct Args {
    std::vector<std::string> positional;
    std::vector<std::string> flags;

    static Args parse(int argc, char** argv, int first);
    bool has(const std::string& flag);  // marks the flag as used
    // Fails on any flag nobody asked about, so typos do not pass silently.
    void rejectUnknownFlags() const;

private:
    std::vector<std::string> used_;
};

int runInfo(Args& args);
int runTokenize(Args& args);
int runDetokenize(Args& args);

// Writes JSON to stdout, indented, followed by a newline.
void printJson(const QJsonDocument& doc);

} // namespace lamp::cli
