"""Step-by-step fixtures of the reference sampler on random model outputs, for the C# sampler tests.

The trajectory fixtures (fixtures.py) need the tiny UNet to replay; these need no model: every model output is
given, so a sampler port can be checked step by step against ``diffusion.py`` alone (glide-spec §7.3 – §7.5, §8).

    cd src/export && /usr/bin/python3 -m glide_export.sampler_fixtures            # write tests/fixtures/sampler
    cd src/export && /usr/bin/python3 -m glide_export.sampler_fixtures --check    # compare with the committed files

Schedule, respacing and step kind of each case are in ``CASES`` below (and in the C# tests' table; the
``timesteps`` key catches a mismatch). Keys of each ``<case>.npz`` (one image [C, H, W]; S spaced steps; spaced
index i = S−k at the k-th step taken):

| key | shape / dtype | meaning |
| --- | --- | --- |
| ``timesteps`` | int64 [S] | ``timestep_map``: the original timestep the model saw at spaced index i |
| ``eta``, ``temperature`` | float32 [1] | DDIM eta (0 for ancestral); x_T = noise[0]·temperature |
| ``model_output`` | float16 [S, 2C, H, W] | the model output at spaced index i (eps ‖ v); absent with CFG |
| ``cond``, ``uncond`` | float16 [S, 2C, H, W] | with CFG: the conditional and unconditional rows at spaced index i |
| ``guidance_scale`` | float32 [1] | with CFG only |
| ``inpaint_image``, ``inpaint_mask`` | float32 [C, H, W], [1, H, W] | inpainting only: denoised_fn's image, mask |
| ``noise`` | float16 [S+1 or 1, C, H, W] | [0] is x_T before the temperature, [k] the k-th step's draw |
| ``x_t`` | float32 [S+1, C, H, W] | the trajectory: [0] = x_T, [k] = x after k steps, [S] = the final sample |
| ``pred_xstart`` | float32 [S, C, H, W] | the clamped x0 at spaced index i |

Model outputs and noise are stored as float16 values (exact in float32) only to keep the files small.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Dict, List, NamedTuple, Optional

import numpy as np
import torch

from .diffusion import UPSAMPLE_TEMPERATURE, cfg_model_fn, create_diffusion, inpaint_denoised_fn
from .export import write_npz
from .fixtures import compare_arrays

SEED = 2024
# Learned-range values slightly beyond [−1, 1]: the reference does not clamp v (glide-spec §7.3 step 3).
V_RANGE = 1.1


class Case(NamedTuple):
    name: str
    schedule: str
    respacing: str
    kind: str
    shape: tuple
    eta: float = 0.0
    temperature: float = 1.0
    guidance_scale: Optional[float] = None
    inpaint: bool = False
    x_t_only: bool = False


CASES: List[Case] = [
    # The base model: cosine schedule, ancestral steps, classifier-free guidance 3.0 (glide-spec §8.1).
    Case("ancestral-cosine-25-cfg", "squaredcos_cap_v2", "25", "ancestral", (3, 8, 8), guidance_scale=3.0),
    # The text2im upsampler: linear schedule, fast27 DDIM with eta 0, temperature 0.997, x_T only (§8.2).
    Case("ddim-linear-fast27", "linear", "fast27", "ddim", (3, 8, 8), temperature=UPSAMPLE_TEMPERATURE,
         x_t_only=True),
    # DDIM with eta > 0 reads every step's draw (§7.5).
    Case("ddim-cosine-10-eta", "squaredcos_cap_v2", "10", "ddim", (3, 4, 4), eta=0.5),
    # The inpainting upsampler: ancestral fast27 on the linear schedule, x0 re-masked before the clamp (§8.3).
    Case("ancestral-linear-fast27-inpaint", "linear", "fast27", "ancestral", (3, 4, 4),
         temperature=UPSAMPLE_TEMPERATURE, inpaint=True),
]


def default_out_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "tests", "fixtures", "sampler"))


def _outputs(rng: np.random.Generator, steps: int, shape: tuple) -> np.ndarray:
    """[S, 2C, H, W] float16: eps ~ N(0, 1) on channels 0…C−1, v ~ U(−1.1, 1.1) on C…2C−1."""
    eps = rng.standard_normal((steps, *shape), dtype=np.float32)
    v = rng.uniform(-V_RANGE, V_RANGE, size=(steps, *shape)).astype(np.float32)
    return np.concatenate([eps, v], axis=1).astype(np.float16)


def build_case(case: Case, seed: int) -> Dict[str, np.ndarray]:
    """Run the reference steps of one case and return its arrays."""
    rng = np.random.default_rng(seed)
    diffusion = create_diffusion(case.schedule, case.respacing)
    steps = diffusion.num_timesteps
    timestep_map = diffusion.timestep_map.tolist()
    channels = case.shape[0]
    arrays: Dict[str, np.ndarray] = {
        "timesteps": diffusion.timestep_map.astype(np.int64),
        "eta": np.float32(case.eta),
        "temperature": np.float32(case.temperature),
    }

    if case.guidance_scale is not None:
        cond, uncond = _outputs(rng, steps, case.shape), _outputs(rng, steps, case.shape)
        arrays.update(cond=cond, uncond=uncond, guidance_scale=np.float32(case.guidance_scale))

        def raw_model(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            # 2 rows: the conditional output, then the unconditional one, at the step of the mapped timestep.
            i = timestep_map.index(int(t[0]))
            assert x.shape[0] == 2 and int(t[1]) == int(t[0])
            return torch.from_numpy(np.stack([cond[i], uncond[i]]).astype(np.float32))

        model_fn = cfg_model_fn(raw_model, case.guidance_scale)
    else:
        outputs = _outputs(rng, steps, case.shape)
        arrays["model_output"] = outputs

        def model_fn(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            return torch.from_numpy(outputs[timestep_map.index(int(t[0]))][None].astype(np.float32))

    denoised_fn = None
    if case.inpaint:
        image = rng.uniform(-1.0, 1.0, size=case.shape).astype(np.float32)
        mask = np.ones((1, *case.shape[1:]), dtype=np.float32)
        mask[:, case.shape[1] // 2:] = 0.0  # keep the top half (the notebook keeps the top 20 of 64 rows)
        arrays.update(inpaint_image=image, inpaint_mask=mask)
        denoised_fn = inpaint_denoised_fn(torch.from_numpy(image[None]), torch.from_numpy(mask[None]))

    draws = 1 if case.x_t_only else steps + 1
    noise = rng.standard_normal((draws, 1, *case.shape), dtype=np.float32).astype(np.float16)
    arrays["noise"] = noise[:, 0]

    # The steps one by one, keeping x0; then the reference loop itself, which must give the same trajectory.
    x = torch.from_numpy(noise[0].astype(np.float32)) * case.temperature
    trajectory, pred_xstart = [x], [None] * steps
    for k in range(1, steps + 1):
        i = steps - k
        step_noise = torch.from_numpy(noise[k].astype(np.float32)) if draws > 1 else None
        output = model_fn(x, diffusion.mapped_timesteps(i, 1))
        if case.kind == "ancestral":
            x, out = diffusion.p_sample(output, x, i, step_noise, denoised_fn=denoised_fn)
        else:
            x, out = diffusion.ddim_sample(output, x, i, step_noise, eta=case.eta, denoised_fn=denoised_fn)
        trajectory.append(x)
        pred_xstart[i] = out.pred_xstart
    loop_final, loop_trajectory = diffusion.sample_loop(
        model_fn, (1, *case.shape), noise, kind=case.kind, eta=case.eta, temperature=case.temperature,
        denoised_fn=denoised_fn)
    manual = torch.stack(trajectory)
    assert torch.equal(manual, loop_trajectory), f"{case.name}: step-by-step run differs from sample_loop"
    assert torch.equal(loop_final, manual[-1])

    arrays["x_t"] = manual[:, 0].numpy()
    arrays["pred_xstart"] = torch.stack(pred_xstart)[:, 0].numpy()
    return arrays


def write_fixtures(out: str, log=print) -> None:
    os.makedirs(out, exist_ok=True)
    for n, case in enumerate(CASES):
        write_npz(os.path.join(out, f"{case.name}.npz"), build_case(case, SEED + n))
        log(f"sampler fixture {case.name} done")


def check_fixtures(committed: str) -> List[str]:
    """One line per difference between the committed files and a regeneration (empty = match)."""
    problems: List[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        write_fixtures(tmp, log=lambda *_: None)
        expected = sorted(f"{c.name}.npz" for c in CASES)
        present = sorted(os.listdir(committed)) if os.path.isdir(committed) else []
        for name in sorted(set(expected) | set(present)):
            if name not in present:
                problems.append(f"{name}: missing from {committed}")
                continue
            if name not in expected:
                problems.append(f"{name}: committed but no longer generated")
                continue
            # Same rule as the model fixtures: exact, or within CHECK_RTOL where another CPU rounds differently.
            why = compare_arrays(os.path.join(committed, name), os.path.join(tmp, name))
            if why:
                problems.append(f"{name}: {why}")
    return problems


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="glide_export.sampler_fixtures", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=default_out_dir(), help="directory to write (default: tests/fixtures/sampler)")
    parser.add_argument("--check", action="store_true", help="compare a regeneration with the files in --out")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.check:
        problems = check_fixtures(args.out)
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        return 1 if problems else 0
    write_fixtures(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
