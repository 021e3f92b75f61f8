#!/usr/bin/env bash
# Prints the path of the verified official AdderNet ResNet-20 checkpoint: $ADDERQ_CHECKPOINT or
# ../shared's copy when present and intact, else downloads it from huawei-noah/AdderNet at commit
# d94dc43 into checkpoints/ and checks its sha256.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sha=fe3ad7c15573d34cddd9b3ec2eed12d9c2c818e59cd7d0797a954d6f76ea375b
for f in "${ADDERQ_CHECKPOINT:-}" "$root/../shared/checkpoints/resnet20_adder_cifar10.pth" \
         "$root/checkpoints/resnet20_adder_cifar10.pth"; do
  if [ -n "$f" ] && [ -f "$f" ] && [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sha" ]; then
    echo "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"; exit 0
  fi
done
mkdir -p "$root/checkpoints"
out="$root/checkpoints/resnet20_adder_cifar10.pth"
echo "downloading the official AdderNet ResNet-20 checkpoint..." >&2
curl -fL --retry 3 -o "$out" \
  https://github.com/huawei-noah/AdderNet/raw/d94dc43a0f2a7448c8c38bcf638062de89f2d34d/models/ResNet20-AdderNet.pth
echo "$sha  $out" | sha256sum -c --quiet -
echo "$out"
