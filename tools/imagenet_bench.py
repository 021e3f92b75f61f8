#!/usr/bin/env python3
"""ResNet-50 (ImageNet shapes, 224x224) for docs/benchmarks.md: exports the AdderNet reference
code's ResNet-50 (tests/python/addernet_models.py; seeded random weights, BatchNorm statistics from
real images) to ONNX, writes an ImageFolder of CIFAR-10 training images for calibration, and times
the PyTorch formulation of the adder layer on the same machine (float32, CPU): the paper's unfold +
broadcast abs-sum, and torch.cdist(p=1). Prints one JSON object.
Run by tools/resnet50-bench.sh with Debian's python3-torch and python3-pil."""
import argparse, json, os, sys, time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
import addernet_models as am  # noqa: E402

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def cifar(path, first, count):
    raw = np.fromfile(path, dtype=np.uint8, count=(first + count) * 3073).reshape(-1, 3073)[first:]
    return raw[:, 1:].reshape(count, 3, 32, 32), raw[:, 0]


def to_input(pixels):
    x = F.interpolate(torch.from_numpy(pixels.astype(np.float32) / 255), size=(224, 224), mode="bilinear", align_corners=False)
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def unfold_forward(self, x):
    """The AdderNet paper's formulation: unfold, broadcast |X - W|, sum (in slices of filters)."""
    n, c, h, w = x.shape
    o, _, kh, kw = self.adder.shape
    ho, wo = (h + 2 * self.padding - kh) // self.stride + 1, (w + 2 * self.padding - kw) // self.stride + 1
    cols = F.unfold(x, (kh, kw), padding=self.padding, stride=self.stride)
    wc = self.adder.reshape(o, -1)
    out = torch.empty(n, o, ho * wo)
    for oc in range(0, o, 8):
        out[:, oc:oc + 8] = -(cols.unsqueeze(1) - wc[oc:oc + 8].unsqueeze(0).unsqueeze(3)).abs().sum(2)
    return out.reshape(n, o, ho, wo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=2, help="images timed through PyTorch")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    model = am.randomize(am.resnet50(1000), 1)
    am.set_bn_statistics(model, to_input(cifar(os.path.join(a.data, "data_batch_1.bin"), 100, 4)[0]))
    import adderq
    adderq.export_onnx(model, torch.zeros(1, 3, 224, 224), os.path.join(a.out, "resnet50.onnx"))
    from PIL import Image
    names = open(os.path.join(a.data, "batches.meta.txt")).read().split()
    pixels, labels = cifar(os.path.join(a.data, "data_batch_2.bin"), 0, 64)
    for i, (img, label) in enumerate(zip(pixels, labels)):
        os.makedirs(os.path.join(a.out, "folder", names[label]), exist_ok=True)
        Image.fromarray(img.transpose(1, 2, 0)).save(os.path.join(a.out, "folder", names[label], f"{i}.{'jpg' if i % 2 else 'png'}"))
    x = to_input(cifar(os.path.join(a.data, "test_batch.bin"), 0, a.images)[0])
    result = {"model": "resnet50 (AdderNet reference, random weights)", "images": a.images, "threads": a.threads}
    with torch.no_grad():
        for name, forward in (("cdist", am.adder2d.forward), ("unfold_abs_sum", unfold_forward)):
            am.adder2d.forward = forward
            model(x[:1])  # warm-up
            t0 = time.perf_counter()
            model(x)
            result[f"torch_{name}_images_per_second"] = a.images / (time.perf_counter() - t0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
