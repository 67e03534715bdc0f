// Access to ../shared (reference models and outputs) from tests. Where the folder is absent, as on
// a user's fresh clone, tests that need it skip with a clear message; in CI (CI=true) they fail.
#pragma once

#include <QtTest>

#include <filesystem>
#include <optional>

namespace lamp::test {

// The shared folder, or nullopt when it does not exist. LAMPLIGHT_SHARED_DIR overrides the
// location configured at build time.
std::optional<std::filesystem::path> sharedDir();

// True when the tests run in CI, where missing reference data is a failure.
bool inCi();

} // namespace lamp::test

// Inside a test function: binds `var` to the shared folder, or skips (fails under CI) without it.
#define LAMP_REQUIRE_SHARED(var)                                                                \
    const auto var##_opt = ::lamp::test::sharedDir();                                          \
    if (!var##_opt) {                                                                           \
        if (::lamp::test::inCi())                                                               \
            QFAIL("../shared is missing: CI must provide the reference models beside the checkout"); \
        QSKIP("../shared (reference models and outputs) is not beside this checkout");         \
    }                                                                                           \
    const std::filesystem::path var = *var##_opt
