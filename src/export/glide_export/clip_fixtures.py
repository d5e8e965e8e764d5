"""The CLIP-guided reference trajectory of the tiny models (tests/fixtures/trajectories/clip-guided-25.npz).

The CLIP-guided notebook's base stage (glide-spec §8.4): B rows of the conditional prompt only (no CFG), ancestral
steps with cond_fn = CLIP gradient · 3.0 shifting the mean (§7.6). The fixture uses respacing "25" and reuses the
base-25 noise file, so it costs no extra noise bytes; fixtures.py calls ``write_clip_guided_trajectory``.
"""

from __future__ import annotations

import json
import os
from typing import Dict

import numpy as np
import torch

from .clip_grad import CLIP_GUIDANCE_SCALE, clip_cond_fn
from .diffusion import create_diffusion
from .models import ClipPair
from .nets_clip import normalize
from .nets_unet import Text2ImUNet

NAME = "clip-guided-25"
RESPACING = "25"
#: The existing trajectory whose noise this one replays (same shape: 26 draws of one 64×64 image).
NOISE_FILE = "base-25.noise.npy"
#: Every 4th pixel: a 16×16 grid per channel (the CLIP gradient is dense, so an error reaches it within a step).
GRID_STRIDE = 4


def clip_prompt_tokens(vectors_dir: str, index: int = 0) -> Dict[str, np.ndarray]:
    """CLIP tokens and text_len of the reference prompt `index` (tests/fixtures/vectors/tokenizer_clip.json)."""
    with open(os.path.join(vectors_dir, "tokenizer_clip.json"), encoding="utf-8") as f:
        row = json.load(f)["items"][index]
    return {"prompt": row["prompt"], "tokens": np.asarray(row["padded_tokens"], dtype=np.int64),
            "text_len": np.asarray(row["text_len"], dtype=np.int64)}


def clip_guided_trajectory(model: Text2ImUNet, clip: ClipPair, tokens: np.ndarray, mask: np.ndarray,
                           clip_tokens: np.ndarray, clip_text_len: np.ndarray, noise: np.ndarray,
                           respacing: str = RESPACING, grad_scale: float = CLIP_GUIDANCE_SCALE,
                           stride: int = GRID_STRIDE) -> Dict[str, np.ndarray]:
    """CLIP-guided ancestral sampling of one image per noise row (glide-spec §8.4) on the reference sampler.

    ``tokens``/``mask`` [128] are the GLIDE prompt row; ``clip_tokens`` [77] and ``clip_text_len`` () the CLIP
    prompt row; ``noise`` (S+1, N, 3, S, S).
    """
    diffusion = create_diffusion("squaredcos_cap_v2", respacing)
    n = noise.shape[1]
    size = model.opts.image_size
    glide_tokens = torch.from_numpy(np.repeat(tokens[None], n, axis=0))
    glide_mask = torch.from_numpy(np.repeat(mask[None], n, axis=0))
    ct = torch.from_numpy(clip_tokens[None])
    cl = torch.from_numpy(np.asarray(clip_text_len, dtype=np.int64).reshape(1))
    with torch.no_grad():
        text_emb = normalize(clip.text(ct, cl))  # [1, E], computed once (§8.4 step 1)

    def model_fn(x, t):
        return model(x, t, glide_tokens, glide_mask)  # conditional rows only: no CFG (§8.4)

    final, traj = diffusion.sample_loop(model_fn, (n, 3, size, size), torch.from_numpy(noise), kind="ancestral",
                                        cond_fn=clip_cond_fn(clip.image, text_emb, grad_scale))
    return {"timesteps": diffusion.timestep_map.astype(np.int64), "guidance_scale": np.float32(grad_scale),
            "tokens": glide_tokens.numpy(), "mask": glide_mask.numpy(), "clip_tokens": ct.numpy(),
            "clip_text_len": cl.numpy(), "text_emb": text_emb.numpy(),
            "x_t_grid": traj[:, :, :, ::stride, ::stride].numpy(), "grid_stride": np.int64(stride),
            "final": final.numpy()}


def write_clip_guided_trajectory(traj_dir: str, vectors_dir: str, model: Text2ImUNet, clip: ClipPair,
                                 prompt: Dict, write_npz) -> None:
    """Writes ``<traj_dir>/clip-guided-25.npz`` from the noise file ``<traj_dir>/base-25.noise.npy``."""
    noise = np.load(os.path.join(traj_dir, NOISE_FILE), allow_pickle=False)
    clip_prompt = clip_prompt_tokens(vectors_dir)
    if clip_prompt["prompt"] != prompt["prompt"]:
        raise ValueError(f"CLIP vector prompt {clip_prompt['prompt']!r} is not the GLIDE one {prompt['prompt']!r}")
    arrays = clip_guided_trajectory(model, clip, prompt["tokens"], prompt["mask"], clip_prompt["tokens"],
                                    clip_prompt["text_len"], noise)
    write_npz(os.path.join(traj_dir, f"{NAME}.npz"), arrays)


__all__ = ["NAME", "NOISE_FILE", "RESPACING", "GRID_STRIDE", "clip_guided_trajectory", "clip_prompt_tokens",
           "write_clip_guided_trajectory"]
