"""Test fixtures for the C# side: the tiny model set and reference sampler trajectories, regenerated from seeds.

`python3 -m glide_export fixtures` writes them; `--check` regenerates into a temporary directory and compares with
the committed files. Layout and keys: tests/fixtures/README.md.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import tempfile
from typing import Dict, List, Optional

import numpy as np
import torch

from .diffusion import (BASE_GUIDANCE_SCALE, UPSAMPLE_TEMPERATURE, cfg_model_fn, create_diffusion,
                        quantize_low_res)
from .clip_fixtures import write_clip_guided_trajectory
from .export import export_model_set, write_npz
from .models import ClipPair
from .nets_unet import Text2ImUNet
from .options import ALL_KINDS
from .rerank_fixture import SUBDIR as RERANK_SUBDIR, write_rerank_fixture
from .sources import random_entries

FIXTURE_SEED = 0
NOISE_SEED = 1234
# The prompt whose reference tokens (tests/fixtures/vectors/tokenizer_glide.json) condition the trajectories.
PROMPT_INDEX = 0
# Trajectories keep every step, but intermediate x_t only on a spatial grid (every STRIDE-th pixel): an error
# anywhere reaches the grid within a step through the UNet's receptive field, and this keeps the fixtures small.
# x_T and the final sample are stored in full.
STRIDE = {64: 2, 256: 8}  # a 32×32 grid per channel at either size
# Numeric tolerance when a regenerated float array is not bit-identical: another CPU's SIMD kernels round
# differently, and 25–100 sampling steps add it up. Fixtures made on an AVX-512 machine, regenerated on an AVX2-only
# one: up to 2.2e-5 in base-25's trajectory, 5.0e-5 in the inpainting cascade's base, 2.6e-4 in a few of the 196,608
# values of upsample-fast27's final image (from the same low-res input); 1e-3 leaves room for other CPUs. A change to
# the code or the seeds moves these arrays by far more.
CHECK_RTOL = 1e-3
# One step of the 8-bit quantization the upsampler's low-res input goes through (glide-spec §8.2).
LOW_RES_LEVEL = 1 / 127.5


def default_fixtures_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "tests", "fixtures"))


def _vectors_dir(fixtures_dir: str) -> str:
    return os.path.join(fixtures_dir, "vectors")


def _prompt_tokens(fixtures_dir: str) -> Dict:
    with open(os.path.join(_vectors_dir(fixtures_dir), "tokenizer_glide.json"), encoding="utf-8") as f:
        vec = json.load(f)
    row = vec["items"][PROMPT_INDEX]
    uncond = vec["uncond"]
    return {"prompt": row["prompt"], "tokens": np.asarray(row["padded_tokens"], dtype=np.int64),
            "mask": np.asarray(row["mask"], dtype=np.bool_),
            "uncond_tokens": np.asarray(uncond["padded_tokens"], dtype=np.int64),
            "uncond_mask": np.asarray(uncond["mask"], dtype=np.bool_)}


def _noise(seed: int, steps: int, shape) -> np.ndarray:
    """Standard-normal draws rounded to float16 (exactly representable, half the bytes)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((steps + 1, *shape), dtype=np.float32).astype(np.float16)


def _save_npy(path: str, array: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.lib.format.write_array(f, np.ascontiguousarray(array), allow_pickle=False)


def base_trajectory(model: Text2ImUNet, prompt: Dict, respacing: str, noise: np.ndarray) -> Dict[str, np.ndarray]:
    """CFG ancestral sampling of one image with guidance 3.0 (glide-spec §8.1)."""
    diffusion = create_diffusion("squaredcos_cap_v2", respacing)
    tokens = torch.from_numpy(np.stack([prompt["tokens"], prompt["uncond_tokens"]]))
    mask = torch.from_numpy(np.stack([prompt["mask"], prompt["uncond_mask"]]))

    def model2(x, t):
        return model(x, t, tokens, mask)

    size = model.opts.image_size
    final, traj = diffusion.sample_loop(cfg_model_fn(model2, BASE_GUIDANCE_SCALE), (1, 3, size, size),
                                        torch.from_numpy(noise), kind="ancestral")
    s = STRIDE[size]
    return {"timesteps": diffusion.timestep_map.astype(np.int64), "guidance_scale": np.float32(BASE_GUIDANCE_SCALE),
            "tokens": tokens.numpy(), "mask": mask.numpy(), "x_t_grid": traj[:, :, :, ::s, ::s].numpy(),
            "grid_stride": np.int64(s), "final": final.numpy()}


def upsample_trajectory(model: Text2ImUNet, prompt: Dict, low_res_source: np.ndarray,
                        noise: np.ndarray) -> Dict[str, np.ndarray]:
    """fast27 DDIM (eta 0) upsampling with temperature 0.997 (glide-spec §8.2)."""
    diffusion = create_diffusion("linear", "fast27")
    low_res = quantize_low_res(torch.from_numpy(low_res_source))
    tokens = torch.from_numpy(prompt["tokens"][None])
    mask = torch.from_numpy(prompt["mask"][None])

    def model_fn(x, t):
        return model(x, t, tokens, mask, low_res=low_res)

    size = model.opts.image_size
    final, traj = diffusion.sample_loop(model_fn, (1, 3, size, size), torch.from_numpy(noise), kind="ddim",
                                        eta=0.0, temperature=UPSAMPLE_TEMPERATURE)
    s = STRIDE[size]
    return {"timesteps": diffusion.timestep_map.astype(np.int64), "temperature": np.float32(UPSAMPLE_TEMPERATURE),
            "tokens": tokens.numpy(), "mask": mask.numpy(), "low_res": low_res.numpy(),
            "x_t_grid": traj[:, :, :, ::s, ::s].numpy(), "grid_stride": np.int64(s), "final": final.numpy()}


def generate_fixtures(out: str, log=print, upsample_low_res: Optional[np.ndarray] = None) -> None:
    """Write tiny/, trajectories/ and rerank/ under `out` (vectors/ is a copy of the reference data and is left
    alone).

    The upsampler trajectory starts from base-100's final image, quantized to 8 bits; `upsample_low_res` gives it
    that input instead (`regenerate` pins the committed one: on another CPU a pixel of the base's final can round
    across an 8-bit step, and the upsampler's whole trajectory would follow it; `compare_fixtures` checks the pinned
    input against the fresh base separately, to one step)."""
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    entries = random_entries("tiny", ALL_KINDS, FIXTURE_SEED)
    export_model_set(entries, os.path.join(out, "tiny"), "tiny", FIXTURE_SEED, log=log)
    models = {e.kind: e.model.eval() for e in entries if not isinstance(e.model, ClipPair)}
    prompt = _prompt_tokens(out)
    write_rerank_fixture(next(e.model for e in entries if isinstance(e.model, ClipPair)), out, out)
    log("rerank reference done")

    traj_tmp = tempfile.mkdtemp(prefix=".traj-", dir=out)
    os.chmod(traj_tmp, 0o755)
    try:
        noise100 = _noise(NOISE_SEED, 100, (1, 3, 64, 64))
        _save_npy(os.path.join(traj_tmp, "base-100.noise.npy"), noise100)
        base100 = base_trajectory(models["base"], prompt, "100", noise100)
        write_npz(os.path.join(traj_tmp, "base-100.npz"), base100)
        log("trajectory base-100 done")

        noise25 = _noise(NOISE_SEED + 1, 25, (1, 3, 64, 64))
        _save_npy(os.path.join(traj_tmp, "base-25.noise.npy"), noise25)
        write_npz(os.path.join(traj_tmp, "base-25.npz"), base_trajectory(models["base"], prompt, "25", noise25))
        log("trajectory base-25 done")

        # CLIP-guided base (glide-spec §8.4) on the base-25 noise: clip_fixtures.py.
        write_clip_guided_trajectory(traj_tmp, _vectors_dir(out), models["base"],
                                     next(e.model for e in entries if isinstance(e.model, ClipPair)), prompt, write_npz)
        log("trajectory clip-guided-25 done")

        # DDIM with eta 0 ignores the per-step draws, so the noise file holds x_T only (shape (1, N, 3, H, W)).
        noise_up = _noise(NOISE_SEED + 2, 0, (1, 3, 256, 256))
        _save_npy(os.path.join(traj_tmp, "upsample-fast27.noise.npy"), noise_up)
        source = base100["final"] if upsample_low_res is None else upsample_low_res
        up = upsample_trajectory(models["upsample"], prompt, source, noise_up)
        write_npz(os.path.join(traj_tmp, "upsample-fast27.npz"), up)
        log("trajectory upsample-fast27 done")
        dest = os.path.join(out, "trajectories")
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(traj_tmp, dest)
    except BaseException:
        shutil.rmtree(traj_tmp, ignore_errors=True)
        raise


# ---------------------------------------------------------------------------------------------------------------
# Checking the committed fixtures against a regeneration
# ---------------------------------------------------------------------------------------------------------------

def _arrays(path: str) -> Dict[str, np.ndarray]:
    if path.endswith(".npy"):
        return {"": np.load(path, allow_pickle=False)}
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def compare_arrays(committed: str, fresh: str) -> Optional[str]:
    a, b = _arrays(committed), _arrays(fresh)
    if sorted(a) != sorted(b):
        return f"keys {sorted(a)} vs regenerated {sorted(b)}"
    for key in a:
        x, y = a[key], b[key]
        if x.dtype != y.dtype or x.shape != y.shape:
            return f"{key or 'array'}: {x.dtype}{list(x.shape)} vs regenerated {y.dtype}{list(y.shape)}"
        if x.dtype.kind != "f":
            if not np.array_equal(x, y):
                return f"{key or 'array'}: values differ"
            continue
        diff = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
        scale = max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0
        if diff > CHECK_RTOL * scale:
            return f"{key or 'array'}: max abs diff {diff:.3g} exceeds {CHECK_RTOL:g}·{scale:.3g}"
    return None


def _files(root: str) -> List[str]:
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def regenerate(fixtures_dir: str, into: str, log=lambda *_: None) -> None:
    """Regenerate the fixtures of `fixtures_dir` into the empty directory `into` (vectors copied over)."""
    shutil.copytree(_vectors_dir(fixtures_dir), os.path.join(into, "vectors"))
    generate_fixtures(into, log=log, upsample_low_res=_committed_low_res(fixtures_dir))


def _committed_low_res(fixtures_dir: str) -> Optional[np.ndarray]:
    path = os.path.join(fixtures_dir, "trajectories", "upsample-fast27.npz")
    return _arrays(path)["low_res"] if os.path.isfile(path) else None


def _low_res_problem(committed_dir: str, fresh_dir: str) -> Optional[str]:
    """The pinned upsampler input must still be base-100's final, quantized: within one 8-bit step of the fresh
    one everywhere (a CPU's rounding can move a pixel across a step, a changed base moves many by more)."""
    pinned = _committed_low_res(committed_dir)
    fresh_base = os.path.join(fresh_dir, "trajectories", "base-100.npz")
    if pinned is None or not os.path.isfile(fresh_base):
        return None  # reported as a missing file
    derived = quantize_low_res(torch.from_numpy(_arrays(fresh_base)["final"])).numpy()
    if derived.shape != pinned.shape:
        return f"low_res: shape {list(pinned.shape)} vs base-100 final {list(derived.shape)}"
    diff = float(np.max(np.abs(derived.astype(np.float64) - pinned)))
    if diff > LOW_RES_LEVEL * 1.001:
        return f"low_res: {diff:.3g} from base-100's final quantized, more than one 8-bit step ({LOW_RES_LEVEL:.3g})"
    return None


def compare_fixtures(committed_dir: str, fresh_dir: str) -> List[str]:
    """One line per difference between committed and regenerated fixtures (empty = match).

    Graphs and manifest must be byte-identical. Float arrays that are not byte-identical may differ by at most
    CHECK_RTOL relative (PyTorch's CPU kernels can round differently on another instruction set)."""
    problems: List[str] = []
    for sub in ("tiny", "trajectories", RERANK_SUBDIR):
        committed, fresh = os.path.join(committed_dir, sub), os.path.join(fresh_dir, sub)
        c_files = _files(committed) if os.path.isdir(committed) else []
        f_files = _files(fresh)
        for name in sorted(set(c_files) | set(f_files)):
            rel = f"{sub}/{name}"
            if name not in c_files:
                problems.append(f"{rel}: missing from the committed fixtures")
                continue
            if name not in f_files:
                problems.append(f"{rel}: committed but no longer generated")
                continue
            a, b = os.path.join(committed, name), os.path.join(fresh, name)
            if filecmp.cmp(a, b, shallow=False):
                continue
            if name.endswith((".npz", ".npy")):
                why = compare_arrays(a, b)
                if why:
                    problems.append(f"{rel}: {why}")
            else:
                problems.append(f"{rel}: bytes differ from a fresh regeneration")
    why = _low_res_problem(committed_dir, fresh_dir)
    if why:
        problems.append(f"trajectories/upsample-fast27.npz: {why}")
    return problems


def check_fixtures(fixtures_dir: str, log=lambda *_: None) -> List[str]:
    with tempfile.TemporaryDirectory() as tmp:
        regenerate(fixtures_dir, tmp, log)
        return compare_fixtures(fixtures_dir, tmp)


__all__ = ["generate_fixtures", "regenerate", "compare_fixtures", "check_fixtures", "default_fixtures_dir"]
