#!/usr/bin/env python3
"""Runs a batch of CIFAR-10 test images through a compiled model from Python: as a NumPy uint8
array read straight from the dataset file, and, where PyTorch is installed, as a normalised
float batch from a torch DataLoader. Both give the same predictions.

    PYTHONPATH=build/python python3 examples/python/predict_numpy.py MODEL.adq [--shared ../shared]
"""
import argparse
import os
import sys

import numpy as np

import adderq


def cifar10_test(data_dir: str, count: int):
    """The first `count` test images as uint8 (N, 32, 32, 3) and their labels."""
    if not 1 <= count <= 10000:
        raise SystemExit(f"--images {count}: the CIFAR-10 test set has 1..10000 images")
    raw = np.fromfile(os.path.join(data_dir, "test_batch.bin"), dtype=np.uint8, count=count * 3073).reshape(count, 3073)
    return np.ascontiguousarray(raw[:, 1:].reshape(count, 3, 32, 32).transpose(0, 2, 3, 1)), raw[:, 0].astype(np.int64)


def default_shared() -> str:
    """$ADDERQ_SHARED, else ../shared beside the repository this script is in (any working directory)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("ADDERQ_SHARED", os.path.normpath(os.path.join(here, "..", "..", "..", "shared")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="an artifact from adderq-compile or adderq.compile")
    parser.add_argument("--shared", default=default_shared(),
                        help="the folder with checkpoints/ and data/ (default: $ADDERQ_SHARED, then the repository's ../shared)")
    parser.add_argument("--images", type=int, default=256)
    args = parser.parse_args()
    data = os.path.join(args.shared, "data", "cifar-10-batches-bin")

    model = adderq.Model(args.model)
    session = model.session()
    print(f"{model!r} on {session.backend}")
    images, labels = cifar10_test(data, args.images)
    logits = session.predict(images)  # float32 (N, 10)
    predicted = logits.argmax(axis=1)
    print(f"NumPy uint8 batch: {np.mean(predicted == labels) * 100:.2f} % of {len(labels)} correct; "
          f"image 0 is a {model.classes[labels[0]]}, predicted {model.classes[predicted[0]]}")

    try:
        import torch
        from torch.utils.data import DataLoader, TensorDataset
    except ImportError:
        print("PyTorch not installed: the DataLoader part is skipped")
        return 0
    mean = torch.tensor(model.info["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(model.info["std"]).view(1, 3, 1, 1)
    # What torchvision's ToTensor + Normalize produce, in PyTorch's (N, C, H, W) layout.
    floats = (torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0 - mean) / std
    loader = DataLoader(TensorDataset(floats, torch.from_numpy(labels)), batch_size=64)
    correct, same, seen = 0, 0, 0
    for batch, target in loader:
        out = session.predict(np.ascontiguousarray(batch.numpy(), dtype=np.float32)).argmax(1)
        correct += int((out == target.numpy()).sum())
        same += int((out == predicted[seen:seen + len(target)]).sum())
        seen += len(target)
    print(f"torch DataLoader float batches: {correct / len(labels) * 100:.2f} % correct; "
          f"{same} of {len(labels)} predictions equal the uint8 batch's (torch's float formula differs from "
          f"adderq's in the last bit for some pixels, so a logit may move in its last digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
