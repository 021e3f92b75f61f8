#!/usr/bin/env bash
# ResNet-50 at 224x224, 4 bits, on the CPU for docs/benchmarks.md: the AdderNet reference code's
# ResNet-50 exported through adderq.export_onnx (random weights: speed does not depend on them),
# compiled to 4 bits on an ImageFolder of 64 CIFAR-10 training images, `adderq-run bench` (images/s,
# adder ops per image, fraction of the vpsadbw ceiling) against the PyTorch formulation on the same
# machine (tools/imagenet_bench.py). Needs python3-torch and python3-pil.
#   bash tools/resnet50-bench.sh [OUTDIR] [IMAGES]     (defaults: out/resnet50-bench, 200)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-out/resnet50-bench}
images=${2:-200}
mkdir -p "$out"
data=$(bash tools/get-cifar10.sh)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%F)"
PYTHONPATH=build/python /usr/bin/python3 tools/imagenet_bench.py --data "$data" --out "$out" --images 2 > "$out/torch.json"
build/bin/adderq-compile "$out/resnet50.onnx" -o "$out/r50_w4.adq" --bits 4 --calib-data "$out/folder" \
  --calib-batches 4 --batch-size 16 --no-progress --json > "$out/compile.json"
build/bin/adderq-run bench "$out/r50_w4.adq" --device cpu --data "$data" --images "$images" --json > "$out/bench.json"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
t, b, c = (json.load(open(f"{out}/{n}.json")) for n in ("torch", "bench", "compile"))
print(f"compile (4 bits, 64 calibration images): {c['total_seconds']:.1f} s")
print(f"adderq 4-bit, {b['images']} images: {b['images_per_second']:.1f} images/s; adder ops/image {b['adder_mops_per_image'] / 1e3:.2f} G")
print(f"adder layers: {b['adder_layers_percent_of_ceiling']:.0f} % of the vpsadbw ceiling ({b['simd_ceiling_gops_machine']:.0f} G/s); "
      f"end to end: {100 * b['adder_gops_per_second_end_to_end'] / b['simd_ceiling_gops_machine']:.0f} %")
print(f"PyTorch float32, {t['images']} images: cdist {t['torch_cdist_images_per_second']:.2f} images/s, "
      f"unfold+abs-sum {t['torch_unfold_abs_sum_images_per_second']:.3f} images/s")
print(f"ratio adderq / PyTorch cdist: {b['images_per_second'] / t['torch_cdist_images_per_second']:.0f}x, "
      f"/ unfold+abs-sum: {b['images_per_second'] / t['torch_unfold_abs_sum_images_per_second']:.0f}x")
PY
