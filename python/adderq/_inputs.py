"""Images as users hold them, to the two arrays the runtime takes.

- Anything NumPy can read: ndarrays, the buffer protocol (memoryview, array.array), ``__array__``
  (a CPU torch tensor, PIL images), ``__dlpack__`` (torch, JAX, CuPy on the host; read without
  importing their library), nested lists.
- Pixels: an unsigned or signed integer array of shape ``(N, H, W, C)`` or one image ``(H, W, C)``,
  values 0..255 (any other integer value is a ValueError), as decoded images and CIFAR-10 hold them.
- Normalised floats: float16/32/64 of shape ``(N, C, H, W)`` or ``(C, H, W)``, PyTorch's layout,
  already normalised with the model's mean and std; cast to float32, byte-swapped if big-endian.
- NaN or infinity in floats is a ValueError naming the first bad index. Non-contiguous arrays are
  copied. Nothing is guessed from the values: the dtype decides the layout.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np


def to_array(images: Any) -> np.ndarray:
    if isinstance(images, np.ndarray):
        return images
    if hasattr(images, "__dlpack__") and hasattr(images, "__dlpack_device__"):
        try:
            return np.from_dlpack(images)
        except (TypeError, RuntimeError, BufferError):
            pass  # a device or dtype NumPy cannot take: try __array__ below
    try:
        return np.asarray(images)
    except (TypeError, ValueError, RuntimeError) as e:
        raise TypeError(f"images: cannot read {type(images).__name__} as an array ({e})") from None


def _batched(a: np.ndarray, image: Tuple[int, int, int], what: str) -> Tuple[np.ndarray, bool]:
    """(N, *image) from a batch or one image; ValueError naming the expected shapes otherwise."""
    single = a.ndim == 3
    if single:
        a = a[np.newaxis]
    if a.ndim != 4 or a.shape[1:] != image:
        got = a.shape[1:] if single else a.shape
        dims = ", ".join(str(d) for d in image)
        raise ValueError(f"images: {what} must be (N, {dims}) or one image ({dims}); got shape {tuple(got)}")
    return a, single


def as_batch(images: Any, shape: Tuple[int, int, int]) -> Tuple[np.ndarray, bool]:
    """(array the runtime takes, whether one unbatched image was given). `shape` = (C, H, W)."""
    a = to_array(images)
    c, h, w = shape
    if a.dtype.kind in "ui":
        if a.dtype != np.uint8:
            if a.size and (a.min() < 0 or a.max() > 255):
                raise ValueError(f"images: integer pixels must be 0..255, got values from {a.min()} to {a.max()}")
            a = a.astype(np.uint8)
        a, single = _batched(a, (h, w, c), "uint8 pixels")
    elif a.dtype.kind == "f":
        a, single = _batched(a, (c, h, w), "normalised floats")
        a = a.astype(np.dtype("=f4"), copy=False)
        finite = np.isfinite(a)
        if not finite.all():
            first = np.unravel_index(int(np.argmin(finite)), a.shape)
            where = first[1:] if single else first
            raise ValueError(f"images: {a[first]} at index {tuple(int(i) for i in where)} "
                             "(NaN or infinity is not an image value)")
    else:
        raise TypeError(f"images: expected uint8 pixels (N, {h}, {w}, {c}) or normalised floats (N, {c}, {h}, {w}); "
                        f"got {a.dtype}")
    return np.ascontiguousarray(a), single
