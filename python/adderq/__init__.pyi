"""Type stubs for adderq (see __init__.py for the documentation)."""

import os
from typing import Any, Callable, Dict, Iterable, List, Optional, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str

_PathLike = Union[str, os.PathLike[str]]

class EvalResult(TypedDict):
    top1: float
    top5: float
    images: int
    seconds: float
    images_per_second: float
    backend: str

def compile(
    checkpoint: _PathLike,
    output: Optional[_PathLike] = ...,
    bits: int = ...,
    method: str = ...,
    *,
    progress: Optional[Callable[[str, int, int], Any]] = ...,
    clamp: Optional[str] = ...,
    act_range: Optional[str] = ...,
    calib_batches: Optional[int] = ...,
    batch_size: int = ...,
    groups: int = ...,
    act_ratio: float = ...,
    seed: int = ...,
    bn_adjust: bool = ...,
    paper: bool = ...,
    calib_data: Optional[_PathLike] = ...,
    calib_cache: Optional[_PathLike] = ...,
    threads: int = ...,
    format: str = ...,
) -> Dict[str, Any]: ...

class Session:
    @property
    def backend(self) -> str: ...
    @property
    def fallback_reason(self) -> str: ...
    def predict(self, images: Union[npt.NDArray[np.uint8], npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]: ...
    def evaluate(self, data_dir: _PathLike, limit: Optional[int] = ..., batch_size: int = ...) -> EvalResult: ...

class Model:
    def __init__(self, path_or_bytes: Union[_PathLike, bytes, bytearray, memoryview]) -> None: ...
    @property
    def info(self) -> Dict[str, Any]: ...
    @property
    def classes(self) -> List[str]: ...
    def session(self, device: str = ..., threads: int = ...) -> Session: ...

def read_checkpoint(path: _PathLike, format: str = ...) -> Dict[str, np.ndarray]: ...

def export_onnx(model: Any, example_input: Any, path: _PathLike, *, adder_classes: Optional[Iterable[type]] = ...,
                opset_version: int = ..., input_name: str = ..., output_name: str = ...) -> None: ...
