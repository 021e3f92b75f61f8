#!/usr/bin/env bash
# The layering rule (docs/architecture.md): every quoted #include of the product's sources may
# name only its own layer or a lower one. Fails with one line per offending include.
#
#   core                      graph, artifact loader, backend interface, status, I/O, quantization math
#   image, kernels            image files; CPU kernels                                 (over core)
#   data                      CIFAR-10, ImageFolder data sets and pixels               (over image)
#   cpu, cuda                 the two backends                                         (over those)
#   eval, api                 evaluation; the public API and the one backend choice    (over the backends)
#   runtime/tools             adderq-run                                               (over everything in runtime)
#   models                    architectures: state dict -> graph                       (over core)
#   compiler                  readers, passes, writer, report, adderq-compile          (over models and runtime)
# runtime/ never includes models/ or compiler/.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

declare -A allowed=(
  [core]="core schema"
  [data]="core data image"
  [image]="core image include"
  [kernels]="core kernels"
  [cpu]="core data kernels cpu"
  [cuda]="core data cuda"
  [eval]="core data cpu eval"
  [api]="core data image kernels cpu cuda eval api include"
  [include]="include"
  [runtime-tools]="core schema data image kernels cpu cuda eval api include runtime-tools"
  [models]="core models"
  [compiler]="core schema data image kernels cpu eval models compiler"
)

# The layer of a path under the repository root.
layer_of() {
  case $1 in
    runtime/tools/*) echo runtime-tools ;;
    runtime/include/*) echo include ;;
    runtime/*/*) local rest=${1#runtime/}; echo "${rest%%/*}" ;;
    models/*) echo models ;;
    compiler/*) echo compiler ;;
    *) echo unknown ;;
  esac
}

# Where an include resolves: the includer's directory, then its tree's include roots, then the
# other trees' (as the build's include paths do).
resolve() {
  local includer=$1 name=$2 tree=${1%%/*}
  local candidates=("$(dirname "$includer")/$name")
  case $tree in
    runtime) candidates+=("runtime/$name" "runtime/include/$name") ;;
    compiler) candidates+=("compiler/$name" "models/$name" "runtime/$name" "runtime/include/$name") ;;
    models) candidates+=("models/$name" "runtime/$name" "runtime/include/$name" "compiler/$name") ;;
  esac
  local c
  for c in "${candidates[@]}"; do
    if [ -f "$c" ]; then
      realpath --relative-to=. "$c"
      return
    fi
  done
  case $name in
    adderq_generated.h) echo schema ;;
    *) echo "?" ;;
  esac
}

fail=0 checked=0
while IFS= read -r file; do
  from=$(layer_of "$file")
  while IFS= read -r name; do
    target=$(resolve "$file" "$name")
    case $target in
      schema) to=schema ;;
      "?") echo "FAIL: $file includes \"$name\", which is not in the tree"; fail=1; continue ;;
      *) to=$(layer_of "$target") ;;
    esac
    checked=$((checked + 1))
    if [[ " ${allowed[$from]:-} " != *" $to "* ]]; then
      echo "FAIL: $file ($from) includes \"$name\" ($to): a higher or sideways layer"
      fail=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find runtime models compiler -name '*.h' -o -name '*.cpp' -o -name '*.hpp' | sort)

if [ "$fail" = 0 ]; then
  echo "ok: $checked includes follow the layering rule"
fi
exit "$fail"
