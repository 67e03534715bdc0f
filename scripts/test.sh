#!/usr/bin/env bash
# Sets up, builds the CI configuration (warnings are errors) and runs every test with ctest.
# Extra arguments go to ctest, e.g. `scripts/test.sh -R gguf`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" ci
cd "$root"
ctest --preset ci -j "$(nproc)" "$@"
