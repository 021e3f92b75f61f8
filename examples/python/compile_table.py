#!/usr/bin/env python3
"""Compiles the official AdderNet ResNet-20 at 8, 6, 5, 4 and 3 bits with adderq's defaults,
evaluates each on all 10,000 CIFAR-10 test images, and prints the accuracy table.

    PYTHONPATH=build/python python3 examples/python/compile_table.py [--shared ../shared]
(about 10 s per bit width on a 2-core machine).
"""
import argparse
import os
import sys

import adderq


def default_shared() -> str:
    """$ADDERQ_SHARED, else ../shared beside the repository this script is in (any working directory)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("ADDERQ_SHARED", os.path.normpath(os.path.join(here, "..", "..", "..", "shared")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=default_shared(),
                        help="the folder with checkpoints/ and data/ (default: $ADDERQ_SHARED, then the repository's ../shared)")
    parser.add_argument("--bits", type=int, nargs="+", default=[8, 6, 5, 4, 3])
    parser.add_argument("--limit", type=int, default=None, help="evaluate on the first N test images only")
    args = parser.parse_args()
    checkpoint = os.path.join(args.shared, "checkpoints", "resnet20_adder_cifar10.pth")
    data = os.path.join(args.shared, "data", "cifar-10-batches-bin")

    rows = []
    fp = adderq.Model(adderq.compile(checkpoint, method="fp")["artifact"]).session().evaluate(data, limit=args.limit)
    rows.append(("full precision", "-", fp.top1, fp.top5, 0.0))
    for bits in args.bits:
        summary = adderq.compile(checkpoint, bits=bits, calib_data=data,
                                 progress=lambda phase, done, total: print(f"\r{bits} bits: {phase} {done}/{total}",
                                                                           end="", file=sys.stderr))
        print("\r", end="", file=sys.stderr)
        result = adderq.Model(summary["artifact"]).session().evaluate(data, limit=args.limit)
        rows.append((f"{bits} bits", summary["options"].get("clamp", "symmetric"), result.top1, result.top5,
                     summary["total_seconds"]))
    print(f"{'model':<16} {'clamp':<10} {'top-1 %':>8} {'top-5 %':>8} {'compile s':>10}")
    for name, clamp, top1, top5, seconds in rows:
        print(f"{name:<16} {clamp:<10} {top1:>8.2f} {top5:>8.2f} {seconds:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
