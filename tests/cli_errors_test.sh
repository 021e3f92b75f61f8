#!/usr/bin/env bash
# The tools on bad input: one line on stderr, documented exit codes, no partial output files.
set -u
compile=$1 run=$2 shared=$3 exporter=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() {  # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/err"; fail=1
  elif [ "$want" != 0 ] && [ "$lines" != 1 ]; then
    echo "FAIL: $what: $lines lines on stderr, expected 1"; cat "$tmp/err"; fail=1
  else
    echo "ok: $what (exit $got) $(head -c 160 "$tmp/err")"
  fi
}
printf 'not a model' >"$tmp/junk.adq"
head -c 1000 /dev/urandom >"$tmp/random.pth"
expect 1 "compile: unknown option" -- "$compile" --no-such-option
expect 1 "compile: unknown method" -- "$compile" "$tmp/random.pth" -o "$tmp/x.adq" --method nope
expect 2 "compile: missing checkpoint" -- "$compile" "$tmp/missing.pth" -o "$tmp/x.adq" --method fp
expect 2 "compile: random bytes" -- "$compile" "$tmp/random.pth" -o "$tmp/x.adq" --method fp
[ -e "$tmp/x.adq" ] && { echo "FAIL: a failed compile left $tmp/x.adq"; fail=1; }
expect 1 "run: no subcommand" -- "$run"
expect 2 "run info: not an artifact" -- "$run" info "$tmp/junk.adq"
expect 2 "run eval: missing artifact" -- "$run" eval "$tmp/missing.adq"
expect 0 "run --help" -- "$run" eval --help
expect 1 "run eval: unknown --cuda-adder" -- "$run" eval "$tmp/junk.adq" --cuda-adder fastest
expect 1 "run bench: one number for --cuda-tc-tiles" -- "$run" bench "$tmp/junk.adq" --cuda-tc-tiles 4
expect 1 "run bench: unknown --input" -- "$run" bench "$tmp/junk.adq" --input bytes
if [ -f "$shared/checkpoints/resnet20_adder_cifar10.pth" ]; then
  head -c 500000 "$shared/checkpoints/resnet20_adder_cifar10.pth" >"$tmp/trunc.pth"
  expect 2 "compile: truncated checkpoint" -- "$compile" "$tmp/trunc.pth" -o "$tmp/t.adq" --method fp
  expect 1 "compile: unsupported bit width" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/b.adq" --bits 9
  expect 1 "compile: too many calibration batches" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/b.adq" --calib-batches 100000
  [ -e "$tmp/b.adq" ] && { echo "FAIL: a failed compile left $tmp/b.adq"; fail=1; }
  expect 0 "compile: --inspect a MindSpore file" -- "$compile" --inspect "$shared/checkpoints/resnet20_adder_cifar10.ckpt"
  expect 2 "compile: a MindSpore strategy file" -- "$compile" "$shared/checkpoints/mindspore/goldenstick_ckpt_strategy_rank_0.ckpt" -o "$tmp/s.adq" --method fp
  expect 2 "compile: --format mindspore on a PyTorch file" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/s.adq" --method fp --format mindspore
  expect 1 "compile: unknown --format" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/s.adq" --format tflite
  expect 2 "compile: --format onnx on a PyTorch file" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/s.adq" --format onnx
  printf '{not json' >"$tmp/cache.json"
  expect 2 "compile: corrupt calibration cache" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/k.adq" --bits 4 --calib-batches 1 --batch-size 4 --calib-cache "$tmp/cache.json"
  [ -e "$tmp/k.adq" ] && { echo "FAIL: a failed compile left $tmp/k.adq"; fail=1; }
  expect 0 "compile: fp" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/fp.adq" --method fp
  # A short BatchNorm re-estimation is allowed, with one note on stderr saying what it costs.
  "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/short.adq" --bits 4 --calib-batches 2 --batch-size 8 \
    --paper >/dev/null 2>"$tmp/err" && [ "$(grep -c "keeps 81% of the full-precision statistics" "$tmp/err")" = 1 ] &&
    echo "ok: compile: note on 2 calibration batches" || { echo "FAIL: note on few calibration batches: $(cat "$tmp/err")"; fail=1; }
  # The one-sided clamp (the default) needs no long re-estimation: no note.
  "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/short.adq" --bits 4 --calib-batches 2 --batch-size 8 \
    >/dev/null 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
    echo "ok: compile: no note for the one-sided clamp" || { echo "FAIL: one-sided compile printed: $(cat "$tmp/err")"; fail=1; }
  expect 1 "compile: unknown --clamp" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/c.adq" --clamp both
  expect 1 "compile: unknown --act-range" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/c.adq" --act-range max
  expect 1 "compile: --paper with --clamp" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/c.adq" --paper --clamp one-sided
  [ -e "$tmp/c.adq" ] && { echo "FAIL: a refused compile left $tmp/c.adq"; fail=1; }
  # info shows each layer's clamp.
  "$run" info "$tmp/short.adq" | grep -q "layer1.0.conv1 .* one-sided" && echo "ok: info: clamp per layer" ||
    { echo "FAIL: info does not show the clamp"; fail=1; }
  head -c 300000 "$tmp/fp.adq" >"$tmp/fp_trunc.adq"
  expect 2 "run eval: truncated artifact" -- "$run" eval "$tmp/fp_trunc.adq" --data "$shared/data/cifar-10-batches-bin"
  mkdir -p "$tmp/baddata" && head -c 5000 "$shared/data/cifar-10-batches-bin/test_batch.bin" >"$tmp/baddata/test_batch.bin"
  expect 2 "run eval: truncated dataset" -- "$run" eval "$tmp/fp.adq" --data "$tmp/baddata"
  # No GPU (simulated: the driver library cannot be loaded): --device cuda fails with one line,
  # --device auto falls back to the CPU with one notice line and succeeds.
  expect 2 "run eval: --device cuda without a GPU" -- env ADDERQ_CUDA_DRIVER=/nonexistent/libcuda.so.1 "$run" eval "$tmp/fp.adq" --device cuda --limit 10 --data "$shared/data/cifar-10-batches-bin"
  grep -q "CUDA driver" "$tmp/err" || { echo "FAIL: --device cuda error does not name the CUDA driver"; fail=1; }
  expect 1 "run bench: tensor-core tiles out of range" -- "$run" bench "$tmp/fp.adq" --cuda-tc-tiles 9,1 --images 10 --data "$shared/data/cifar-10-batches-bin"
  env ADDERQ_CUDA_DRIVER=/nonexistent/libcuda.so.1 "$run" eval "$tmp/fp.adq" --limit 10 --data "$shared/data/cifar-10-batches-bin" >"$tmp/out" 2>"$tmp/err" \
    && [ "$(grep -c "running on the CPU" "$tmp/err")" = 1 ] && echo "ok: run eval: --device auto falls back to the CPU" \
    || { echo "FAIL: --device auto fallback"; cat "$tmp/err"; fail=1; }
  # An unknown ADDERQ_SIMD is said once and the run goes on with the best the CPU has.
  env ADDERQ_SIMD=avx1024 "$run" eval "$tmp/fp.adq" --device cpu --limit 10 --data "$shared/data/cifar-10-batches-bin" \
    >"$tmp/out" 2>"$tmp/err" && [ "$(grep -c "ADDERQ_SIMD=avx1024 is not one of" "$tmp/err")" = 1 ] \
    && echo "ok: run eval: unknown ADDERQ_SIMD warned once" || { echo "FAIL: unknown ADDERQ_SIMD"; cat "$tmp/err"; fail=1; }
  # infer: image files
  "$exporter" "$shared/data/cifar-10-batches-bin" 0 "$tmp/img0.png" >/dev/null
  head -c 200 "$tmp/img0.png" >"$tmp/trunc.png"
  printf 'P6\n32 32\n255\nabc' >"$tmp/trunc.ppm"
  expect 2 "run infer: missing image" -- "$run" infer "$tmp/fp.adq" "$tmp/missing.png" --device cpu
  expect 2 "run infer: not an image" -- "$run" infer "$tmp/fp.adq" "$tmp/junk.adq" --device cpu
  expect 2 "run infer: truncated PNG" -- "$run" infer "$tmp/fp.adq" "$tmp/trunc.png" --device cpu
  expect 2 "run infer: truncated PPM" -- "$run" infer "$tmp/fp.adq" "$tmp/img0.png" "$tmp/trunc.ppm" --device cpu
  [ -s "$tmp/out" ] && { echo "FAIL: infer printed results before failing on a bad image"; fail=1; }
  expect 1 "run infer: --top-k 0" -- "$run" infer "$tmp/fp.adq" "$tmp/img0.png" --top-k 0
  expect 1 "run infer: no image" -- "$run" infer "$tmp/fp.adq"
  expect 0 "run infer --json" -- "$run" infer "$tmp/fp.adq" "$tmp/img0.png" --json --device cpu
  grep -q '"top":\[{"class":"cat"' "$tmp/out" || { echo "FAIL: infer --json: $(cat "$tmp/out")"; fail=1; }
  # compile --report: evaluation files and the destination are checked before compiling
  printf '{"top1": 5}' >"$tmp/bad_eval.json"
  expect 1 "compile: --report-eval without --report" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/r.adq" --report-eval "$tmp/bad_eval.json"
  expect 2 "compile: --report-eval not an eval output" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/r.adq" --report "$tmp/r.html" --report-eval "$tmp/bad_eval.json"
  expect 1 "compile: --report into a missing directory" -- "$compile" "$shared/checkpoints/resnet20_adder_cifar10.pth" -o "$tmp/r.adq" --report "$tmp/nodir/r.html"
  [ -e "$tmp/r.adq" ] && { echo "FAIL: a refused --report compile left $tmp/r.adq"; fail=1; }
  expect 1 "run jit: bad --arch" -- "$run" jit "$tmp/fp.adq" --arch banana --cache-dir "$tmp/kc"
  expect 1 "run jit: --cuda-simd-pixels 0" -- "$run" jit "$tmp/fp.adq" --arch sm_90 --cache-dir "$tmp/kc" --cuda-simd-pixels 0
  expect 1 "run jit: --cuda-fuse-codes maybe" -- "$run" jit "$tmp/fp.adq" --arch sm_90 --cache-dir "$tmp/kc" --cuda-fuse-codes maybe
  expect 1 "run eval: --cuda-tc-tiles 9,1" -- "$run" eval "$tmp/fp.adq" --device cuda --cuda-tc-tiles 9,1 --limit 1
  expect 1 "run eval: --cuda-graphs maybe" -- "$run" eval "$tmp/fp.adq" --device cuda --cuda-graphs maybe --limit 1
  expect 1 "run eval: --cuda-chunk 0" -- "$run" eval "$tmp/fp.adq" --device cuda --cuda-chunk 0 --limit 1
  expect 1 "run bench: --cuda-chunk lots" -- "$run" bench "$tmp/fp.adq" --device cuda --cuda-chunk lots --images 1
  expect 1 "run tune: nothing to tune in a full-precision model" -- "$run" tune "$tmp/fp.adq" -o "$tmp/tuning.json"
  [ -e "$tmp/tuning.json" ] && { echo "FAIL: a refused tune left $tmp/tuning.json"; fail=1; }
  expect 1 "run tune: no -o" -- "$run" tune "$tmp/fp.adq"
  expect 1 "run eval: --cuda-tuning missing" -- "$run" eval "$tmp/fp.adq" --cuda-tuning "$tmp/missing.json" --limit 1
  expect 2 "run eval: --cuda-tuning not JSON" -- "$run" eval "$tmp/fp.adq" --cuda-tuning "$tmp/junk.adq" --limit 1
  printf '{"format": "adderq-kernel-tuning", "version": 1, "arch": 90, "layers": {"conv1": {"adder": "simd"}}}' >"$tmp/stem.json"
  printf '{"format": "adderq-kernel-tuning", "version": 1, "arch": 90, "layers": {"layer1.0.conv1": {"adder": "tensor-core", "tc_tiles": [9, 1]}}}' >"$tmp/tiles.json"
  expect 2 "run jit: --cuda-tuning with tiles of 9" -- "$run" jit "$tmp/fp.adq" --arch sm_90 --cache-dir "$tmp/kc" --cuda-tuning "$tmp/tiles.json"
  expect 2 "run jit: --cuda-tuning names the float stem" -- "$run" jit "$tmp/fp.adq" --arch sm_90 --cache-dir "$tmp/kc" --cuda-tuning "$tmp/stem.json"
  printf '{"format": "adderq-kernel-tuning", "version": 1, "arch": 90, "fuse_codes": "yes", "layers": {"layer1.0.conv1": {"adder": "simd"}}}' >"$tmp/fuse.json"
  expect 2 "run jit: --cuda-tuning with fuse_codes \"yes\"" -- "$run" jit "$tmp/fp.adq" --arch sm_90 --cache-dir "$tmp/kc" --cuda-tuning "$tmp/fuse.json"
  # --resources: one line per variant with registers and spills (where NVRTC is installed)
  if "$run" jit "$tmp/fp.adq" --arch sm_90 --cache-dir "$tmp/kc" --resources >"$tmp/res.txt" 2>"$tmp/res.err"; then
    grep -q "regs" "$tmp/res.txt" && grep -Eq "^  adder_f32_.* [0-9]+ +0 +0 " "$tmp/res.txt" ||
      { echo "FAIL: jit --resources: $(cat "$tmp/res.txt")"; fail=1; }
    echo "ok: run jit --resources ($(grep -c '^  [a-z]' "$tmp/res.txt") lines)"
  else
    grep -q "NVRTC" "$tmp/res.err" || { echo "FAIL: jit --resources: $(cat "$tmp/res.err")"; fail=1; }
  fi
fi
exit $fail
