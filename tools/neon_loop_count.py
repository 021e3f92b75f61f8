#!/usr/bin/env python3
"""Counts the instructions of the NEON byte kernels' inner loops from the compiler's assembly.

qemu is not a timer, so docs/benchmarks.md estimates ARM64 speed from what can be counted: this
compiles runtime/kernels/simd/sad_kernels_{neon,dotprod}.cpp with the aarch64 cross-compiler (the
flags of runtime/CMakeLists.txt), finds each SadTiles loop that contains uabd (a basic block that
branches back to its own label) and prints its instructions by kind, per 16-byte chunk (one uabd:
16 byte differences of one pixel against one filter).
  python3 tools/neon_loop_count.py [--cxx aarch64-linux-gnu-g++]
"""
import argparse
import collections
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VARIANTS = {"neon": [], "dotprod": ["-march=armv8.2-a+dotprod"]}
KINDS = {"uabd": "abs-diff", "udot": "accumulate", "uadalp": "accumulate", "uaddlp": "accumulate",
         "ldr": "load", "ld1": "load", "ldp": "load"}


def loops(asm):
    """(label, [instructions]) for every block that ends in a branch back to its own label."""
    label, body, found = None, [], []
    for line in asm.splitlines():
        m = re.match(r"^(\.L\w+):", line)
        if m:
            label, body = m.group(1), []
            continue
        parts = line.split()
        if not parts or parts[0].startswith(".") or label is None:
            continue
        body.append(parts[0])
        if parts[0].startswith("b") and parts[-1] == label:
            found.append((label, list(body)))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cxx", default="aarch64-linux-gnu-g++")
    args = ap.parse_args()
    for name, flags in VARIANTS.items():
        src = ROOT / "runtime/kernels/simd" / f"sad_kernels_{name}.cpp"
        with tempfile.NamedTemporaryFile(suffix=".s") as out:
            subprocess.run([args.cxx, "-std=c++20", "-O3", "-ffp-contract=off", *flags, f"-I{ROOT / 'runtime'}",
                            "-S", "-o", out.name, str(src)], check=True)
            asm = pathlib.Path(out.name).read_text()
        # The first loop with uabd in SadTiles (the ceiling loop comes after it in the file).
        tiles = asm[asm.index("SadTiles"):]
        inner = [(l, b) for l, b in loops(tiles) if "uabd" in b]
        if not inner:
            sys.exit(f"{name}: no uabd loop found")
        label, body = inner[0]
        chunks = body.count("uabd")
        kinds = collections.Counter(KINDS.get(i, "other") for i in body)
        vector = kinds["abs-diff"] + kinds["accumulate"]
        print(f"{name}: loop {label}: {len(body)} instructions for {chunks} chunks of 16 bytes = "
              f"{len(body) / chunks:.2f} per chunk (vector {vector / chunks:.2f}, loads {kinds['load'] / chunks:.2f}, "
              f"other {kinds['other'] / chunks:.2f}); mnemonics: "
              + ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(body).items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
