"""PyTorch reference timings of fqlab's pDDPM U-Net (SPEC 3) for bench/engine.bench.ts: forward and FQ-loss training step.

Run with Debian's python (/usr/bin/python3, python3-torch). The bench starts this script once and sends one JSON
request per line on stdin; each answer is one JSON line on stdout, so fqlab and PyTorch timings interleave in one run:
  {"config": {...UNetConfig...}, "parameters": 2355873, "batch": 8, "threads": 2, "what": "forward" | "train", "repeats": 1}
  -> {"seconds": 1.23, "cpuSeconds": 2.4, "parameters": 2355873}   (mean wall and process CPU time of the repeats)
The network is guided-diffusion's UNetModel as fqlab builds it (in = out = 1 channel, scale-shift norm, resblock
up/down, attention only in the middle, GroupNorm eps 1e-5); the parameter count must equal fqlab's or the request
fails. The training step is what fqlab's Trainer does per batch: noised patch input, forward, FQ loss on [-1, 1]
(alpha 0.84, 5 x 5 Gaussian SSIM), backward and an Adam update; data drawing is not timed.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FQ_ALPHA = 0.84
SSIM_C1 = 1e-4
SSIM_C2 = 9e-4
SLICE = 96


def zero(module: nn.Module) -> nn.Module:
    for p in module.parameters():
        nn.init.zeros_(p)
    return module


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, emb_dim: int, groups: int, resample: str):
        super().__init__()
        self.resample = resample
        self.in_norm = nn.GroupNorm(groups, in_ch, eps=1e-5)
        self.in_conv = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.emb = nn.Linear(emb_dim, 2 * out_ch)
        self.out_norm = nn.GroupNorm(groups, out_ch, eps=1e-5)
        self.out_conv = zero(nn.Conv2d(out_ch, out_ch, 3, padding=1))
        self.skip = nn.Identity() if in_ch == out_ch else nn.Conv2d(in_ch, out_ch, 1)

    def _resample(self, x: torch.Tensor) -> torch.Tensor:
        if self.resample == 'down':
            return F.avg_pool2d(x, 2)
        if self.resample == 'up':
            return F.interpolate(x, scale_factor=2, mode='nearest')
        return x

    def forward(self, x: torch.Tensor, emb_silu: torch.Tensor) -> torch.Tensor:
        h = self.in_conv(self._resample(F.silu(self.in_norm(x))))
        x = self._resample(x)
        scale, shift = self.emb(emb_silu)[:, :, None, None].chunk(2, dim=1)
        h = self.out_norm(h) * (1 + scale) + shift
        return self.skip(x) + self.out_conv(F.silu(h))


class Attention(nn.Module):
    """AttentionBlock with QKVAttentionLegacy (q and k each scaled by ch^-1/4)."""

    def __init__(self, ch: int, groups: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, ch, eps=1e-5)
        self.qkv = nn.Conv1d(ch, 3 * ch, 1)
        self.proj_out = zero(nn.Conv1d(ch, ch, 1))

    def forward(self, x: torch.Tensor, _emb: torch.Tensor) -> torch.Tensor:
        b, c, hh, ww = x.shape
        flat = x.reshape(b, c, -1)
        qkv = self.qkv(self.norm(flat.reshape(b, c, hh, ww)).reshape(b, c, -1))
        bs, width, length = qkv.shape
        ch = width // (3 * self.heads)
        q, k, v = qkv.reshape(bs * self.heads, ch * 3, length).split(ch, dim=1)
        scale = 1 / math.sqrt(math.sqrt(ch))
        weight = torch.softmax(torch.einsum('bct,bcs->bts', q * scale, k * scale), dim=-1)
        a = torch.einsum('bts,bcs->bct', weight, v).reshape(bs, -1, length)
        return (flat + self.proj_out(a)).reshape(b, c, hh, ww)


class UNet(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        w = config['modelChannels']
        mult = config['channelMult']
        groups = config['groups']
        emb_dim = 4 * w
        self.w = w
        self.time_embed = nn.Sequential(nn.Linear(w, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        ch = mult[0] * w
        self.input_blocks = nn.ModuleList([nn.Conv2d(1, ch, 3, padding=1)])
        skips = [ch]
        for level, m in enumerate(mult):
            for _ in range(config['numResBlocks']):
                self.input_blocks.append(ResBlock(ch, m * w, emb_dim, groups, 'none'))
                ch = m * w
                skips.append(ch)
            if level != len(mult) - 1:
                self.input_blocks.append(ResBlock(ch, ch, emb_dim, groups, 'down'))
                skips.append(ch)
        middle = [ResBlock(ch, ch, emb_dim, groups, 'none')]
        middle.append(Attention(ch, groups, config['numHeads']) if config['middleAttention'] else ResBlock(ch, ch, emb_dim, groups, 'none'))
        if config['middleAttention']:
            middle.append(ResBlock(ch, ch, emb_dim, groups, 'none'))
        self.middle = nn.ModuleList(middle)
        self.output_blocks = nn.ModuleList()
        for level in reversed(range(len(mult))):
            for i in range(config['numResBlocks'] + 1):
                block = [ResBlock(ch + skips.pop(), mult[level] * w, emb_dim, groups, 'none')]
                ch = mult[level] * w
                if level > 0 and i == config['numResBlocks']:
                    block.append(ResBlock(ch, ch, emb_dim, groups, 'up'))
                self.output_blocks.append(nn.ModuleList(block))
        self.out_norm = nn.GroupNorm(groups, ch, eps=1e-5)
        self.out_conv = zero(nn.Conv2d(ch, 1, 3, padding=1))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        emb_silu = F.silu(self.time_embed(timestep_embedding(t, self.w)))
        skips = []
        h = x
        for i, block in enumerate(self.input_blocks):
            h = block(h) if i == 0 else block(h, emb_silu)
            skips.append(h)
        for layer in self.middle:
            h = layer(h, emb_silu)
        for block in self.output_blocks:
            h = torch.cat([h, skips.pop()], dim=1)
            for layer in block:
                h = layer(h, emb_silu)
        return self.out_conv(F.silu(self.out_norm(h)))


def gaussian_window() -> torch.Tensor:
    g = torch.exp(-((torch.arange(5, dtype=torch.float64) - 2) ** 2) / (2 * 1.5**2))
    g = g / g.sum()
    return torch.outer(g, g).float()[None, None]


WINDOW = gaussian_window()


def fq_loss(pred: torch.Tensor, x0: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean FQ map between x0 and the prediction pasted into x0 outside the box (fqlab's patchedLoss, range 'model')."""
    merged = x0 + mask * (pred - x0)
    blur = lambda a: F.conv2d(a, WINDOW, padding=2)
    mx, my = blur(merged), blur(x0)
    vx = blur(merged * merged) - mx * mx
    vy = blur(x0 * x0) - my * my
    cov = blur(merged * x0) - mx * my
    ssim = ((2 * mx * my + SSIM_C1) * (2 * cov + SSIM_C2)) / ((mx * mx + my * my + SSIM_C1) * (vx + vy + SSIM_C2))
    ssim_loss = torch.clamp(1 - ssim, 0, 1) / 2
    return (FQ_ALPHA * ssim_loss + (1 - FQ_ALPHA) * (merged - x0).abs()).mean()


def pin_to_cores(count: int) -> None:
    """Confines every thread of this process to `count` cores: torch.set_num_threads(1) alone still let a 1-thread
    request use about 1.7 cores of CPU time (seen on the 2-core VM), which is not the same threads as fqlab's one."""
    cores = sorted(ALL_CORES)[:count]
    for tid in os.listdir('/proc/self/task'):
        try:
            os.sched_setaffinity(int(tid), cores)
        except OSError:  # a thread that ended meanwhile
            pass


ALL_CORES = os.sched_getaffinity(0)


class Bench:
    def __init__(self):
        self.models = {}
        # Without flushing, subnormal floats inside PyTorch's kernels made its times swing up to 3x between runs of the
        # same request on the 2-core VM (tiny forward 0.19-0.48 s, 0.084 s flushed): flushed is its steady best time,
        # the stricter reference. WebAssembly cannot flush (it keeps IEEE subnormals); fqlab's times are steady without.
        torch.set_flush_denormal(True)

    def model(self, config: dict, expected: int) -> tuple[UNet, torch.optim.Adam]:
        key = json.dumps(config, sort_keys=True)
        if key not in self.models:
            torch.manual_seed(0)
            net = UNet(config)
            count = sum(p.numel() for p in net.parameters())
            if count != expected:
                raise ValueError(f'torch_unet.py: {count} parameters for {key}, fqlab has {expected}')
            self.models[key] = (net, torch.optim.Adam(net.parameters(), lr=1e-4))
        return self.models[key]

    def run(self, request: dict) -> dict:
        torch.set_num_threads(request['threads'])
        pin_to_cores(request['threads'])
        net, adam = self.model(request['config'], request['parameters'])
        n = request['batch']
        g = torch.Generator().manual_seed(1)
        x0 = torch.rand(n, 1, SLICE, SLICE, generator=g) * 2 - 1
        noise = torch.randn(n, 1, SLICE, SLICE, generator=g)
        t = torch.randint(0, 1000, (n,), generator=g)
        mask = torch.zeros(n, 1, SLICE, SLICE)
        mask[:, :, :48, :48] = 1
        repeats = request.get('repeats', 1)
        start, cpu = time.perf_counter(), time.process_time()
        loss = None
        for _ in range(repeats):
            if request['what'] == 'forward':
                with torch.no_grad():
                    net(x0, t)
                continue
            abar = torch.cos((t.float() / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2
            xt = abar.sqrt()[:, None, None, None] * x0 + (1 - abar).sqrt()[:, None, None, None] * noise
            loss = fq_loss(net(x0 + mask * (xt - x0), t), x0, mask)
            adam.zero_grad(set_to_none=True)
            loss.backward()
            adam.step()
        answer = {'seconds': (time.perf_counter() - start) / repeats, 'cpuSeconds': (time.process_time() - cpu) / repeats, 'parameters': request['parameters']}
        return answer if loss is None else {**answer, 'loss': loss.item()}


def main() -> None:
    bench = Bench()
    print(json.dumps({'ready': True, 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = bench.run(json.loads(line))
        except Exception as e:  # reported to the bench, which prints it and carries on
            answer = {'error': str(e)}
        print(json.dumps(answer), flush=True)


if __name__ == '__main__':
    main()
