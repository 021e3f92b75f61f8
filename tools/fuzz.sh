#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS: builds build-fuzz/ with clang (ASan + UBSan + libFuzzer),
# seeds a working corpus from tests/fuzz/regressions/TARGET, and stores any crash, leak, timeout or
# out-of-memory input under tests/fuzz/findings/ (copy it to regressions/ once fixed). Prints the
# run's statistics and the coverage of the final corpus.
# Usage: tools/fuzz.sh fuzz_artifact|fuzz_torch_checkpoint|fuzz_mindspore_checkpoint|fuzz_cifar10|fuzz_image|fuzz_onnx SECONDS
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: fuzz.sh TARGET SECONDS}
seconds=${2:?usage: fuzz.sh TARGET SECONDS}
cd "$root"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DADDERQ_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "$target" >/dev/null
corpus=build-fuzz/corpus/$target
log=build-fuzz/$target.log
mkdir -p "$corpus" tests/fuzz/findings
cp -n tests/fuzz/regressions/"$target"/* "$corpus"/ 2>/dev/null || true
status=0
build-fuzz/bin/"$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix=tests/fuzz/findings/"$target"- >"$log" 2>&1 || status=$?
grep -E "ERROR|SUMMARY|DONE|^Done|stat::" "$log" || true
build-fuzz/bin/"$target" "$corpus" -runs=0 2>&1 | grep -E "INITED" | sed "s/^/final corpus: /" || true
ls tests/fuzz/findings/"$target"-* 2>/dev/null && echo "FINDINGS above" || echo "no findings"
exit $status
