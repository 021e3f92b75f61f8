#!/usr/bin/env python3
"""PyTorch reference for the AdderNet ResNet-20 (CIFAR-10), used only to make test fixtures.

Writes the logits of the first N CIFAR-10 test images (golden values for the C++ runtime) and,
with --zip, re-saves the checkpoint in PyTorch's zip serialization (a fixture for the zip reader).
Run with Debian's python3-torch:  /usr/bin/python3 tools/torch_reference.py --help
"""
import argparse, os, struct, sys
import numpy as np
import torch
import torch.nn.functional as F

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)


def adder2d(x, w, stride, padding):
    """out[n,o,y,x] = -sum |X_pad - W|, written as unfold + abs-sum (the AdderNet paper's formulation)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)  # n, c*kh*kw, L
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    wc = w.reshape(o, -1)
    out = -(cols.unsqueeze(1) - wc.unsqueeze(0).unsqueeze(3)).abs().sum(2)
    return out.reshape(n, o, ho, wo)


def bn(x, sd, p):
    return F.batch_norm(x, sd[p + '.running_mean'], sd[p + '.running_var'], sd[p + '.weight'], sd[p + '.bias'],
                        False, 0.0, 1e-5)


def forward(sd, x):
    x = F.relu(bn(F.conv2d(x, sd['conv1.weight'], padding=1), sd, 'bn1'))
    for stage in (1, 2, 3):
        b = 0
        while f'layer{stage}.{b}.conv1.adder' in sd:
            p = f'layer{stage}.{b}'
            stride = 2 if (stage > 1 and b == 0) else 1
            out = F.relu(bn(adder2d(x, sd[p + '.conv1.adder'], stride, 1), sd, p + '.bn1'))
            out = bn(adder2d(out, sd[p + '.conv2.adder'], 1, 1), sd, p + '.bn2')
            res = x
            if p + '.downsample.0.adder' in sd:
                res = bn(adder2d(x, sd[p + '.downsample.0.adder'], stride, 0), sd, p + '.downsample.1')
            x = F.relu(out + res)
            b += 1
    x = F.avg_pool2d(x, 8, stride=1)
    x = bn(F.conv2d(x, sd['fc.weight']), sd, 'bn2')
    return x.reshape(x.shape[0], -1)


def load_test(path, count):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)[:count]
    labels = raw[:, 0].astype(np.int64)
    img = raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    img = (img - np.array(MEAN, np.float32).reshape(1, 3, 1, 1)) / np.array(STD, np.float32).reshape(1, 3, 1, 1)
    return torch.from_numpy(img), torch.from_numpy(labels)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', default=os.environ.get('ADDERQ_CHECKPOINT', '../shared/checkpoints/resnet20_adder_cifar10.pth'))
    ap.add_argument('--data', default=os.environ.get('ADDERQ_DATA', '../shared/data/cifar-10-batches-bin'))
    ap.add_argument('--images', type=int, default=100)
    ap.add_argument('--logits-out', help='write float32 logits [images,10] with a small header')
    ap.add_argument('--zip-out', help='re-save the state dict in the zip serialization')
    ap.add_argument('--accuracy', action='store_true', help='also report top-1 over the chosen images')
    a = ap.parse_args()
    torch.set_grad_enabled(False)
    sd = torch.load(a.checkpoint, map_location='cpu')
    if a.zip_out:
        torch.save(sd, a.zip_out)  # torch >= 1.6 writes the zip format by default
    sd = {k[len('module.'):] if k.startswith('module.') else k: v.double() for k, v in sd.items()}
    x, y = load_test(os.path.join(a.data, 'test_batch.bin'), a.images)
    logits = torch.cat([forward(sd, x[i:i + 100].double()) for i in range(0, len(x), 100)])
    if a.accuracy:
        print('top1 %.2f%% over %d images' % (100.0 * (logits.argmax(1) == y).float().mean().item(), len(y)))
    if a.logits_out:
        with open(a.logits_out, 'wb') as f:
            # header: magic, images, classes; then float32 logits (computed in float64)
            f.write(b'ADQL' + struct.pack('<II', logits.shape[0], logits.shape[1]))
            f.write(logits.float().numpy().astype('<f4').tobytes())


if __name__ == '__main__':
    main()
