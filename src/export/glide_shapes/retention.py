"""Where in the reverse process a base loses the shape its caption names: the shape-retention probe.

Single-object training-world scenes (the same number of each shape, every one with a named region) are rendered,
noised to a start step t with the sampler's own schedule, and sampled back to t = 0 with classifier-free guidance
(the reference sampler, `glide_export.diffusion`, respaced as the app's base "50"); the share of final pictures
that still show the caption's shape is reported per start. From t = 999 (pure noise) that is the shape accuracy
`glide eval` measures on one-object captions; from lower starts the picture already holds the shape, so a share
that falls between two starts says the network's errors at those noise levels turn squares round or cut tips off.
The trained losses say nothing of where that happens; this does, in seconds on a GPU and minutes on a CPU.

`classify` reads the shape as the app's analyzer does at its core (src/Glide/Evaluation/ShapeTemplate.cs, with the
same thresholds): the pixels farther than 40 (RGB) from the border's median colour, and the world's four outlines
fitted to them by area and centroid, the best intersection over union of at least 0.75 naming the shape. It leaves
out the analyzer's region and colour checks, which one object on a plain background does not need.
"""

from __future__ import annotations

import math
import random
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from glide_export.diffusion import create_diffusion

from . import render, world
from .losses import BASE_SCHEDULE
from .tokens import TokenTable

RESPACING = "50"
STARTS = (204, 408, 612, 816, 999)  # the timesteps of spaced indices 10, 20, 30, 40 and 49 of "50"
FOREGROUND_DISTANCE = 40
MINIMUM_OVERLAP = 0.75
MINIMUM_OBJECT_FRACTION = 0.002  # fewer pixels than this share of the picture is no object (the analyzer's limit)


def _outline(shape: str, xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, area: float) -> np.ndarray:
    """The pixels (centres xs, ys) inside `shape` fitted to a blob of `area` pixels with centroid (cx, cy)."""
    if shape == "circle":
        r = math.sqrt(area / math.pi)
        return (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    if shape == "square":
        r = math.sqrt(area) / 1.8
        return np.maximum(abs(xs - cx), abs(ys - cy)) <= 0.9 * r
    r = math.sqrt(area / 2)
    if shape == "diamond":
        return abs(xs - cx) + abs(ys - cy) <= r
    dy = ys - (cy - r / 3)  # a triangle's centroid lies r/3 below its centre
    return (dy <= r) & (2 * abs(xs - cx) <= dy + r)


def classify(image: torch.Tensor) -> Optional[str]:
    """The shape one object on a plain background shows in `image` ([3, H, W] in [−1, 1]), or None."""
    if image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(f"expected one [3, H, W] image, got shape {tuple(image.shape)}")
    rgb = ((image.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().numpy().transpose(1, 2, 0)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    background = np.median(border, axis=0)
    blob = ((rgb - background) ** 2).sum(axis=-1) > FOREGROUND_DISTANCE ** 2
    rows, cols = np.nonzero(blob)
    height, width = blob.shape
    if rows.size < max(4, math.ceil(MINIMUM_OBJECT_FRACTION * width * height)):
        return None
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    area, cx, cy = float(rows.size), float(cols.mean()) + 0.5, float(rows.mean()) + 0.5
    best, named = 0.0, None
    for shape in world.SHAPES:
        ideal = _outline(shape, xs, ys, cx, cy, area)
        common = float((ideal & blob).sum())
        overlap = common / (area + float(ideal.sum()) - common)
        if overlap > best:
            best, named = overlap, shape
    return named if best >= MINIMUM_OVERLAP else None


def scenes(per_shape: int, seed: int = 123) -> List[world.Scene]:
    """`per_shape` single-object training scenes of each shape (held-out captions skipped), shape by shape."""
    if per_shape < 1:
        raise ValueError(f"per_shape={per_shape}: at least one scene of each shape")
    rng = random.Random(seed)
    held_out = world.held_out_captions()
    drawn: Dict[str, List[world.Scene]] = {s: [] for s in world.SHAPES}
    while any(len(v) < per_shape for v in drawn.values()):
        scene = world.single_object_scene(rng, require_region=True)
        shape = scene.objects[0].shape
        if scene.caption not in held_out and len(drawn[shape]) < per_shape:
            drawn[shape].append(scene)
    return [s for shape in world.SHAPES for s in drawn[shape]]


def retention(model: torch.nn.Module, table: TokenTable, per_shape: int = 8, starts: Sequence[int] = STARTS,
              guidance: float = 3.0, seed: int = 0) -> Dict:
    """{"renders": share, "starts": {t: {"kept": share, "shapes": {shape: share}}}}: the share of pictures that
    show their caption's shape, for the clean renders and after sampling back from each start t (mapped to the
    nearest timestep of the "50" respacing; 999 starts from pure noise)."""
    diffusion = create_diffusion(BASE_SCHEDULE, RESPACING)
    kept_steps = diffusion.timestep_map
    indices = []
    for t in starts:
        if not 0 <= t <= 999:
            raise ValueError(f"start t={t}: a timestep from 0 to 999")
        indices.append(int(np.abs(kept_steps - t).argmin()))
    batch = scenes(per_shape)
    n = len(batch)
    truth = [s.objects[0].shape for s in batch]
    device = next(model.parameters()).device
    tokens, mask = table.glide_batch([s.caption for s in batch] * 2, [False] * n + [True] * n)
    tokens_t, mask_t = torch.from_numpy(tokens).to(device), torch.from_numpy(mask).to(device)
    x0 = render.downsample(render.render(batch, device, render.HIGH))
    gen = torch.Generator(device="cpu").manual_seed(seed)

    def guided(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        out = model(torch.cat([x, x]), torch.cat([t, t]), tokens_t, mask_t).float()
        cond, uncond = out[:n, :3], out[n:, :3]
        return torch.cat([uncond + guidance * (cond - uncond), out[:n, 3:]], dim=1)

    def shares(images: torch.Tensor) -> Dict:
        right = [classify(images[i]) == truth[i] for i in range(n)]
        return {"kept": sum(right) / n,
                "shapes": {s: sum(r for r, k in zip(right, truth) if k == s) / per_shape for s in world.SHAPES}}

    result: Dict = {"renders": shares(x0)["kept"], "starts": {}}
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for index in indices:
                noise = torch.randn(x0.shape, generator=gen).to(device)
                if index == diffusion.num_timesteps - 1:
                    x = noise  # the sampler's own start: x_T is pure noise
                else:
                    ab = float(diffusion.alphas_cumprod[index])
                    x = math.sqrt(ab) * x0 + math.sqrt(1.0 - ab) * noise
                for i in range(index, -1, -1):
                    t = torch.full((n,), int(kept_steps[i]), dtype=torch.int64, device=device)
                    draw = torch.randn(x0.shape, generator=gen).to(device) if i else None
                    x, _ = diffusion.p_sample(guided(x, t), x, i, draw)
                result["starts"][int(kept_steps[index])] = shares(x)
    finally:
        model.train(was_training)
    return result


def summary_lines(result: Dict) -> List[str]:
    """One line per start: the share kept in all and per shape."""
    lines = [f"clean renders: {result['renders']:.0%} read as their shape"]
    for t, share in result["starts"].items():
        per = ", ".join(f"{s} {v:.0%}" for s, v in share["shapes"].items())
        lines.append(f"from t={t}: {share['kept']:.0%} keep their shape ({per})")
    return lines


def retention_files(paths: Sequence[str], per_shape: int, starts: Sequence[int], guidance: float,
                    device: str) -> List[str]:
    """The retention lines of each trained base file."""
    from glide_export.models import build
    from glide_export.options import preset, with_overrides
    from .train import load_trained, preset_differences

    table = TokenTable.load()
    lines = []
    for path in paths:
        state = load_trained(path)
        kind = state["meta"]["kind"]
        if kind != "base":
            raise ValueError(f"{path} holds a {kind} model; shape retention reads base models")
        model = build(kind, with_overrides(preset("shapes", kind), preset_differences(kind, state["meta"])))
        model.load_state_dict(state[kind])
        model.to(device)
        result = retention(model, table, per_shape=per_shape, starts=starts, guidance=guidance)
        lines.append(f"{path} (step {state['meta']['steps']}), {per_shape} scenes per shape, guidance {guidance}:")
        lines += ["  " + line for line in summary_lines(result)]
    return lines
