"""The reference for noised-CLIP reranking (best-of-N): fixed 64×64 candidates scored against a prompt at t = 0.

Scoring, as the C# `ClipReranker` does it (glide-spec §9, design §1 "Rerank"): the prompt's CLIP tokens through the
text encoder and every candidate through the image encoder at original timestep 0, both L2-normalised as CLIPModel
does; a candidate's score is the dot product of the two, i.e. their cosine similarity in [−1, 1]. The logit scale
(×100) is left out: it only scales every score alike and so never changes which candidates are kept. Candidates are
ranked by score, best first, ties broken by the lower candidate index (a stable sort), and the first `KEEP` are kept.

Written by `fixtures.generate_fixtures` into `rerank/clip-rerank.npz` (keys in tests/fixtures/README.md) and compared
with the committed file by `fixtures --check`.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Sequence

import numpy as np
import torch

from .export import write_npz
from .models import ClipPair
from .nets_clip import ClipImagePart, ClipTextPart

SUBDIR = "rerank"
FILE_NAME = "clip-rerank.npz"
# Chosen so that the eight scores of the tiny CLIP are at least 0.02 apart (see MIN_SCORE_GAP).
SEED = 2
# Eight candidates, three kept: more than one image-encoder batch row and a kept set that is not a prefix.
CANDIDATES = 8
KEEP = 3
# Candidates are random colours on an 8×8 grid of 8×8-pixel blocks: varied enough to score apart, and the repeated
# values compress to a few kilobytes in the .npz.
BLOCK = 8
# The smallest gap allowed between two scores in rank order: far above float32 noise between runtimes (~1e-6), so
# any port that scores correctly must pick the same candidates.
MIN_SCORE_GAP = 1e-3
# The prompt of tests/fixtures/vectors/tokenizer_clip.json whose tokens condition the scores.
PROMPT_INDEX = 0


def prompt_tokens(fixtures_dir: str) -> Dict:
    """The reference CLIP tokens [1, 77] and text_len [1] of the prompt (from the tokenizer vectors)."""
    with open(os.path.join(fixtures_dir, "vectors", "tokenizer_clip.json"), encoding="utf-8") as f:
        item = json.load(f)["items"][PROMPT_INDEX]
    return {"prompt": item["prompt"], "tokens": np.asarray([item["padded_tokens"]], dtype=np.int64),
            "text_len": np.asarray([item["text_len"]], dtype=np.int64)}


def candidates(seed: int = SEED, count: int = CANDIDATES, size: int = 64) -> np.ndarray:
    """[count, 3, size, size] float32 in [−1, 1]: blocky random images."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-1.0, 1.0, size=(count, 3, size // BLOCK, size // BLOCK)).astype(np.float32)
    return np.ascontiguousarray(coarse.repeat(BLOCK, axis=2).repeat(BLOCK, axis=3))


def rank(scores: Sequence[float]) -> np.ndarray:
    """Candidate indices, best score first; equal scores keep index order."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable").astype(np.int64)


@torch.no_grad()
def clip_scores(pair: ClipPair, tokens: np.ndarray, text_len: np.ndarray, images: np.ndarray) -> Dict[str, np.ndarray]:
    """Normalised text [1, E] and image [N, E] embeddings at t = 0 and the cosine scores [N]."""
    text = ClipTextPart(pair.text)(torch.from_numpy(tokens), torch.from_numpy(text_len))
    timesteps = torch.zeros(images.shape[0], dtype=torch.int64)
    image = ClipImagePart(pair.image)(torch.from_numpy(images), timesteps)
    scores = (image * text).sum(dim=-1)
    return {"text_emb": text.numpy(), "image_emb": image.numpy(), "timesteps": timesteps.numpy(),
            "scores": scores.numpy()}


def rerank_reference(pair: ClipPair, fixtures_dir: str) -> Dict[str, np.ndarray]:
    """The arrays of clip-rerank.npz."""
    prompt = prompt_tokens(fixtures_dir)
    images = candidates(size=pair.image.opts.image_size)
    arrays = clip_scores(pair, prompt["tokens"], prompt["text_len"], images)
    order = rank(arrays["scores"])
    gaps = -np.diff(arrays["scores"][order].astype(np.float64))
    if gaps.size and float(gaps.min()) < MIN_SCORE_GAP:
        raise AssertionError(f"rerank fixture scores are too close to rank reliably (gap {gaps.min():.3g}); "
                             "change SEED")
    arrays.update(tokens=prompt["tokens"], text_len=prompt["text_len"], candidates=images, order=order,
                  keep=np.int64(KEEP), kept=order[:KEEP].copy())
    return arrays


def write_rerank_fixture(pair: ClipPair, fixtures_dir: str, out: str) -> None:
    """Write `out`/rerank/clip-rerank.npz (`fixtures_dir` holds vectors/)."""
    dest = os.path.join(out, SUBDIR)
    os.makedirs(dest, exist_ok=True)
    write_npz(os.path.join(dest, FILE_NAME), rerank_reference(pair, fixtures_dir))


__all__ = ["SUBDIR", "FILE_NAME", "KEEP", "candidates", "rank", "clip_scores", "rerank_reference",
           "write_rerank_fixture"]
