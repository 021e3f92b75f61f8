"""adderq: quantized AdderNets from Python.

Compile a full-precision AdderNet checkpoint into a small integer artifact, then run it::

    import adderq
    summary = adderq.compile("resnet20_adder_cifar10.pth", "r20_w4.adq", bits=4)
    model = adderq.Model("r20_w4.adq")
    session = model.session()                  # CPU, or CUDA where a GPU is usable
    logits = session.predict(images)           # uint8 (N, 32, 32, 3) -> float32 (N, 10)
    print(session.evaluate("cifar-10-batches-bin"))   # {'top1': ..., 'top5': ..., ...}

Everything runs in adderq's C++ library (the same code as the ``adderq-compile`` and
``adderq-run`` tools, with the same results byte for byte); the GIL is released while it computes.
A :class:`Model` is immutable and may be shared by threads; give each thread its own
:class:`Session`.

Errors: ``FileNotFoundError`` for a missing file, ``ValueError`` for bad input or a bad argument
(a corrupt or truncated file, a wrong shape, an unknown option), ``TypeError`` for an argument of
the wrong type, ``RuntimeError`` for anything else; each with the library's one-line message.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Optional, Union

import numpy as np

from . import _adderq
from .onnx_export import export_onnx

__all__ = ["compile", "Model", "Session", "read_checkpoint", "export_onnx", "__version__"]
__version__: str = _adderq.__version__

_COMPILE_OPTIONS = {
    "clamp": None, "act_range": None, "calib_batches": None, "batch_size": 128, "groups": 4,
    "act_ratio": 0.9997, "seed": 0, "bn_adjust": True, "paper": False, "calib_data": None,
    "calib_cache": None, "threads": 0, "format": "auto", "mean": None, "std": None, "labels": None,
    "resize_shorter": None,
}

_PathLike = Union[str, "os.PathLike[str]"]


def _path(p: Optional[_PathLike]) -> Optional[str]:
    return None if p is None else os.fspath(p)


def compile(checkpoint: _PathLike, output: Optional[_PathLike] = None, bits: int = 4,
            method: str = "adderquant", *, progress: Optional[Callable[[str, int, int], Any]] = None,
            **options: Any) -> Dict[str, Any]:
    """Compiles a full-precision AdderNet checkpoint into an adderq artifact.

    The same pipeline and options as ``adderq-compile`` (an artifact compiled here and one
    compiled by the tool with the same options are byte-identical).

    Args:
        checkpoint: an ONNX model (any AdderNet; see :func:`export_onnx`), or a PyTorch (``.pth``,
            legacy or zip) or MindSpore (``.ckpt``) checkpoint of a CIFAR ResNet.
        output: where to write the artifact (atomically); None writes nothing (the summary's
            ``"artifact"`` holds the bytes, for :class:`Model`).
        bits: bit width of weights and activations, 2..8.
        method: ``"adderquant"``, ``"shared-scale"`` (the prior baseline) or ``"fp"``.
        progress: called as ``progress(phase, done, total)`` while calibrating
            (``"calibrate"``) and re-estimating BatchNorm (``"bn-reestimate"``). Without it a
            progress bar is drawn on stderr when stderr is a terminal. An exception it raises
            stops further calls and is raised when the compile ends.
        **options: as the tool's flags: ``clamp`` (``"one-sided"``, the default, or
            ``"symmetric"``), ``act_range`` (``"search"``, the default, or ``"percentile"``),
            ``calib_batches`` (16), ``batch_size`` (128), ``groups`` (4), ``act_ratio`` (0.9997),
            ``seed`` (0), ``bn_adjust`` (True), ``paper`` (False: True is the paper's method as
            published, ``--paper``), ``calib_data`` (the CIFAR-10 directory; default
            ``$ADDERQ_DATA``, then ``../shared/data/cifar-10-batches-bin``), ``calib_cache``,
            ``threads`` (0: all cores), ``format`` (``"auto"``, ``"onnx"``, ``"torch"``,
            ``"mindspore"``); for models that do not carry them: ``mean`` and ``std`` (one float per
            input channel), ``labels`` (a file of class names, one per line), ``resize_shorter``
            (how image files are fitted: 0 the largest centred crop, N resize + centre crop).
            ``calib_data`` may be an ImageFolder directory (one sub-directory of images per class).

    Returns:
        The summary ``adderq-compile --json`` prints: ``output``, ``bytes``, ``method``,
        ``options`` (every option recorded in the artifact), ``layers`` (per adder layer: bits,
        clamp, activation range, group scales and sizes, clamped filters), ``phase_seconds``,
        ``total_seconds``; plus ``"artifact"`` (bytes) when ``output`` is None.
    """
    unknown = sorted(set(options) - set(_COMPILE_OPTIONS))
    if unknown:
        raise TypeError(f"compile() got unknown option(s): {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(_COMPILE_OPTIONS))})")
    args = dict(_COMPILE_OPTIONS, **options)
    for key in ("calib_data", "calib_cache", "labels"):
        args[key] = _path(args[key])
    summary, artifact = _adderq._compile(
        os.fspath(checkpoint), _path(output), bits, method, args["clamp"], args["act_range"],
        args["calib_batches"], args["batch_size"], args["groups"], args["act_ratio"], args["seed"],
        args["bn_adjust"], args["paper"], args["calib_data"], args["calib_cache"], args["threads"],
        args["format"], args["mean"], args["std"], args["labels"], args["resize_shorter"], progress)
    result = json.loads(summary)
    if output is None:
        result["artifact"] = artifact
    return result


class Session:
    """Runs a :class:`Model` on one backend (the CPU, or CUDA). Make one with :meth:`Model.session`.

    A session owns its backend's buffers: it runs one call at a time (concurrent calls wait for
    each other). For parallel work give each thread its own session over the shared model.
    """

    def __init__(self, native: Any) -> None:
        self._native = native

    @property
    def backend(self) -> str:
        """What runs the model, e.g. ``"cpu (avx2, 2 threads)"``."""
        return self._native.backend

    @property
    def fallback_reason(self) -> str:
        """Why ``device="auto"`` chose the CPU (empty when it did not fall back)."""
        return self._native.fallback_reason

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Logits of a batch of images, ``numpy.float32`` of shape ``(N, classes)``.

        Args:
            images: either ``uint8`` of shape ``(N, H, W, 3)``, pixels as CIFAR-10 and PIL hold
                them (normalised here with the model's mean and std, exactly as ``adderq-run
                eval`` does), or ``float32`` of shape ``(N, 3, H, W)``, already normalised
                (PyTorch's layout). H x W is the model's input size. C-contiguous.

        Raises:
            TypeError: another dtype. ValueError: another shape, or not C-contiguous.
        """
        if not isinstance(images, np.ndarray):
            raise TypeError(f"predict: expected a numpy.ndarray, got {type(images).__name__}")
        return self._native.predict(images)

    def evaluate(self, data_dir: _PathLike, limit: Optional[int] = None, batch_size: int = 100) -> Dict[str, Any]:
        """Top-1 and top-5 accuracy on the CIFAR-10 test set in ``data_dir`` (``test_batch.bin``).

        Returns a dict: ``top1``, ``top5`` (percent), ``images``, ``seconds``,
        ``images_per_second``, ``backend``; the numbers ``adderq-run eval`` prints.
        """
        return self._native.evaluate(os.fspath(data_dir), limit, batch_size)

    def __repr__(self) -> str:
        return f"<adderq.Session {self.backend}>"


class Model:
    """A compiled artifact (``.adq``), loaded and verified (FlatBuffers verifier, schema version,
    checksum, shapes). Immutable: share it between threads freely.

    Args:
        path_or_bytes: the artifact's path, or its bytes (e.g. ``compile(...)["artifact"]``).
    """

    def __init__(self, path_or_bytes: Union[_PathLike, bytes, bytearray, memoryview]) -> None:
        if not isinstance(path_or_bytes, (str, bytes, bytearray, memoryview, os.PathLike)):
            raise TypeError(f"Model: expected a path or bytes, got {type(path_or_bytes).__name__}")
        self._native = _adderq.Model(path_or_bytes)
        self._info: Dict[str, Any] = json.loads(self._native._summary_json())

    @property
    def info(self) -> Dict[str, Any]:
        """What the artifact holds (as ``adderq-run info --json``): ``architecture``, ``method``,
        ``bits`` (widest quantized adder layer; 32 for full precision), ``input`` ([C, H, W]),
        ``classes``, ``mean``, ``std``, ``compile_options``, ``source_checkpoint``,
        ``source_sha256``, ``compiler_version``, ``weight_bytes`` and ``layers`` (per layer: name,
        op, shape, stride, padding, bits and, where quantized, clamp, act_range, groups,
        group_scales, group_sizes, clamped_channels)."""
        return json.loads(json.dumps(self._info))  # a copy: the model stays immutable

    @property
    def classes(self) -> list:
        """The class names, one per output."""
        return list(self._info["classes"])

    def session(self, device: str = "auto", threads: int = 0) -> Session:
        """A new :class:`Session`.

        Args:
            device: ``"auto"`` (CUDA where a driver and GPU are usable, else the CPU), ``"cpu"``
                or ``"cuda"`` (``ValueError`` without a usable GPU).
            threads: CPU worker threads; 0 uses all cores.
        """
        return Session(self._native.session(device, threads))

    def __repr__(self) -> str:
        return f"<adderq.Model {self._info['architecture']} {self._info['method']} {self._info['bits']} bits>"


_NUMPY_DTYPES = {"bfloat16": np.float32}  # NumPy has no bfloat16: its values are exact in float32


def read_checkpoint(path: _PathLike, format: str = "auto") -> Dict[str, np.ndarray]:
    """The tensors of a checkpoint, by name in file order, as NumPy arrays of their dtype.

    Reads what ``adderq-compile`` reads: PyTorch ``.pth`` (legacy and zip serialisations, through
    a restricted unpickler) and MindSpore ``.ckpt``. ``format``: ``"auto"`` (from the content),
    ``"torch"`` or ``"mindspore"``.
    """
    _fmt, _sha, tensors = _adderq._read_checkpoint(os.fspath(path), format)
    return {name: values.astype(_NUMPY_DTYPES.get(dtype, np.dtype(dtype)), copy=False)
            for name, dtype, values in tensors}
