// Running a program of the project (the command-line tool, the app) as a user runs it: arguments,
// standard input, and what comes back.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace lamp::test {

struct ProgramResult {
    int exitCode = -1;  // -1: it did not start, crashed or ran past the timeout
    QByteArray out;
    QByteArray err;
};

// Starts `program` with `args`, writes `input` to its standard input and closes it, and waits up to
// `timeoutMs` for it to end.
ProgramResult runProgram(const QString& program, const QStringList& args, const QByteArray& input = {},
                         int timeoutMs = 120000);

} // namespace lamp::test
