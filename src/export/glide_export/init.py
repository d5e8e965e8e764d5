"""Seeded random initialisation for any of the networks (used for `tiny` and `full` random-weight exports)."""

from __future__ import annotations

import math

import torch
from torch import nn

# Parameters that are embedding tables rather than matrix weights: initialised with a fixed std, not by fan-in.
_EMBEDDING_SUFFIXES = ("positional_embedding", "padding_embedding", "token_embedding.weight",
                       "w_voc", "w_pos", "w_t")


def init_random(model: nn.Module, seed: int) -> None:
    """Deterministic random weights from `seed`, independent of the global RNG.

    Unlike the official init, the zero-initialised output convolutions get random weights too, so that a
    random-weight model exercises every path and its outputs depend on every input.
    """
    gen = torch.Generator().manual_seed(seed)
    norm_params = set()
    for module_name, module in model.named_modules():
        if isinstance(module, (nn.GroupNorm, nn.LayerNorm)) or type(module).__name__ == "ClipLayerNorm":
            for leaf, _ in module.named_parameters(recurse=False):
                norm_params.add(f"{module_name}.{leaf}" if module_name else leaf)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if name in norm_params:
                is_gain = name.endswith((".weight", ".g"))
                p.copy_(1.0 + 0.1 * noise if is_gain else 0.05 * noise)
            elif name.endswith(_EMBEDDING_SUFFIXES):
                p.copy_(0.5 * noise)
            elif p.dim() == 1:
                p.copy_(0.02 * noise)
            else:
                p.copy_(noise / math.sqrt(p[0].numel()))
