#!/usr/bin/env python3
"""Writes the small PyTorch checkpoint fixtures under tests/fixtures/ (run once with Debian's python3-torch).

The same state dict is saved in both serializations, so the C++ reader can be checked against
known values: dtypes float32/float64/float16/int64, a scalar, a strided (transposed) view and a
storage shared by two tensors with an offset.
"""
import os, sys
import torch

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures')
base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3.0
sd = {
    'module.f32': base,
    'module.f64': torch.tensor([1.5, -2.25, 1e-300], dtype=torch.float64),
    'module.f16': torch.tensor([0.5, -1.0, 65504.0, 6.1035e-05], dtype=torch.float16),
    'module.i64': torch.tensor([[-1, 2], [3, 1 << 40]], dtype=torch.int64),
    'module.scalar': torch.tensor(7, dtype=torch.int64),
    'module.transposed': base[1].t(),          # shape [4,3], strides [1,4], offset 12
    'module.slice': base[:, 1, :],             # shape [2,4], strides [12,1], offset 4
}
from collections import OrderedDict
sd = OrderedDict(sd)
torch.save(sd, os.path.join(out, 'tiny_state_zip.pth'))
torch.save(sd, os.path.join(out, 'tiny_state_legacy.pth'), _use_new_zipfile_serialization=False)
print('wrote', out)
