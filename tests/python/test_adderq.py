"""The Python package against the command-line tools, on the real checkpoint and CIFAR-10 data:
logits byte-identical to `adderq-run eval --save-logits`, uint8 and float inputs bit-identical,
artifacts from `adderq.compile` byte-identical to `adderq-compile`'s, errors as the right exception,
threads sharing one model, progress callbacks, checkpoint reading.

Run by ctest (`python` test) with PYTHONPATH at the build's package, ADDERQ_BIN_DIR at the tools
and ADDERQ_SHARED at ../shared."""

import json
import os
import subprocess
import threading

import numpy as np
import pytest

import adderq

SHARED = os.environ.get("ADDERQ_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
BIN = os.environ.get("ADDERQ_BIN_DIR", "")
CKPT = os.path.join(SHARED, "checkpoints", "resnet20_adder_cifar10.pth")
DATA = os.path.join(SHARED, "data", "cifar-10-batches-bin")
# A small calibration: these tests are about the package, not the accuracy.
QUICK = ["--bits", "4", "--calib-batches", "4", "--batch-size", "32"]
QUICK_KW = dict(bits=4, calib_batches=4, batch_size=32)

needs_data = pytest.mark.skipif(not (os.path.exists(CKPT) and os.path.isdir(DATA)), reason="../shared data not present")
needs_tools = pytest.mark.skipif(not os.path.exists(os.path.join(BIN, "adderq-compile")), reason="ADDERQ_BIN_DIR not set")


def cifar_test_images(count):
    """The first `count` CIFAR-10 test images as uint8 (N, 32, 32, 3), and their labels."""
    raw = np.fromfile(os.path.join(DATA, "test_batch.bin"), dtype=np.uint8, count=count * 3073).reshape(count, 3073)
    return np.ascontiguousarray(raw[:, 1:].reshape(count, 3, 32, 32).transpose(0, 2, 3, 1)), raw[:, 0]


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def cli_artifact(tmp_path_factory):
    if not (os.path.exists(CKPT) and os.path.exists(os.path.join(BIN, "adderq-compile"))):
        pytest.skip("needs ../shared and the tools")
    path = str(tmp_path_factory.mktemp("cli") / "w4.adq")
    run(os.path.join(BIN, "adderq-compile"), CKPT, "-o", path, "--calib-data", DATA, "-q", *QUICK)
    return path


@needs_data
@needs_tools
def test_predict_gives_the_logits_of_adderq_run_eval(cli_artifact, tmp_path):
    n = 300
    logits_file = str(tmp_path / "cli.logits")
    out = json.loads(run(os.path.join(BIN, "adderq-run"), "eval", cli_artifact, "--data", DATA, "--limit", str(n),
                         "--device", "cpu", "--json", "-q", "--save-logits", logits_file))
    cli_logits = np.fromfile(logits_file, dtype=np.float32).reshape(n, 10)
    session = adderq.Model(cli_artifact).session("cpu")
    images, labels = cifar_test_images(n)
    logits = session.predict(images)
    assert logits.dtype == np.float32 and logits.shape == (n, 10)
    assert logits.tobytes() == cli_logits.tobytes()
    # evaluate() is eval's number too, and agrees with the logits and labels.
    result = session.evaluate(DATA, limit=n)
    assert result.images == n and result.top1 == out["top1"] and result.top5 == out["top5"]
    assert result.per_class_top1 == pytest.approx(out["per_class_top1"])
    assert result.top1 == pytest.approx(100.0 * np.mean(logits.argmax(1) == labels))
    assert result.top1 > 60.0  # a real model, not a constant
    # On the arrays and labels: the same numbers.
    on_arrays = session.evaluate(images, labels)
    assert (on_arrays.top1, on_arrays.top5, on_arrays.images) == (result.top1, result.top5, n)
    assert on_arrays.per_class_top1 == pytest.approx(result.per_class_top1)


@needs_data
@needs_tools
def test_uint8_and_float_inputs_agree_bit_for_bit(cli_artifact):
    model = adderq.Model(cli_artifact)
    images, _ = cifar_test_images(50)
    mean = np.asarray(model.info["mean"], dtype=np.float32).reshape(1, 3, 1, 1)
    inv_std = (np.float32(1.0) / np.asarray(model.info["std"], dtype=np.float32)).reshape(1, 3, 1, 1)
    # The library's normalisation, (v / 255 - mean) * (1 / std) in float32, in PyTorch's layout.
    floats = np.ascontiguousarray((images.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0) - mean) * inv_std)
    session = model.session("cpu", threads=1)
    assert session.predict(images).tobytes() == session.predict(floats).tobytes()


@needs_data
@needs_tools
def test_compile_from_python_and_the_cli_give_the_same_bytes(cli_artifact, tmp_path):
    calls = []
    summary = adderq.compile(CKPT, str(tmp_path / "py.adq"), calib_data=DATA,
                             progress=lambda phase, done, total: calls.append((phase, done, total)), **QUICK_KW)
    with open(cli_artifact, "rb") as a, open(tmp_path / "py.adq", "rb") as b:
        assert a.read() == b.read()
    assert summary["options"]["clamp"] == "one-sided" and summary["options"]["act_range"] == "search"
    assert len(summary["layers"]) == 20 and all(layer["clamp"] == "one-sided" for layer in summary["layers"])
    assert ("calibrate", 4, 4) in calls and ("bn-reestimate", 4, 4) in calls
    # Without an output: nothing written, the bytes in the summary, loadable as they are.
    in_memory = adderq.compile(CKPT, calib_data=DATA, **QUICK_KW)
    assert in_memory["artifact"] == (tmp_path / "py.adq").read_bytes()
    assert adderq.Model(in_memory["artifact"]).info == adderq.Model(cli_artifact).info
    # The paper's method, as --paper: signed codes, no clamp key recorded.
    paper = adderq.compile(CKPT, calib_data=DATA, paper=True, **QUICK_KW)
    assert "clamp" not in paper["options"] and {l["clamp"] for l in paper["layers"]} == {"symmetric"}


@needs_data
def test_a_progress_callback_that_raises_cancels_the_compile(tmp_path):
    calls = []

    def boom(phase, done, total):
        calls.append(done)
        raise KeyError("from the callback")
    out = tmp_path / "never.adq"
    with pytest.raises(KeyError, match="from the callback"):
        adderq.compile(CKPT, str(out), calib_data=DATA, bits=4, calib_batches=8, batch_size=8, progress=boom)
    assert calls == [1]  # stopped at the first check after it raised
    assert list(tmp_path.iterdir()) == []  # no artifact, no temporary file
    with pytest.raises(TypeError):
        adderq.compile(CKPT, calib_data=DATA, progress=42)


@needs_data
@needs_tools
def test_threads_share_one_model_with_their_own_sessions(cli_artifact):
    model = adderq.Model(cli_artifact)
    images, _ = cifar_test_images(64)
    expected = model.session("cpu", threads=1).predict(images)
    results, errors = [None] * 4, []

    def work(i):
        try:
            session = model.session("cpu", threads=1)
            for _ in range(3):
                results[i] = session.predict(images)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        assert r.tobytes() == expected.tobytes()
    # One session used by two threads at once is safe too (its calls take turns).
    shared = model.session("cpu")
    out = [None, None]
    pair = [threading.Thread(target=lambda i=i: out.__setitem__(i, shared.predict(images))) for i in range(2)]
    for t in pair:
        t.start()
    for t in pair:
        t.join()
    assert out[0].tobytes() == out[1].tobytes() == expected.tobytes()


@needs_data
@needs_tools
def test_bad_inputs_raise_the_right_exceptions(cli_artifact, tmp_path):
    model = adderq.Model(cli_artifact)
    session = model.session("cpu")
    with pytest.raises(ValueError, match=r"normalised floats must be \(N, 3, 32, 32\)"):
        session.predict(np.zeros((2, 32, 32, 3), np.float64))  # pixels' layout with a float dtype
    with pytest.raises(ValueError, match="uint8 pixels must be"):
        session.predict([[1, 2, 3]])
    with pytest.raises(ValueError, match=r"got shape \(2, 32, 32, 4\)"):
        session.predict(np.zeros((2, 32, 32, 4), np.uint8))
    with pytest.raises(TypeError, match="got bool"):
        session.predict(np.zeros((2, 32, 32, 3), bool))
    assert session.predict(np.zeros((0, 32, 32, 3), np.uint8)).shape == (0, 10)
    with pytest.raises(FileNotFoundError):
        adderq.Model(str(tmp_path / "missing.adq"))
    with pytest.raises(FileNotFoundError):
        adderq.compile(str(tmp_path / "missing.pth"))
    with pytest.raises(FileNotFoundError):
        session.evaluate(str(tmp_path / "no-data"))
    with pytest.raises(FileNotFoundError):
        adderq.read_checkpoint(str(tmp_path / "missing.pth"))
    # Corrupt and truncated files: one-line ValueErrors, no crash.
    data = open(cli_artifact, "rb").read()
    for bad in (data[: len(data) // 2], data[:-1], b"ADQ1" * 10, data[:100] + bytes([data[100] ^ 1]) + data[101:]):
        with pytest.raises(ValueError) as e:
            adderq.Model(bad)
        assert "\n" not in str(e.value)
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(open(CKPT, "rb").read()[:50000])
    with pytest.raises(ValueError):
        adderq.read_checkpoint(str(truncated))
    with pytest.raises(ValueError):
        adderq.compile(str(truncated), calib_data=DATA)
    with pytest.raises(ValueError, match=r"^bits=9 is not supported: 2\.\.8$"):
        adderq.compile(CKPT, calib_data=DATA, bits=9)
    with pytest.raises(ValueError, match="clamp='both' is not supported"):
        adderq.compile(CKPT, calib_data=DATA, clamp="both")
    with pytest.raises(ValueError):
        adderq.compile(CKPT, calib_data=DATA, paper=True, clamp="one-sided")
    with pytest.raises(TypeError, match="unknown option"):
        adderq.compile(CKPT, calib_data=DATA, calib_batchez=3)
    with pytest.raises(ValueError, match="device='tpu' is not supported"):
        model.session("tpu")
    with pytest.raises(ValueError):
        model.session("cpu", threads=-1)


@needs_data
def test_read_checkpoint_both_formats():
    torch = adderq.read_checkpoint(CKPT)
    assert len(torch) == 132
    w = torch["layer1.0.conv1.adder"]
    assert w.dtype == np.float32 and w.shape == (16, 16, 3, 3)
    assert torch["bn1.num_batches_tracked"].dtype == np.int64 and torch["bn1.num_batches_tracked"].shape == ()
    mindspore = adderq.read_checkpoint(os.path.join(SHARED, "checkpoints", "resnet20_adder_cifar10.ckpt"))
    # The same model under MindSpore's names: bit-identical values.
    assert np.array_equal(mindspore["layer1.0.conv1.adder"], w)


def test_the_api_is_documented():
    for obj in (adderq, adderq.compile, adderq.Model, adderq.Model.session, adderq.Model.info, adderq.Session.predict,
                adderq.Session.evaluate, adderq.read_checkpoint):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj
    stub = os.path.join(os.path.dirname(adderq.__file__), "__init__.pyi")
    assert os.path.exists(stub) and os.path.exists(os.path.join(os.path.dirname(adderq.__file__), "py.typed"))
