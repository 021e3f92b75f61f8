"""AdderNets in PyTorch as the AdderNet reference code builds them (huawei-noah/AdderNet:
adder.py, resnet20.py, resnet50.py; VGG-small of the AdderNet paper), for tests and benchmarks.

``adder2d`` follows the reference: a module with a 4-D parameter ``adder``, ``stride`` and
``padding``; its forward is -sum |X - W| over unfolded windows, in the input's dtype (float64 for the
references the tests compare against), with ``torch.cdist(p=1)`` for the distance (30x faster than
the reference's broadcast abs-sum on this CPU, and the same sums).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class adder2d(nn.Module):  # noqa: N801 (the reference's name)
    def __init__(self, input_channel, output_channel, kernel_size, stride=1, padding=0, bias=False):
        super().__init__()
        self.stride, self.padding = stride, padding
        self.input_channel, self.output_channel, self.kernel_size = input_channel, output_channel, kernel_size
        self.adder = nn.Parameter(nn.init.normal_(torch.randn(output_channel, input_channel, kernel_size, kernel_size)))
        self.bias = bias
        if bias:
            self.b = nn.Parameter(nn.init.uniform_(torch.zeros(output_channel)))

    def forward(self, x):
        n, c, h, w = x.shape
        o, _, kh, kw = self.adder.shape
        ho = (h + 2 * self.padding - kh) // self.stride + 1
        wo = (w + 2 * self.padding - kw) // self.stride + 1
        cols = F.unfold(x, (kh, kw), padding=self.padding, stride=self.stride)  # n, c*kh*kw, L
        wc = self.adder.reshape(o, -1).to(x.dtype)
        out = -torch.cdist(cols.transpose(1, 2), wc.unsqueeze(0).expand(n, -1, -1), p=1)  # n, L, o
        out = out.transpose(1, 2).contiguous().reshape(n, o, ho, wo)
        if self.bias:
            out = out + self.b.to(x.dtype).reshape(1, -1, 1, 1)
        return out


def conv3x3(i, o, stride=1):
    return adder2d(i, o, 3, stride=stride, padding=1)


# ----- ResNet-20 for CIFAR (resnet20.py) -----
class BasicBlockCifar(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        return self.relu(out + residual)


class ResNetCifar(nn.Module):
    def __init__(self, blocks=(3, 3, 3), num_classes=10):
        super().__init__()
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(16, blocks[0])
        self.layer2 = self._make_layer(32, blocks[1], stride=2)
        self.layer3 = self._make_layer(64, blocks[2], stride=2)
        self.avgpool = nn.AvgPool2d(8, stride=1)
        self.fc = nn.Conv2d(64, num_classes, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(adder2d(self.inplanes, planes, 1, stride=stride), nn.BatchNorm2d(planes))
        layers = [BasicBlockCifar(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlockCifar(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = self.bn2(self.fc(self.avgpool(x)))
        return x.view(x.size(0), -1)  # as the reference: exported as Shape/Gather/.../Reshape


# ----- ResNet-18 / ResNet-50 for ImageNet (resnet50.py; BasicBlock for 18) -----
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + residual)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = adder2d(inplanes, planes, 1)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = adder2d(planes, planes, 3, stride=stride, padding=1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = adder2d(planes, planes * 4, 1)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + residual)


class ResNetImageNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, width=64):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], 2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], 2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Conv2d(width * 8 * block.expansion, num_classes, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(adder2d(self.inplanes, planes * block.expansion, 1, stride=stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.bn2(self.fc(self.avgpool(x)))
        return torch.flatten(x, 1)


def resnet18(num_classes=1000):
    return ResNetImageNet(BasicBlock, [2, 2, 2, 2], num_classes)


def resnet50(num_classes=1000):
    return ResNetImageNet(Bottleneck, [3, 4, 6, 3], num_classes)


# ----- VGG-small for CIFAR (the AdderNet paper's: six 3x3 layers, max pooling, a linear classifier) -----
class VGGSmall(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 128, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(128)
        cfg = [(128, 128), 'M', (128, 256), (256, 256), 'M', (256, 512), (512, 512), 'M']
        layers = []
        for c in cfg:
            if c == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [adder2d(c[0], c[1], 3, padding=1), nn.BatchNorm2d(c[1]), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(512 * 4 * 4, num_classes)

    def forward(self, x):
        x = F.relu(self.bn0(self.conv0(x)))
        x = self.features(x)
        return self.fc(x.view(x.size(0), -1))


def randomize(model, seed):
    """Seeded random weights of a trained AdderNet's scale: adder weights ~ N(0, 0.5^2), on the scale
    of the activations they are compared with (a trained adder layer's filters sit among its
    inputs; AdderQuant's shared scale s_g = min(max|W|, A_l) relies on it); convolution and linear
    weights ~ N(0, 1/fan_in); BatchNorm affine near identity. Use set_bn_statistics for the BN
    running statistics."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, adder2d):
                m.adder.copy_(torch.randn(m.adder.shape, generator=g) * 0.5)
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) / fan_in ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.1 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
    return model


def set_bn_statistics(model, images):
    """BatchNorm running statistics from one batch (momentum None: the batch's own mean and
    unbiased variance), so that a randomly initialised net has activations of a trained one's scale."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        model(images)
    model.eval()
    for m in bns:
        m.momentum = 0.1
    return model


def load_official_resnet20(path):
    """The official ResNet-20 checkpoint (saved from DataParallel: 'module.' prefixes)."""
    sd = torch.load(path, map_location="cpu")
    sd = {k[len("module."):] if k.startswith("module.") else k: v for k, v in sd.items()}
    model = ResNetCifar()
    model.load_state_dict(sd)
    return model.eval()
