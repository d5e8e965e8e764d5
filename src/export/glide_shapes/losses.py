"""GLIDE's training objective: noise prediction plus the learned-variance bound term (the "hybrid" loss).

For a model that outputs [ε̂, v] (6 channels): L = ‖ε − ε̂‖² + L_vlb, where L_vlb is the variational bound term for
timestep t computed with ε̂ held fixed (gradient only through v), as in improved DDPM: KL(q(x_{t−1}|x_t,x_0) ‖
p(x_{t−1}|x_t)) in bits for t > 0 and the discretised Gaussian decoder NLL at t = 0. The model's variance is the
spec's interpolation (glide-spec §7.3): log σ² = f·log β_t + (1 − f)·log β̃_t, f = (v + 1)/2.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from glide_export.diffusion import get_named_beta_schedule


BASE_SCHEDULE, UPSAMPLE_SCHEDULE = "squaredcos_cap_v2", "linear"
SCHEDULES = {"base": BASE_SCHEDULE, "upsample": UPSAMPLE_SCHEDULE}  # the UNets' noise schedules (glide-spec)


class NoiseSchedule:
    """The 1000-step tables a training step needs, on one device, in float32 (computed in float64)."""

    def __init__(self, name: str, device: torch.device | str, steps: int = 1000):
        betas = get_named_beta_schedule(name, steps)
        alphas = 1.0 - betas
        ac = np.cumprod(alphas)
        ac_prev = np.append(1.0, ac[:-1])
        post_var = betas * (1.0 - ac_prev) / (1.0 - ac)
        tables = {
            "sqrt_ac": np.sqrt(ac),
            "sqrt_1m_ac": np.sqrt(1.0 - ac),
            "sqrt_recip_ac": np.sqrt(1.0 / ac),
            "sqrt_recipm1_ac": np.sqrt(1.0 / ac - 1.0),
            "post_log_var": np.log(np.append(post_var[1], post_var[1:])),
            "log_betas": np.log(betas),
            "coef1": betas * np.sqrt(ac_prev) / (1.0 - ac),
            "coef2": (1.0 - ac_prev) * np.sqrt(alphas) / (1.0 - ac),
        }
        self.steps = steps
        self.t = {k: torch.tensor(v, dtype=torch.float32, device=device) for k, v in tables.items()}

    def at(self, name: str, t: torch.Tensor) -> torch.Tensor:
        return self.t[name][t].view(-1, 1, 1, 1)

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return self.at("sqrt_ac", t) * x0 + self.at("sqrt_1m_ac", t) * noise

    def predict_x0(self, x_t: torch.Tensor, t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """x0 = x_t/√ᾱ − √(1/ᾱ − 1)·ε̂, unclipped, in the sampler's float32 arithmetic (glide-spec's predicted x0)."""
        return self.at("sqrt_recip_ac", t) * x_t - self.at("sqrt_recipm1_ac", t) * eps


def _normal_kl(mean1, logvar1, mean2, logvar2):
    return 0.5 * (-1.0 + logvar2 - logvar1 + torch.exp(logvar1 - logvar2) + (mean1 - mean2) ** 2 * torch.exp(-logvar2))


def _approx_std_normal_cdf(x):
    return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _discretized_gaussian_log_likelihood(x, mean, log_scale):
    """log P(x) for x on the 256-level grid in [−1, 1] under N(mean, exp(log_scale)²) binned to width 2/255."""
    centered = x - mean
    inv_std = torch.exp(-log_scale)
    cdf_plus = _approx_std_normal_cdf(inv_std * (centered + 1.0 / 255.0))
    cdf_min = _approx_std_normal_cdf(inv_std * (centered - 1.0 / 255.0))
    log_cdf_plus = torch.log(cdf_plus.clamp(min=1e-12))
    log_one_minus_cdf_min = torch.log((1.0 - cdf_min).clamp(min=1e-12))
    log_delta = torch.log((cdf_plus - cdf_min).clamp(min=1e-12))
    return torch.where(x < -0.999, log_cdf_plus, torch.where(x > 0.999, log_one_minus_cdf_min, log_delta))


def hybrid_loss(schedule: NoiseSchedule, output: torch.Tensor, x0: torch.Tensor, x_t: torch.Tensor,
                t: torch.Tensor, noise: torch.Tensor, max_weight: float = 1.0
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, mse, vb), each a scalar mean over the batch; `output` is the model's [N, 6, H, W].

    With `max_weight` > 1 each sample's ε MSE is weighted by 1/SNR(t) clamped to [1, max_weight] (the loss's
    `mse` stays unweighted, for the logs). ε-MSE is SNR × the x0 error, so at high t — where only the caption says
    what the picture will be — getting x0 wrong costs almost nothing; the weight gives those steps a real share of
    the gradient. Below SNR 1 nothing changes."""
    output = output.float()
    eps, v = output[:, :3], output[:, 3:]
    mse = ((noise - eps) ** 2).mean(dim=(1, 2, 3))
    weight = snr_weight(schedule, t, max_weight)
    # The bound term trains only the variance: the mean comes from a detached ε̂.
    frac = (v + 1.0) / 2.0
    model_log_var = frac * schedule.at("log_betas", t) + (1.0 - frac) * schedule.at("post_log_var", t)
    pred_x0 = schedule.predict_x0(x_t, t, eps.detach())
    model_mean = schedule.at("coef1", t) * pred_x0 + schedule.at("coef2", t) * x_t
    true_mean = schedule.at("coef1", t) * x0 + schedule.at("coef2", t) * x_t
    true_log_var = schedule.at("post_log_var", t)
    kl = _normal_kl(true_mean, true_log_var, model_mean, model_log_var).mean(dim=(1, 2, 3)) / math.log(2.0)
    nll = -_discretized_gaussian_log_likelihood(x0, model_mean, 0.5 * model_log_var).mean(dim=(1, 2, 3)) / math.log(2.0)
    vb = torch.where(t == 0, nll, kl) * (schedule.steps / 1000.0)
    return (weight * mse + vb).mean(), mse.mean(), vb.mean()


def snr_weight(schedule: NoiseSchedule, t: torch.Tensor, max_weight: float) -> torch.Tensor:
    """clamp(1 / SNR(t), 1, max_weight) per sample; SNR = ᾱ / (1 − ᾱ)."""
    inv_snr = schedule.t["sqrt_recipm1_ac"][t] ** 2
    return inv_snr.clamp(min=1.0, max=max(1.0, max_weight))


def low_frequency_loss(schedule: NoiseSchedule, eps: torch.Tensor, noise: torch.Tensor, t: torch.Tensor,
                       max_weight: float, cells: int = 4) -> torch.Tensor:
    """The x0 error of a cells × cells thumbnail, per sample clamp(1/SNR(t), 1, max_weight) × its ε error, averaged.

    Sampling starts at t = 999, where x0 = (x_t − √(1−ᾱ)·ε̂)/√ᾱ multiplies ε̂'s error by 1/√ᾱ ≈ 20,000 and clips
    it to [−1, 1]: unless ε̂'s error is balanced around zero in every channel and region, the first step's x0 is a
    saturated colour, which the next steps (correctly) read as the picture's background and layout. ε-MSE charges
    such a bias almost nothing (an error of 0.03 in one channel's mean costs 0.001), so small models learn it last;
    this term charges it in x0 terms — where the evaluator and the sampler feel it."""
    if eps.shape != noise.shape or eps.shape[-1] % cells or eps.shape[-2] % cells:
        raise ValueError(f"low_frequency_loss: ε̂ {tuple(eps.shape)} and noise {tuple(noise.shape)} must match and "
                         f"divide into {cells}×{cells} cells")
    err = F.adaptive_avg_pool2d(eps.float() - noise, cells)
    return (snr_weight(schedule, t, max_weight) * (err ** 2).mean(dim=(1, 2, 3))).mean()


def first_step_loss(schedule: NoiseSchedule, eps: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The squared error of ε̂'s per-channel mean, for the samples at the sampler's first step (t = steps − 1) only.

    There x0 = (x_t − ε̂)·20,412 before clipping (probe.first_step), so the mean of ε̂'s error sets the colour of the
    whole first x0; unlike at t = 990 or 950, the target is exact (√ᾱ = 5·10⁻⁵: ε ≈ x_t), so a large weight charges
    a bias and nothing irreducible. Averaged over the whole batch, so its size follows the share of such samples."""
    if eps.shape != noise.shape:
        raise ValueError(f"first_step_loss: ε̂ {tuple(eps.shape)} and noise {tuple(noise.shape)} must match")
    first = (t == schedule.steps - 1).float()
    return (first * ((eps.float() - noise).mean(dim=(2, 3)) ** 2).mean(dim=1)).mean()
