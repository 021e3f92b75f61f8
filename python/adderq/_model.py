"""Model (an artifact, loaded, verified, immutable, picklable) and Session (one backend over it)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Union

import numpy as np

from . import _adderq
from ._inputs import as_batch
from ._results import Classification, EvalResult
from ._validate import choice, integer, path, python_words, threads as threads_arg

_PathLike = Union[str, "os.PathLike[str]"]


def _native_call(fn: Any, *args: Any) -> Any:
    """Runs a native call; its ValueError/RuntimeError messages in keyword names, not CLI flags."""
    try:
        return fn(*args)
    except ValueError as e:
        raise ValueError(python_words(str(e))) from None
    except RuntimeError as e:
        if type(e) is RuntimeError:
            raise RuntimeError(python_words(str(e))) from None
        raise


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z, dtype=np.float64)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


class Session:
    """Runs a :class:`Model` on one backend (the CPU, or CUDA). Make one with :meth:`Model.session`.

    A session owns its backend's buffers: it runs one call at a time (concurrent calls wait for
    each other). For parallel work give each thread its own session over the shared model; for
    processes, send the :class:`Model` (it pickles) and make a session in each.
    """

    def __init__(self, model: "Model", native: Any) -> None:
        self._model = model
        self._native = native

    @property
    def backend(self) -> str:
        """What runs the model, e.g. ``"cpu (avx2, 2 threads)"``."""
        return self._native.backend

    @property
    def fallback_reason(self) -> str:
        """Why ``device="auto"`` chose the CPU (empty when it did not fall back)."""
        return self._native.fallback_reason

    def predict(self, images: Any, output: str = "logits") -> np.ndarray:
        """Logits (or probabilities) of images: ``float32`` ``(N, classes)``, ``(classes,)`` for one image.

        Args:
            images: ``uint8`` pixels ``(N, H, W, 3)`` or one image ``(H, W, 3)`` (as decoded images
                and CIFAR-10 hold them; normalised here with the model's mean and std, exactly as
                ``adderq-run eval`` does), or normalised floats ``(N, 3, H, W)`` / ``(3, H, W)``
                (PyTorch's layout; float16/32/64). H x W is the model's input size
                (:attr:`Model.input_shape`). Any array-like: NumPy arrays, torch tensors on the CPU
                (read through ``__dlpack__`` without importing torch), buffers, lists. The dtype
                decides the layout; integer pixels must be 0..255.
            output: ``"logits"`` or ``"probabilities"`` (softmax).

        Raises:
            TypeError: another dtype or an unreadable object. ValueError: another shape, pixels
            outside 0..255, NaN or infinity (the first bad index is named), unknown ``output``.
            KeyboardInterrupt: Ctrl-C, within about 0.1 s.
        """
        choice("output", output, ("logits", "probabilities"))
        batch, single = as_batch(images, self._model.input_shape)
        logits = _native_call(self._native.predict, batch)
        result = _softmax(logits) if output == "probabilities" else logits
        return result[0] if single else result

    def classify(self, images: Any, top_k: int = 5) -> Classification:
        """The ``top_k`` most likely classes of each image, with probabilities and class names.

        ``images`` as :meth:`predict` takes them. Returns a :class:`Classification`.
        """
        classes = len(self._model.classes)
        k = integer("top_k", top_k, 1, classes, f"1..{classes} (the model's classes)")
        batch, single = as_batch(images, self._model.input_shape)
        probs = _softmax(_native_call(self._native.predict, batch))
        order = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        top = np.take_along_axis(probs, order, axis=1)
        names = [[self._model.classes[int(i)] for i in row] for row in order]
        if single:
            return Classification(order[0], top[0], names[0])
        return Classification(order, top, names)

    def evaluate(self, data: Any, labels: Any = None, *, limit: Optional[int] = None, batch_size: int = 100) -> EvalResult:
        """Top-1, top-5 and per-class top-1 accuracy.

        Args:
            data: a directory (CIFAR-10 binaries with ``test_batch.bin``, or an ImageFolder: one
                sub-directory of JPEG/PNG/PPM images per class, sorted names = labels), or images
                as :meth:`predict` takes them, with ``labels``.
            labels: with images: one integer label per image (0 <= label < classes).
            limit: with a directory: at most this many images (None: all).
            batch_size: with a directory: images per batch.

        Raises:
            FileNotFoundError / NotADirectoryError: ``data`` is not a directory. ValueError:
            labels that do not match the images. KeyboardInterrupt: Ctrl-C between batches.
        """
        if isinstance(data, (str, os.PathLike)):
            if labels is not None:
                raise TypeError("evaluate: labels are given with images, not with a directory")
            directory = path("data", data, "dir")
            if limit is not None:
                limit = integer("limit", limit, 0)
            batch_size = integer("batch_size", batch_size, 1)
            d = _native_call(self._native.evaluate, directory, limit, batch_size)
            return EvalResult(**d)
        if labels is None:
            raise TypeError("evaluate: images need labels (or pass a data directory)")
        if limit is not None:
            raise TypeError("evaluate: limit applies to a directory; slice the arrays instead")
        import time
        batch, _ = as_batch(data, self._model.input_shape)
        y = np.asarray(labels)
        if y.dtype.kind not in "ui" or y.ndim != 1 or len(y) != len(batch):
            raise ValueError(f"labels must be {len(batch)} integers (one per image), got {y.dtype} of shape {y.shape}")
        classes = len(self._model.classes)
        if len(y) and (y.min() < 0 or y.max() >= classes):
            raise ValueError(f"labels must be 0..{classes - 1}, got values from {y.min()} to {y.max()}")
        t0 = time.perf_counter()
        logits = _native_call(self._native.predict, batch)
        seconds = time.perf_counter() - t0
        # The ranks as adderq-run eval counts them: ties count against the true class.
        true = logits[np.arange(len(y)), y][:, None]
        index = np.arange(classes)[None, :]
        rank = ((logits > true) | ((logits == true) & (index < y[:, None]))).sum(axis=1)
        # Percentages as adderq-run eval computes them (100.0 * correct / total, in double).
        per_class = {self._model.classes[int(c)]: 100.0 * int((rank[y == c] == 0).sum()) / int((y == c).sum())
                     for c in np.unique(y)}
        n = len(y)
        return EvalResult(100.0 * int((rank == 0).sum()) / n if n else 0.0, 100.0 * int((rank < 5).sum()) / n if n else 0.0,
                          n, seconds, n / seconds if seconds > 0 else 0.0, self.backend, per_class)

    def __repr__(self) -> str:
        return f"<adderq.Session {self.backend}>"


def _typed(value: str) -> Any:
    """A recorded compile option's string as the value it stands for."""
    if value in ("true", "false"):
        return value == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


class Model:
    """A compiled artifact (``.adq``), loaded and verified (FlatBuffers verifier, schema version,
    checksum, shapes). Immutable: share it between threads freely; it pickles as its artifact's
    bytes (``multiprocessing``, ``concurrent.futures``, Ray, Dask), and ``copy.deepcopy`` works.

    Args:
        path_or_bytes: the artifact's path, or its bytes (e.g. ``compile(...)["artifact"]``).

    Raises:
        FileNotFoundError, IsADirectoryError: the path. ValueError: not a valid artifact.
        TypeError: neither a path nor bytes.
    """

    def __init__(self, path_or_bytes: Union[_PathLike, bytes, bytearray, memoryview]) -> None:
        if isinstance(path_or_bytes, (str, os.PathLike)):
            with open(path("path_or_bytes", path_or_bytes), "rb") as f:
                data = f.read()
        elif isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            data = bytes(path_or_bytes)
        else:
            raise TypeError(f"Model: expected a path or bytes, not {type(path_or_bytes).__name__}")
        self._bytes = data
        self._native = _native_call(_adderq.Model, data)
        self._info: Dict[str, Any] = json.loads(self._native._summary_json())
        options = self._info.get("compile_options", {})
        self._info["compile_options"] = {k: _typed(v) for k, v in options.items()}

    def __reduce__(self) -> Any:
        return (Model, (self._bytes,))

    @property
    def info(self) -> Dict[str, Any]:
        """What the artifact holds (as ``adderq-run info --json``, values typed): ``architecture``,
        ``method``, ``bits`` (widest quantized adder layer; 32 for full precision), ``input``
        ([C, H, W]), ``classes``, ``mean``, ``std``, ``compile_options`` (ints, floats, bools,
        strings), ``source_checkpoint``, ``source_sha256``, ``compiler_version``,
        ``weight_bytes`` and ``layers``."""
        return json.loads(json.dumps(self._info))  # a copy: the model stays immutable

    @property
    def classes(self) -> List[str]:
        """The class names, one per output."""
        return list(self._info["classes"])

    @property
    def input_shape(self) -> tuple:
        """(C, H, W) of one input image."""
        return tuple(int(v) for v in self._info["input"])

    def session(self, device: str = "auto", threads: int = 0) -> Session:
        """A new :class:`Session`.

        Args:
            device: ``"auto"`` (CUDA where a driver and GPU are usable, else the CPU), ``"cpu"``
                or ``"cuda"`` (ValueError without a usable GPU).
            threads: CPU worker threads, 0 (all cores) up to the cores this process may use.
        """
        choice("device", device, ("auto", "cpu", "cuda"))
        t = threads_arg("threads", threads)
        return Session(self, _native_call(self._native.session, device, t))

    def __repr__(self) -> str:
        return f"<adderq.Model {self._info['architecture']} {self._info['method']} {self._info['bits']} bits>"


def load_image(path_: _PathLike, model: Optional[Model] = None) -> np.ndarray:
    """An image file (PNG, JPEG, PPM/PGM) as ``uint8`` ``(H, W, 3)``.

    With ``model``, fitted to its input exactly as ``adderq-run infer`` fits it (the artifact's
    rule: CIFAR's centred crop and antialiased resize, or ImageNet's shorter-side resize and centre
    crop), so ``session.classify(load_image(p, model))`` is what ``adderq-run infer`` answers.

    Raises:
        FileNotFoundError, IsADirectoryError: the path. ValueError: not a readable image.
    """
    p = path("path", path_)
    if model is None:
        return _native_call(_adderq._load_image, p, 0, 0, 0)
    if not isinstance(model, Model):
        raise TypeError(f"model must be an adderq.Model, not {type(model).__name__}")
    _c, h, w = model.input_shape
    return _native_call(_adderq._load_image, p, w, h, int(model._info.get("resize_shorter", 0)))
