"""Inpainting fixtures for the C# side (glide-spec §8.3): PIL resizes of a source image and mask, and one tiny
base-inpaint → upsample-inpaint cascade run by the reference sampler.

    cd src/export && /usr/bin/python3 -m glide_export.inpaint_fixtures            # write tests/fixtures/inpaint
    cd src/export && /usr/bin/python3 -m glide_export.inpaint_fixtures --check    # compare with the committed files

Needs Pillow (Debian's ``python3-pil``): the notebook resizes the source with PIL's BICUBIC filter, and the C# port
of that filter is held to PIL's own output. Keys are documented in tests/fixtures/README.md ("inpaint/").

Noise: storing per-step noise for an ancestral 256×256 run would cost megabytes, so this run draws from a formula
both languages compute bit for bit (``formula_noise``): unit-variance uniform values from a splitmix64 hash of
(stream, draw, element). The sampler does not care which distribution its draws come from; the C# test feeds the
same values through its own noise source.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .diffusion import INPAINT_GUIDANCE_SCALE, UPSAMPLE_TEMPERATURE, cfg_model_fn, create_diffusion, \
    inpaint_denoised_fn, quantize_low_res
from .export import write_npz
from .fixtures import FIXTURE_SEED, _prompt_tokens, compare_arrays, default_fixtures_dir
from .nets_unet import Text2ImUNet
from .options import ALL_KINDS
from .sources import random_entries

SEED = 606
# The source image: not square, and between the two model sizes, so the 64×64 resize shrinks (antialiased: the
# filter is widened by the scale) and the 256×256 one enlarges.
SOURCE_SHAPE = (75, 93)
# A source larger than 256 on both sides: both resizes shrink.
LARGE_SOURCE_SHAPE = (300, 280)
MASK_SOURCE_SHAPE = (40, 52)
# Respacings of the cascade run: short runs keep the file small and the regeneration quick (the tiny upsampler
# takes seconds a step in PyTorch). The notebook's upsampler respacing is fast27; the step math does not depend on
# which timesteps are kept, and the C# CLI tests run fast27 end to end.
BASE_RESPACING = "8"
UPSAMPLE_RESPACING = "6"
# x_t is stored on a 16×16 grid per channel (every STRIDE-th pixel), coarser than fixtures.py's 32×32 to keep the
# file small; an error anywhere in x_t still reaches the grid within a step through the UNet's receptive field.
BASE_STRIDE = 4
UPSAMPLE_STRIDE = 16
# Noise streams of formula_noise: one per stage.
BASE_STREAM = 0
UPSAMPLE_STREAM = 1
MASK_THRESHOLD = 128


def default_out_dir() -> str:
    return os.path.join(default_fixtures_dir(), "inpaint")


# ---------------------------------------------------------------------------------------------------------------
# Shared definitions (mirrored in C#: Glide.Imaging and the test project's FormulaNoiseSource)
# ---------------------------------------------------------------------------------------------------------------

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_UNIFORM_SCALE = 2.0 * math.sqrt(3.0)  # uniform on (−√3, √3): unit variance


def formula_noise(stream: int, draws: int, shape) -> np.ndarray:
    """float32 [draws, *shape]: element e of draw k is f(splitmix64(stream·2^48 + k·2^32 + e)).

    With z the 64-bit hash and u = z >> 40 (24 bits): value = float32(((u + 0.5)/2^24 − 0.5)·2√3), the float64
    arithmetic done in that order. splitmix64(x): x += 0x9E3779B97F4A7C15; x = (x ^ x>>30)·0xBF58476D1CE4E5B9;
    x = (x ^ x>>27)·0x94D049BB133111EB; x ^= x>>31 (all mod 2^64).
    """
    count = int(np.prod(shape))
    out = np.empty((draws, count), dtype=np.float32)
    elements = np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(draws):
            z = (np.uint64(stream) << np.uint64(48)) + (np.uint64(k) << np.uint64(32)) + elements
            z = (z + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            u = (z >> np.uint64(40)).astype(np.float64)
            out[k] = (((u + 0.5) / 16777216.0 - 0.5) * _UNIFORM_SCALE).astype(np.float32)
    return out.reshape((draws, *shape))


def pil_bicubic(rgb: np.ndarray, size: int) -> np.ndarray:
    """The notebook's resize: PIL ``resize((size, size), resample=BICUBIC)`` of an RGB uint8 [H, W, 3] array."""
    from PIL import Image
    return np.asarray(Image.fromarray(rgb, "RGB").resize((size, size), resample=Image.BICUBIC))


def pil_mask64(rgb: np.ndarray) -> np.ndarray:
    """The documented mask rule: luminance (PIL convert('L')), NEAREST resize to 64×64, keep where ≥ 128.

    Returns float32 [1, 64, 64] with 1 = keep (white), 0 = generate (black)."""
    from PIL import Image
    luma = np.asarray(Image.fromarray(rgb, "RGB").convert("L").resize((64, 64), resample=Image.NEAREST))
    return (luma >= MASK_THRESHOLD).astype(np.float32)[None]


def to_model_range(rgb: np.ndarray) -> torch.Tensor:
    """uint8 [H, W, 3] → float32 [1, 3, H, W] in [−1, 1]: x/127.5 − 1, as the notebook scales it."""
    return (torch.from_numpy(np.array(rgb, dtype=np.uint8)).float().permute(2, 0, 1) / 127.5 - 1)[None]


# ---------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------

def _source_image(rng: np.random.Generator, shape) -> np.ndarray:
    """Flat regions with hard edges, one-pixel lines and a two-pixel checkerboard (the filter's negative lobes
    overshoot and clip at 0 and 255), a ramp and a patch of random values. Mostly flat, so it compresses well."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[:] = (40, 90, 200)
    img[h // 2:] = (230, 200, 60)
    img[h // 8:h // 8 + h // 4, w // 6:w // 6 + w // 4] = (255, 0, 0)
    img[(y - 0.6 * h) ** 2 + (x - 0.7 * w) ** 2 < (0.15 * min(h, w)) ** 2] = (0, 0, 255)
    img[:, w // 2] = 255
    img[h // 3, :] = 0
    img[((y // 2 + x // 2) % 2 == 0) & (y >= h - h // 5) & (x < w // 3)] = 255
    ramp_h, ramp_w = max(8, h // 6), max(8, w // 6)
    img[h // 2 + 2:h // 2 + 2 + ramp_h, 2:2 + ramp_w, 1] = np.linspace(0, 255, ramp_w).round().astype(np.uint8)
    ph, pw = max(6, h // 10), max(6, w // 10)
    img[2:2 + ph, w - 2 - pw:w - 2] = rng.integers(0, 256, size=(ph, pw, 3))
    return img


def _mask_source(shape) -> np.ndarray:
    """A colour mask with grey levels: white top (keep), a grey ramp across the threshold, black bottom
    (generate), a red patch (luminance 76: generate) and a yellow one (226: keep)."""
    h, w = shape
    mask = np.zeros((h, w, 3), dtype=np.uint8)
    mask[: int(0.35 * h)] = 255
    ramp = slice(int(0.35 * h), int(0.5 * h))
    mask[ramp] = np.linspace(0, 255, w).round().astype(np.uint8)[None, :, None]
    mask[2:8, 4:14] = (255, 0, 0)
    mask[int(0.7 * h):int(0.7 * h) + 6, w - 16:w - 4] = (255, 255, 0)
    return mask


def build_resize(rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """The sources and PIL's resizes, as uint8 arrays [H, W, 3] (stored as float32: see `resize_arrays`)."""
    source = _source_image(rng, SOURCE_SHAPE)
    large = _source_image(rng, LARGE_SOURCE_SHAPE)
    mask_source = _mask_source(MASK_SOURCE_SHAPE)
    return {
        "source": source, "bicubic64": pil_bicubic(source, 64), "bicubic256": pil_bicubic(source, 256),
        "large_source": large, "large_bicubic64": pil_bicubic(large, 64), "large_bicubic256": pil_bicubic(large, 256),
        "mask_source": mask_source, "mask64": pil_mask64(mask_source),
    }


def resize_arrays(resize: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """What resize.npz stores: every array as float32 (the C# .npy reader has no uint8; 0…255 are exact)."""
    return {k: v.astype(np.float32) for k, v in resize.items()}


# ---------------------------------------------------------------------------------------------------------------
# The cascade (glide-spec §8.3)
# ---------------------------------------------------------------------------------------------------------------

def inpaint_models() -> Dict[str, Text2ImUNet]:
    """The tiny base-inpaint and upsample-inpaint models with the weights of tests/fixtures/tiny."""
    entries = random_entries("tiny", ALL_KINDS, FIXTURE_SEED)  # the same kinds, order and seed as fixtures.py
    return {e.kind: e.model.eval() for e in entries if e.kind in ("base-inpaint", "upsample-inpaint")}


def run_cascade(models: Dict[str, Text2ImUNet], prompt: Dict, image64: torch.Tensor, image256: torch.Tensor,
                mask64: torch.Tensor, upsample_from: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
    """The notebook's inpainting: CFG 5.0 ancestral base, then ancestral fast27 upsampling at temperature 0.997,
    both re-masking x0 through denoised_fn. Returns the finals and trajectories.

    `upsample_from` replaces the base's final as the upsampler's (quantized) input: `regenerate` passes the committed
    one, so that a pixel another CPU rounds across an 8-bit step does not move the upsampler's whole trajectory
    (the base's final is still compared on its own)."""
    mask256 = F.interpolate(mask64, size=(256, 256), mode="nearest")
    base, up = models["base-inpaint"], models["upsample-inpaint"]

    # Base: 2 rows (conditional, unconditional), inpaint_image = image·mask as the notebook passes it.
    tokens = torch.from_numpy(np.stack([prompt["tokens"], prompt["uncond_tokens"]]))
    mask = torch.from_numpy(np.stack([prompt["mask"], prompt["uncond_mask"]]))
    known64 = image64 * mask64

    def base_model(x, t):
        return base(x, t, tokens, mask, inpaint_image=known64.repeat(2, 1, 1, 1),
                    inpaint_mask=mask64.repeat(2, 1, 1, 1))

    diffusion = create_diffusion("squaredcos_cap_v2", BASE_RESPACING)
    noise = formula_noise(BASE_STREAM, diffusion.num_timesteps + 1, (1, 3, 64, 64))
    base_final, base_traj = diffusion.sample_loop(
        cfg_model_fn(base_model, INPAINT_GUIDANCE_SCALE), (1, 3, 64, 64), noise, kind="ancestral",
        denoised_fn=inpaint_denoised_fn(known64, mask64))

    # Upsampler: 1 row, no CFG, low_res quantized, the 256 image and the nearest-upsampled mask.
    up_tokens = torch.from_numpy(prompt["tokens"][None])
    up_mask = torch.from_numpy(prompt["mask"][None])
    low_res = quantize_low_res(base_final if upsample_from is None else upsample_from)
    known256 = image256 * mask256

    def up_model(x, t):
        return up(x, t, up_tokens, up_mask, low_res=low_res, inpaint_image=known256, inpaint_mask=mask256)

    up_diffusion = create_diffusion("linear", UPSAMPLE_RESPACING)
    up_noise = formula_noise(UPSAMPLE_STREAM, up_diffusion.num_timesteps + 1, (1, 3, 256, 256))
    up_final, up_traj = up_diffusion.sample_loop(
        up_model, (1, 3, 256, 256), up_noise, kind="ancestral", temperature=UPSAMPLE_TEMPERATURE,
        denoised_fn=inpaint_denoised_fn(known256, mask256))
    return {"tokens": tokens, "mask": mask, "up_tokens": up_tokens, "up_mask": up_mask, "mask256": mask256,
            "base_timesteps": torch.from_numpy(diffusion.timestep_map.astype(np.int64)),
            "upsample_timesteps": torch.from_numpy(up_diffusion.timestep_map.astype(np.int64)),
            "base_final": base_final, "base_trajectory": base_traj, "low_res": low_res,
            "upsample_final": up_final, "upsample_trajectory": up_traj}


def cascade_arrays(run: Dict[str, torch.Tensor]) -> Dict[str, np.ndarray]:
    """The stored part of a cascade run: the model rows, the settings, x_t on the grids and the base final."""
    return {
        "tokens": run["tokens"].numpy(), "mask": run["mask"].numpy(),
        "upsample_tokens": run["up_tokens"].numpy(), "upsample_mask": run["up_mask"].numpy(),
        "guidance_scale": np.float32(INPAINT_GUIDANCE_SCALE), "temperature": np.float32(UPSAMPLE_TEMPERATURE),
        "base_timesteps": run["base_timesteps"].numpy(), "upsample_timesteps": run["upsample_timesteps"].numpy(),
        "base_grid_stride": np.int64(BASE_STRIDE), "upsample_grid_stride": np.int64(UPSAMPLE_STRIDE),
        "base_x_t_grid": run["base_trajectory"][:, :, :, ::BASE_STRIDE, ::BASE_STRIDE].numpy(),
        "base_final": run["base_final"].numpy(),
        "upsample_x_t_grid": run["upsample_trajectory"][:, :, :, ::UPSAMPLE_STRIDE, ::UPSAMPLE_STRIDE].numpy(),
    }


def write_fixtures(out: str, log=print, upsample_from: Optional[np.ndarray] = None) -> Dict[str, torch.Tensor]:
    """Write resize.npz and cascade.npz under `out` (whose parent holds vectors/); returns the cascade run
    (`upsample_from`: see run_cascade)."""
    os.makedirs(out, exist_ok=True)
    resize = build_resize(np.random.default_rng(SEED))
    write_npz(os.path.join(out, "resize.npz"), resize_arrays(resize))
    log("inpaint fixture resize done")
    prompt = _prompt_tokens(os.path.dirname(os.path.abspath(out)))
    run = run_cascade(inpaint_models(), prompt, to_model_range(resize["bicubic64"]),
                      to_model_range(resize["bicubic256"]), torch.from_numpy(resize["mask64"])[None],
                      upsample_from=None if upsample_from is None else torch.from_numpy(upsample_from))
    write_npz(os.path.join(out, "cascade.npz"), cascade_arrays(run))
    log("inpaint fixture cascade done")
    return run


FILES = ("resize.npz", "cascade.npz")


def regenerate(committed: str, into: str, log=lambda *_: None) -> Dict[str, torch.Tensor]:
    """Regenerate into `into`/inpaint, beside a link to the committed vectors/; returns the cascade run."""
    vectors = os.path.join(os.path.dirname(os.path.abspath(committed)), "vectors")
    os.symlink(vectors, os.path.join(into, "vectors"))
    cascade = os.path.join(committed, "cascade.npz")
    pinned = np.load(cascade)["base_final"] if os.path.isfile(cascade) else None
    return write_fixtures(os.path.join(into, "inpaint"), log=log, upsample_from=pinned)


def compare_fixtures(committed: str, fresh: str) -> List[str]:
    """One line per difference between the committed files and a regeneration (empty = match); the same rule
    as the other fixtures: exact, or float arrays within CHECK_RTOL."""
    problems: List[str] = []
    present = sorted(os.listdir(committed)) if os.path.isdir(committed) else []
    for name in sorted(set(FILES) | set(present)):
        if name not in present:
            problems.append(f"{name}: missing from {committed}")
        elif name not in FILES:
            problems.append(f"{name}: committed but no longer generated")
        else:
            why = compare_arrays(os.path.join(committed, name), os.path.join(fresh, name))
            if why:
                problems.append(f"{name}: {why}")
    return problems


def check_fixtures(committed: str) -> List[str]:
    with tempfile.TemporaryDirectory() as tmp:
        regenerate(committed, tmp)
        return compare_fixtures(committed, os.path.join(tmp, "inpaint"))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="glide_export.inpaint_fixtures", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=default_out_dir(), help="directory to write (default: tests/fixtures/inpaint)")
    parser.add_argument("--check", action="store_true", help="compare a regeneration with the files in --out")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    if args.check:
        problems = check_fixtures(args.out)
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        return 1 if problems else 0
    write_fixtures(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
