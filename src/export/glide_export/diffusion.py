# Written from glide-spec.md; reference behaviour: glide_text2im gaussian_diffusion.py / respace.py
# (names only, no code copied).
"""Reference diffusion sampler for GLIDE (glide-spec §7 and §8).

This module is the Python-side reference for the sampling loop that the C# runtime re-implements:

- beta schedules and respacing (glide-spec §7.1, §7.2), computed in float64;
- one model evaluation turned into a posterior mean and variance (glide-spec §7.3);
- the ancestral (DDPM) step (§7.4), the DDIM step (§7.5) and the guidance hooks (§7.6);
- sampling loops fed with *injected* noise (src/export/FORMAT.md, "Noise and trajectory files");
- the notebook helpers: classifier-free guidance (§8.1), low-res quantisation (§8.2), inpainting (§8.3).

Conventions (glide-spec §7.3, §11 item 13): every table is computed in float64 and each per-step value is cast
to float32 on use; all tensor arithmetic is float32. ``i`` always denotes a *spaced* index (0 … S−1); the model
and ``cond_fn`` receive the *mapped original* timestep ``timestep_map[i]`` (glide-spec §11 item 3).
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Optional, Sequence, Union

import numpy as np
import torch

__all__ = [
    "BASE_GUIDANCE_SCALE",
    "INPAINT_GUIDANCE_SCALE",
    "UPSAMPLE_TEMPERATURE",
    "CondFn",
    "DenoisedFn",
    "Diffusion",
    "MeanVariance",
    "ModelFn",
    "cfg_model_fn",
    "create_diffusion",
    "get_named_beta_schedule",
    "inpaint_denoised_fn",
    "quantize_low_res",
    "space_timesteps",
]

#: Notebook defaults (glide-spec §8.1, §8.2, §8.3).
BASE_GUIDANCE_SCALE = 3.0
INPAINT_GUIDANCE_SCALE = 5.0
UPSAMPLE_TEMPERATURE = 0.997

#: model_fn(x_t [N,C,H,W] f32, t_mapped [N] int64) -> model output [N, 2C, H, W] f32 (eps, then v).
ModelFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
#: denoised_fn(pred_xstart) -> pred_xstart, applied before the [-1, 1] clamp (glide-spec §7.3 step 5).
DenoisedFn = Callable[[torch.Tensor], torch.Tensor]
#: cond_fn(x_t, t_mapped) -> gradient with the shape of x_t (glide-spec §7.6). It is called outside
#: torch.no_grad (only model_fn calls are wrapped), but should enable grad itself, as the reference's does.
CondFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

NoiseLike = Union[torch.Tensor, np.ndarray]

_COSINE_OFFSET = 0.008
_COSINE_MAX_BETA = 0.999
_LINEAR_BETA_START = 1e-4
_LINEAR_BETA_END = 0.02
_FAST27_SECTIONS = "10,10,3,2,2"


# ---------------------------------------------------------------------------------------------------------------------
# Schedules and respacing (glide-spec §7.1, §7.2)
# ---------------------------------------------------------------------------------------------------------------------


def _cosine_alpha_bar(s: float) -> float:
    """ᾱ(s) = cos²(((s + 0.008)/1.008)·π/2) (glide-spec §7.1, squaredcos_cap_v2)."""
    return math.cos((s + _COSINE_OFFSET) / (1.0 + _COSINE_OFFSET) * math.pi / 2) ** 2


def get_named_beta_schedule(name: str, steps: int = 1000) -> np.ndarray:
    """Float64 betas of a named schedule (glide-spec §7.1).

    - ``"squaredcos_cap_v2"`` (base models): β_i = min(1 − ᾱ((i+1)/steps)/ᾱ(i/steps), 0.999).
    - ``"linear"`` (upsamplers): linspace(1e-4·s, 0.02·s, steps) with s = 1000/steps.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if name == "squaredcos_cap_v2":
        betas = [
            min(1.0 - _cosine_alpha_bar((i + 1) / steps) / _cosine_alpha_bar(i / steps), _COSINE_MAX_BETA)
            for i in range(steps)
        ]
        return np.array(betas, dtype=np.float64)
    if name == "linear":
        scale = 1000 / steps
        return np.linspace(scale * _LINEAR_BETA_START, scale * _LINEAR_BETA_END, steps, dtype=np.float64)
    raise ValueError(f"unknown beta schedule {name!r}; expected 'squaredcos_cap_v2' or 'linear'")


def _parse_count(text: str, spec: str) -> int:
    """One positive step count of a respacing string."""
    item = text.strip()
    if not (item.isascii() and item.isdigit()):
        raise ValueError(f"malformed respacing {spec!r}: {text!r} is not a positive integer step count")
    count = int(item)
    if count < 1:
        raise ValueError(f"malformed respacing {spec!r}: step count must be at least 1, got {count}")
    return count


def _ddim_timesteps(num_timesteps: int, count: int, spec: str) -> set[int]:
    """"ddimN": the first integer stride k ≥ 1 with len(range(0, T, k)) == N (glide-spec §7.2)."""
    for stride in range(1, num_timesteps + 1):
        kept = range(0, num_timesteps, stride)
        if len(kept) == count:
            return set(kept)
    raise ValueError(
        f"respacing {spec!r}: cannot take exactly {count} of {num_timesteps} steps with an integer stride"
    )


def _section_timesteps(num_timesteps: int, counts: Sequence[int], spec: str) -> set[int]:
    """Comma-list respacing (glide-spec §7.2): equal sections, float64-accumulated stride, round half to even."""
    size_per, extra = divmod(num_timesteps, len(counts))
    if size_per == 0:
        raise ValueError(f"respacing {spec!r}: {len(counts)} sections do not fit in {num_timesteps} steps")
    steps: set[int] = set()
    start = 0
    for section, count in enumerate(counts):
        size = size_per + (1 if section < extra else 0)
        if count > size:
            raise ValueError(f"respacing {spec!r}: cannot take {count} steps from a section of {size}")
        stride = 1.0 if count <= 1 else (size - 1) / (count - 1)
        cur = 0.0
        for _ in range(count):
            steps.add(start + round(cur))  # Python round(): half to even
            cur += stride  # repeated float64 addition, not multiplication (glide-spec §7.2 step 3)
        start += size
    return steps


def space_timesteps(num_timesteps: int, spec: str) -> set[int]:
    """The set of original timesteps kept by a respacing string (glide-spec §7.2).

    Accepted forms: ``"N"``, comma lists ``"a,b,c"``, ``"ddimN"`` and ``"fast27"``. Anything else raises
    ``ValueError`` naming the problem.
    """
    if not isinstance(num_timesteps, int) or num_timesteps < 1:
        raise ValueError(f"num_timesteps must be a positive integer, got {num_timesteps!r}")
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"malformed respacing {spec!r}: expected 'N', 'a,b,…', 'ddimN' or 'fast27'")
    text = spec.strip()
    if text == "fast27":
        steps = _section_timesteps(num_timesteps, [_parse_count(c, spec) for c in _FAST27_SECTIONS.split(",")], spec)
        steps.discard(num_timesteps - 1)
        steps.add(num_timesteps - 3)
        return steps
    if text.startswith("fast"):
        raise ValueError(f"unknown respacing {spec!r}: the only 'fast' respacing is 'fast27'")
    if text.startswith("ddim"):
        return _ddim_timesteps(num_timesteps, _parse_count(text[len("ddim"):], spec), spec)
    counts = [_parse_count(part, spec) for part in text.split(",")]
    return _section_timesteps(num_timesteps, counts, spec)


# ---------------------------------------------------------------------------------------------------------------------
# The diffusion process (glide-spec §7.1, §7.2)
# ---------------------------------------------------------------------------------------------------------------------


class MeanVariance(NamedTuple):
    """Result of one model evaluation (glide-spec §7.3). All float32 with the shape of x_t."""

    mean: torch.Tensor
    variance: torch.Tensor
    log_variance: torch.Tensor
    pred_xstart: torch.Tensor
    eps: torch.Tensor


def _respaced_betas(alphas_cumprod: np.ndarray, timesteps: Sequence[int]) -> np.ndarray:
    """Spaced betas: β' = 1 − ᾱ_i/ᾱ_last_kept with ᾱ_last_kept starting at 1 (glide-spec §7.2)."""
    kept = set(timesteps)
    last = 1.0
    betas = []
    for i, alpha_bar in enumerate(alphas_cumprod):
        if i in kept:
            betas.append(1.0 - alpha_bar / last)
            last = alpha_bar
    return np.array(betas, dtype=np.float64)


class Diffusion:
    """Float64 tables of a (possibly respaced) diffusion process (glide-spec §7.1, §7.2).

    ``Diffusion(betas)`` is the unspaced process; ``Diffusion(betas, timesteps)`` keeps only ``timesteps`` (any
    iterable of original indices, used in ascending order as ``timestep_map``) and rebuilds every table from the
    spaced betas. All table attributes are float64 numpy arrays of length S = ``num_timesteps``.
    """

    def __init__(self, betas: Union[np.ndarray, Sequence[float]], timesteps: Optional[Sequence[int]] = None):
        base = np.asarray(betas, dtype=np.float64)
        if base.ndim != 1 or base.size == 0:
            raise ValueError(f"betas must be a non-empty 1-D array, got shape {base.shape}")
        if not np.all((base > 0) & (base <= 1)):
            raise ValueError("betas must lie in (0, 1]")
        self.original_num_timesteps = int(base.size)
        if timesteps is None:
            self.timestep_map = np.arange(base.size, dtype=np.int64)
            spaced = base
        else:
            kept = sorted({int(t) for t in timesteps})
            if not kept:
                raise ValueError("timesteps must not be empty")
            if kept[0] < 0 or kept[-1] >= base.size:
                raise ValueError(f"timesteps must lie in [0, {base.size - 1}], got {kept[0]} … {kept[-1]}")
            self.timestep_map = np.array(kept, dtype=np.int64)
            spaced = _respaced_betas(np.cumprod(1.0 - base), kept)
        self._build_tables(spaced)

    def _build_tables(self, betas: np.ndarray) -> None:
        """Every table of glide-spec §7.1, from the (spaced) betas, in float64."""
        self.betas = betas
        self.num_timesteps = int(betas.size)
        self.log_betas = np.log(betas)
        self.alphas = 1.0 - betas
        self.alphas_cumprod = np.cumprod(self.alphas)
        self.alphas_cumprod_prev = np.append(1.0, self.alphas_cumprod[:-1])
        self.sqrt_alphas_cumprod = np.sqrt(self.alphas_cumprod)
        self.sqrt_recip_alphas_cumprod = np.sqrt(1.0 / self.alphas_cumprod)
        self.sqrt_recipm1_alphas_cumprod = np.sqrt(1.0 / self.alphas_cumprod - 1.0)
        self.posterior_variance = betas * (1.0 - self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        # Entry 0 of the posterior variance is 0; its log is replaced by entry 1's (glide-spec §7.1).
        if self.num_timesteps > 1:
            clipped = np.append(self.posterior_variance[1], self.posterior_variance[1:])
        else:
            clipped = self.posterior_variance.copy()
        with np.errstate(divide="ignore"):
            self.posterior_log_variance_clipped = np.log(clipped)
        self.posterior_mean_coef1 = betas * np.sqrt(self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        self.posterior_mean_coef2 = (
            (1.0 - self.alphas_cumprod_prev) * np.sqrt(self.alphas) / (1.0 - self.alphas_cumprod)
        )

    # -----------------------------------------------------------------------------------------------------------------
    # Per-step helpers
    # -----------------------------------------------------------------------------------------------------------------

    def _f32(self, table: np.ndarray, i: int) -> torch.Tensor:
        """f32(table[i]) as a 0-dim float32 tensor (glide-spec §7.3, §11 item 13)."""
        return torch.tensor(np.float32(table[i]), dtype=torch.float32)

    def _check_index(self, i: int) -> None:
        if not 0 <= i < self.num_timesteps:
            raise ValueError(f"spaced index {i} out of range [0, {self.num_timesteps - 1}]")

    def mapped_timesteps(self, i: int, batch: int) -> torch.Tensor:
        """The original timestep of spaced index i, as an int64 tensor [batch] (glide-spec §7.3)."""
        self._check_index(i)
        return torch.full((batch,), int(self.timestep_map[i]), dtype=torch.int64)

    def predict_xstart_from_eps(self, x_t: torch.Tensor, i: int, eps: torch.Tensor) -> torch.Tensor:
        """x0 = f32(sqrt_recip'_i)·x_t − f32(sqrt_recipm1'_i)·eps (glide-spec §7.3 step 4)."""
        return self._f32(self.sqrt_recip_alphas_cumprod, i) * x_t - self._f32(self.sqrt_recipm1_alphas_cumprod, i) * eps

    def predict_eps_from_xstart(self, x_t: torch.Tensor, i: int, pred_xstart: torch.Tensor) -> torch.Tensor:
        """eps = (f32(sqrt_recip'_i)·x_t − x0)/f32(sqrt_recipm1'_i) (glide-spec §7.5 step 2)."""
        numerator = self._f32(self.sqrt_recip_alphas_cumprod, i) * x_t - pred_xstart
        return numerator / self._f32(self.sqrt_recipm1_alphas_cumprod, i)

    def q_posterior_mean(self, pred_xstart: torch.Tensor, x_t: torch.Tensor, i: int) -> torch.Tensor:
        """mean = f32(coef1'_i)·x0 + f32(coef2'_i)·x_t (glide-spec §7.3 step 6)."""
        return self._f32(self.posterior_mean_coef1, i) * pred_xstart + self._f32(self.posterior_mean_coef2, i) * x_t

    def p_mean_variance(
        self,
        model_output: torch.Tensor,
        x_t: torch.Tensor,
        i: int,
        denoised_fn: Optional[DenoisedFn] = None,
        clip: bool = True,
    ) -> MeanVariance:
        """Model output → mean, learned-range variance and x0 (glide-spec §7.3, §11 item 6).

        ``model_output`` is [N, 2C, H, W] for x_t [N, C, H, W]: eps first, then the variance value v.
        ``denoised_fn`` (e.g. inpainting, §8.3) is applied to x0 before the clamp to [−1, 1].
        """
        self._check_index(i)
        _check_model_output(model_output, x_t)
        channels = x_t.shape[1]
        eps, v = model_output[:, :channels], model_output[:, channels:]
        frac = (v + 1) / 2
        max_log = self._f32(self.log_betas, i)
        min_log = self._f32(self.posterior_log_variance_clipped, i)
        log_variance = frac * max_log + (1 - frac) * min_log
        variance = torch.exp(log_variance)
        pred_xstart = self.predict_xstart_from_eps(x_t, i, eps)
        if denoised_fn is not None:
            pred_xstart = denoised_fn(pred_xstart)
        if clip:
            pred_xstart = pred_xstart.clamp(-1, 1)
        mean = self.q_posterior_mean(pred_xstart, x_t, i)
        return MeanVariance(mean=mean, variance=variance, log_variance=log_variance, pred_xstart=pred_xstart, eps=eps)

    def condition_mean(
        self, out: MeanVariance, x_t: torch.Tensor, t_mapped: torch.Tensor, cond_fn: CondFn
    ) -> MeanVariance:
        """mean += σ²·cond_fn(x_t, mapped t) with σ² = exp(log σ²) (glide-spec §7.6, condition_mean)."""
        gradient = cond_fn(x_t, t_mapped)
        return out._replace(mean=out.mean.float() + out.variance * gradient.float())

    def condition_score(
        self, out: MeanVariance, x_t: torch.Tensor, i: int, t_mapped: torch.Tensor, cond_fn: CondFn
    ) -> MeanVariance:
        """eps ← eps − √(1−ᾱ_i)·cond_fn, then x0 and mean recomputed, not re-clamped (glide-spec §7.6)."""
        alpha_bar = self._f32(self.alphas_cumprod, i)
        eps = self.predict_eps_from_xstart(x_t, i, out.pred_xstart)
        eps = eps - torch.sqrt(1 - alpha_bar) * cond_fn(x_t, t_mapped)
        pred_xstart = self.predict_xstart_from_eps(x_t, i, eps)
        mean = self.q_posterior_mean(pred_xstart, x_t, i)
        return out._replace(mean=mean, pred_xstart=pred_xstart, eps=eps)

    def p_sample(
        self,
        model_output: torch.Tensor,
        x_t: torch.Tensor,
        i: int,
        noise: Optional[torch.Tensor],
        denoised_fn: Optional[DenoisedFn] = None,
        cond_fn: Optional[CondFn] = None,
    ) -> tuple[torch.Tensor, MeanVariance]:
        """One ancestral step (glide-spec §7.4): x_{t−1} = mean + [i≠0]·exp(0.5·log σ²)·noise.

        ``noise`` is required for i ≠ 0; at i = 0 it is multiplied by 0 (may be None). With ``cond_fn`` the mean
        is shifted first (§7.6). Returns (x_{t−1}, the evaluation).
        """
        out = self.p_mean_variance(model_output, x_t, i, denoised_fn=denoised_fn, clip=True)
        if cond_fn is not None:
            out = self.condition_mean(out, x_t, self.mapped_timesteps(i, x_t.shape[0]), cond_fn)
        if noise is None:
            if i != 0:
                raise ValueError(f"ancestral step at spaced index {i} needs noise")
            return out.mean, out
        _check_step_noise(noise, x_t)
        nonzero = 1.0 if i != 0 else 0.0
        sample = out.mean + nonzero * torch.exp(0.5 * out.log_variance) * noise
        return sample, out

    def ddim_sample(
        self,
        model_output: torch.Tensor,
        x_t: torch.Tensor,
        i: int,
        noise: Optional[torch.Tensor],
        eta: float = 0.0,
        denoised_fn: Optional[DenoisedFn] = None,
        cond_fn: Optional[CondFn] = None,
    ) -> tuple[torch.Tensor, MeanVariance]:
        """One DDIM step (glide-spec §7.5) with general eta.

        eps' is re-derived from the clamped x0; σ = eta·√((1−ᾱ_prev)/(1−ᾱ))·√(1−ᾱ/ᾱ_prev) from float32 values;
        x_{t−1} = x0·√ᾱ_prev + √(1−ᾱ_prev−σ²)·eps' + [i≠0]·σ·noise. ``noise`` may be None when eta = 0 or i = 0
        (the term is then exactly zero and is skipped). The variance channels are computed and ignored.
        """
        out = self.p_mean_variance(model_output, x_t, i, denoised_fn=denoised_fn, clip=True)
        if cond_fn is not None:
            out = self.condition_score(out, x_t, i, self.mapped_timesteps(i, x_t.shape[0]), cond_fn)
        eps = self.predict_eps_from_xstart(x_t, i, out.pred_xstart)
        alpha_bar = self._f32(self.alphas_cumprod, i)
        alpha_bar_prev = self._f32(self.alphas_cumprod_prev, i)
        sigma = eta * torch.sqrt((1 - alpha_bar_prev) / (1 - alpha_bar)) * torch.sqrt(1 - alpha_bar / alpha_bar_prev)
        mean = out.pred_xstart * torch.sqrt(alpha_bar_prev) + torch.sqrt(1 - alpha_bar_prev - sigma**2) * eps
        if noise is None:
            if eta != 0 and i != 0:
                raise ValueError(f"DDIM step with eta={eta} at spaced index {i} needs noise")
            return mean, out
        _check_step_noise(noise, x_t)
        nonzero = 1.0 if i != 0 else 0.0
        return mean + nonzero * sigma * noise, out

    # -----------------------------------------------------------------------------------------------------------------
    # Loops
    # -----------------------------------------------------------------------------------------------------------------

    def sample_loop(
        self,
        model_fn: ModelFn,
        shape: Sequence[int],
        noise: NoiseLike,
        kind: str = "ancestral",
        eta: float = 0.0,
        temperature: float = 1.0,
        denoised_fn: Optional[DenoisedFn] = None,
        cond_fn: Optional[CondFn] = None,
        record: bool = True,
    ) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Run the full reverse process with injected noise (glide-spec §7.4, §7.5; FORMAT.md "Noise").

        - ``noise``: float array/tensor (S+1, N, C, H, W). ``noise[0]·temperature`` is x_T; ``noise[k]`` is the
          draw of the k-th step taken, i.e. the step at spaced index S−k (k = 1 … S). float16 input is widened
          to float32 exactly. For ``kind="ddim"`` with ``eta == 0`` the per-step draws have no effect, so noise of
          shape (1, N, C, H, W) (x_T only) is accepted as well and gives the identical result.
        - ``temperature`` multiplies only x_T (the upsampler uses 0.997, glide-spec §8.2).
        - ``model_fn(x, t)`` gets x [N, C, H, W] and the mapped original timesteps ``timestep_map[i]`` (int64 [N]).
        - ``kind``: ``"ancestral"`` (p_sample loop) or ``"ddim"`` (ddim loop with ``eta``).

        Returns (final x0 [N, C, H, W], trajectory or None). The trajectory is a float32 tensor
        (S+1, N, C, H, W) with [0] = x_T and [S] = the final sample.
        """
        if kind not in ("ancestral", "ddim"):
            raise ValueError(f"unknown sampler kind {kind!r}; expected 'ancestral' or 'ddim'")
        if kind == "ancestral" and eta != 0:
            raise ValueError(f"eta={eta} only applies to kind='ddim'")
        if eta < 0:
            raise ValueError(f"eta must be non-negative, got {eta}")
        draws = _as_noise(noise, shape, self.num_timesteps, allow_x_t_only=(kind == "ddim" and eta == 0))
        x = draws[0] * temperature
        trajectory = [x] if record else None
        steps = self.num_timesteps
        for k in range(1, steps + 1):
            i = steps - k
            step_noise = draws[k] if draws.shape[0] > 1 else None
            with torch.no_grad():
                model_output = model_fn(x, self.mapped_timesteps(i, x.shape[0]))
            if kind == "ancestral":
                x, _ = self.p_sample(model_output, x, i, step_noise, denoised_fn=denoised_fn, cond_fn=cond_fn)
            else:
                x, _ = self.ddim_sample(
                    model_output, x, i, step_noise, eta=eta, denoised_fn=denoised_fn, cond_fn=cond_fn
                )
            x = x.detach()
            if trajectory is not None:
                trajectory.append(x)
        return x, (torch.stack(trajectory) if trajectory is not None else None)


def create_diffusion(schedule: str, respacing: Optional[str] = None, steps: int = 1000) -> Diffusion:
    """A named schedule, respaced as the reference does (e.g. ``create_diffusion("squaredcos_cap_v2", "100")``).

    Without a respacing the reference still builds a *spaced* process that keeps all ``steps`` timesteps, so
    its betas are re-derived as 1 − ᾱ_i/ᾱ_{i−1} (glide-spec §7.2). That differs from the raw betas by float64
    rounding only (~1e-14 relative in posterior_log_variance_clipped); the vectors' "none(1000)" tables match
    this form exactly. Use ``Diffusion(betas)`` for the un-respaced tables.
    """
    betas = get_named_beta_schedule(schedule, steps)
    timesteps = range(steps) if respacing is None else space_timesteps(steps, respacing)
    return Diffusion(betas, timesteps)


# ---------------------------------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------------------------------


def _check_model_output(model_output: torch.Tensor, x_t: torch.Tensor) -> None:
    if x_t.dim() != 4:
        raise ValueError(f"x_t must be [N, C, H, W], got shape {tuple(x_t.shape)}")
    n, c, h, w = x_t.shape
    if tuple(model_output.shape) != (n, 2 * c, h, w):
        raise ValueError(f"model output must have shape {(n, 2 * c, h, w)} for x_t {tuple(x_t.shape)}, "
                         f"got {tuple(model_output.shape)}")
    if model_output.dtype != torch.float32 or x_t.dtype != torch.float32:
        raise ValueError(f"model output and x_t must be float32, got {model_output.dtype} and {x_t.dtype}")


def _check_step_noise(noise: torch.Tensor, x_t: torch.Tensor) -> None:
    if noise.shape != x_t.shape:
        raise ValueError(f"step noise must have the shape of x_t {tuple(x_t.shape)}, got {tuple(noise.shape)}")


def _as_noise(noise: NoiseLike, shape: Sequence[int], steps: int, allow_x_t_only: bool) -> torch.Tensor:
    """Validate injected noise (S+1, *shape) and return it as float32 (FORMAT.md "Noise and trajectory files")."""
    tensor = torch.from_numpy(np.ascontiguousarray(noise)) if isinstance(noise, np.ndarray) else noise
    if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point():
        raise ValueError("noise must be a floating-point tensor or array")
    shape = tuple(int(s) for s in shape)
    if len(shape) != 4:
        raise ValueError(f"shape must be (N, C, H, W), got {shape}")
    full = (steps + 1,) + shape
    if tuple(tensor.shape) == full or (allow_x_t_only and tuple(tensor.shape) == (1,) + shape):
        return tensor.to(torch.float32)
    accepted = f"{full}" + (f" or {(1,) + shape}" if allow_x_t_only else "")
    raise ValueError(f"noise has shape {tuple(tensor.shape)}; expected {accepted} (S+1 = {steps + 1} draws of {shape})")


# ---------------------------------------------------------------------------------------------------------------------
# Notebook procedures (glide-spec §8)
# ---------------------------------------------------------------------------------------------------------------------


def cfg_model_fn(
    model: Callable[..., torch.Tensor],
    guidance_scale: Union[float, torch.Tensor],
    model_kwargs: Optional[dict] = None,
) -> ModelFn:
    """Classifier-free guidance on B image rows (glide-spec §8.1, §11 item 10).

    ``model(x, t, **model_kwargs)`` is the raw network taking 2B rows: the first B conditional, the last B
    unconditional (its tokens/masks/inpaint inputs live in ``model_kwargs`` or in the closure). The returned
    function takes x_t [B, C, H, W] and t [B], feeds the model [x_t; x_t] with [t; t], and returns
    [B, 2C, H, W]: guided eps = uncond + s·(cond − uncond), then the *conditional* half's variance channels.
    ``guidance_scale`` is a scalar or a tensor of B per-row scales. The spec allows keeping only the B rows; the
    reference's discarded second half never affects the first (§8.1, measured bit-identical).
    """
    kwargs = dict(model_kwargs or {})

    def guided(x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        batch, channels = x_t.shape[0], x_t.shape[1]
        scale = _guidance_scale(guidance_scale, batch)
        out = model(torch.cat([x_t, x_t], dim=0), torch.cat([t, t], dim=0), **kwargs)
        if out.shape[0] != 2 * batch or out.shape[1] != 2 * channels:
            raise ValueError(f"CFG model must return [{2 * batch}, {2 * channels}, H, W], got {tuple(out.shape)}")
        cond_eps, uncond_eps = out[:batch, :channels], out[batch:, :channels]
        eps = uncond_eps + scale * (cond_eps - uncond_eps)
        return torch.cat([eps, out[:batch, channels:]], dim=1)

    return guided


def _guidance_scale(scale: Union[float, torch.Tensor], batch: int) -> Union[float, torch.Tensor]:
    """A scalar stays a Python float; a per-row tensor becomes float32 [B, 1, 1, 1]."""
    if isinstance(scale, torch.Tensor):
        if scale.dim() == 0:
            return float(scale)
        if tuple(scale.shape) != (batch,):
            raise ValueError(f"per-row guidance scale must have shape ({batch},), got {tuple(scale.shape)}")
        return scale.to(torch.float32).view(batch, 1, 1, 1)
    return float(scale)


def quantize_low_res(x: torch.Tensor) -> torch.Tensor:
    """low_res = round((x+1)·127.5)/127.5 − 1 with torch.round (half to even), no clamp (glide-spec §8.2)."""
    return torch.round((x + 1) * 127.5) / 127.5 - 1


def inpaint_denoised_fn(image: torch.Tensor, mask: torch.Tensor) -> DenoisedFn:
    """Re-mask the predicted x0: x0 ← x0·(1−mask) + image·mask, before the clamp (glide-spec §8.3, §11 item 11).

    In the reference, ``image`` is the ``inpaint_image`` model kwarg, which is already the source times the mask;
    the formula multiplies by the mask again. For a binary (0/1) mask, passing the raw source image or
    source·mask gives bit-identical results, so either is accepted. ``image`` is [B or 1, C, H, W], ``mask`` is
    [B or 1, 1, H, W] with 1 = known (kept) pixels. x_t itself is never overwritten.
    """
    image = image.to(torch.float32)
    mask = mask.to(torch.float32)

    def denoised(pred_xstart: torch.Tensor) -> torch.Tensor:
        return pred_xstart * (1 - mask) + image * mask

    return denoised
