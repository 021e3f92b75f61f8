#!/usr/bin/env bash
# Measures the accuracy tables of docs/results.md on all 10,000 CIFAR-10 test images:
#   main:  every bit width x {paper (symmetric clamp), one-sided, one-sided without BN
#          re-estimation, shared-scale} x activation range {percentile, search}, on the paper's
#          calibration set (202 batches of 128);
#   small: the one-sided rows again on 16 batches (2,048 images), the default calibration;
#   calib: 4 and 2 bits, one-sided, against the number of calibration batches (1, 4, 16, 64, 202),
#          with and without BN re-estimation, both ranges.
# Activation ranges are computed once per (range, bits, batches) and shared through --calib-cache.
# Writes OUT/results.tsv (one row per run, skipped when already there) and one JSON per run.
# Usage: tools/results-sweep.sh OUT_DIR [main|small|calib ...]   (default: all three)
# BITS="4 2" limits the bit widths of main and small (default: 8 6 5 4 3 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: results-sweep.sh OUT_DIR [main|small|calib ...]}
shift
sets=${*:-main small calib}
bits_list=${BITS:-8 6 5 4 3 2}
bin=${ADDERQ_BIN:-$root/build/bin}  # a private copy keeps a long sweep safe from rebuilds
compile="$bin/adderq-compile"
run="$bin/adderq-run"
mkdir -p "$out"
tsv="$out/results.tsv"
[ -f "$tsv" ] || printf 'set\tbits\tvariant\trange\tcalib_batches\ttop1\ttop5\tcompile_s\tcommand\n' >"$tsv"

# measure SET BITS VARIANT RANGE BATCHES compile-args...
measure() {
  local set=$1 b=$2 variant=$3 range=$4 batches=$5
  shift 5
  local name="$set-$variant-$range-c$batches-w$b"
  grep -q "^$set"$'\t'"$b"$'\t'"$variant"$'\t'"$range"$'\t'"$batches"$'\t' "$tsv" && return 0
  local cache="$out/calib-$range-c$batches.json"
  [ "$range" = search ] && cache="$out/calib-$range-c$batches-w$b.json"
  "$compile" -o "$out/$name.adq" --calib-cache "$cache" --json --no-progress "$@" >"$out/$name.compile.json"
  "$run" eval "$out/$name.adq" --json -q >"$out/$name.eval.json"
  python3 - "$set" "$b" "$variant" "$range" "$batches" "$out/$name.compile.json" "$out/$name.eval.json" \
      "adderq-compile $*" >>"$tsv" <<'PY'
import json, sys
s, b, variant, rng, batches, cj, ej, cmd = sys.argv[1:]
c, e = json.load(open(cj)), json.load(open(ej))
print(f"{s}\t{b}\t{variant}\t{rng}\t{batches}\t{e['top1']:.2f}\t{e['top5']:.2f}\t{c['total_seconds']:.1f}\t{cmd}")
PY
  tail -1 "$tsv"
}

# variant_args VARIANT RANGE BATCHES BITS: the adderq-compile options of one row.
variant_args() {
  local variant=$1 range=$2 batches=$3 b=$4
  local common="--bits $b --act-range $range --calib-batches $batches"
  case $variant in
    paper) echo "$common --clamp symmetric" ;;
    one-sided) echo "$common --clamp one-sided" ;;
    one-sided-no-bn) echo "$common --clamp one-sided --no-bn-adjust" ;;
    shared-scale) echo "$common --method shared-scale" ;;
    *) echo "unknown variant $variant" >&2; exit 1 ;;
  esac
}

measure fp 32 fp - 0 --method fp
for set in $sets; do
  case $set in
    main)
      for b in $bits_list; do
        for range in percentile search; do
          for v in paper one-sided one-sided-no-bn shared-scale; do
            # shellcheck disable=SC2046
            measure main "$b" "$v" "$range" 202 $(variant_args "$v" "$range" 202 "$b")
          done
        done
      done ;;
    small)
      for b in $bits_list; do
        for range in percentile search; do
          for v in one-sided one-sided-no-bn; do
            # shellcheck disable=SC2046
            measure small "$b" "$v" "$range" 16 $(variant_args "$v" "$range" 16 "$b")
          done
        done
      done ;;
    calib)
      for b in 4 2; do
        for batches in 1 4 16 64 202; do
          for range in percentile search; do
            for v in one-sided one-sided-no-bn; do
              # shellcheck disable=SC2046
              measure calib "$b" "$v" "$range" "$batches" $(variant_args "$v" "$range" "$batches" "$b")
            done
          done
        done
      done ;;
    *) echo "unknown set $set (main, small or calib)" >&2; exit 1 ;;
  esac
done
