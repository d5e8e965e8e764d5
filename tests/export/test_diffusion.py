"""Tests of the reference diffusion sampler (glide_export.diffusion) against glide-spec §7, §8 and the vectors.

The step-math tests compute their expectations by hand: the float64 tables come from the closed-form schedule
formulas (glide-spec §7.1) evaluated with `math`, and the per-element float32 arithmetic is done with numpy
float32 scalars, independently of the module under test.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from glide_export.diffusion import (
    Diffusion,
    cfg_model_fn,
    create_diffusion,
    get_named_beta_schedule,
    inpaint_denoised_fn,
    quantize_low_res,
    space_timesteps,
)

torch.set_num_threads(2)

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "schedules.json"
SCHEDULES = ("squaredcos_cap_v2", "linear")
F = np.float32


@pytest.fixture(scope="module")
def vectors() -> dict:
    with VECTORS.open(encoding="utf-8") as f:
        return json.load(f)


def _assert_rel_close(actual: np.ndarray, expected: np.ndarray, rtol: float, what: str) -> None:
    """|a − e| ≤ rtol·|e| elementwise; an expected 0 must be matched exactly."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    bad = np.abs(actual - expected) > rtol * np.abs(expected)
    assert not bad.any(), f"{what}: {bad.sum()} entries off, first at {np.argmax(bad)}"


# ---------------------------------------------------------------------------------------------------------------------
# Schedules and respacing vs the reference vectors (glide-spec §7.1, §7.2)
# ---------------------------------------------------------------------------------------------------------------------


def _respacings(vectors: dict, schedule: str) -> list[str]:
    return [k.split(":", 1)[1] for k in vectors[schedule] if k.startswith("respacing:")]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_betas_match_vectors(vectors: dict, schedule: str) -> None:
    _assert_rel_close(get_named_beta_schedule(schedule), vectors[schedule]["betas_1000"], 1e-12, schedule)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_respaced_table_matches_vectors(vectors: dict, schedule: str) -> None:
    respacings = _respacings(vectors, schedule)
    assert len(respacings) >= 10
    for respacing in respacings:
        entry = vectors[schedule][f"respacing:{respacing}"]
        if respacing.startswith("none"):
            diffusion = create_diffusion(schedule, None)
            assert diffusion.num_timesteps == entry["timesteps_count"]
            assert diffusion.timestep_map.tolist() == list(range(entry["timesteps_count"]))
        else:
            diffusion = create_diffusion(schedule, respacing)
            assert diffusion.timestep_map.tolist() == entry["timesteps"], respacing
            assert diffusion.timestep_map.dtype == np.int64
        tables = [k for k in entry if k not in ("timesteps", "timesteps_count")]
        assert tables, respacing
        for table in tables:
            _assert_rel_close(getattr(diffusion, table), entry[table], 1e-12, f"{schedule} {respacing} {table}")


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_space_timesteps_matches_vectors_exactly(vectors: dict, schedule: str) -> None:
    for respacing in _respacings(vectors, schedule):
        if respacing.startswith("none"):
            continue
        assert sorted(space_timesteps(1000, respacing)) == vectors[schedule][f"respacing:{respacing}"]["timesteps"]


def test_space_timesteps_spec_facts() -> None:
    # glide-spec §7.2 table and §11 item 9.
    assert sorted(space_timesteps(1000, "27"))[13] == 499  # 13 float64 additions give 499.4999… → 499
    # "21": stride 999/20 = 49.95. Ten float64 additions give 499.4999… → 499, whereas 10·49.95 = 499.5 exactly,
    # which would round (half to even) to 500. Only the accumulated form matches the reference.
    assert 499 in space_timesteps(1000, "21") and 500 not in space_timesteps(1000, "21")
    fast27 = sorted(space_timesteps(1000, "fast27"))
    assert len(fast27) == 27 and fast27[-1] == 997 and 999 not in fast27
    assert sorted(space_timesteps(1000, "ddim25")) == list(range(0, 1000, 40))
    assert sorted(space_timesteps(1000, "ddim50")) == list(range(0, 1000, 20))
    # ddim7 is attainable: stride 143 gives ceil(1000/143) = 7 steps.
    assert sorted(space_timesteps(1000, "ddim7")) == list(range(0, 1000, 143))
    assert sorted(space_timesteps(1000, "1")) == [0]
    assert space_timesteps(1000, "1000") == set(range(1000))


def test_final_step_coefficients_are_exact() -> None:
    # glide-spec §7.4 step 3: at spaced index 0, coef1' = 1 and coef2' = 0 exactly.
    for schedule in SCHEDULES:
        for respacing in ("100", "fast27", "ddim50"):
            d = create_diffusion(schedule, respacing)
            assert d.posterior_mean_coef1[0] == 1.0 and d.posterior_mean_coef2[0] == 0.0
            assert d.alphas_cumprod_prev[0] == 1.0


# ---------------------------------------------------------------------------------------------------------------------
# Step math on a hand-computed case (glide-spec §7.3 – §7.6)
# ---------------------------------------------------------------------------------------------------------------------


def _cosine_alpha_bar(t: int) -> float:
    """ᾱ_t of squaredcos_cap_v2 for t < 999: the β-product telescopes to ᾱ((t+1)/1000)/ᾱ(0)."""
    f = lambda s: math.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    return f((t + 1) / 1000) / f(0.0)


def _linear_alpha_bar(t: int) -> float:
    """ᾱ_t of the linear schedule: Π_{j≤t} (1 − β_j), β_j = 1e-4 + j·(0.02 − 1e-4)/999."""
    product = 1.0
    for j in range(t + 1):
        product *= 1.0 - (1e-4 + j * (0.02 - 1e-4) / 999)
    return product


def _hand_tables(alpha_bar: float, alpha_bar_prev: float) -> dict[str, float]:
    """The §7.1 tables of one spaced step (i ≥ 1), from ᾱ'_i = ᾱ_{map[i]} and ᾱ'_{i−1} = ᾱ_{map[i−1]}."""
    beta = 1.0 - alpha_bar / alpha_bar_prev
    posterior_variance = beta * (1.0 - alpha_bar_prev) / (1.0 - alpha_bar)
    return {
        "alpha_bar": alpha_bar,
        "alpha_bar_prev": alpha_bar_prev,
        "log_beta": math.log(beta),
        "log_post": math.log(posterior_variance),
        "coef1": beta * math.sqrt(alpha_bar_prev) / (1.0 - alpha_bar),
        "coef2": (1.0 - alpha_bar_prev) * math.sqrt(1.0 - beta) / (1.0 - alpha_bar),
        "sqrt_recip": math.sqrt(1.0 / alpha_bar),
        "sqrt_recipm1": math.sqrt(1.0 / alpha_bar - 1.0),
    }


def _hand_x0(tab: dict[str, float], x: float, eps: float) -> tuple[np.float32, np.float32]:
    """(unclamped, clamped) x0 in float32 (glide-spec §7.3 step 4, 5)."""
    x0 = F(tab["sqrt_recip"]) * F(x) - F(tab["sqrt_recipm1"]) * F(eps)
    return x0, F(min(max(x0, F(-1)), F(1)))


def _tensor(values: list[float]) -> torch.Tensor:
    """A 1×1×1×len tensor."""
    return torch.tensor(values, dtype=torch.float32).view(1, 1, 1, len(values))


def _model_output(eps: list[float], v: list[float]) -> torch.Tensor:
    return torch.cat([_tensor(eps), _tensor(v)], dim=1)


X = [0.3, -1.2]
EPS = [0.5, -0.25]
V = [0.2, -0.6]
NOISE = [0.7, -1.1]
CLOSE = dict(rtol=2e-6, atol=1e-7)


def test_p_mean_variance_and_ancestral_step_by_hand() -> None:
    d = create_diffusion("squaredcos_cap_v2", "27")
    i = 13
    assert d.timestep_map[i] == 499 and d.timestep_map[i - 1] == 461
    tab = _hand_tables(_cosine_alpha_bar(499), _cosine_alpha_bar(461))

    x0_raw, mean, log_var, sample = [], [], [], []
    for x, e, v, z in zip(X, EPS, V, NOISE):
        _, x0 = _hand_x0(tab, x, e)
        frac = (F(v) + F(1)) / F(2)
        lv = frac * F(tab["log_beta"]) + (F(1) - frac) * F(tab["log_post"])
        m = F(tab["coef1"]) * x0 + F(tab["coef2"]) * F(x)
        x0_raw.append(x0)
        log_var.append(lv)
        mean.append(m)
        sample.append(m + np.exp(F(0.5) * lv) * F(z))
    assert x0_raw[1] == -1.0 and -1.0 < x0_raw[0] < 1.0  # one clamped, one not

    out = d.p_mean_variance(_model_output(EPS, V), _tensor(X), i)
    np.testing.assert_allclose(out.pred_xstart.flatten().numpy(), x0_raw, **CLOSE)
    np.testing.assert_allclose(out.log_variance.flatten().numpy(), log_var, **CLOSE)
    np.testing.assert_allclose(out.variance.flatten().numpy(), np.exp(np.array(log_var, dtype=F)), **CLOSE)
    np.testing.assert_allclose(out.mean.flatten().numpy(), mean, **CLOSE)
    assert out.mean.dtype == torch.float32

    step, _ = d.p_sample(_model_output(EPS, V), _tensor(X), i, _tensor(NOISE))
    np.testing.assert_allclose(step.flatten().numpy(), sample, **CLOSE)


def test_condition_mean_by_hand() -> None:
    # glide-spec §7.6: mean += σ²·cond_fn(x_t, mapped t), before the noise is added.
    d = create_diffusion("squaredcos_cap_v2", "27")
    i = 13
    seen: list[torch.Tensor] = []

    def cond_fn(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        seen.append(t)
        return torch.full_like(x, 0.5)

    plain = d.p_mean_variance(_model_output(EPS, V), _tensor(X), i)
    step, _ = d.p_sample(_model_output(EPS, V), _tensor(X), i, _tensor(NOISE), cond_fn=cond_fn)
    expected = plain.mean + plain.variance * 0.5 + torch.exp(0.5 * plain.log_variance) * _tensor(NOISE)
    assert torch.equal(step, expected)
    assert seen[0].dtype == torch.int64 and seen[0].tolist() == [499]


@pytest.mark.parametrize("eta", [0.0, 0.5])
def test_ddim_step_by_hand(eta: float) -> None:
    d = create_diffusion("linear", "fast27")
    i = 21
    assert d.timestep_map[i] == 500 and d.timestep_map[i - 1] == 400
    tab = _hand_tables(_linear_alpha_bar(500), _linear_alpha_bar(400))
    eps_in = [0.29, -0.25]
    ab, abp = F(tab["alpha_bar"]), F(tab["alpha_bar_prev"])
    sigma = F(eta) * np.sqrt((F(1) - abp) / (F(1) - ab)) * np.sqrt(F(1) - ab / abp)

    x0s, expected = [], []
    for x, e, z in zip(X, eps_in, NOISE):
        _, x0 = _hand_x0(tab, x, e)
        eps = (F(tab["sqrt_recip"]) * F(x) - x0) / F(tab["sqrt_recipm1"])
        x0s.append(x0)
        expected.append(x0 * np.sqrt(abp) + np.sqrt(F(1) - abp - sigma * sigma) * eps + sigma * F(z))
    assert x0s[1] == -1.0 and -1.0 < x0s[0] < 1.0

    step, out = d.ddim_sample(_model_output(eps_in, V), _tensor(X), i, _tensor(NOISE), eta=eta)
    np.testing.assert_allclose(out.pred_xstart.flatten().numpy(), x0s, **CLOSE)
    np.testing.assert_allclose(step.flatten().numpy(), expected, **CLOSE)
    if eta == 0.0:  # the noise has no effect at eta = 0
        without, _ = d.ddim_sample(_model_output(eps_in, V), _tensor(X), i, None, eta=eta)
        assert torch.equal(step, without)


@pytest.mark.parametrize("kind", ["ancestral", "ddim"])
def test_final_step_returns_clamped_x0(kind: str) -> None:
    d = create_diffusion("squaredcos_cap_v2", "27")
    assert d.timestep_map[0] == 0
    alpha_bar = _cosine_alpha_bar(0)
    sqrt_recip, sqrt_recipm1 = math.sqrt(1.0 / alpha_bar), math.sqrt(1.0 / alpha_bar - 1.0)
    x, eps = [0.3, -1.2], [0.5, -0.25]
    expected = [F(sqrt_recip) * F(x[0]) - F(sqrt_recipm1) * F(eps[0]), F(-1.0)]

    if kind == "ancestral":
        step, out = d.p_sample(_model_output(eps, V), _tensor(x), 0, _tensor(NOISE))
    else:
        step, out = d.ddim_sample(_model_output(eps, V), _tensor(x), 0, _tensor(NOISE), eta=0.5)
    assert torch.equal(step, out.pred_xstart)  # the noise is not added at i = 0
    np.testing.assert_allclose(step.flatten().numpy(), expected, **CLOSE)
    assert step.abs().max() <= 1.0


# ---------------------------------------------------------------------------------------------------------------------
# Classifier-free guidance (glide-spec §8.1)
# ---------------------------------------------------------------------------------------------------------------------


class _FakeCfgModel:
    """Conditional rows (first half): eps = x + 1, v = 0.25; unconditional rows: eps = x − 2, v = −0.75."""

    def __init__(self) -> None:
        self.calls: list[tuple[torch.Tensor, torch.Tensor]] = []

    def __call__(self, x: torch.Tensor, t: torch.Tensor, **kwargs: object) -> torch.Tensor:
        self.calls.append((x, t))
        half = x.shape[0] // 2
        eps = torch.cat([x[:half] + 1, x[half:] - 2])
        v = torch.cat([torch.full_like(x[:half], 0.25), torch.full_like(x[half:], -0.75)])
        return torch.cat([eps, v], dim=1)


def test_cfg_combines_halves_and_keeps_conditional_variance() -> None:
    model = _FakeCfgModel()
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    t = torch.tensor([499, 499])
    out = cfg_model_fn(model, 3.0)(x, t)

    fed_x, fed_t = model.calls[0]
    assert torch.equal(fed_x, torch.cat([x, x])) and fed_t.tolist() == [499] * 4
    assert out.shape == (2, 6, 4, 4)
    # uncond + s·(cond − uncond) = (x − 2) + 3·3
    assert torch.allclose(out[:, :3], x + 7, atol=1e-6)
    assert torch.equal(out[:, 3:], torch.full_like(x, 0.25))


def test_cfg_per_row_scale_and_kwargs() -> None:
    model = _FakeCfgModel()
    seen: dict = {}

    def with_kwargs(x: torch.Tensor, t: torch.Tensor, **kwargs: object) -> torch.Tensor:
        seen.update(kwargs)
        return model(x, t)

    x = torch.zeros(2, 3, 2, 2)
    out = cfg_model_fn(with_kwargs, torch.tensor([1.0, 3.0]), {"tokens": "T"})(x, torch.tensor([5, 5]))
    assert seen == {"tokens": "T"}
    assert torch.equal(out[0, :3], torch.full((3, 2, 2), 1.0))  # −2 + 1·3
    assert torch.equal(out[1, :3], torch.full((3, 2, 2), 7.0))  # −2 + 3·3
    with pytest.raises(ValueError, match="guidance scale"):
        cfg_model_fn(model, torch.tensor([1.0, 2.0, 3.0]))(x, torch.tensor([5, 5]))


# ---------------------------------------------------------------------------------------------------------------------
# Loops with injected noise (glide-spec §7.4, §7.5; FORMAT.md "Noise and trajectory files")
# ---------------------------------------------------------------------------------------------------------------------


SHAPE = (2, 3, 4, 4)


def _toy_model(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """A deterministic stand-in for the UNet: eps depends on x and the original timestep."""
    eps = 0.3 * x + 1e-3 * t.to(torch.float32).view(-1, 1, 1, 1)
    return torch.cat([eps, torch.tanh(x)], dim=1)


def _noise(steps: int, seed: int = 1) -> torch.Tensor:
    return torch.randn((steps + 1,) + SHAPE, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("kind,eta", [("ancestral", 0.0), ("ddim", 0.0), ("ddim", 0.5)])
def test_loop_is_deterministic_and_records_trajectory(kind: str, eta: float) -> None:
    d = create_diffusion("squaredcos_cap_v2", "10")
    noise = _noise(d.num_timesteps)
    final, trajectory = d.sample_loop(_toy_model, SHAPE, noise, kind=kind, eta=eta)
    again, _ = d.sample_loop(_toy_model, SHAPE, noise.clone(), kind=kind, eta=eta)
    assert torch.equal(final, again)
    assert trajectory is not None and trajectory.shape == (d.num_timesteps + 1,) + SHAPE
    assert trajectory.dtype == torch.float32
    assert torch.equal(trajectory[0], noise[0]) and torch.equal(trajectory[-1], final)
    assert final.abs().max() <= 1.0
    none_final, none_trajectory = d.sample_loop(_toy_model, SHAPE, noise, kind=kind, eta=eta, record=False)
    assert none_trajectory is None and torch.equal(none_final, final)


def test_loop_calls_model_with_mapped_timesteps_and_uses_noise_k_at_index_s_minus_k() -> None:
    d = create_diffusion("squaredcos_cap_v2", "10")
    steps = d.num_timesteps
    seen: list[list[int]] = []

    def recording(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        assert t.dtype == torch.int64 and t.shape == (SHAPE[0],)
        seen.append(t.tolist())
        return _toy_model(x, t)

    noise = _noise(steps)
    final, trajectory = d.sample_loop(recording, SHAPE, noise)
    assert [row[0] for row in seen] == d.timestep_map[::-1].tolist()

    # noise[S] is the draw of the step at spaced index 0, which adds no noise.
    changed = noise.clone()
    changed[steps] += 1.0
    assert torch.equal(d.sample_loop(_toy_model, SHAPE, changed)[0], final)
    # noise[1] is the draw of the first step (spaced index S−1): it changes x after that step.
    changed = noise.clone()
    changed[1] += 1.0
    _, other = d.sample_loop(_toy_model, SHAPE, changed)
    assert torch.equal(other[0], trajectory[0]) and not torch.equal(other[1], trajectory[1])


def test_ddim_eta0_needs_only_x_t() -> None:
    d = create_diffusion("linear", "fast27")
    noise = _noise(d.num_timesteps)
    full, full_trajectory = d.sample_loop(_toy_model, SHAPE, noise, kind="ddim", temperature=0.997)
    short, short_trajectory = d.sample_loop(_toy_model, SHAPE, noise[:1], kind="ddim", temperature=0.997)
    assert torch.equal(full, short) and torch.equal(full_trajectory, short_trajectory)
    # Only x_T is allowed to be given alone for DDIM with eta = 0.
    with pytest.raises(ValueError, match="noise has shape"):
        d.sample_loop(_toy_model, SHAPE, noise[:1], kind="ddim", eta=0.5)
    with pytest.raises(ValueError, match="noise has shape"):
        d.sample_loop(_toy_model, SHAPE, noise[:1], kind="ancestral")


@pytest.mark.parametrize("kind", ["ancestral", "ddim"])
def test_temperature_scales_only_x_t(kind: str) -> None:
    d = create_diffusion("squaredcos_cap_v2", "10")
    noise = _noise(d.num_timesteps)
    final, trajectory = d.sample_loop(_toy_model, SHAPE, noise, kind=kind, temperature=0.997)
    assert torch.equal(trajectory[0], noise[0] * 0.997)
    prescaled = noise.clone()
    prescaled[0] = noise[0] * 0.997
    assert torch.equal(d.sample_loop(_toy_model, SHAPE, prescaled, kind=kind)[0], final)


def test_float16_numpy_noise_is_accepted() -> None:
    d = create_diffusion("squaredcos_cap_v2", "10")
    noise16 = _noise(d.num_timesteps).numpy().astype(np.float16)
    final16, _ = d.sample_loop(_toy_model, SHAPE, noise16)
    final32, _ = d.sample_loop(_toy_model, SHAPE, torch.from_numpy(noise16.astype(np.float32)))
    assert final16.dtype == torch.float32 and torch.equal(final16, final32)


# ---------------------------------------------------------------------------------------------------------------------
# Upsampler and inpainting helpers (glide-spec §8.2, §8.3)
# ---------------------------------------------------------------------------------------------------------------------


def test_quantize_low_res_levels() -> None:
    x = torch.linspace(-1, 1, 1001)
    q = quantize_low_res(x)
    levels = (q + 1) * 127.5
    assert torch.allclose(levels, levels.round(), atol=1e-4)
    assert q[0] == -1.0 and q[-1] == 1.0
    assert (q - x).abs().max() <= 1 / 255 + 1e-6


@pytest.mark.parametrize("kind", ["ancestral", "ddim"])
def test_inpaint_keeps_known_region_exactly(kind: str) -> None:
    d = create_diffusion("squaredcos_cap_v2", "10")
    image = torch.rand(SHAPE, generator=torch.Generator().manual_seed(3)) * 2 - 1
    mask = torch.ones(SHAPE[0], 1, SHAPE[2], SHAPE[3])
    mask[:, :, 2:] = 0  # keep the top 2 rows (glide-spec §8.3 keeps the top 20 of 64)
    noise = _noise(d.num_timesteps)

    final, _ = d.sample_loop(_toy_model, SHAPE, noise, kind=kind,
                             denoised_fn=inpaint_denoised_fn(image * mask, mask))
    known = mask.expand(SHAPE).bool()
    assert torch.equal(final[known], image[known])
    assert not torch.equal(final[~known], image[~known])
    # The raw image gives the identical result for a binary mask.
    raw, _ = d.sample_loop(_toy_model, SHAPE, noise, kind=kind, denoised_fn=inpaint_denoised_fn(image, mask))
    assert torch.equal(raw, final)


def test_denoised_fn_runs_before_the_clamp() -> None:
    # glide-spec §7.3 step 5: denoised_fn first, then clamp x0 to [−1, 1].
    d = create_diffusion("squaredcos_cap_v2", "27")
    out = d.p_mean_variance(_model_output(EPS, V), _tensor(X), 13, denoised_fn=lambda x0: x0 + 10)
    assert torch.equal(out.pred_xstart, torch.ones(1, 1, 1, 2))
    unclipped = d.p_mean_variance(_model_output(EPS, V), _tensor(X), 13, clip=False)
    assert unclipped.pred_xstart.min() < -1.0


def test_inpaint_denoised_fn_formula() -> None:
    x0 = torch.tensor([[[[3.0, -0.5]]]])
    image = torch.tensor([[[[0.25, 0.75]]]])
    mask = torch.tensor([[[[1.0, 0.0]]]])
    assert torch.equal(inpaint_denoised_fn(image, mask)(x0), torch.tensor([[[[0.25, -0.5]]]]))


# ---------------------------------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------------------------------


def test_unknown_schedule() -> None:
    with pytest.raises(ValueError, match="unknown beta schedule 'cosine'"):
        get_named_beta_schedule("cosine")
    with pytest.raises(ValueError, match="unknown beta schedule"):
        create_diffusion("quadratic", "100")


@pytest.mark.parametrize(
    "spec,message",
    [
        ("fast28", "only 'fast' respacing is 'fast27'"),
        ("ddim37", "cannot take exactly 37 of 1000 steps"),
        ("ddim999", "cannot take exactly 999 of 1000 steps"),
        ("ddim1001", "cannot take exactly 1001"),
        ("ddim", "is not a positive integer"),
        ("ddim0", "step count must be at least 1"),
        ("abc", "'abc' is not a positive integer"),
        ("0", "step count must be at least 1"),
        ("", "malformed respacing"),
        ("10,,5", "'' is not a positive integer"),
        ("-5", "'-5' is not a positive integer"),
        ("2.5", "'2.5' is not a positive integer"),
        ("1001", "cannot take 1001 steps from a section of 1000"),
    ],
)
def test_bad_respacing(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        space_timesteps(1000, spec)


def test_bad_noise_and_arguments() -> None:
    d = create_diffusion("squaredcos_cap_v2", "10")
    with pytest.raises(ValueError, match=r"noise has shape \(10, 2, 3, 4, 4\); expected \(11, 2, 3, 4, 4\)"):
        d.sample_loop(_toy_model, SHAPE, torch.zeros((10,) + SHAPE))
    with pytest.raises(ValueError, match="noise has shape"):
        d.sample_loop(_toy_model, SHAPE, torch.zeros((11, 2, 3, 4, 5)))
    with pytest.raises(ValueError, match="floating-point"):
        d.sample_loop(_toy_model, SHAPE, torch.zeros((11,) + SHAPE, dtype=torch.int64))
    with pytest.raises(ValueError, match="unknown sampler kind 'plms'"):
        d.sample_loop(_toy_model, SHAPE, _noise(10), kind="plms")
    with pytest.raises(ValueError, match="eta=0.5 only applies"):
        d.sample_loop(_toy_model, SHAPE, _noise(10), eta=0.5)
    with pytest.raises(ValueError, match="model output must have shape"):
        d.sample_loop(lambda x, t: x, SHAPE, _noise(10))
    with pytest.raises(ValueError, match="spaced index 10 out of range"):
        d.p_mean_variance(_model_output(EPS, V), _tensor(X), 10)
    with pytest.raises(ValueError, match="timesteps must lie in"):
        Diffusion(get_named_beta_schedule("linear"), [0, 1000])
