#!/usr/bin/env python3
"""PyTorch baselines for docs/benchmarks.md: on the GPU (run by tools/gpu-check.sh on the device
machine) and, with --device cpu, on this machine (Debian's python3-torch; run by tools/cpu-bench.sh).

(a) The PyTorch formulation of AdderNet ResNet-20 (unfold + |x - w| sum, as in the paper's code, and
    torch.cdist with p=1), float32, on a slice of the test set: images/s and top-1 on that slice.
(b) cuDNN convolution (through PyTorch) of the same layer shapes as the adder layers, FP32 (TF32
    off) and FP16, and an INT8 GEMM of the same im2col shapes (torch._int_mm, tensor cores; PyTorch
    exposes no INT8 cuDNN convolution): time per layer for 10,000 images and multiply-accumulates/s.
Prints one JSON object per line; the last line is a summary.
"""
import argparse, json, os, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import forward, load_test, bn  # noqa: E402  (the same model as the fixtures)
import torch_reference  # noqa: E402


def adder_cdist(x, w, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride).transpose(1, 2)  # n, L, K
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    d = torch.cdist(cols, w.reshape(1, o, -1).expand(n, o, -1), p=1)  # n, L, o
    return (-d).transpose(1, 2).reshape(n, o, ho, wo)


def timed(fn, repeat=3):
    fn()
    torch.cuda.synchronize()
    best = 1e30
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(end))
    return best  # ms


def cpu_formulation(a):
    """(a) on the CPU: the same model and images, float32, wall-clock best of 2."""
    torch.set_grad_enabled(False)
    if a.threads:
        torch.set_num_threads(a.threads)
    sd = torch.load(a.checkpoint, map_location='cpu')
    sd = {k[len('module.'):] if k.startswith('module.') else k: v.float() for k, v in sd.items()}
    x, y = load_test(os.path.join(a.data, 'test_batch.bin'), a.images)
    print(json.dumps({'device': 'cpu', 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for name, impl, batch in (('unfold_abs_sum', torch_reference.adder2d, 50), ('cdist_p1', adder_cdist, 100)):
        torch_reference.adder2d = impl
        best, logits = 1e30, None
        for _ in range(2):
            t0 = time.perf_counter()
            logits = torch.cat([forward(sd, x[i:i + batch]) for i in range(0, len(x), batch)])
            best = min(best, time.perf_counter() - t0)
        top1 = (logits.argmax(1) == y).float().mean().item() * 100
        print(json.dumps({'pytorch_formulation': name, 'images': len(x), 'batch': batch, 'seconds': best,
                          'images_per_second': len(x) / best, 'top1_on_slice': top1}), flush=True)


def layer_shapes(sd):
    """(name, C, H, O, k, stride, pad) of every adder layer, input size H x H."""
    shapes, h = [], 32
    for stage in (1, 2, 3):
        b = 0
        while f'layer{stage}.{b}.conv1.adder' in sd:
            p = f'layer{stage}.{b}'
            stride = 2 if (stage > 1 and b == 0) else 1
            w1 = sd[p + '.conv1.adder']
            shapes.append((p + '.conv1', w1.shape[1], h, w1.shape[0], 3, stride, 1))
            if p + '.downsample.0.adder' in sd:
                wd = sd[p + '.downsample.0.adder']
                shapes.append((p + '.downsample.0', wd.shape[1], h, wd.shape[0], 1, stride, 0))
            h //= stride
            w2 = sd[p + '.conv2.adder']
            shapes.append((p + '.conv2', w2.shape[1], h, w2.shape[0], 3, 1, 1))
            b += 1
    return shapes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--data', required=True, help='folder with test_batch.bin')
    ap.add_argument('--images', type=int, default=1000, help='test images for the PyTorch formulation')
    ap.add_argument('--layer-images', type=int, default=10000, help='batch for the per-layer cuDNN timings')
    ap.add_argument('--device', default='cuda', choices=['cuda', 'cpu'], help='cpu: only (a), timed with a wall clock')
    ap.add_argument('--threads', type=int, default=0, help='CPU threads for PyTorch (0 = its default)')
    a = ap.parse_args()
    if a.device == 'cpu':
        return cpu_formulation(a)
    torch.set_grad_enabled(False)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device('cuda')
    print(json.dumps({'device': torch.cuda.get_device_name(0), 'torch': torch.__version__,
                      'cudnn': torch.backends.cudnn.version()}), flush=True)
    sd = torch.load(a.checkpoint, map_location='cpu')
    sd = {k[len('module.'):] if k.startswith('module.') else k: v.float().to(dev) for k, v in sd.items()}
    x, y = load_test(os.path.join(a.data, 'test_batch.bin'), a.images)
    x, y = x.to(dev), y.to(dev)

    summary = {}
    for name, impl, batch in (('unfold_abs_sum', torch_reference.adder2d, 100), ('cdist_p1', adder_cdist, 500)):
        torch_reference.adder2d = impl  # forward() looks the adder function up at call time
        logits = []

        def run():
            logits.clear()
            for i in range(0, len(x), batch):
                logits.append(forward(sd, x[i:i + batch]))

        ms = timed(run, repeat=2)
        top1 = (torch.cat(logits).argmax(1) == y).float().mean().item() * 100
        rec = {'pytorch_formulation': name, 'images': len(x), 'batch': batch, 'ms': ms,
               'images_per_second': len(x) / (ms / 1e3), 'top1_on_slice': top1}
        summary[name + '_images_per_second'] = rec['images_per_second']
        print(json.dumps(rec), flush=True)

    n = a.layer_images
    total = {'fp32': 0.0, 'fp16': 0.0, 'int8_gemm': 0.0}
    macs_total = 0
    for (name, c, h, o, k, stride, pad) in layer_shapes(sd):
        xf = torch.randn(n, c, h, h, device=dev)
        wf = torch.randn(o, c, k, k, device=dev)
        ho = (h + 2 * pad - k) // stride + 1
        macs = n * o * ho * ho * c * k * k
        macs_total += macs
        t32 = timed(lambda: F.conv2d(xf, wf, stride=stride, padding=pad))
        xh = xf.half().to(memory_format=torch.channels_last)
        wh = wf.half().to(memory_format=torch.channels_last)
        t16 = timed(lambda: F.conv2d(xh, wh, stride=stride, padding=pad))
        # INT8: the im2col GEMM [n*L, K] x [K, O] on tensor cores (the im2col itself not timed).
        cols = F.unfold(xf[:max(1, n // 10)], (k, k), padding=pad, stride=stride).transpose(1, 2).reshape(-1, c * k * k)
        a8 = torch.randint(-8, 8, (cols.shape[0] * 10, c * k * k), device=dev, dtype=torch.int8)
        b8 = torch.randint(-8, 8, (o, c * k * k), device=dev, dtype=torch.int8).t()  # column-major, as cuBLASLt wants
        try:
            t8 = timed(lambda: torch._int_mm(a8, b8))
        except Exception as e:  # shape or build limits of _int_mm
            t8 = float('nan')
            print(json.dumps({'layer': name, 'int8_error': str(e)[:200]}), flush=True)
        del cols, a8, b8, xh, wh, xf, wf
        total['fp32'] += t32
        total['fp16'] += t16
        total['int8_gemm'] += t8
        print(json.dumps({'layer': name, 'c': c, 'h': h, 'o': o, 'k': k, 'stride': stride, 'images': n,
                          'cudnn_fp32_ms': t32, 'cudnn_fp16_ms': t16, 'int8_gemm_ms': t8,
                          'gmacs': macs / 1e9}), flush=True)
    summary.update({'layer_images': n, 'adder_layer_gmacs': macs_total / 1e9,
                    'cudnn_fp32_ms_all_adder_layers': total['fp32'], 'cudnn_fp16_ms_all_adder_layers': total['fp16'],
                    'int8_gemm_ms_all_adder_layers': total['int8_gemm']})
    print(json.dumps({'summary': summary}), flush=True)


if __name__ == '__main__':
    main()
