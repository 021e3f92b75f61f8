#!/usr/bin/env python3
"""Evaluates a model on the 10,000 CIFAR-10 test images in shards over a process pool
(concurrent.futures): the Model is pickled to each worker (as its artifact's bytes), each worker
makes its own Session. The top-1 equals one process's. The same works with Ray or Dask workers.

    python3 examples/python/parallel_eval.py MODEL.adq [--workers 2] [--shared ../shared]
"""
import argparse
import concurrent.futures
import os

import numpy as np

import adderq


def default_shared() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("ADDERQ_SHARED", os.path.normpath(os.path.join(here, "..", "..", "..", "shared")))


def shard(model: adderq.Model, data_dir: str, first: int, count: int) -> int:
    """Correct top-1 answers on test images [first, first + count), in a worker process."""
    raw = np.fromfile(os.path.join(data_dir, "test_batch.bin"), dtype=np.uint8, count=(first + count) * 3073)
    raw = raw.reshape(-1, 3073)[first:]
    images = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    session = model.session(device="cpu", threads=1)  # one core per worker
    result = session.evaluate(images, raw[:, 0])
    return round(result.top1 * result.images / 100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--shared", default=default_shared())
    args = parser.parse_args()
    data = os.path.join(args.shared, "data", "cifar-10-batches-bin")
    model = adderq.Model(args.model)
    bounds = np.linspace(0, 10000, args.workers + 1).astype(int)
    with concurrent.futures.ProcessPoolExecutor(args.workers) as pool:
        futures = [pool.submit(shard, model, data, int(a), int(b - a)) for a, b in zip(bounds[:-1], bounds[1:])]
        correct = sum(f.result() for f in futures)
    single = model.session(device="cpu").evaluate(data)
    print(f"{args.workers} workers: top-1 {100 * correct / 10000:.2f} %; one process: {single.top1:.2f} %")
    assert abs(100 * correct / 10000 - single.top1) < 1e-9


if __name__ == "__main__":
    main()
