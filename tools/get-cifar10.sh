#!/usr/bin/env bash
# Prints the path of a verified CIFAR-10 binary directory: $ADDERQ_DATA or ../shared's copy when
# present and intact, else downloads the official tarball into data/ and verifies every file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
declare -A md5=(
  [data_batch_1.bin]=5dd7e06a14cb22eb9f671a540d1b7c25 [data_batch_2.bin]=5ea93a67294ea407fff1d09f752e9692
  [data_batch_3.bin]=942cd6a4bcdd0dd3c604fbe906cb4421 [data_batch_4.bin]=ae636b3ba5c66a11e91e8cb52e771fcb
  [data_batch_5.bin]=53f37980c15c3d472c316c40844f3f0d [test_batch.bin]=803d5f7f4d78ea53de84dbe85f74fb6d)
verify() {
  local dir=$1 f
  for f in "${!md5[@]}"; do
    [ -f "$dir/$f" ] || return 1
    [ "$(md5sum <"$dir/$f" | cut -d' ' -f1)" = "${md5[$f]}" ] || { echo "checksum mismatch: $dir/$f" >&2; return 1; }
  done
}
for dir in "${ADDERQ_DATA:-}" "$root/../shared/data/cifar-10-batches-bin" "$root/data/cifar-10-batches-bin"; do
  if [ -n "$dir" ] && [ -d "$dir" ] && verify "$dir"; then cd "$dir" && pwd; exit 0; fi
done
mkdir -p "$root/data"
echo "downloading CIFAR-10 (binary version, 162 MB)..." >&2
curl -fL --retry 3 -o "$root/data/cifar-10-binary.tar.gz" https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
echo "c32a1d4ab5d03f1284b67883e8d87530  $root/data/cifar-10-binary.tar.gz" | md5sum -c --quiet -
tar -xzf "$root/data/cifar-10-binary.tar.gz" -C "$root/data"
verify "$root/data/cifar-10-batches-bin"
echo "$root/data/cifar-10-batches-bin"
