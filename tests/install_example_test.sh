#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the C example (examples/classify_c) built as a
# separate CMake project against the *installed* package (find_package(adderq)), and again with
# pkg-config. With the real data present: compile the official checkpoint to 4 bits with the
# installed adderq-compile, export CIFAR-10 test images to PNG, and check that the example and
# `adderq-run infer` name the true class of image 0 and agree with `adderq-run eval` on images 0..9.
set -euo pipefail
build=$1 source=$2 shared=$3 exporter=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in lib/libadderq.so include/adderq/adderq.h include/adderq/adderq.hpp lib/cmake/adderq/adderqConfig.cmake \
         lib/pkgconfig/adderq.pc bin/adderq-run bin/adderq-compile; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
# Only the API is exported from the shared library (internals are hidden).
if nm -DC --defined-only "$prefix/lib/libadderq.so" | grep "adderq::Executor" >/dev/null; then
  echo "FAIL: libadderq.so exports internal symbols"; exit 1
fi

# The Python package, where the build made one: `import adderq` from the installed site directory.
site=$(sed -n 's/^ADDERQ_PYTHON_INSTALL_DIR:STRING=//p' "$build/CMakeCache.txt")
python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")
if [ -n "$site" ] && [ -d "$prefix/$site/adderq" ]; then
  ls "$prefix/$site/adderq/"_adderq*.so "$prefix/$site/adderq/__init__.pyi" >/dev/null
  version=$(cd "$tmp" && PYTHONPATH="$prefix/$site" "$python" -c 'import adderq, sys; print(adderq.__version__, adderq.__file__)')
  case "$version" in *"$prefix"*) echo "ok: python: import adderq from the installed package: $version" ;;
    *) echo "FAIL: python imported adderq from elsewhere: $version"; exit 1 ;; esac
else
  echo "skipped: no Python package in this build"
fi

cmake -S "$source/examples/classify_c" -B "$tmp/example" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/example" >/dev/null
classify=$tmp/example/classify
echo "ok: example built against the installed package (find_package)"
if command -v pkg-config >/dev/null; then
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Werror -o "$tmp/classify_pc" "$source/examples/classify_c/classify.c" \
    $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs adderq)
  echo "ok: example built with pkg-config"
fi

"$classify" >/dev/null 2>&1 && { echo "FAIL: classify without arguments succeeded"; exit 1; }
set +e
"$classify" "$tmp/missing.adq" "$tmp/missing.png" 2>"$tmp/err"
code=$?
set -e
[ "$code" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL: missing model: exit $code"; cat "$tmp/err"; exit 1; }
echo "ok: missing model: exit 2, $(cat "$tmp/err")"

data=$shared/data/cifar-10-batches-bin
ckpt=$shared/checkpoints/resnet20_adder_cifar10.pth
if [ ! -f "$ckpt" ] || [ ! -f "$data/test_batch.bin" ]; then
  echo "skipped: the classification part needs $ckpt and $data"
  exit 0
fi
"$prefix/bin/adderq-compile" "$ckpt" -o "$tmp/w4.adq" --bits 4 --calib-batches 20 --calib-data "$data" --quiet
"$prefix/bin/adderq-run" eval "$tmp/w4.adq" --data "$data" --limit 10 --device cpu --save-logits "$tmp/logits.bin" --quiet >/dev/null
# argmax of each image's 10 float32 logits
mapfile -t eval_top < <(od -An -v -f -w40 "$tmp/logits.bin" | awk '{b=1; for (i=2; i<=NF; i++) if ($i > $b) b=i; print b-1}')
names=$("$prefix/bin/adderq-run" info "$tmp/w4.adq" --json | grep -o '"classes":\[[^]]*\]' | tr -d '[]"' | cut -d: -f2)
IFS=, read -r -a class_names <<<"$names"
for i in 0 1 2 3 4 5 6 7 8 9; do
  label=$("$exporter" "$data" "$i" "$tmp/img$i.png")
  got=$(LC_ALL=C "$classify" "$tmp/w4.adq" "$tmp/img$i.png" | sed -n '1s/^[^:]*: \([^ ]*\) .*/\1/p')
  want=${class_names[${eval_top[$i]}]}
  [ "$got" = "$want" ] || { echo "FAIL: image $i: the C example says $got, adderq-run eval says $want"; exit 1; }
  if [ "$i" = 0 ]; then
    [ "$got" = "${class_names[$label]}" ] || { echo "FAIL: image 0 is a ${class_names[$label]}, the C example says $got"; exit 1; }
    echo "ok: the C example against the installed libadderq names test image 0 correctly: $got"
    infer=$("$prefix/bin/adderq-run" infer "$tmp/w4.adq" "$tmp/img0.png" --top-k 1 --quiet)
    case "$infer" in *":  ${class_names[$label]} "*) echo "ok: adderq-run infer: $infer" ;;
      *) echo "FAIL: adderq-run infer says: $infer (label ${class_names[$label]})"; exit 1 ;; esac
  fi
done
echo "ok: the C example agrees with adderq-run eval on test images 0..9"
if [ -x "$tmp/classify_pc" ]; then
  LD_LIBRARY_PATH=$prefix/lib "$tmp/classify_pc" "$tmp/w4.adq" "$tmp/img0.png" | sed -n 1p
fi
