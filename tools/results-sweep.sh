#!/usr/bin/env bash
# Measures the accuracy table of docs/results.md: every bit width x {AdderQuant, AdderQuant with one
# group, AdderQuant without BN re-estimation, shared-scale}, plus full precision, each evaluated on
# all 10,000 CIFAR-10 test images. Calibration (identical for all rows) is computed once and
# reused through --calib-cache. Writes OUT/results.tsv and one JSON per run.
# Usage: tools/results-sweep.sh OUT_DIR [bits...]   (default bits: 8 6 5 4 3 2)
# VARIANTS="adderquant shared-scale" limits the variants measured (default: all four).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: results-sweep.sh OUT_DIR [bits...]}
shift
bits=${*:-8 6 5 4 3 2}
bin=${ADDERQ_BIN:-$root/build/bin}  # a private copy keeps a long sweep safe from rebuilds
compile="$bin/adderq-compile"
run="$bin/adderq-run"
mkdir -p "$out"
tsv="$out/results.tsv"
[ -f "$tsv" ] || printf 'bits\tvariant\ttop1\ttop5\tcompile_s\tcommand\n' >"$tsv"
measure() {  # measure BITS VARIANT compile-args...
  local b=$1 variant=$2
  shift 2
  local name="$variant-w$b"
  grep -q "^$b"$'	'"$variant"$'	' "$tsv" && return 0
  "$compile" -o "$out/$name.adq" --calib-cache "$out/calib.json" --json --no-progress "$@" >"$out/$name.compile.json"
  "$run" eval "$out/$name.adq" --json -q >"$out/$name.eval.json"
  python3 - "$b" "$variant" "$out/$name.compile.json" "$out/$name.eval.json" "adderq-compile $*" >>"$tsv" <<'PY'
import json, sys
b, variant, cj, ej, cmd = sys.argv[1:]
c, e = json.load(open(cj)), json.load(open(ej))
print(f"{b}\t{variant}\t{e['top1']:.2f}\t{e['top5']:.2f}\t{c['total_seconds']:.0f}\t{cmd}")
PY
  tail -1 "$tsv"
}
measure 32 fp --method fp
variants=${VARIANTS:-adderquant adderquant-g1 adderquant-no-bn shared-scale}
for b in $bits; do
  for v in $variants; do
    case $v in
      adderquant) measure "$b" adderquant --bits "$b" ;;
      adderquant-g1) measure "$b" adderquant-g1 --bits "$b" --groups 1 ;;
      adderquant-no-bn) measure "$b" adderquant-no-bn --bits "$b" --no-bn-adjust ;;
      shared-scale) measure "$b" shared-scale --bits "$b" --method shared-scale ;;
      *) echo "unknown variant $v" >&2; exit 1 ;;
    esac
  done
done
