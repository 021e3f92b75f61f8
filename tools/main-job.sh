#!/usr/bin/env bash
# The main job on a fresh machine: install, build, compile the official ResNet-20 checkpoint to a
# 4-bit AdderQuant artifact, and evaluate it on all 10,000 CIFAR-10 test images.
# Extra arguments go to adderq-compile (e.g. --bits 8, --calib-batches 20).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DADDERQ_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
data=$(bash tools/get-cifar10.sh)
ckpt=$(bash tools/get-checkpoint.sh)
mkdir -p out
build/bin/adderq-compile "$ckpt" -o out/resnet20_w4.adq --bits 4 --calib-data "$data" "$@"
build/bin/adderq-run eval out/resnet20_w4.adq --data "$data"
