#!/usr/bin/env bash
# The GPU check: one call on the device machine (see docs/benchmarks.md, "GPU").
#
#   bash tools/gpu-check.sh prepare   # here, on the CPU machine: build, compile the 4- and 8-bit
#                                     # artifacts, record CPU logits, gather everything in .gpu/
#   bash tools/gpu-check.sh           # there: CUDA tests, 10,000-image evaluations (cold and warm
#                                     # JIT), per-layer benchmark, kernel options, per-layer tuning,
#                                     # chunk sizes, full precision, PyTorch/cuDNN baselines,
#                                     # compute-sanitizer over a few images, table last
#   GPU_CHECK_SECONDS=540 bash tools/gpu-check.sh
#                                     # there, with its own time budget (default 540 s; give the
#                                     # device call a timeout_s above it): steps past it are
#                                     # skipped, the table and the archive never
#   GPU_CHECK_HOST_GPU=build/tests/libadderq_host_gpu.so bash tools/gpu-check.sh
#                                     # here, after prepare: a dry run of the whole thing on the
#                                     # host GPU (2 images, about 8 minutes), table included
#
# The device machine has the NVIDIA driver, NVRTC and python3 with PyTorch, but none of our Debian
# packages and no network, and ../shared does not travel. So `prepare` carries the binaries built
# here (they need only glibc, libstdc++ and libfmt, which is copied into .gpu/lib; libcuda and
# NVRTC are opened at run time), the artifacts, test_batch.bin and the checkpoint: the device call
# names .gpu in `carry`. If .gpu/bin is absent there, the script builds with CMake instead (which
# needs the dependencies tools/install-deps.sh installs).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
G=.gpu
mode=${1:-run}

if [ "$mode" = prepare ]; then
  set -e
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target adderq-run adderq-compile cuda-ceilings cuda_backend_test cuda_jit_test >/dev/null
  data=$(bash tools/get-cifar10.sh)
  ckpt=$(bash tools/get-checkpoint.sh)
  mkdir -p $G/bin $G/lib $G/data $G/models
  for b in adderq-run cuda-ceilings cuda_backend_test cuda_jit_test; do cp build/bin/$b $G/bin/ && strip $G/bin/$b; done
  for lib in $(ldd build/bin/adderq-run build/bin/cuda_backend_test | awk '/=>/ {print $3}' | sort -u); do
    case "$(basename "$lib")" in libc.so*|libm.so*|libgcc_s.so*|libstdc++.so*|libpthread.so*|libdl.so*) ;; *) cp -L "$lib" $G/lib/ ;; esac
  done
  cp "$data/test_batch.bin" "$data/batches.meta.txt" $G/data/
  cp "$ckpt" $G/models/checkpoint.pth
  # fp: full precision (no calibration; the float kernels only); 4p: the paper's method at 4 bits
  # (symmetric clamp: signed weight codes, where the defaults give unsigned ones).
  for bits in 4 8 fp 4p; do
    if [ ! -f $G/models/resnet20_w$bits.adq ]; then
      echo "compiling the resnet20_w$bits artifact (default settings; a few minutes)..." >&2
      case $bits in fp) how="--method fp" ;; 4p) how="--bits 4 --paper" ;; *) how="--bits $bits" ;; esac
      build/bin/adderq-compile "$ckpt" -o $G/models/resnet20_w$bits.adq $how --calib-data "$data" --no-progress >/dev/null
    fi
    # The CPU reference logits (kept while the artifact is unchanged; delete .gpu/models to redo).
    if [ ! $G/models/cpu_w$bits.logits -nt $G/models/resnet20_w$bits.adq ]; then
      build/bin/adderq-run eval $G/models/resnet20_w$bits.adq --data "$data" --device cpu --json \
        --save-logits $G/models/cpu_w$bits.logits > $G/models/cpu_w$bits.json
    fi
  done
  du -sh $G
  exit 0
fi

# ---- on the device machine ----------------------------------------------------------------------
# Results go to $R; at the end they are packed into one archive in $OUT (the device tool returns at
# most 8 files), or left in ./gpu-check-out when $OUT is unset.
FINAL=${OUT:-$root/gpu-check-out}
OUT=$(mktemp -d)
mkdir -p "$FINAL"
export LD_LIBRARY_PATH="$root/$G/lib:${LD_LIBRARY_PATH:-}:/usr/local/nvidia/lib64:/usr/local/cuda/lib64"
export ADDERQ_DATA="$root/$G/data"
bin=$root/$G/bin
if [ ! -x $bin/adderq-run ]; then
  cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build-gpu -j"$(nproc)" >/dev/null || { echo "build failed"; exit 1; }
  bin=$root/build-gpu/bin
fi
# The device call has a wall-clock limit (the device tool's timeout_s, at most 600 s) and what a
# killed call leaves is lost (the archive is written last). So the script keeps to its own budget,
# GPU_CHECK_SECONDS (default 540): every step's timeout is cut to what is left of it less 30 s for
# the summary and the archive, and a step with under 5 s left is skipped (its rows print None).
# The host-GPU dry run has no such limit and compiles every kernel with g++ and the sanitizers
# (tests/host_kernel.cpp), so it defaults to 1800 s.
budget=${GPU_CHECK_SECONDS:-$([ -n "${GPU_CHECK_HOST_GPU:-}" ] && echo 1800 || echo 540)}
if ! [[ $budget =~ ^[0-9]+$ ]] || [ "$budget" -lt 60 ]; then
  echo "gpu-check: GPU_CHECK_SECONDS must be a whole number of seconds, at least 60 (not '$budget')" >&2
  exit 2
fi
budget_end=$(( $(date +%s) + budget ))
limited() {  # limited SECONDS COMMAND...: timeout SECONDS COMMAND, cut to the budget
  local want=$1 left
  shift
  left=$(( budget_end - $(date +%s) - 30 ))
  if [ $left -lt 5 ]; then echo "gpu-check: out of time, skipped: $(basename "$1") ${2:-}" >&2; return 124; fi
  timeout $(( want < left ? want : left )) "$@"
}
# Dry run without a GPU: GPU_CHECK_HOST_GPU=build/tests/libadderq_host_gpu.so runs every step on
# the host GPU (tests/host_gpu/: the kernels emulated on the CPU) over GPU_CHECK_IMAGES images
# (default 2), to check this script and its table before device time is spent. Its times mean
# nothing; the logits comparisons still hold (against the first images' CPU logits).
images=10000
if [ -n "${GPU_CHECK_HOST_GPU:-}" ]; then
  ADDERQ_CUDA_DRIVER=$(realpath "$GPU_CHECK_HOST_GPU") && export ADDERQ_CUDA_DRIVER ADDERQ_NVRTC_LIBRARY=$ADDERQ_CUDA_DRIVER
  images=${GPU_CHECK_IMAGES:-2}
  echo "host GPU dry run, $images images" | tee "$OUT/gpu.txt"
else
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader | tee "$OUT/gpu.txt"
fi

echo "== CUDA tests"
if [ -n "${GPU_CHECK_HOST_GPU:-}" ]; then
  tests_rc=-1  # cuda_backend_test's batches take hours emulated; cuda_executor_host_test covers the host GPU
else
  ADDERQ_TEST_ARTIFACTS="$root/$G/models/resnet20_w4.adq:$root/$G/models/resnet20_w8.adq:$root/$G/models/resnet20_wfp.adq" \
    limited 300 $bin/cuda_backend_test --gtest_brief=1 2>&1 | tee "$OUT/cuda_backend_test.log" | tail -15
  tests_rc=${PIPESTATUS[0]}
  limited 120 $bin/cuda_jit_test --gtest_brief=1 --gtest_filter='-*EveryResNetVariant*' 2>&1 | tail -3
fi

echo "== instruction ceilings"
limited 60 $bin/cuda-ceilings > "$OUT/ceilings.json" 2> "$OUT/ceilings.err"; cat "$OUT/ceilings.err"

for bits in 4 8; do
  m=$root/$G/models/resnet20_w$bits.adq
  export ADDERQ_CACHE_DIR=$(mktemp -d)
  echo "== eval $bits-bit on the GPU (cold JIT, then warm)"
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --json --save-logits "$OUT/gpu_w$bits.logits" > "$OUT/eval_w${bits}_cold.json" 2>"$OUT/eval_w${bits}.err"
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --json > "$OUT/eval_w${bits}_warm.json" 2>>"$OUT/eval_w${bits}.err"
  cat "$OUT/eval_w${bits}.err"
  limited 120 $bin/adderq-run bench "$m" --images $images --device cuda --json --repeat 5 > "$OUT/bench_w$bits.json" 2>>"$OUT/eval_w${bits}.err"
  if [ $bits -le 4 ]; then
    # The same from normalised floats (bench's input before the pixel kernel; 4x the bytes copied).
    limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --input floats --json --repeat 5 > "$OUT/bench_w${bits}_floats.json" 2>>"$OUT/eval_w${bits}.err"
    # The tensor-core kernels on the same layers (--cuda-adder auto is the packed-SIMD kernel until
    # they are shown identical and faster here), and a sweep of their tiles per warp (N x 8
    # channels, M x 16 pixels).
    limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --cuda-adder tensor-core --json --save-logits "$OUT/gpu_w${bits}_tc.logits" \
      > "$OUT/eval_w${bits}_tc.json" 2>>"$OUT/eval_w${bits}.err"
    limited 120 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-adder tensor-core --json --repeat 5 > "$OUT/bench_w${bits}_tc.json" 2>>"$OUT/eval_w${bits}.err"
    for tiles in 8,1 8,2 4,2 4,4 2,4 2,8; do
      limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-adder tensor-core --cuda-tc-tiles $tiles --json --repeat 3 \
        > "$OUT/bench_w${bits}_tc_$tiles.json" 2>>"$OUT/eval_w${bits}.err"
    done
    tail -3 "$OUT/eval_w${bits}.err"
  fi
  # Register blocking in the packed-SIMD kernel: logits at 2 pixels per thread, speed at 2 and 4.
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --cuda-simd-pixels 2 --json --save-logits "$OUT/gpu_w${bits}_px2.logits" \
    > "$OUT/eval_w${bits}_px2.json" 2>>"$OUT/eval_w${bits}.err"
  for px in 2 4; do
    limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-simd-pixels $px --json --repeat 5 > "$OUT/bench_w${bits}_px$px.json" 2>>"$OUT/eval_w${bits}.err"
  done
  # Fused codes (each adder layer's epilogue writes the next one's codes): logits and speed.
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --cuda-fuse-codes on --json --save-logits "$OUT/gpu_w${bits}_fused.logits" \
    > "$OUT/eval_w${bits}_fused.json" 2>>"$OUT/eval_w${bits}.err"
  limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-fuse-codes on --json --repeat 5 > "$OUT/bench_w${bits}_fused.json" 2>>"$OUT/eval_w${bits}.err"
  limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-fuse-codes on --cuda-simd-pixels 2 --json --repeat 5 \
    > "$OUT/bench_w${bits}_fused_px2.json" 2>>"$OUT/eval_w${bits}.err"
  # CUDA graphs (a chunk's kernels captured once and replayed): logits, speed alone and with fused codes.
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --cuda-graphs on --json --save-logits "$OUT/gpu_w${bits}_graphs.logits" \
    > "$OUT/eval_w${bits}_graphs.json" 2>>"$OUT/eval_w${bits}.err"
  limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-graphs on --json --repeat 5 > "$OUT/bench_w${bits}_graphs.json" 2>>"$OUT/eval_w${bits}.err"
  limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-graphs on --cuda-fuse-codes on --json --repeat 5 \
    > "$OUT/bench_w${bits}_fused_graphs.json" 2>>"$OUT/eval_w${bits}.err"
  # Per-layer kernels chosen on this card (adderq-run tune: every kernel timed on every adder
  # layer, the fastest kept), then the tuned network's logits and speed.
  limited 240 $bin/adderq-run tune "$m" --images $images --repeat 3 -o "$OUT/tuning_w$bits.json" > "$OUT/tune_w$bits.txt" 2>>"$OUT/eval_w${bits}.err"
  tail -2 "$OUT/tune_w$bits.txt"
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --cuda-tuning "$OUT/tuning_w$bits.json" --json \
    --save-logits "$OUT/gpu_w${bits}_tuned.logits" > "$OUT/eval_w${bits}_tuned.json" 2>>"$OUT/eval_w${bits}.err"
  limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-tuning "$OUT/tuning_w$bits.json" --json --repeat 5 \
    > "$OUT/bench_w${bits}_tuned.json" 2>>"$OUT/eval_w${bits}.err"
  # Chunk size (images per pipeline step): wall time incl. copies over both pipelines, fixed sizes
  # against the one chosen for the card (auto, eval's default) and the whole run as one chunk (above).
  if [ $bits -le 4 ]; then
    for chunk in 1024 2048 4096 auto; do
      limited 60 $bin/adderq-run bench "$m" --images $images --device cuda --cuda-chunk $chunk --json --repeat 5 \
        > "$OUT/bench_w${bits}_chunk_$chunk.json" 2>>"$OUT/eval_w${bits}.err"
    done
  fi
  # Machine code of every cached kernel (entries are a 48-byte header + the cubin), for the
  # instruction-mix analysis in docs/benchmarks.md.
  if command -v cuobjdump >/dev/null; then
    for e in "$ADDERQ_CACHE_DIR"/*.cubin; do tail -c +49 "$e" > /tmp/k.cubin && cuobjdump --dump-sass /tmp/k.cubin; done > "$OUT/sass_w$bits.txt" 2>&1
  fi
done
# One more artifact on the GPU with its own cold kernel cache: eval (cold JIT, logits saved), eval
# (warm), bench. eval_alone NAME REPEAT TITLE, for .gpu/models/resnet20_wNAME.adq.
eval_alone() {
  local name=$1 repeat=$2 m=$root/$G/models/resnet20_w$1.adq
  export ADDERQ_CACHE_DIR=$(mktemp -d)
  echo "== eval $3 on the GPU"
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --json --save-logits "$OUT/gpu_w$name.logits" > "$OUT/eval_w${name}_cold.json" 2>"$OUT/eval_w$name.err"
  limited 120 $bin/adderq-run eval "$m" --limit $images --device cuda --json > "$OUT/eval_w${name}_warm.json" 2>>"$OUT/eval_w$name.err"
  limited 120 $bin/adderq-run bench "$m" --images $images --device cuda --json --repeat "$repeat" > "$OUT/bench_w$name.json" 2>>"$OUT/eval_w$name.err"
  cat "$OUT/eval_w$name.err"
  unset ADDERQ_CACHE_DIR
}
# Full precision: the float kernels (the stem's, every adder layer's) on their own.
eval_alone fp 3 "full precision"
# The paper's 4-bit artifact: the signed-code kernels (the defaults above run unsigned codes).
eval_alone 4p 5 "4-bit, the paper's method (signed codes),"

echo "== PyTorch / cuDNN baselines"
limited 150 python3 tools/torch_bench.py --checkpoint $G/models/checkpoint.pth --data $G/data \
  --images 1000 --layer-images 10000 > "$OUT/torch_baselines.jsonl" 2>"$OUT/torch_baselines.err"
tail -3 "$OUT/torch_baselines.err"

# compute-sanitizer on the real kernels, a few images each (instrumented kernels run 10-100x
# slower): memcheck (out-of-bounds and misaligned accesses to global and shared memory, which
# need not change a logit) over the default and the experimental forms, racecheck (shared-memory
# hazards: the adder kernels' filter tiles, the stem's weights, the staged pooling) over the
# kernels that stage data, synccheck (barriers and warp-synchronous instructions where not every
# thread reaches them) over both adder kernels. Last, because the logits comparisons above already
# check the results; this looks for what they cannot see. The host GPU dry run has no sanitizer.
echo "== compute-sanitizer"
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null)
if [ -n "$sanitizer" ] && [ -z "${GPU_CHECK_HOST_GPU:-}" ]; then
  export ADDERQ_CACHE_DIR=$(mktemp -d)
  while read -r tool name bits options; do
    limited 90 "$sanitizer" --tool "$tool" --error-exitcode 86 --print-limit 20 \
      $bin/adderq-run eval "$root/$G/models/resnet20_w$bits.adq" --limit 64 --cuda-chunk 32 --device cuda --json $options \
      < /dev/null > "$OUT/sanitizer_${tool}_$name.log" 2>&1
    echo "$tool $name rc=$?" | tee -a "$OUT/sanitizer.txt"
  done <<'RUNS'
memcheck 4_auto 4
memcheck 4_tc 4 --cuda-adder tensor-core
memcheck 4_fused_px2_graphs 4 --cuda-fuse-codes on --cuda-simd-pixels 2 --cuda-graphs on
memcheck 8_auto 8
memcheck 8_fused 8 --cuda-fuse-codes on
memcheck fp fp
racecheck 4_auto 4
racecheck 4_tc 4 --cuda-adder tensor-core
racecheck fp fp
synccheck 4_auto 4
synccheck 4_tc 4 --cuda-adder tensor-core
RUNS
  unset ADDERQ_CACHE_DIR
fi

python3 - "$OUT" "$root/$G/models" "$tests_rc" "$images" <<'PY'
import json, os, re, sys
out, models, tests_rc, images = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def load(p):
    try:
        with open(p) as f: return json.loads(f.read().strip().splitlines()[-1])
    except Exception as e: return {'error': str(e)}
rows = []
def same_logits(a, b):  # the GPU's logits of `images` images against the first of the CPU's
    try:
        gpu, cpu = open(a, 'rb').read(), open(b, 'rb').read()
        return len(gpu) == images * 40 and gpu == cpu[:len(gpu)]
    except Exception: return None
for bits, kernel in ((4, 'auto'), (4, 'tc'), (4, 'px2'), (4, 'fused'), (4, 'graphs'), (4, 'tuned'),
                     (8, 'auto'), (8, 'px2'), (8, 'fused'), (8, 'graphs'), (8, 'tuned'), ('fp', 'auto'), ('4p', 'auto')):
    sfx = '' if kernel == 'auto' else '_' + kernel
    cold, warm = load(f'{out}/eval_w{bits}_cold.json'), load(f'{out}/eval_w{bits}{sfx or "_warm"}.json')
    cpu, bench = load(f'{models}/cpu_w{bits}.json'), load(f'{out}/bench_w{bits}{sfx}.json')
    same = same_logits(f'{out}/gpu_w{bits}{sfx}.logits', f'{models}/cpu_w{bits}.logits')
    rows.append((f'{bits} {kernel}', cpu.get('top1'), warm.get('top1'), same, bench.get('images_per_second'), bench.get('gpu_kernel_ms'),
                 cold.get('prepare_seconds') if not sfx else None, warm.get('prepare_seconds'),
                 cold.get('jit_compiled') if not sfx else None, warm.get('jit_cached')))
base, cudnn_layers = {}, {}
try:
    for line in open(f'{out}/torch_baselines.jsonl'):
        try: r = json.loads(line)
        except ValueError: continue  # a line cut short (the script timed out): the others still count
        if 'summary' in r: base = r['summary']
        if 'layer' in r and 'cudnn_fp32_ms' in r: cudnn_layers[r['layer']] = r
except OSError: pass
print('\n== adderq GPU check (%s); CUDA tests %s' % (open(f'{out}/gpu.txt').read().strip(),
      'passed' if tests_rc == 0 else 'skipped' if tests_rc == -1 else 'FAILED rc=%d' % tests_rc))
f = lambda v, fmt: (fmt % v) if isinstance(v, (int, float)) else str(v)
print('%-8s %-8s %-8s %-15s %-11s %-14s %-13s %-13s' % ('bits', 'cpu top1', 'gpu top1', 'logits == cpu', 'images/s', 'kernel ms/10k', 'cold JIT s', 'warm JIT s'))
for b, ct, gt, same, ips, kms, cold, warm, nc, nh in rows:
    print('%-8s %-8s %-8s %-15s %-11s %-14s %-13s %-13s' % (b, f(ct, '%.2f'), f(gt, '%.2f'), same, f(ips, '%.0f'), f(kms, '%.2f'),
          f(cold, '%.2f') + ' (%s)' % nc, f(warm, '%.2f') + ' (%s)' % nh))
# Adder layers only (quantize + adder kernels), 4 bits, per kernel and tensor-core tile choice.
def adder_ms(bench):
    return sum(l['ms'] for l in bench.get('layers', []) if l.get('adder_gops', 0) > 0)
sweep = [('auto', load(f'{out}/bench_w4.json')), ('px2', load(f'{out}/bench_w4_px2.json')),
         ('px4', load(f'{out}/bench_w4_px4.json')), ('fused', load(f'{out}/bench_w4_fused.json')),
         ('fused px2', load(f'{out}/bench_w4_fused_px2.json')), ('graphs', load(f'{out}/bench_w4_graphs.json')),
         ('fused graphs', load(f'{out}/bench_w4_fused_graphs.json')), ('tc', load(f'{out}/bench_w4_tc.json')),
         ('tuned', load(f'{out}/bench_w4_tuned.json'))]
for tiles in ('8,1', '8,2', '4,2', '4,4', '2,4', '2,8'):
    sweep.append(('tc ' + tiles, load(f'{out}/bench_w4_tc_{tiles}.json')))
print('4-bit adder layers, ms/10k (GPU kernel ms/10k end to end): ' + ', '.join(
    '%s %s (%s)' % (k, f(adder_ms(b), '%.2f'), f(b.get('gpu_kernel_ms'), '%.2f')) for k, b in sweep))
print('8-bit adder layers, ms/10k (end to end): ' + ', '.join(
    '%s %s (%s)' % (k, f(adder_ms(b), '%.2f'), f(b.get('gpu_kernel_ms'), '%.2f'))
    for k, b in (('auto', load(f'{out}/bench_w8.json')), ('px2', load(f'{out}/bench_w8_px2.json')), ('px4', load(f'{out}/bench_w8_px4.json')),
                 ('fused', load(f'{out}/bench_w8_fused.json')), ('fused px2', load(f'{out}/bench_w8_fused_px2.json')),
                 ('graphs', load(f'{out}/bench_w8_graphs.json')), ('fused graphs', load(f'{out}/bench_w8_fused_graphs.json')),
                 ('tuned', load(f'{out}/bench_w8_tuned.json')))))
def layer_ms(bench, name):
    return sum(l['ms'] for l in bench.get('layers', []) if l.get('node') == name)
fp = load(f'{out}/bench_wfp.json')
print('float kernels, ms/10k: stem conv1 %s at 4 bits, %s at 8; full precision: adder layers %s, stem %s (end to end %s)' % (
    f(layer_ms(load(f'{out}/bench_w4.json'), 'conv1'), '%.2f'), f(layer_ms(load(f'{out}/bench_w8.json'), 'conv1'), '%.2f'),
    f(adder_ms(fp), '%.2f'), f(layer_ms(fp, 'conv1'), '%.2f'), f(fp.get('gpu_kernel_ms'), '%.2f')))
for bits in (4, 8):  # what `adderq-run tune` chose per layer
    try:
        t = json.load(open(f'{out}/tuning_w{bits}.json'))
        kinds = {}
        for c in t['layers'].values():
            k = c['adder'] + (' px%d' % c['simd_pixels'] if c.get('simd_pixels', 1) > 1 else '') + \
                (' %dx%d' % tuple(c['tc_tiles']) if 'tc_tiles' in c else '')
            kinds[k] = kinds.get(k, 0) + 1
        ms, net = t['adder_layers_ms'], t.get('network_ms', {})
        print('%d-bit tuning: %s; adder layers %.2f ms default, %.2f ms tuned (%d images)%s; whole network %.2f ms, fused codes (%s quantize kernels fewer) %.2f ms: %s' % (
            bits, ', '.join('%s %d' % kv for kv in sorted(kinds.items())), ms['default'], ms['tuned'], t['images'],
            '; kept the default (the mix was not faster)' if t.get('kept_default') else '',
            net.get('unfused', 0), t.get('fused_quantize_kernels', '?'), net.get('fused_codes', 0), 'fused codes on' if t.get('fuse_codes') else 'fused codes off'))
    except Exception as e:
        print('%d-bit tuning: %s' % (bits, e))
print('4-bit chunk size, images/s by wall time incl. copies (GPU kernel ms/10k): ' + ', '.join(
    '%s %s (%s)' % (k + (' = %s' % b.get('cuda_chunk_images') if k == 'auto' else ''), f(b.get('images_per_second'), '%.0f'),
                    f(b.get('gpu_kernel_ms'), '%.2f'))
    for k, b in [('whole run', load(f'{out}/bench_w4.json'))] + [(c, load(f'{out}/bench_w4_chunk_{c}.json')) for c in ('1024', '2048', '4096', 'auto')]))
# The input's path (one chunk, wall time incl. copies): 8-bit pixels normalised on the GPU (eval's
# and bench's default) against floats normalised beforehand; and against the PyTorch formulation.
pix, flo = load(f'{out}/bench_w4.json'), load(f'{out}/bench_w4_floats.json')
unfold = base.get('unfold_abs_sum_images_per_second') if base else None
ratio = lambda a, b: (a / b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else None
times = lambda v: ('%.0fx' % v) if isinstance(v, (int, float)) else 'n/a'
print('4-bit input, images/s by wall time incl. copies (GPU kernel ms/10k): pixels %s (%s), floats %s (%s); vs PyTorch unfold+abs-sum: %s by wall time from pixels, %s by GPU time' % (
    f(pix.get('images_per_second'), '%.0f'), f(pix.get('gpu_kernel_ms'), '%.2f'), f(flo.get('images_per_second'), '%.0f'),
    f(flo.get('gpu_kernel_ms'), '%.2f'), times(ratio(pix.get('images_per_second'), unfold)),
    times(ratio(1e3 * images / pix['gpu_kernel_ms'] if pix.get('gpu_kernel_ms') else None, unfold))))
ceil = load(f'{out}/ceilings.json')
if 'results' in ceil:
    print('ceilings: ' + ', '.join('%s %.1f T ops/s' % (r['name'], r['ops_per_second'] / 1e12) for r in ceil['results']))
# Per layer, side by side with cuDNN on the same shapes: the whole table in per_layer_vs_cudnn.tsv,
# here each stage's range of cuDNN's time over ours (per image; > 1: ours faster). A malformed
# record costs this line only (one line saying why), never the lines after it.
def ours_per_layer(bench):
    n = bench.get('layers_images') or 0
    return {l['node']: l['ms'] / n for l in bench.get('layers', []) if l.get('adder_gops', 0) > 0 and l.get('ms', 0) > 0 and n > 0}
def per_layer_vs_cudnn():
    auto4, tuned4 = ours_per_layer(load(f'{out}/bench_w4.json')), ours_per_layer(load(f'{out}/bench_w4_tuned.json'))
    ours = tuned4 or auto4
    if not ours or not cudnn_layers: return
    nan = float('nan')
    ratios, slower = {}, []
    with open(f'{out}/per_layer_vs_cudnn.tsv', 'w') as tsv:
        tsv.write('layer\tours 4-bit ms/10k\tours 4-bit tuned ms/10k\tcudnn fp32 ms/10k\tcudnn fp16 ms/10k\tint8 gemm ms/10k\tfp32/ours\tfp16/ours\n')
        for layer, r in cudnn_layers.items():
            per_image = {k: r[k] / r['images'] for k in ('cudnn_fp32_ms', 'cudnn_fp16_ms', 'int8_gemm_ms')}
            fp32, fp16 = (per_image[k] / ours[layer] if layer in ours else nan for k in ('cudnn_fp32_ms', 'cudnn_fp16_ms'))
            tsv.write('%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.2f\t%.2f\n' % (
                layer, 1e4 * auto4.get(layer, nan), 1e4 * tuned4.get(layer, nan), 1e4 * per_image['cudnn_fp32_ms'],
                1e4 * per_image['cudnn_fp16_ms'], 1e4 * per_image['int8_gemm_ms'], fp32, fp16))
            if layer in ours:
                ratios.setdefault('shortcuts' if 'downsample' in layer else layer.split('.')[0], []).append((fp32, fp16))
                if fp32 < 1: slower.append(layer)
    print('per layer, cuDNN time / ours (4-bit %s, > 1: ours faster): ' % ('tuned' if tuned4 else 'auto') + '; '.join(
        '%s fp32 %.1f-%.1fx fp16 %.1f-%.1fx' % (g, min(a for a, _ in v), max(a for a, _ in v), min(b for _, b in v), max(b for _, b in v))
        for g, v in sorted(ratios.items())) + '; slower than cuDNN fp32: ' + (', '.join(sorted(slower)) or 'none') + ' (per_layer_vs_cudnn.tsv)')
try:
    per_layer_vs_cudnn()
except Exception as e:
    print('per layer vs cuDNN: not computed (%s: %s)' % (type(e).__name__, e))
# compute-sanitizer: each run's summary line (rc 86: it found errors; others: the run failed). A
# malformed record or a missing log costs its own entry only.
def sanitizer_run(line):
    try:
        tool, name, rc = line.split()
        with open(f'{out}/sanitizer_{tool}_{name}.log', errors='replace') as log:
            m = re.search(r'(ERROR|RACECHECK) SUMMARY: (\d+) (error|hazard)', log.read())
    except (ValueError, OSError) as e:
        return 'unreadable record %r (%s)' % (line.strip(), type(e).__name__)
    if not m: return '%s %s no summary (%s)' % (tool, name, rc)
    return '%s %s %s %ss%s' % (tool, name, m.group(2), m.group(3), '' if rc == 'rc=0' else ' (%s)' % rc)
try:
    with open(f'{out}/sanitizer.txt', errors='replace') as f: lines = [l for l in f if l.strip()]
    print('compute-sanitizer (64 images): ' + ', '.join(sanitizer_run(l) for l in lines) + ' (sanitizer_*.log)')
except OSError:
    print('compute-sanitizer: not run (not installed, or the host GPU dry run)')
if base:
    print('pytorch unfold+abs-sum %.0f img/s, cdist %.0f img/s; cuDNN over the adder-layer shapes, %d images: fp32 %.2f ms, fp16 %.2f ms, int8 GEMM %.2f ms' % (
        base.get('unfold_abs_sum_images_per_second', 0), base.get('cdist_p1_images_per_second', 0), base.get('layer_images', 0),
        base.get('cudnn_fp32_ms_all_adder_layers', 0), base.get('cudnn_fp16_ms_all_adder_layers', 0), base.get('int8_gemm_ms_all_adder_layers', 0)))
PY
tar czf "$FINAL/gpu-check-results.tgz" -C "$OUT" .
