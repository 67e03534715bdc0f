// Errors of the model layer: a file whose architecture, hyperparameters or tensors the engine cannot
// use, and requests a session cannot serve (a prompt longer than the context, a token id outside the
// vocabulary).
#pragma once

#include "core/error.h"

namespace lamp {

// A model the engine cannot run: unknown architecture, a missing or mis-shaped tensor, a
// hyperparameter out of range. The message names the file and the key or tensor.
class ModelError : public Error {
public:
    using Error::Error;
};

// A token sequence that does not fit the session's context (see session.h for the policy).
class ContextOverflowError : public Error {
public:
    using Error::Error;
};

} // namespace lamp
