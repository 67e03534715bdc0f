// lamplight-cli: subcommands share argument handling and error reporting through this header.
#pragma once

#include <QJsonDocument>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lamp::cli {

// A mistake in how the command was called: printed with the usage, exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Arguments after the subcommand. Commands take their options first (flag(), value(), ...), then
// positionals(), which fails on anything left that looks like an option, so typos never pass.
class Args {
public:
    Args(int argc, char** argv, int first);

    // True when the flag was given (e.g. "--json").
    bool flag(std::string_view name);
    // The value of an option given as "NAME VALUE" or "NAME=VALUE" under any of its names; the last
    // one wins. UsageError when the value is missing.
    std::optional<std::string> value(std::initializer_list<std::string_view> names);
    // Every value of a repeatable option ("--stop A --stop B").
    std::vector<std::string> values(std::initializer_list<std::string_view> names);
    std::optional<int64_t> integer(std::initializer_list<std::string_view> names);
    std::optional<double> number(std::initializer_list<std::string_view> names);
    // What is left, in order. UsageError for a leftover option.
    std::vector<std::string> positionals() const;

private:
    std::vector<std::string> items_;
    std::vector<bool> used_;
    size_t end_;  // items from here on follow "--" and are positional
};

int runInfo(Args& args);
int runTokenize(Args& args);
int runDetokenize(Args& args);
int runGenerate(Args& args);
int runEval(Args& args);
int runChat(Args& args);
int runBench(Args& args);
int runDevices(Args& args);
int runBooks(Args& args);

// `chat --assistant books`: the book assistant between the user and the model (command_books.cpp).
// Each user line becomes the message the model sees (the request with its catalogue candidates),
// or an answer of the assistant's own (a clarifying question, /read N, /skip N).
class BookChat {
public:
    struct Turn {
        enum class Kind { Model, Reply, Command } kind;
        std::string text;  // Model: the message for the model; Reply: the assistant's answer; Command: a note
    };
    explicit BookChat(const std::optional<std::string>& dbPath);
    ~BookChat();
    std::string systemPrompt() const;
    Turn handle(const std::string& line);
    // Prints the candidates the answer recommends and flags any other book it names (stderr).
    void checkAnswer(const std::string& answer);
    void reset();

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

// Writes JSON to stdout, indented, followed by a newline.
void printJson(const QJsonDocument& doc);

} // namespace lamp::cli
