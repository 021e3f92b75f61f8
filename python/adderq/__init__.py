"""adderq: quantized AdderNets from Python.

Compile a full-precision AdderNet into a small integer artifact, then run it::

    import adderq
    summary = adderq.compile("resnet20_adder_cifar10.pth", "r20_w4.adq", bits=4)
    model = adderq.Model("r20_w4.adq")
    session = model.session()                        # CPU, or CUDA where a GPU is usable
    logits = session.predict(images)                 # uint8 (N, 32, 32, 3) -> float32 (N, 10)
    print(session.classify(adderq.load_image("cat.png", model), top_k=3))
    print(session.evaluate("cifar-10-batches-bin"))  # EvalResult(top1=..., top5=..., ...)

Any AdderNet: ``adderq.export_onnx(torch_model, example, "net.onnx")``, then compile the ``.onnx``.

Everything runs in adderq's C++ library (the same code as the ``adderq-compile`` and
``adderq-run`` tools, with the same results byte for byte); the GIL is released while it computes
and Ctrl-C interrupts long calls. A :class:`Model` is immutable, may be shared by threads, and
pickles (for process pools); give each thread or process its own :class:`Session`.

Errors (docs/python.md has the table): ``FileNotFoundError``, ``IsADirectoryError``,
``NotADirectoryError`` for paths; ``TypeError`` for an argument of the wrong type; ``ValueError``
for a wrong value or bad input (a corrupt or truncated file, a wrong shape, NaN pixels);
``RuntimeError`` for a failure while running; ``KeyboardInterrupt`` as Python raises it.
"""

from . import _adderq
from ._checkpoint import read_checkpoint
from ._compile import compile
from ._model import Model, Session, load_image
from ._results import Classification, EvalResult
from .onnx_export import export_onnx

__all__ = ["compile", "Model", "Session", "EvalResult", "Classification", "load_image", "read_checkpoint",
           "export_onnx", "__version__"]
__version__: str = _adderq.__version__


def __dir__() -> list:
    return sorted(__all__)
