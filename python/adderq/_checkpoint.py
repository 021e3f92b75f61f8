"""read_checkpoint(): a checkpoint's tensors as NumPy arrays."""

from __future__ import annotations

import os
from typing import Dict, Union

import numpy as np

from . import _adderq
from ._validate import choice, path

_NUMPY_DTYPES = {"bfloat16": np.float32}  # NumPy has no bfloat16: its values are exact in float32


def read_checkpoint(path_: Union[str, "os.PathLike[str]"], format: str = "auto") -> Dict[str, np.ndarray]:
    """The tensors of a checkpoint, by name in file order, as NumPy arrays of their dtype.

    Reads what ``adderq-compile`` reads: PyTorch ``.pth`` (legacy and zip serialisations, through
    a restricted unpickler), MindSpore ``.ckpt`` and ONNX (its initializers). ``format``:
    ``"auto"`` (from the content), ``"torch"``, ``"mindspore"`` or ``"onnx"``.

    Raises:
        FileNotFoundError, IsADirectoryError: the path. ValueError: a corrupt or unsupported file.
    """
    p = path("path", path_)
    choice("format", format, ("auto", "torch", "mindspore", "onnx"))
    _fmt, _sha, tensors = _adderq._read_checkpoint(p, format)
    return {name: values.astype(_NUMPY_DTYPES.get(dtype, np.dtype(dtype)), copy=False) for name, dtype, values in tensors}
