"""Where in the reverse process a base loses the shape its caption names: the shape-retention probe.

Single-object training-world scenes (the same number of each shape, every one with a named region) are rendered,
noised to a start step t with the sampler's own schedule, and sampled back to t = 0 with classifier-free guidance
(the reference sampler, `glide_export.diffusion`, respaced as the app's base "50"); the share of final pictures
that still show the caption's shape is reported per start. From t = 999 (pure noise) that is the shape accuracy
`glide eval` measures on one-object captions; from lower starts the picture already holds the shape, so a share
that falls between two starts says the network's errors at those noise levels turn squares round or cut tips off.
The trained losses say nothing of where that happens; this does, in seconds on a GPU and minutes on a CPU.

With `pairs`, two-object scenes ("a red circle to the left of a blue square") go through the same starts, and the
share whose two objects both keep their named colour in their named half is reported beside: the other weak spot,
where the colours come out exchanged or alike.

`classify` reads the shape as the app's analyzer does at its core (src/Glide/Evaluation/ShapeTemplate.cs, with the
same thresholds): the pixels farther than 40 (RGB) from the border's median colour, and the world's four outlines
fitted to them by area and centroid, the best intersection over union of at least 0.75 naming the shape. It leaves
out the analyzer's region and colour checks, which one object on a plain background does not need.
`colours_in_place` is the analyzer's colour check: in each object's named half, the object pixels (inside ones
when there are enough) vote for their nearest palette colour.
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
# Where the analyzer looks for an object (src/Glide/Evaluation/SceneRegion.cs): left, top, right, bottom fractions,
# the whole picture for an object whose caption names no region.
REGION_BOXES = {"left": (0, 0, 0.5, 1), "right": (0.5, 0, 1, 1), "top": (0, 0, 1, 0.5), "bottom": (0, 0.5, 1, 1),
                "centre": (0.25, 0.25, 0.75, 0.75), None: (0, 0, 1, 1)}


def _outline(shape: str, xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, area: float) -> np.ndarray:
    """The pixels (centres xs, ys) inside `shape` fitted to a blob of `area` pixels with centroid (cx, cy): the
    renderer's own outline (its signed distance at most 0) at the half-extent r that covers `area`."""
    # The outlines' areas: π r² (circle), (1.8 r)² (square), 2 r² (triangle, diamond).
    r = {"circle": math.sqrt(area / math.pi), "square": math.sqrt(area) / 1.8}.get(shape, math.sqrt(area / 2))
    if shape == "triangle":
        cy -= r / 3  # a triangle's centroid lies r/3 below its centre
    distance = render._signed_distance(torch.tensor(render._SHAPE_INDEX[shape]), torch.from_numpy(xs - cx),
                                       torch.from_numpy(ys - cy), torch.tensor(r, dtype=torch.float64))
    return (distance <= 0).numpy()


def _pixels(image: torch.Tensor) -> np.ndarray:
    """[3, H, W] in [−1, 1] → [H, W, 3] 8-bit levels (render.to_uint8, as the app quantizes), as floats."""
    if image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(f"expected one [3, H, W] image, got shape {tuple(image.shape)}")
    return render.to_uint8(image.detach().float()[None])[0].numpy().astype(np.float64)


def _foreground(rgb: np.ndarray) -> np.ndarray:
    """The pixels farther than FOREGROUND_DISTANCE from the border's median colour."""
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    return ((rgb - np.median(border, axis=0)) ** 2).sum(axis=-1) > FOREGROUND_DISTANCE ** 2


def _minimum_pixels(height: int, width: int) -> int:
    return max(4, math.ceil(MINIMUM_OBJECT_FRACTION * width * height))


def colours_in_place(image: torch.Tensor, scene: world.Scene) -> List[bool]:
    """Per object of `scene`: whether the dominant palette colour of the object pixels in its named region of
    `image` is its colour (an object without a region is looked for anywhere)."""
    rgb = _pixels(image)
    height, width = rgb.shape[:2]
    fg = _foreground(rgb)
    padded = np.pad(fg, 1)
    inside = fg.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            inside &= padded[1 + dy:1 + dy + height, 1 + dx:1 + dx + width]
    palette = np.array(list(world.COLOURS.values()), dtype=np.float64)
    nearest = ((rgb[:, :, None, :] - palette) ** 2).sum(axis=-1).argmin(axis=-1)
    ys, xs = (np.mgrid[0:height, 0:width] + 0.5) / np.array([height, width])[:, None, None]
    names = list(world.COLOURS)
    right = []
    for obj in scene.objects:
        left, top, rgt, bottom = REGION_BOXES[obj.region]
        region = (xs >= left) & (xs < rgt) & (ys >= top) & (ys < bottom)
        voters = fg & region
        if voters.sum() < _minimum_pixels(height, width):
            right.append(False)
            continue
        if (inside & region).sum() >= _minimum_pixels(height, width):
            voters = inside & region
        votes = np.bincount(nearest[voters], minlength=len(names))
        right.append(names[int(votes.argmax())] == obj.colour)
    return right


def classify(image: torch.Tensor) -> Optional[str]:
    """The shape one object on a plain background shows in `image` ([3, H, W] in [−1, 1]), or None."""
    blob = _foreground(_pixels(image))
    rows, cols = np.nonzero(blob)
    height, width = blob.shape
    if rows.size < _minimum_pixels(height, width):
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


def scenes(per_shape: int, seed: int = 123, pairs: int = 0) -> List[world.Scene]:
    """`per_shape` single-object training scenes of each shape (held-out captions skipped), shape by shape, then
    `pairs` two-object ones."""
    if per_shape < 1 or pairs < 0:
        raise ValueError(f"per_shape={per_shape}, pairs={pairs}: at least one scene of each shape, pairs 0 or more")
    rng = random.Random(seed)
    held_out = world.held_out_captions()
    two = []
    while len(two) < pairs:
        scene = world.two_object_scene(rng)
        if scene.caption not in held_out:
            two.append(scene)
    drawn: Dict[str, List[world.Scene]] = {s: [] for s in world.SHAPES}
    while any(len(v) < per_shape for v in drawn.values()):
        scene = world.single_object_scene(rng, require_region=True)
        shape = scene.objects[0].shape
        if scene.caption not in held_out and len(drawn[shape]) < per_shape:
            drawn[shape].append(scene)
    return [s for shape in world.SHAPES for s in drawn[shape]] + two


def retention(model: torch.nn.Module, table: TokenTable, per_shape: int = 8, starts: Sequence[int] = STARTS,
              guidance: float = 3.0, seed: int = 0, pairs: int = 0) -> Dict:
    """{"renders": share, "starts": {t: {"kept": share, "shapes": {shape: share}}}}: the share of single-object
    pictures that show their caption's shape, for the clean renders and after sampling back from each start t
    (mapped to the nearest timestep of the "50" respacing; 999 starts from pure noise). With `pairs`, also
    "pair_renders" and each start's "pair_colours": the share of two-object pictures with both colours in place."""
    diffusion = create_diffusion(BASE_SCHEDULE, RESPACING)
    kept_steps = diffusion.timestep_map
    indices = []
    for t in starts:
        if not 0 <= t <= 999:
            raise ValueError(f"start t={t}: a timestep from 0 to 999")
        indices.append(int(np.abs(kept_steps - t).argmin()))
    batch = scenes(per_shape, pairs=pairs)
    n, singles = len(batch), len(batch) - pairs
    truth = [s.objects[0].shape for s in batch[:singles]]
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
        right = [classify(images[i]) == truth[i] for i in range(singles)]
        found = {"kept": sum(right) / singles,
                 "shapes": {s: sum(r for r, k in zip(right, truth) if k == s) / per_shape for s in world.SHAPES}}
        if pairs:
            found["pair_colours"] = sum(all(colours_in_place(images[i], batch[i]))
                                        for i in range(singles, n)) / pairs
        return found

    clean = shares(x0)
    result: Dict = {"renders": clean["kept"], "starts": {}}
    if pairs:
        result["pair_renders"] = clean["pair_colours"]
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
    lines = [f"clean renders: {result['renders']:.0%} read as their shape"
             + (f", {result['pair_renders']:.0%} of pairs with both colours in place" if "pair_renders" in result
                else "")]
    for t, share in result["starts"].items():
        per = ", ".join(f"{s} {v:.0%}" for s, v in share["shapes"].items())
        pair = f"; pairs: {share['pair_colours']:.0%} keep both colours in place" if "pair_colours" in share else ""
        lines.append(f"from t={t}: {share['kept']:.0%} keep their shape ({per}){pair}")
    return lines


def retention_files(paths: Sequence[str], per_shape: int, starts: Sequence[int], guidance: float,
                    device: str, pairs: int = 0) -> List[str]:
    """The retention lines of each trained base file."""
    from .probe import trained_unet
    from .train import load_trained

    table = TokenTable.load()
    lines = []
    for path in paths:
        state = load_trained(path)
        kind = state["meta"]["kind"]
        if kind != "base":
            raise ValueError(f"{path} holds a {kind} model; shape retention reads base models")
        model = trained_unet(state).to(device)
        result = retention(model, table, per_shape=per_shape, starts=starts, guidance=guidance, pairs=pairs)
        lines.append(f"{path} (step {state['meta']['steps']}), {per_shape} scenes per shape and {pairs} pairs, "
                     f"guidance {guidance}:")
        lines += ["  " + line for line in summary_lines(result)]
    return lines
