"""What evaluate() and classify() return: small classes with attributes, a repr, and to_dict()."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np


class EvalResult:
    """Accuracy of a model on a labelled set.

    Attributes:
        top1, top5: percent of images whose label ranks first / in the first five (ties count
            against the label).
        images: how many images were evaluated.
        seconds, images_per_second: the evaluation's wall time (reading and decoding included).
        backend: what ran the model (``Session.backend``).
        per_class_top1: class name -> top-1 in percent, for every class the set holds.
    """

    __slots__ = ("top1", "top5", "images", "seconds", "images_per_second", "backend", "per_class_top1")

    def __init__(self, top1: float, top5: float, images: int, seconds: float, images_per_second: float, backend: str,
                 per_class_top1: Dict[str, float]) -> None:
        self.top1, self.top5, self.images = float(top1), float(top5), int(images)
        self.seconds, self.images_per_second, self.backend = float(seconds), float(images_per_second), str(backend)
        self.per_class_top1 = dict(per_class_top1)

    def to_dict(self) -> Dict[str, Any]:
        """The attributes as a dict (``adderq-run eval --json``'s keys)."""
        return {k: getattr(self, k) for k in self.__slots__}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvalResult) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return (f"EvalResult(top1={self.top1:.2f}, top5={self.top5:.2f}, images={self.images}, "
                f"images_per_second={self.images_per_second:.0f}, backend={self.backend!r})")


class Classification:
    """The top-k classes of each image.

    Attributes:
        indices: ``int64`` array ``(N, k)`` (``(k,)`` for one image), best first.
        probabilities: ``float32`` array of the same shape (softmax of the logits).
        names: the class names from the artifact, a list per image (one list for one image).
    """

    __slots__ = ("indices", "probabilities", "names")

    def __init__(self, indices: np.ndarray, probabilities: np.ndarray, names: List[Any]) -> None:
        self.indices, self.probabilities, self.names = indices, probabilities, names

    def to_dict(self) -> Dict[str, Any]:
        """The attributes as plain lists (JSON-ready)."""
        return {"indices": self.indices.tolist(), "probabilities": self.probabilities.tolist(), "names": self.names}

    def __repr__(self) -> str:
        return f"Classification(names={self.names!r}, probabilities={np.round(self.probabilities, 4).tolist()!r})"
