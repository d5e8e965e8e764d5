"""The inpainting fixtures (tests/fixtures/inpaint): they match a fresh regeneration; PIL's BICUBIC resize is the
documented fixed-point filter (reimplemented here in numpy, as the C# port implements it); the reference cascade
keeps the known region exactly; and the rebuilt tiny inpaint models are the committed graphs' weights.

Needs Pillow (Debian's python3-pil, which python3-torch pulls in through python3-sympy's recommendation).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from glide_export.inpaint_fixtures import (
    SEED, build_resize, compare_fixtures, formula_noise, inpaint_models, pil_bicubic, pil_mask64, regenerate,
    to_model_range,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
INPAINT = FIXTURES / "inpaint"

torch.set_num_threads(2)


# ---------------------------------------------------------------------------------------------------------------
# The documented resize: Pillow's BICUBIC (Resample.c), a = −0.5, support 2 widened by the scale when shrinking,
# coefficients normalised and rounded to 22-bit fixed point, horizontal pass first with an 8-bit intermediate.
# ---------------------------------------------------------------------------------------------------------------

PRECISION_BITS = 32 - 8 - 2


def _cubic(x: float) -> float:
    a = -0.5
    x = abs(x)
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    if x < 2.0:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


def _coefficients(in_size: int, out_size: int):
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 2.0 * filterscale
    rows = []
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size) - xmin
        weights = [_cubic((x + xmin - center + 0.5) / filterscale) for x in range(xmax)]
        total = sum(weights)
        if total != 0.0:
            weights = [w / total for w in weights]
        fixed = [int(-0.5 + w * (1 << PRECISION_BITS)) if w < 0 else int(0.5 + w * (1 << PRECISION_BITS))
                 for w in weights]
        rows.append((xmin, np.array(fixed, dtype=np.int64)))
    return rows


def _pass(image: np.ndarray, out_size: int, axis: int) -> np.ndarray:
    """One 1-D pass along `axis` (1 = horizontal, 0 = vertical) of a uint8 [H, W, 3] image."""
    if image.shape[axis] == out_size:
        return image  # Pillow skips a pass whose size does not change
    src = np.moveaxis(image.astype(np.int64), axis, 0)
    out = np.empty((out_size,) + src.shape[1:], dtype=np.uint8)
    for xx, (xmin, k) in enumerate(_coefficients(src.shape[0], out_size)):
        acc = (1 << (PRECISION_BITS - 1)) + np.tensordot(k, src[xmin:xmin + len(k)], axes=(0, 0))
        out[xx] = np.clip(acc >> PRECISION_BITS, 0, 255)
    return np.moveaxis(out, 0, axis)


def numpy_bicubic(rgb: np.ndarray, size: int) -> np.ndarray:
    return _pass(_pass(rgb, size, axis=1), size, axis=0)


@pytest.fixture(scope="module")
def resize() -> dict:
    return build_resize(np.random.default_rng(SEED))


@pytest.mark.parametrize("key", ["source", "large_source"])
@pytest.mark.parametrize("size", [64, 256])
def test_pil_bicubic_is_the_documented_fixed_point_filter(resize: dict, key: str, size: int) -> None:
    np.testing.assert_array_equal(numpy_bicubic(resize[key], size), pil_bicubic(resize[key], size))


@pytest.mark.parametrize("shape", [(1, 1), (3, 200), (64, 64), (257, 31), (640, 480)])
def test_pil_bicubic_matches_on_random_images(shape) -> None:
    rgb = np.random.default_rng(shape[0] * 1000 + shape[1]).integers(0, 256, size=(*shape, 3), dtype=np.uint8)
    for size in (64, 256):
        np.testing.assert_array_equal(numpy_bicubic(rgb, size), pil_bicubic(rgb, size))


def test_mask_rule_thresholds_the_luminance_of_the_nearest_pixel(resize: dict) -> None:
    src = resize["mask_source"].astype(np.int64)
    luma = (src[..., 0] * 19595 + src[..., 1] * 38470 + src[..., 2] * 7471 + 0x8000) >> 16
    h, w = luma.shape
    rows = np.floor((np.arange(64) + 0.5) * h / 64).astype(int)
    cols = np.floor((np.arange(64) + 0.5) * w / 64).astype(int)
    expected = (luma[rows][:, cols] >= 128).astype(np.float32)[None]
    np.testing.assert_array_equal(pil_mask64(resize["mask_source"]), expected)
    keep = expected.mean()
    assert 0.2 < keep < 0.8, f"the fixture mask should keep part and paint part, keeps {keep:.0%}"


def test_formula_noise_is_the_documented_hash() -> None:
    def splitmix(x: int) -> int:
        m = (1 << 64) - 1
        x = (x + 0x9E3779B97F4A7C15) & m
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
        return x ^ (x >> 31)

    noise = formula_noise(1, 3, (1, 3, 4, 5))
    for k, e in [(0, 0), (1, 7), (2, 59)]:
        u = splitmix((1 << 48) + (k << 32) + e) >> 40
        expected = np.float32(((u + 0.5) / 16777216.0 - 0.5) * (2.0 * math.sqrt(3.0)))
        assert noise.reshape(3, -1)[k, e] == expected
    big = formula_noise(0, 1, (1, 3, 256, 256))
    assert abs(float(big.mean())) < 0.01 and abs(float(big.std()) - 1.0) < 0.01


# ---------------------------------------------------------------------------------------------------------------
# The committed files and the reference cascade
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple:
    """One regeneration (the cascade takes a while) for every test below: (its directory, the cascade run)."""
    tmp = tmp_path_factory.mktemp("inpaint")
    run = regenerate(str(INPAINT), str(tmp))
    return tmp / "inpaint", run


def test_committed_inpaint_fixtures_match_a_fresh_regeneration(fresh: tuple) -> None:
    problems = compare_fixtures(str(INPAINT), str(fresh[0]))
    assert problems == [], ("inpaint fixtures drifted; run `python3 -m glide_export.inpaint_fixtures` (src/export):\n"
                            + "\n".join(problems))


def test_rebuilt_inpaint_models_are_the_committed_graphs() -> None:
    """The cascade runs on models rebuilt from the fixture seed: they must reproduce the committed verify outputs."""
    models = inpaint_models()
    for kind, model in models.items():
        with np.load(FIXTURES / "tiny" / "verify" / f"{kind}.unet.npz") as z:
            inputs = {k[3:]: torch.from_numpy(z[k]) for k in z.files if k.startswith("in.")}
            expected = z["out.model_output"]
        extras = {k: inputs[k] for k in ("low_res", "inpaint_image", "inpaint_mask") if k in inputs}
        x = model.assemble_input(inputs["x_t"], **extras)
        with torch.no_grad():
            out = model.denoise(x, inputs["timesteps"], inputs["xf_proj"], inputs["xf_out"]).numpy()
        assert np.max(np.abs(out - expected)) <= 1e-5 * max(1.0, float(np.max(np.abs(expected)))), kind


def test_reference_cascade_keeps_the_known_region_exactly(resize: dict, fresh: tuple) -> None:
    run = fresh[1]
    mask64 = torch.from_numpy(resize["mask64"])[None]
    image64, image256 = to_model_range(resize["bicubic64"]), to_model_range(resize["bicubic256"])
    keep64, keep256 = mask64.expand_as(image64) == 1, run["mask256"].expand_as(image256) == 1
    assert torch.equal(run["base_final"][keep64], image64[keep64])
    assert torch.equal(run["upsample_final"][keep256], image256[keep256])
    # The generated region is the model's own: it differs from the source somewhere.
    assert not torch.equal(run["upsample_final"][~keep256], image256[~keep256])
    # The 256 mask is the 64 mask repeated in 4×4 blocks.
    assert torch.equal(run["mask256"], mask64.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3))
    assert torch.all(run["base_final"].abs() <= 1) and torch.all(run["upsample_final"].abs() <= 1)
