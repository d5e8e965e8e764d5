"""How much a base model's prediction depends on its caption: a quick check of a training run, before any export.

Six captions that differ only in the colour word ("a large red square in the center", …) share one pure-noise x_t;
at a few high t the model's x0 prediction in the centre region is averaged per caption. `spread` is the standard
deviation of that colour across the captions (0 = the caption is ignored; a model that draws exactly the named
colours reads 0.69). `alignment` is the cosine between those colours and the captions' palette colours, both centred
over the six captions: near 0 when the differences are unrelated to the colour words, 1 when they point exactly the
named way. At high t only the caption can say what the picture will be, so this is where a model that follows its
captions must differ — and where the first runs did not.

`first_step` checks what the sampler's first step (t = 999) needs: there x0 = (x_t − √(1−ᾱ)·ε̂)/√ᾱ multiplies
ε̂'s error by about 20,000 before clipping, so ε̂ must follow x_t exactly — its per-channel mean included. `dc_gain`
is how much of an equal shift of x_t's three channel means comes back in ε̂'s, `chroma_gain` the same for shifts
between the channels (towards a colour); 1 is wanted. `bias` is how one-sided the clipped x0 comes out over
pure-noise inputs (the mean sign per channel: 0 = balanced, 1 = every pixel of a channel clipped the same way — a
background the later steps keep), and `colour_bias` the part of it that differs between the channels (half the
range of their mean signs: 0 for a white or black start, 1 for a saturated colour such as magenta).
The two gains differ in what a model learns. The training pictures' backgrounds are white, black or grey, so below
t ≈ 985 the equal part of x_t's means is mostly picture, and a network whose gain does not depend on t settles
near dc_gain 0 — a white or black first step, which those backgrounds allow. The colour part is noise at every
high t; a network started at ε̂ = x_t (train's identity init) keeps chroma_gain ≈ 0.95 and draws white, black or
grey backgrounds, while one started from PyTorch's initialisation read 0.01–0.3 and drew tinted or saturated ones
(glide_shapes/README.md, "The first step"). A base whose last GroupNorm has one channel per group (32 channels at
the first level) subtracts every channel's mean there and sees x_t's only through the convolutions' zero padding
at the borders: it reads both gains near 0.

`denoising` checks the other end, for both UNets, on a few rendered training-world scenes: `denoise_gain` at t = 10
and 100 is the share of the added noise ε̂ recovers (⟨ε̂, ε⟩ / ⟨ε, ε⟩; 1 wanted). What a base leaves at low t stays
in its 64×64 output as grain: I6 read 0.72 at t = 10 and drew grainy blobs, F6 0.90 and drew clean ones. For the
upsampler, `first_step_error` is how far the clipped x0 of its first step (t = 999) lies from the low-res image it
is given, in mean colour (the mean over images of the largest channel difference, [−1, 1] units; 0 wanted). The
later steps keep the background that step sets: run 1's upsampler reads 0.89 — its first x0 is clipped noise, grey
on average whatever the low-res — and turns a near-white low-res background grey.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Dict, Iterator, List, Sequence, Tuple

import torch
from glide_export.diffusion import quantize_low_res

from . import render, world
from .losses import BASE_SCHEDULE, SCHEDULES, NoiseSchedule
from .tokens import TokenTable

COLOURS = ("red", "blue", "green", "yellow", "purple", "cyan")
STEPS = (980, 900, 800)
DENOISE_STEPS = (10, 100)


def _captions(model: torch.nn.Module, table: TokenTable, colours: Sequence[str]
              ) -> Tuple[torch.Tensor, torch.Tensor, torch.device, NoiseSchedule]:
    """The probe captions ("a large <colour> square in the center") as tokens and mask on the model's device, the
    device, and the base schedule there."""
    captions = [f"a large {c} square in the center" for c in colours]
    tokens, mask = table.glide_batch(captions, [False] * len(captions))
    device = next(model.parameters()).device
    return (torch.from_numpy(tokens).to(device), torch.from_numpy(mask).to(device), device,
            NoiseSchedule(BASE_SCHEDULE, device))


@contextmanager
def _evaluating(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode without gradients, the model left in the mode it was given."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def caption_sensitivity(model: torch.nn.Module, table: TokenTable, steps: Sequence[int] = STEPS,
                        seed: int = 0) -> Dict:
    """{"t": {t: {"spread", "alignment", "colours": {colour: [r, g, b]}}}, "pooled_spread"} for a base model."""
    tokens_t, mask_t, device, schedule = _captions(model, table, COLOURS)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    palette = torch.tensor([world.COLOURS[c] for c in COLOURS], dtype=torch.float32) / 127.5 - 1.0
    palette = palette - palette.mean(dim=0)
    result: Dict = {"t": {}}
    with _evaluating(model):
        pooled, _ = model.encode_text(tokens_t, mask_t)
        result["pooled_spread"] = float((pooled - pooled.mean(0)).norm(dim=1).mean() / pooled.mean(0).norm())
        for t in steps:
            x_t = torch.randn(1, 3, 64, 64, generator=gen).to(device).expand(len(COLOURS), -1, -1, -1)
            tt = torch.full((len(COLOURS),), t, device=device)
            eps = model(x_t, tt, tokens_t, mask_t)[:, :3].float()
            x0 = schedule.predict_x0(x_t, tt, eps).clamp(-1, 1)
            centre = x0[:, :, 24:40, 24:40].mean(dim=(2, 3))
            centred = (centre - centre.mean(dim=0)).cpu()
            norm = float(centred.norm() * palette.norm())
            result["t"][t] = {"spread": float(centre.std(dim=0).mean()),
                              "alignment": float((centred * palette).sum()) / norm if norm > 0 else 0.0,
                              "colours": {c: [round(float(v), 3) for v in row] for c, row in zip(COLOURS, centre)}}
    return result


def first_step(model: torch.nn.Module, table: TokenTable, seed: int = 0, shift: float = 0.05) -> Dict:
    """{"dc_gain", "chroma_gain", "bias", "colour_bias"} of a base model at t = 999 (see the module docstring)."""
    tokens_t, mask_t, device, schedule = _captions(model, table, COLOURS[:4])
    n = tokens_t.shape[0]
    t = torch.full((n,), schedule.steps - 1, device=device)
    x_t = torch.randn(n, 3, 64, 64, generator=torch.Generator(device="cpu").manual_seed(seed)).to(device)
    with _evaluating(model):
        eps = model(x_t, t, tokens_t, mask_t)[:, :3].float()

        def gain(direction: Tuple[float, float, float]) -> float:
            # The share of a shift of x_t's channel means along `direction` that comes back in ε̂'s.
            step = shift * torch.tensor(direction, device=device).view(1, 3, 1, 1) / torch.tensor(direction).norm()
            moved = (model(x_t + step, t, tokens_t, mask_t)[:, :3].float() - eps).mean(dim=(2, 3))
            return float((moved * step.view(1, 3)).sum(dim=1).mean() / step.square().sum())

        grey, colour = gain((1.0, 1.0, 1.0)), (gain((1.0, -1.0, 0.0)) + gain((1.0, 1.0, -2.0))) / 2
    # The sampler's float32 arithmetic: at t = 999 both coefficients round to the same float, so x0 is that number
    # times (x_t − ε̂) — exactly 0 where ε̂ = x_t, and a clipped ±1 where it is not.
    x0 = schedule.predict_x0(x_t, t, eps)
    signs = torch.sign(x0.clamp(-1.0, 1.0)).mean(dim=(2, 3))  # [n, 3]: each channel's mean sign
    return {"dc_gain": grey, "chroma_gain": colour, "bias": float(signs.abs().mean()),
            "colour_bias": float(((signs.max(dim=1).values - signs.min(dim=1).values) / 2).mean())}


def denoising(model: torch.nn.Module, table: TokenTable, kind: str, seed: int = 0, n: int = 4) -> Dict:
    """{"denoise_gain": {t: gain}} for a base or upsampler, plus "first_step_error" for an upsampler (see the module
    docstring), on `n` training-world scenes drawn from `seed`."""
    if kind not in SCHEDULES:
        raise ValueError(f"the denoising probe reads UNets (base, upsample), not {kind!r}")
    rng = random.Random(seed)
    scenes = [world.random_scene(rng) for _ in range(n)]
    tokens, mask = table.glide_batch([s.caption for s in scenes], [False] * n)
    device = next(model.parameters()).device
    tokens_t, mask_t = torch.from_numpy(tokens).to(device), torch.from_numpy(mask).to(device)
    schedule = NoiseSchedule(SCHEDULES[kind], device)
    high = render.render(scenes, device, render.HIGH)
    low = quantize_low_res(render.downsample(high))  # 8-bit, as training and the app hand it over
    x0, low_res = (low, None) if kind == "base" else (quantize_low_res(high), low)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    result: Dict = {"denoise_gain": {}}
    with _evaluating(model):
        for step in DENOISE_STEPS:
            t = torch.full((n,), step, device=device)
            noise = torch.randn(x0.shape, generator=gen).to(device)
            eps = model(schedule.q_sample(x0, t, noise), t, tokens_t, mask_t, low_res=low_res)[:, :3].float()
            result["denoise_gain"][step] = float((eps * noise).sum() / noise.square().sum())
        if kind == "upsample":
            t = torch.full((n,), schedule.steps - 1, device=device)
            x_t = torch.randn(x0.shape, generator=gen).to(device)
            eps = model(x_t, t, tokens_t, mask_t, low_res=low_res)[:, :3].float()
            start = schedule.predict_x0(x_t, t, eps).clamp(-1.0, 1.0).mean(dim=(2, 3))
            result["first_step_error"] = float((start - low.mean(dim=(2, 3))).abs().max(dim=1).values.mean())
    return result


def embed_captions(text: torch.nn.Module, table: TokenTable, captions: Sequence[str]) -> torch.Tensor:
    """The captions' CLIP embeddings, L2-normalised, [N, E] on the text encoder's device."""
    device = next(text.parameters()).device
    tokens, lengths = table.clip_batch(list(captions))
    return torch.nn.functional.normalize(
        text(torch.from_numpy(tokens).to(device), torch.from_numpy(lengths).to(device)).float(), dim=-1)


def embed_pictures(image: torch.nn.Module, pixels: torch.Tensor) -> torch.Tensor:
    """Finished pictures' CLIP embeddings at t = 0 (as reranking scores them), L2-normalised: [N, 3, S, S] in
    [−1, 1] → [N, E]. A picture's score for a caption is the dot product of the two embeddings."""
    device = next(image.parameters()).device
    steps = torch.zeros(pixels.shape[0], dtype=torch.long, device=device)
    return torch.nn.functional.normalize(image(pixels.to(device), steps).float(), dim=-1)


def attribute_picks(text: torch.nn.Module, image: torch.nn.Module, table: TokenTable, n: int = 64, seed: int = 0,
                    size: int = 4) -> Dict[str, float]:
    """How well a CLIP pair reranks, one attribute at a time: {attribute: share picked, "<attribute>_chance": the
    share a random pick gets}. For each of `n` training-world scenes (drawn from `seed`), world.contrast_group
    renders it beside up to `size` − 1 variants that differ only in that attribute; the pair scores the scene's own
    caption against every picture at t = 0, as reranking does, and picks the scene when its picture scores best (a
    tie picks nothing)."""
    device = next(image.parameters()).device
    result: Dict[str, float] = {}
    with _evaluating(text), _evaluating(image):
        for attribute in world.ATTRIBUTES:
            rng = random.Random(seed)
            groups: List[List[world.Scene]] = []
            for _ in range(n):
                group: List[world.Scene] = []
                while len(group) < 2:  # a scene with no variant of this kind (no region named) teaches nothing
                    group = world.contrast_group(world.random_scene(rng), size, rng, attributes=(attribute,))
                groups.append(group)
            # One render and one pass of each encoder for all the groups of this attribute.
            scenes = [scene for group in groups for scene in group]
            pictures = embed_pictures(image, quantize_low_res(render.downsample(render.render(scenes, device))))
            captions = embed_captions(text, table, [group[0].caption for group in groups])
            hits, chance, first = 0.0, 0.0, 0
            for g, group in enumerate(groups):
                scores = pictures[first:first + len(group)] @ captions[g]
                hits += float(bool(scores[0] > scores[1:].max()))  # a tie is no pick
                chance += 1.0 / len(group)
                first += len(group)
            result[attribute] = hits / n
            result[f"{attribute}_chance"] = chance / n
    return result


def summary_line(result: Dict) -> str:
    parts = [f"t={t}: {v['spread']:.3f} (alignment {v['alignment']:+.2f})" for t, v in result["t"].items()]
    return f"caption spread {', '.join(parts)}; pooled text vector {result['pooled_spread']:.3f}"


def _built(kind: str, meta: Dict) -> torch.nn.Module:
    """The network a trained file's `meta` describes, at its recorded options, with fresh weights."""
    from glide_export.models import build
    from glide_export.options import preset, with_overrides
    from .train import preset_differences

    return build(kind, with_overrides(preset("shapes", kind), preset_differences(kind, meta)))


def trained_unet(state: Dict) -> torch.nn.Module:
    """The UNet (base or upsampler) of a loaded .pt.gz (train.load_trained), built as it was trained."""
    kind = state["meta"]["kind"]
    model = _built(kind, state["meta"])
    model.load_state_dict(state[kind])
    return model


def clip_pair(state: Dict):
    """The CLIP pair (`.text`, `.image`) of a loaded clip.pt.gz (train.load_trained), built as it was trained."""
    pair = _built("clip", state["meta"])
    pair.text.load_state_dict(state["clip_text_enc"])
    pair.image.load_state_dict(state["clip_image_enc"])
    return pair


def probe_files(paths: List[str]) -> List[str]:
    from .train import load_trained

    table = TokenTable.load()
    lines = []
    for path in paths:
        state = load_trained(path)
        kind = state["meta"]["kind"]
        if kind == "clip":
            pair = clip_pair(state)
            picks = attribute_picks(pair.text, pair.image, table)
            lines.append(f"{path} (step {state['meta']['steps']}): reranking picks the captioned scene among its "
                         "variants: " + ", ".join(f"{a} {picks[a]:.2f} (chance {picks[a + '_chance']:.2f})"
                                                  for a in world.ATTRIBUTES))
            continue
        if kind not in SCHEDULES:
            raise ValueError(f"{path} holds a {kind} model; the probe reads base, upsample and clip models")
        model = trained_unet(state)
        noise = denoising(model, table, kind)
        gains = ", ".join(f"t={t} {g:.3f}" for t, g in noise["denoise_gain"].items())
        if kind == "upsample":
            lines.append(f"{path} (step {state['meta']['steps']}): denoise gain {gains} (1 wanted); first-step "
                         f"colour error {noise['first_step_error']:.3f} (0 wanted)")
            continue
        result = caption_sensitivity(model, table)
        first = first_step(model, table)
        lines.append(f"{path} (step {state['meta']['steps']}): {summary_line(result)}; first step: DC gain "
                     f"{first['dc_gain']:.3f}, colour {first['chroma_gain']:.3f} (1 wanted), "
                     f"bias {first['bias']:.2f}, colour {first['colour_bias']:.2f} (0 wanted); denoise gain {gains} "
                     f"(1 wanted)")
        for t, v in result["t"].items():
            lines.append(f"  t={t}: " + "  ".join(f"{c} {tuple(rgb)}" for c, rgb in v["colours"].items()))
    return lines
