// Error types thrown by the inference library. Library code never calls exit(): it throws one of
// these with a message that says what failed, where, and (when we know) how to fix it.
#pragma once

#include <stdexcept>
#include <string>

namespace lamp {

// Base of every error the engine throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A model file that cannot be opened or does not follow the GGUF format.
class GgufError : public Error {
public:
    using Error::Error;
};

// A tensor format problem: unknown type, row length not a multiple of the block size, ...
class FormatError : public Error {
public:
    using Error::Error;
};

// A vocabulary that cannot be built from the file's tokenizer metadata, or an id out of range.
class TokenizerError : public Error {
public:
    using Error::Error;
};

// A backend other than the CPU cannot run (no driver, no device, device memory exhausted, a device
// lost mid-run). Sessions catch it and go on on the CPU backend, saying why.
class BackendUnavailable : public Error {
public:
    using Error::Error;
};

} // namespace lamp
