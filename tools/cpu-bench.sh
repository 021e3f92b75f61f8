#!/usr/bin/env bash
# CPU benchmarks for docs/benchmarks.md, one run, nothing else running: throughput on all 10,000
# test images of the default 4-bit artifact (one-sided clamp, unsigned codes), the paper's 4-bit
# artifact (symmetric clamp, signed codes) and the 8-bit and full-precision ones (`adderq-run bench`:
# per-layer times, the measured SIMD ceiling of the adder op), alternating the two 4-bit kinds
# REPEAT times, and the default one again on the AVX2 kernels; the time of the default and the
# paper's compile; and the PyTorch formulation of AdderNet (Debian's python3-torch, CPU) on a slice
# of the same images, for the ratio. Prints the roofline table and the two fractions last.
#   bash tools/cpu-bench.sh [OUTDIR]      (default: out/cpu-bench; REPEAT=3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-out/cpu-bench}
repeat=${REPEAT:-3}
mkdir -p "$out"
data=$(bash tools/get-cifar10.sh)
ckpt=$(bash tools/get-checkpoint.sh)
bin=build/bin
threads=$(nproc)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $threads cores; $(date -u +%F)"
$bin/adderq-compile "$ckpt" -o "$out/w4.adq" --bits 4 --calib-data "$data" --no-progress --json > "$out/compile_w4.json"
$bin/adderq-compile "$ckpt" -o "$out/w4_paper.adq" --bits 4 --paper --calib-data "$data" --no-progress --json \
  > "$out/compile_w4_paper.json"
$bin/adderq-compile "$ckpt" -o "$out/w8.adq" --bits 8 --calib-data "$data" --no-progress > /dev/null
$bin/adderq-compile "$ckpt" -o "$out/fp.adq" --method fp --no-progress > /dev/null
bench() {  # bench NAME ARTIFACT IMAGES
  $bin/adderq-run bench "$2" --device cpu --data "$data" --images "$3" --repeat 1 --json > "$out/bench_$1.json"
}
for i in $(seq "$repeat"); do
  bench "w4_$i" "$out/w4.adq" 10000
  bench "w4_paper_$i" "$out/w4_paper.adq" 10000
done
bench w8 "$out/w8.adq" 10000
bench fp "$out/fp.adq" 2000
# The AVX2 kernels on the same machine (where the CPU has AVX-512, the default run uses 64-byte
# vpsadbw and its ceiling; this run measures against the 32-byte one).
ADDERQ_SIMD=avx2 bench w4_avx2 "$out/w4.adq" 10000
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 tools/torch_bench.py --device cpu --threads "$threads" --checkpoint "$ckpt" --data "$data" \
    --images 100 > "$out/torch_cpu.jsonl"
else
  echo "(no python3-torch: the PyTorch rows are skipped)" > "$out/torch_cpu.jsonl"
fi
python3 - "$out" "$repeat" <<'PY'
import json, sys
out, repeat = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f'{out}/{name}.json'))
w4 = [load(f'bench_w4_{i}') for i in range(1, repeat + 1)]
paper = [load(f'bench_w4_paper_{i}') for i in range(1, repeat + 1)]
w8, fp, avx2 = load('bench_w8'), load('bench_fp'), load('bench_w4_avx2')
torch = [json.loads(l) for l in open(f'{out}/torch_cpu.jsonl') if 'pytorch_formulation' in l]
def s(runs): return ', '.join(f"{r['seconds']:.2f}" for r in runs)
print(f"4-bit one-sided (default), 10000 images: {s(w4)} s; best {max(r['images_per_second'] for r in w4):.0f} images/s")
print(f"4-bit paper (symmetric), 10000 images:   {s(paper)} s; best {max(r['images_per_second'] for r in paper):.0f} images/s")
ratios = [p['seconds'] / o['seconds'] for o, p in zip(w4, paper)]
print("paper / one-sided time, run by run: " + ', '.join(f'{x:.3f}' for x in ratios))
print(f"8-bit, 10000 images: {w8['seconds']:.2f} s = {w8['images_per_second']:.0f} images/s")
print(f"full precision: {fp['images_per_second']:.0f} images/s ({10000 / fp['images_per_second']:.1f} s per 10000)")
best = min(w4, key=lambda r: r['seconds'])
ceiling = best['simd_ceiling_gops_machine']
adder = [l for l in best['layers'] if l['adder_gops'] > 0]
total_ms = sum(l['ms'] for l in adder)
ops = sum(l['adder_gops'] for l in adder)
print(f"adder layers (4-bit default, best run): {ops / (total_ms / 1e3):.1f} G ops/s together "
      f"({100 * ops / (total_ms / 1e3) / ceiling:.0f}% of the {ceiling:.0f} G ops/s SIMD ceiling)")
for name in ('compile_w4', 'compile_w4_paper'):
    c = load(name)
    print(f"{name}: {c['total_seconds']:.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in c['phase_seconds'].items() if v > 0.05)})")
for t in torch:
    print(f"PyTorch {t['pytorch_formulation']}: {t['images_per_second']:.2f} images/s -> adderq 4-bit is "
          f"{best['images_per_second'] / t['images_per_second']:.0f}x, full precision {fp['images_per_second'] / t['images_per_second']:.0f}x")
# Last: the roofline of the best 4-bit run (ops against the vpsadbw ceiling, bytes against the
# streaming read bandwidth), and the two fractions the CPU work is judged by.
print(f"\nroofline, 4-bit default, best run: ceiling {ceiling:.0f} G ops/s, memory {best['memory_read_gb_per_second']:.1f} GB/s")
print(f"{'layer':<24} {'ms':>8} {'Gop/s':>7} {'%ceil':>6} {'MB':>8} {'op/B':>6} {'bound':>8} {'%roof':>6}")
for l in best['layers']:
    if 'bound' in l:
        print(f"{l['node']:<24} {l['ms']:>8.2f} {l['gops_per_second']:>7.0f} {l['percent_of_ceiling']:>6.1f} "
              f"{l['bytes_moved_mb']:>8.1f} {l['ops_per_byte']:>6.1f} {l['bound']:>8} {l['percent_of_roofline']:>6.1f}")
    elif l['ms'] >= 0.5:
        print(f"{l['node']:<24} {l['ms']:>8.2f}   ({l['op']}: no adder work)")
for name, run in ((f"4-bit default, {best['simd']} (best run)", best), ("4-bit default, ADDERQ_SIMD=avx2", avx2)):
    print(f"{name}: {run['images_per_second']:.0f} images/s; ceiling {run['simd_ceiling_gops_machine']:.0f} G ops/s; "
          f"adder layers {run['adder_layers_percent_of_ceiling']:.0f} % of it; "
          f"whole network {run['end_to_end_percent_of_ceiling']:.0f} % (images/s x adder ops per image / ceiling)")
PY
