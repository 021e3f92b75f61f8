#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer (+ LeakSanitizer) and UndefinedBehaviorSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/install-deps.sh
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DADDERQ_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
# The NVRTC compile of every kernel variant is slow and exercises no code of ours that the
# normal run does not: skipped here.
cd build-asan && ctest --output-on-failure -j"$(nproc)" -E EveryResNetVariant
