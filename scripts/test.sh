#!/usr/bin/env bash
# Sets up, builds the CI configuration (warnings are errors) and runs every test with ctest.
# Extra arguments go to ctest, e.g. `scripts/test.sh -R gguf`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" ci
cd "$root"
# One test at a time: the latency and coalescing tests measure the GUI event loop and must not
# share the two cores with another test (the fuzz smoke run keeps one busy for 20 s).
ctest --preset ci "$@"
