"""Export a PyTorch AdderNet to the ONNX graph that ``adderq-compile`` reads.

Adder layers become the custom operator ``adderq::Adder2d(X, W[, B])`` with ``kernel_shape``,
``strides`` and ``pads`` attributes and their weight ``W`` as an initializer (the layer computes
``-sum |X - W|``, plus the bias when there is one); everything else is PyTorch's standard export.
Needs ``torch`` only when called.
"""

from __future__ import annotations

import os
import types
import warnings
from typing import Any, Iterable, Optional, Tuple, Type, Union

ADDER_DOMAIN = "adderq"
ADDER_OP = "Adder2d"


def _pair(v: Any, what: str, module: Any) -> int:
    if isinstance(v, (tuple, list)):
        if len(v) != 2 or v[0] != v[1]:
            raise ValueError(f"{type(module).__name__}: {what}={tuple(v)} differs between the axes; adderq takes one value")
        v = v[0]
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"{type(module).__name__}: {what}={v!r} is not a non-negative int")
    return v


def _is_adder(module: Any, adder_classes: Optional[Tuple[Type[Any], ...]]) -> bool:
    if adder_classes is not None:
        return isinstance(module, adder_classes)
    p = module._parameters.get("adder")  # the AdderNet reference code's convention
    return p is not None and p.dim() == 4


def _adder_bias(module: Any) -> Any:
    # The reference adder2d keeps `bias` as a flag and the parameter as `b`.
    for name in ("b", "bias"):
        p = module._parameters.get(name)
        if p is not None:
            return p
    return None


def export_onnx(model: Any, example_input: Any, path: Union[str, "os.PathLike[str]"], *,
                adder_classes: Optional[Iterable[Type[Any]]] = None, opset_version: int = 13,
                input_name: str = "input", output_name: str = "logits") -> None:
    """Writes ``model`` as an ONNX file that ``adderq-compile`` (and :func:`adderq.compile`) reads.

    Args:
        model: a ``torch.nn.Module`` in which every adder layer is a module holding a 4-D
            parameter named ``adder`` (the AdderNet reference code's ``adder2d``; its ``stride`` and
            ``padding`` attributes are read), or an instance of one of ``adder_classes``.
        example_input: a float tensor ``(N, C, H, W)`` of the model's input size (N is free:
            the batch dimension is exported as dynamic).
        path: the ``.onnx`` file to write.
        adder_classes: the adder layer classes, when they do not follow the ``adder`` convention.
        opset_version: the standard domain's opset (13 or later).

    The model is exported in eval mode (restored afterwards), with BatchNorm layers kept as
    ``BatchNormalization`` nodes, since adderq folds them itself after re-estimating them.

    Raises:
        ValueError: no adder layer found, or one with a stride or padding adderq cannot run.
        TypeError: ``model`` is not a ``torch.nn.Module``.
    """
    import torch
    import torch.nn.functional as F

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, not {type(model).__name__}")
    classes = tuple(adder_classes) if adder_classes is not None else None

    class _Adder2d(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b, stride, padding):  # type: ignore[override]
            # A stand-in of the right shape: the export records the symbolic below, not these values.
            return F.conv2d(x, w, b, stride=stride, padding=padding)

        @staticmethod
        def symbolic(g, x, w, b, stride, padding):  # type: ignore[no-untyped-def]
            o, _, kh, kw = w.type().sizes()
            inputs = [x, w] if b is None or b.node().mustBeNone() else [x, w, b]
            y = g.op(f"{ADDER_DOMAIN}::{ADDER_OP}", *inputs, kernel_shape_i=[kh, kw], strides_i=[stride, stride],
                     pads_i=[padding] * 4)
            sizes = x.type().sizes() if x.type().kind() == "TensorType" else None
            if sizes is not None and None not in sizes[1:]:  # the output's type, for the exporter's shape inference
                n, _, h, wd = sizes
                y.setType(x.type().with_sizes([n, o, (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1]))
            return y

    def adder_forward(self: Any, x: Any) -> Any:
        w = self._parameters["adder"] if classes is None else _adder_weight(self)
        return _Adder2d.apply(x, w, _adder_bias(self), self._adderq_stride, self._adderq_padding)

    patched = []
    for m in model.modules():
        if not _is_adder(m, classes):
            continue
        w = _adder_weight(m)
        if w.dim() != 4:
            raise ValueError(f"{type(m).__name__}: the adder weight has {w.dim()} dimensions, not 4")
        m._adderq_stride = _pair(getattr(m, "stride", 1), "stride", m)
        m._adderq_padding = _pair(getattr(m, "padding", 0), "padding", m)
        patched.append(m)
    if not patched:
        raise ValueError("no adder layer found (modules with a 4-D parameter named 'adder'; pass adder_classes= otherwise)")
    was_training = model.training
    model.eval()
    try:
        for m in patched:
            m.forward = types.MethodType(adder_forward, m)
        with torch.no_grad(), warnings.catch_warnings():
            # The exporter cannot infer a custom operator's shape; the symbolic sets it where known.
            warnings.filterwarnings("ignore", message=".*shape inference of adderq::Adder2d.*")
            warnings.filterwarnings("ignore", message=".*_graph_op.*is deprecated.*", category=FutureWarning)
            torch.onnx.export(model, (example_input,), os.fspath(path), opset_version=opset_version,
                              input_names=[input_name], output_names=[output_name],
                              dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
                              training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                              custom_opsets={ADDER_DOMAIN: 1})
    finally:
        for m in patched:
            del m.forward
            del m._adderq_stride, m._adderq_padding
        model.train(was_training)


def _adder_weight(module: Any) -> Any:
    p = module._parameters.get("adder")
    if p is None:
        p = module._parameters.get("weight")
    if p is None:
        raise ValueError(f"{type(module).__name__}: no parameter named 'adder' or 'weight'")
    return p
