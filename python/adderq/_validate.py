"""Argument checks in Python's words: keyword names (``bits=9 is not supported: 2..8``), the right
exception class (TypeError for a wrong type, ValueError for a wrong value, FileNotFoundError /
IsADirectoryError / NotADirectoryError for paths), and no pybind11 signature dumps."""

from __future__ import annotations

import os
import re
from typing import Any, Optional, Sequence


def integer(name: str, value: Any, lo: Optional[int] = None, hi: Optional[int] = None, what: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int,)) and not _is_numpy_int(value):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ValueError(f"{name}={value} is not supported: {what or bounds}")
    return value


def _is_numpy_int(value: Any) -> bool:
    import numpy as np
    return isinstance(value, np.integer)


def number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_numpy_number(value):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    return float(value)


def _is_numpy_number(value: Any) -> bool:
    import numpy as np
    return isinstance(value, (np.integer, np.floating))


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def choice(name: str, value: Any, choices: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {', '.join(repr(c) for c in choices)}; not {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not supported: {', '.join(repr(c) for c in choices)}")
    return value


def floats(name: str, value: Any) -> list:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(value).__name__}")
    return [number(f"{name}[{i}]", v) for i, v in enumerate(value)]


def threads(name: str, value: Any) -> int:
    """0 (all cores) up to the cores this process may use."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return integer(name, value, 0, cores, f"0 (all cores) to {cores} (the cores this machine gives this process)")


def path(name: str, value: Any, kind: str = "file", must_exist: bool = True) -> str:
    """A str or os.PathLike; with must_exist, checked to be a `kind` ("file" or "dir")."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), not {type(value).__name__}")
    p = os.fspath(value)
    if must_exist:
        if not os.path.exists(p):
            raise FileNotFoundError(2, f"{name}: no such {'directory' if kind == 'dir' else 'file'}", p)
        if kind == "file" and os.path.isdir(p):
            raise IsADirectoryError(21, f"{name}: a directory, where a file is wanted", p)
        if kind == "dir" and not os.path.isdir(p):
            raise NotADirectoryError(20, f"{name}: not a directory", p)
    return p


_FLAG = re.compile(r"--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")


def python_words(message: str) -> str:
    """The library's CLI-flavoured messages with keyword names: '--calib-batches' -> 'calib_batches'."""
    return _FLAG.sub(lambda m: m.group(1).replace("-", "_"), message)
