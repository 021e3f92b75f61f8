"""Networks no test of ours was tuned to, through the ONNX front door: ResNet-18 and ResNet-50
(ImageNet shapes: 224x224, 1,000 classes) and VGG-small (CIFAR), built as in the AdderNet
reference code (addernet_models.py) with seeded random weights and BatchNorm statistics from real
images, exported with adderq.export_onnx.

- Full precision: adderq's logits against PyTorch's in float64 on real CIFAR-10 test images
  (upscaled to 224 for the ImageNet shapes), within a stated tolerance.
- 8 and 4 bits, calibrated on a small ImageFolder (JPEG and PNG files) made from CIFAR-10
  training images: the CPU and the CUDA backend in the host emulation (tests/host_gpu: the
  generated kernels compiled for the CPU) give identical logits.
- The official ResNet-20, exported from a PyTorch definition, compiles to artifacts whose logits
  are byte-identical to the .pth path's, at FP, 8 and 4 bits.

Run by ctest (`python_models`) with PYTHONPATH at the build's package, ADDERQ_SHARED at ../shared
and ADDERQ_HOST_GPU at the host GPU library. Needs torch (Debian's python3-torch) and PIL."""

import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
Image = pytest.importorskip("PIL.Image")
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import addernet_models as am  # noqa: E402

import adderq  # noqa: E402

SHARED = os.environ.get("ADDERQ_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
CKPT = os.path.join(SHARED, "checkpoints", "resnet20_adder_cifar10.pth")
DATA = os.path.join(SHARED, "data", "cifar-10-batches-bin")
HOST_GPU = os.environ.get("ADDERQ_HOST_GPU", "")
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)

needs_data = pytest.mark.skipif(not (os.path.exists(CKPT) and os.path.isdir(DATA)), reason="../shared data not present")

# name -> (builder, input side, mean, std)
MODELS = {
    "vgg_small": (lambda: am.VGGSmall(10), 32, CIFAR_MEAN, CIFAR_STD),
    "resnet18": (lambda: am.resnet18(1000), 224, IMAGENET_MEAN, IMAGENET_STD),
    "resnet50": (lambda: am.resnet50(1000), 224, IMAGENET_MEAN, IMAGENET_STD),
}


def cifar_records(name, first, count):
    raw = np.fromfile(os.path.join(DATA, name), dtype=np.uint8, count=(first + count) * 3073).reshape(-1, 3073)[first:]
    return raw[:, 1:].reshape(count, 3, 32, 32), raw[:, 0]


def model_input(pixels, side, mean, std):
    """uint8 (N, 3, 32, 32) -> normalised float32 (N, 3, side, side), bilinearly upscaled."""
    x = torch.from_numpy(pixels.astype(np.float32) / 255.0)
    if side != 32:
        x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each network, randomised (seed 1), BatchNorm statistics from 4 real training images,
    exported once: name -> (torch model, onnx path)."""
    if not os.path.isdir(DATA):
        pytest.skip("../shared data not present")
    out = {}
    d = tmp_path_factory.mktemp("onnx")
    for name, (build, side, mean, std) in MODELS.items():
        torch.manual_seed(0)
        model = am.randomize(build(), 1)
        am.set_bn_statistics(model, model_input(cifar_records("data_batch_1.bin", 100, 4)[0], side, mean, std))
        path = str(d / f"{name}.onnx")
        adderq.export_onnx(model, torch.zeros(1, 3, side, side), path)
        out[name] = (model, path)
    return out


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """An ImageFolder of 40 CIFAR-10 training images (4 per class), JPEG and PNG alternately."""
    if not os.path.isdir(DATA):
        pytest.skip("../shared data not present")
    root = tmp_path_factory.mktemp("folder")
    names = open(os.path.join(DATA, "batches.meta.txt")).read().split()
    pixels, labels = cifar_records("data_batch_2.bin", 0, 200)
    counts = {}
    for img, label in zip(pixels, labels):
        k = counts.get(int(label), 0)
        if k >= 4:
            continue
        counts[int(label)] = k + 1
        os.makedirs(root / names[label], exist_ok=True)
        Image.fromarray(img.transpose(1, 2, 0)).save(root / names[label] / f"{k}.{'jpg' if k % 2 else 'png'}")
    assert sum(counts.values()) == 40
    return str(root)


# Float32 accumulation (adderq) against float64 (PyTorch): the logits' sums run over up to 4,608
# |x - w| terms per adder layer through up to 53 layers with BatchNorms that divide by small
# standard deviations, so each logit's rounding error is measured relative to the logits' scale.
FP_TOLERANCE = 5e-4  # measured: at most 4.1e-5 (ResNet-50), 1.6e-5 (ResNet-18), 1.4e-6 (VGG-small)


@needs_data
@pytest.mark.parametrize("name", list(MODELS))
def test_full_precision_matches_pytorch_float64(name, exported, tmp_path):
    model, onnx_path = exported[name]
    _, side, mean, std = MODELS[name]
    artifact = str(tmp_path / f"{name}_fp.adq")
    adderq.compile(onnx_path, artifact, method="fp")
    x = model_input(cifar_records("test_batch.bin", 0, 2)[0], side, mean, std)
    ours = adderq.Model(artifact).session(device="cpu").predict(np.ascontiguousarray(x.numpy()))
    with torch.no_grad():
        reference = model.double()(x.double()).numpy()
    model.float()
    scale = np.abs(reference).max()
    error = np.abs(ours - reference).max() / scale
    print(f"{name}: max |adderq - torch float64| = {error:.2e} of the logits' scale {scale:.3g}")
    assert ours.shape == reference.shape
    assert error < FP_TOLERANCE
    assert (ours.argmax(1) == reference.argmax(1)).all()


@needs_data
@pytest.mark.skipif(not os.path.exists(HOST_GPU), reason="the host GPU library (ADDERQ_HOST_GPU) is not built")
@pytest.mark.parametrize("bits", [8, 4])
@pytest.mark.parametrize("name", list(MODELS))
def test_quantized_cpu_and_cuda_emulation_agree(name, bits, exported, image_folder, tmp_path):
    _, onnx_path = exported[name]
    _, side, mean, std = MODELS[name]
    artifact = str(tmp_path / f"{name}_w{bits}.adq")
    summary = adderq.compile(onnx_path, artifact, bits=bits, calib_data=image_folder, calib_batches=2, batch_size=8)
    assert len(summary["layers"]) == sum(1 for m in exported[name][0].modules() if isinstance(m, am.adder2d))
    model = adderq.Model(artifact)
    x = np.ascontiguousarray(model_input(cifar_records("test_batch.bin", 0, 2)[0], side, mean, std).numpy())
    cpu = model.session(device="cpu").predict(x)
    gpu = model.session(device="cuda").predict(x)
    assert np.isfinite(cpu).all() and len(np.unique(cpu)) > 10  # a working network, not constants
    assert cpu.tobytes() == gpu.tobytes()
    # The folder also evaluates (labels = sorted class directories).
    result = model.session(device="cpu").evaluate(image_folder)
    assert result.images == 40


@needs_data
def test_official_resnet20_exported_from_pytorch_is_byte_identical_to_the_pth_path(tmp_path):
    onnx_path = str(tmp_path / "resnet20.onnx")
    adderq.export_onnx(am.load_official_resnet20(CKPT), torch.zeros(1, 3, 32, 32), onnx_path)
    pixels = np.ascontiguousarray(cifar_records("test_batch.bin", 0, 500)[0].transpose(0, 2, 3, 1))
    for bits, method in ((0, "fp"), (8, "adderquant"), (4, "adderquant")):
        logits = []
        for source in (onnx_path, CKPT):
            artifact = str(tmp_path / f"w{bits}_{os.path.basename(source)}.adq")
            adderq.compile(source, artifact, bits=bits or 8, method=method, calib_data=DATA)
            logits.append(adderq.Model(artifact).session(device="cpu").predict(pixels))
        assert logits[0].tobytes() == logits[1].tobytes(), f"{method} {bits} bits"


def test_export_refuses_a_model_without_adder_layers(tmp_path):
    with pytest.raises(ValueError, match="no adder layer"):
        adderq.export_onnx(torch.nn.Conv2d(3, 4, 3), torch.zeros(1, 3, 8, 8), str(tmp_path / "x.onnx"))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        adderq.export_onnx("model", torch.zeros(1, 3, 8, 8), str(tmp_path / "x.onnx"))
