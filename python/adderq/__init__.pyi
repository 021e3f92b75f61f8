"""Type stubs for adderq (see the modules' docstrings and docs/python.md for the documentation)."""

import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str
__all__: List[str]

_PathLike = Union[str, os.PathLike[str]]

class EvalResult:
    top1: float
    top5: float
    images: int
    seconds: float
    images_per_second: float
    backend: str
    per_class_top1: Dict[str, float]
    def __init__(self, top1: float, top5: float, images: int, seconds: float, images_per_second: float, backend: str,
                 per_class_top1: Dict[str, float]) -> None: ...
    def to_dict(self) -> Dict[str, Any]: ...

class Classification:
    indices: npt.NDArray[np.int64]
    probabilities: npt.NDArray[np.float32]
    names: List[Any]
    def to_dict(self) -> Dict[str, Any]: ...

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
    mean: Optional[Sequence[float]] = ...,
    std: Optional[Sequence[float]] = ...,
    labels: Optional[_PathLike] = ...,
    resize_shorter: Optional[int] = ...,
) -> Dict[str, Any]: ...

class Session:
    @property
    def backend(self) -> str: ...
    @property
    def fallback_reason(self) -> str: ...
    def predict(self, images: Any, output: str = ...) -> npt.NDArray[np.float32]: ...
    def classify(self, images: Any, top_k: int = ...) -> Classification: ...
    def evaluate(self, data: Any, labels: Any = ..., *, limit: Optional[int] = ..., batch_size: int = ...) -> EvalResult: ...

class Model:
    def __init__(self, path_or_bytes: Union[_PathLike, bytes, bytearray, memoryview]) -> None: ...
    @property
    def info(self) -> Dict[str, Any]: ...
    @property
    def classes(self) -> List[str]: ...
    @property
    def input_shape(self) -> Tuple[int, int, int]: ...
    def session(self, device: str = ..., threads: int = ...) -> Session: ...

def load_image(path_: _PathLike, model: Optional[Model] = ...) -> npt.NDArray[np.uint8]: ...
def read_checkpoint(path_: _PathLike, format: str = ...) -> Dict[str, np.ndarray]: ...
def export_onnx(model: Any, example_input: Any, path: _PathLike, *, adder_classes: Optional[Iterable[type]] = ...,
                opset_version: int = ..., input_name: str = ..., output_name: str = ...) -> None: ...
