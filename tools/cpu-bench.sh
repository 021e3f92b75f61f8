#!/usr/bin/env bash
# CPU benchmarks for docs/benchmarks.md, one run, nothing else running: throughput of the 4-bit and
# full-precision ResNet-20 on the test set (`adderq-run bench`: per-layer times, the measured SIMD
# ceiling of the adder op), the time of a default 4-bit compile, and the PyTorch formulation of
# AdderNet (Debian's python3-torch, CPU) on a slice of the same images for the ratio.
#   bash tools/cpu-bench.sh [OUTDIR]      (default: out/cpu-bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-out/cpu-bench}
mkdir -p "$out"
data=$(bash tools/get-cifar10.sh)
ckpt=$(bash tools/get-checkpoint.sh)
bin=build/bin
threads=$(nproc)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $threads cores; $(date -u +%F)"
t0=$(date +%s.%N)
$bin/adderq-compile "$ckpt" -o "$out/w4.adq" --bits 4 --calib-data "$data" --no-progress --json > "$out/compile.json"
echo "$(date +%s.%N) - $t0" | bc > "$out/compile.seconds"
$bin/adderq-compile "$ckpt" -o "$out/fp.adq" --method fp --no-progress > /dev/null
$bin/adderq-run bench "$out/w4.adq" --device cpu --data "$data" --images 10000 --repeat 1 --json > "$out/bench_w4.json"
$bin/adderq-run bench "$out/fp.adq" --device cpu --data "$data" --images 2000 --repeat 1 --json > "$out/bench_fp.json"
/usr/bin/python3 tools/torch_bench.py --device cpu --threads "$threads" --checkpoint "$ckpt" --data "$data" \
  --images 100 > "$out/torch_cpu.jsonl"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
w4, fp = json.load(open(f'{out}/bench_w4.json')), json.load(open(f'{out}/bench_fp.json'))
torch = [json.loads(l) for l in open(f'{out}/torch_cpu.jsonl') if 'pytorch_formulation' in l]
compile_s = float(open(f'{out}/compile.seconds').read())
ceiling = w4['simd_ceiling_gops_machine']
adder = [l for l in w4['layers'] if l['adder_gops'] > 0]
best = max(l['gops_per_second'] for l in adder)
total_ms = sum(l['ms'] for l in adder)
ops = sum(l['adder_gops'] for l in adder)
print(f"4-bit, 10000 images: {w4['seconds']:.2f} s = {w4['images_per_second']:.0f} images/s")
print(f"full precision: {fp['images_per_second']:.0f} images/s")
print(f"adder layers: {ops / (total_ms / 1e3):.1f} G ops/s together ({100 * ops / (total_ms / 1e3) / ceiling:.0f}% of the"
      f" {ceiling:.0f} G ops/s SIMD ceiling), best layer {best:.1f} ({100 * best / ceiling:.0f}%)")
print(f"default 4-bit compile: {compile_s:.0f} s")
for t in torch:
    print(f"PyTorch {t['pytorch_formulation']}: {t['images_per_second']:.2f} images/s -> adderq 4-bit is "
          f"{w4['images_per_second'] / t['images_per_second']:.0f}x, full precision {fp['images_per_second'] / t['images_per_second']:.0f}x")
PY
