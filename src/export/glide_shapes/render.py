"""Vectorised renderer: scenes → anti-aliased images in [−1, 1] on any torch device.

Shapes are drawn at 256×256 with one pixel of anti-aliasing from their signed distance; the 64×64 image is the 4×4
box average of the 256×256 one (what the base model learns, and what the upsampler is conditioned on).
"""

from __future__ import annotations

import math
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F

from .world import BACKGROUNDS, COLOURS, SHAPES, Scene

HIGH, LOW = 256, 64
_SHAPE_INDEX = {s: i for i, s in enumerate(SHAPES)}
_MAX_OBJECTS = 2


def _signed_distance(shape: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Approximate signed distance (image fractions) to each object's outline; negative inside."""
    circle = torch.sqrt(dx * dx + dy * dy) - r
    square = torch.maximum(dx.abs(), dy.abs()) - 0.9 * r
    diamond = (dx.abs() + dy.abs() - r) / math.sqrt(2.0)
    # Triangle pointing up: apex (0, −r), base corners (±r, r). Edges: bottom y = r, two sides through the apex.
    bottom = dy - r
    side = (2.0 * dx.abs() - dy - r) / math.sqrt(5.0)  # 2|x| = y + r on the sides (y grows downwards)
    triangle = torch.maximum(bottom, side)
    choices = torch.stack([circle, square, triangle, diamond])  # [4, ...]
    return torch.gather(choices, 0, shape.expand_as(circle)[None]).squeeze(0)


def scene_tensors(scenes: Sequence[Scene]) -> Tuple[torch.Tensor, ...]:
    """Pack scenes into parameter tensors: shape index, centre, radius, present flag, colours, background."""
    n = len(scenes)
    shape = torch.zeros(n, _MAX_OBJECTS, dtype=torch.long)
    geo = torch.zeros(n, _MAX_OBJECTS, 3)
    present = torch.zeros(n, _MAX_OBJECTS)
    colour = torch.zeros(n, _MAX_OBJECTS, 3)
    background = torch.zeros(n, 3)
    for i, s in enumerate(scenes):
        for j, o in enumerate(s.objects):
            shape[i, j] = _SHAPE_INDEX[o.shape]
            geo[i, j] = torch.tensor((o.cx, o.cy, o.r))
            present[i, j] = 1.0
            jit = s.jitter[j] if j < len(s.jitter) else (0, 0, 0)
            colour[i, j] = torch.tensor([min(255, max(0, c + d)) for c, d in zip(COLOURS[o.colour], jit)],
                                        dtype=torch.float32)
        jit = s.jitter[-1] if s.jitter else (0, 0, 0)
        background[i] = torch.tensor([min(255, max(0, c + d)) for c, d in zip(BACKGROUNDS[s.background], jit)],
                                     dtype=torch.float32)
    return shape, geo, present, colour, background


def render(scenes: Sequence[Scene], device: torch.device | str = "cpu", size: int = HIGH) -> torch.Tensor:
    """[N, 3, size, size] float32 in [−1, 1]."""
    shape, geo, present, colour, background = (t.to(device) for t in scene_tensors(scenes))
    coords = (torch.arange(size, device=device, dtype=torch.float32) + 0.5) / size
    ys, xs = coords.view(1, size, 1), coords.view(1, 1, size)
    img = background.view(-1, 3, 1, 1).expand(-1, 3, size, size).clone()
    for j in range(_MAX_OBJECTS):
        cx, cy, r = (geo[:, j, k].view(-1, 1, 1) for k in range(3))
        sd = _signed_distance(shape[:, j].view(-1, 1, 1), xs - cx, ys - cy, r)
        cover = (0.5 - sd * size).clamp(0.0, 1.0) * present[:, j].view(-1, 1, 1)
        img = img + cover[:, None] * (colour[:, j].view(-1, 3, 1, 1) - img)
    return img / 127.5 - 1.0


def downsample(high: torch.Tensor, size: int = LOW) -> torch.Tensor:
    """Box average to `size` (4×4 for 256 → 64)."""
    return F.avg_pool2d(high, high.shape[-1] // size)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """[N,3,H,W] in [−1,1] → [N,H,W,3] uint8 (round half to even, as the app quantizes)."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu()


def grid(images: torch.Tensor, columns: int = 8) -> torch.Tensor:
    """Tile [N,3,H,W] images into one uint8 HWC array (for eyeballing samples)."""
    u8 = to_uint8(images)
    n, h, w, _ = u8.shape
    rows = (n + columns - 1) // columns
    out = torch.zeros(rows * h, columns * w, 3, dtype=torch.uint8)
    for i in range(n):
        r, c = divmod(i, columns)
        out[r * h:(r + 1) * h, c * w:(c + 1) * w] = u8[i]
    return out
