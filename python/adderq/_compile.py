"""compile(): adderq-compile's pipeline, with arguments checked in Python's words."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Optional, Union

from . import _adderq
from ._validate import boolean, choice, floats, integer, number, path, python_words, threads

_PathLike = Union[str, "os.PathLike[str]"]

_DEFAULTS: Dict[str, Any] = {
    "clamp": None, "act_range": None, "calib_batches": None, "batch_size": 128, "groups": 4,
    "act_ratio": 0.9997, "seed": 0, "bn_adjust": True, "paper": False, "calib_data": None,
    "calib_cache": None, "threads": 0, "format": "auto", "mean": None, "std": None, "labels": None,
    "resize_shorter": None,
}


def compile(checkpoint: _PathLike, output: Optional[_PathLike] = None, bits: int = 4,
            method: str = "adderquant", *, progress: Optional[Callable[[str, int, int], Any]] = None,
            **options: Any) -> Dict[str, Any]:
    """Compiles a full-precision AdderNet into an adderq artifact.

    The same pipeline and options as ``adderq-compile`` (an artifact compiled here and one
    compiled by the tool with the same options are byte-identical).

    Args:
        checkpoint: an ONNX model (any AdderNet; see :func:`export_onnx`), or a PyTorch (``.pth``,
            legacy or zip) or MindSpore (``.ckpt``) checkpoint of a CIFAR ResNet.
        output: where to write the artifact (atomically: a cancelled or failed compile leaves
            nothing); None writes nothing (the summary's ``"artifact"`` holds the bytes, for
            :class:`Model`).
        bits: bit width of weights and activations, 2..8.
        method: ``"adderquant"``, ``"shared-scale"`` (the prior baseline) or ``"fp"``.
        progress: called as ``progress(phase, done, total)`` while calibrating
            (``"calibrate"``) and re-estimating BatchNorm (``"bn-reestimate"``). Without it a
            progress bar is drawn on stderr when stderr is a terminal. An exception it raises
            cancels the compile, and reaches the caller unchanged.
        **options: as the tool's flags: ``clamp`` (``"one-sided"``, the default, or
            ``"symmetric"``), ``act_range`` (``"search"``, the default, or ``"percentile"``),
            ``calib_batches`` (16), ``batch_size`` (128), ``groups`` (4), ``act_ratio`` (0.9997),
            ``seed`` (0), ``bn_adjust`` (True), ``paper`` (False: True is the paper's method as
            published), ``calib_data`` (a CIFAR-10 directory or an ImageFolder; default
            ``$ADDERQ_DATA``, then ``../shared/data/cifar-10-batches-bin``), ``calib_cache``,
            ``threads`` (0: all cores), ``format`` (``"auto"``, ``"onnx"``, ``"torch"``,
            ``"mindspore"``); for models that do not carry them: ``mean`` and ``std`` (one float per
            input channel), ``labels`` (a file of class names, one per line), ``resize_shorter``
            (how image files are fitted: 0 the largest centred crop, N resize + centre crop).

    Returns:
        The summary ``adderq-compile --json`` prints: ``output``, ``bytes``, ``method``,
        ``options`` (every option recorded in the artifact), ``layers`` (per adder layer: bits,
        clamp, activation range, group scales and sizes, clamped filters), ``phase_seconds``,
        ``total_seconds``; plus ``"artifact"`` (bytes) when ``output`` is None.

    Raises:
        FileNotFoundError, IsADirectoryError, NotADirectoryError: a path. TypeError: an argument
        of the wrong type, an unknown option. ValueError: a value out of range, a bad or
        unsupported checkpoint. KeyboardInterrupt: Ctrl-C (between batches, layers and phases).
    """
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"compile() got unknown option(s): {', '.join(unknown)} (known: {', '.join(sorted(_DEFAULTS))})")
    a = dict(_DEFAULTS, **options)
    ckpt = path("checkpoint", checkpoint)
    out = None if output is None else path("output", output, must_exist=False)
    if out is not None and os.path.isdir(out):
        raise IsADirectoryError(21, "output: a directory, where a file is wanted", out)
    choice("method", method, ("adderquant", "shared-scale", "fp"))
    bits = integer("bits", bits, 2, 8)
    if a["clamp"] is not None:
        choice("clamp", a["clamp"], ("one-sided", "symmetric"))
    if a["act_range"] is not None:
        choice("act_range", a["act_range"], ("search", "percentile"))
    if a["calib_batches"] is not None:
        a["calib_batches"] = integer("calib_batches", a["calib_batches"], 1)
    a["batch_size"] = integer("batch_size", a["batch_size"], 1)
    a["groups"] = integer("groups", a["groups"], 1, 256)
    a["act_ratio"] = number("act_ratio", a["act_ratio"])
    if not 0.0 < a["act_ratio"] <= 1.0:
        raise ValueError(f"act_ratio={a['act_ratio']} is not supported: (0, 1]")
    a["seed"] = integer("seed", a["seed"], 0, 2**64 - 1)
    boolean("bn_adjust", a["bn_adjust"])
    boolean("paper", a["paper"])
    a["threads"] = threads("threads", a["threads"])
    choice("format", a["format"], ("auto", "onnx", "torch", "mindspore"))
    if a["calib_data"] is not None:
        a["calib_data"] = path("calib_data", a["calib_data"], "dir")
    if a["calib_cache"] is not None:
        a["calib_cache"] = path("calib_cache", a["calib_cache"], must_exist=False)
    if a["labels"] is not None:
        a["labels"] = path("labels", a["labels"])
    for key in ("mean", "std"):
        if a[key] is not None:
            a[key] = floats(key, a[key])
    if a["resize_shorter"] is not None:
        a["resize_shorter"] = integer("resize_shorter", a["resize_shorter"], 0, 65536)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable(phase, done, total), not {type(progress).__name__}")
    try:
        summary, artifact = _adderq._compile(
            ckpt, out, bits, method, a["clamp"], a["act_range"], a["calib_batches"], a["batch_size"], a["groups"],
            a["act_ratio"], a["seed"], a["bn_adjust"], a["paper"], a["calib_data"], a["calib_cache"], a["threads"],
            a["format"], a["mean"], a["std"], a["labels"], a["resize_shorter"], progress)
    except ValueError as e:
        raise ValueError(python_words(str(e))) from None
    result = json.loads(summary)
    if output is None:
        result["artifact"] = artifact
    return result
