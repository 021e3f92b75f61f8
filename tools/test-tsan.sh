#!/usr/bin/env bash
# The C++ API's thread-safety promise under ThreadSanitizer: one Model shared by several threads,
# a Session each (tests/api_threads_test.cpp, over libadderq.so). Only that target is built, at
# -O1 -g1, so this takes a few minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/install-deps.sh
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
      -DADDERQ_TSAN=ON -DADDERQ_BUILD_PYTHON=OFF >/dev/null
cmake --build build-tsan -j"$(nproc)" --target api_threads_test
# halt_on_error: a race fails the run (exit 66) instead of being printed and passed over.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build-tsan/bin/api_threads_test
