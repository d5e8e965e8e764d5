"""PyTorch definition of GLIDE's noised-CLIP text and image encoders (glide-spec §9), written from the spec.

Reference behaviour: glide_text2im `clip/encoders.py` and `clip/attention.py`. Parameter names (`g`, `b`, `w`) and
module names (`blocks.input`, `blocks.block_i`, `blocks.output`) give exactly the official state_dict keys.

The reference zero-pads the sequence to a multiple of 32 and masks the padded keys with a −1e10 bias; padded queries
are discarded. Masked keys get exactly zero softmax weight in float32, so attending over the unpadded sequence (with
the same causal bias for the text encoder) gives the same numbers without the padding.
"""

from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .options import ClipOptions

_MASK_BIAS = -1e10


class ClipLayerNorm(nn.Module):
    """LayerNorm with parameters named g and b, eps 1e-5, computed in float32."""

    def __init__(self, width: int):
        super().__init__()
        self.width = width
        self.g = nn.Parameter(torch.ones(width))
        self.b = nn.Parameter(torch.zeros(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x.float(), (self.width,), self.g, self.b, 1e-5).to(x.dtype)


class Affine(nn.Module):
    """Linear layer with weight `w` [out, in] and optional bias `b`."""

    def __init__(self, n_in: int, n_out: int, bias: bool = True):
        super().__init__()
        self.w = nn.Parameter(torch.empty(n_out, n_in))
        self.b = nn.Parameter(torch.zeros(n_out)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.w, self.b)


class ClipAttention(nn.Module):
    """Pre-LN multi-head attention; f_k has no bias; q and k both scaled by d^(-1/4) (glide-spec §9)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.ln = ClipLayerNorm(width)
        self.f_q = Affine(width, width)
        self.f_k = Affine(width, width, bias=False)
        self.f_v = Affine(width, width)
        self.f_c = Affine(width, width)

    def forward(self, x: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
        n, t, width = x.shape
        d = width // self.heads
        h = self.ln(x)
        scale = 1.0 / math.sqrt(math.sqrt(d))
        q = (self.f_q(h) * scale).reshape(n, t, self.heads, d).permute(0, 2, 1, 3)   # [N, H, T, d]
        k = (self.f_k(h) * scale).reshape(n, t, self.heads, d).permute(0, 2, 3, 1)   # [N, H, d, T]
        v = self.f_v(h).reshape(n, t, self.heads, d).permute(0, 2, 1, 3)
        w = torch.matmul(q, k)
        if bias is not None:
            w = w + bias
        w = torch.softmax(w.float(), dim=-1).to(x.dtype)
        out = torch.matmul(w, v).permute(0, 2, 1, 3).reshape(n, t, width)
        return x + self.f_c(out)


class ClipMlp(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.ln = ClipLayerNorm(width)
        self.f_1 = Affine(width, 4 * width)
        self.f_2 = Affine(4 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.f_2(F.gelu(self.f_1(self.ln(x))))


class ClipBlock(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.f_attn = ClipAttention(width, heads)
        self.f_mlp = ClipMlp(width)

    def forward(self, x: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
        return self.f_mlp(self.f_attn(x, bias))


class TextInput(nn.Module):
    def __init__(self, opts: ClipOptions):
        super().__init__()
        self.w_voc = nn.Parameter(torch.empty(opts.n_vocab, opts.text_width))
        self.w_pos = nn.Parameter(torch.empty(opts.text_ctx, opts.text_width))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return F.embedding(tokens, self.w_voc) + self.w_pos[None, : tokens.shape[1]]


class ImageInput(nn.Module):
    """(x+1)·127.5, per-channel normalisation, 4×4 patches, timestep token first, positions, LN (glide-spec §9)."""

    def __init__(self, opts: ClipOptions):
        super().__init__()
        n_patch = (opts.image_size // opts.patch_size) ** 2
        self.w_t = nn.Parameter(torch.empty(opts.n_timesteps, opts.image_width))
        self.patch_proj = nn.Parameter(torch.empty(opts.image_width, 3, opts.patch_size, opts.patch_size))
        self.w_pos = nn.Parameter(torch.empty(n_patch + 1, opts.image_width))
        self.ln = ClipLayerNorm(opts.image_width)
        self.patch_size = opts.patch_size
        self.register_buffer("mean", torch.tensor(opts.image_mean, dtype=torch.float32).view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer("std", torch.tensor(opts.image_std, dtype=torch.float32).view(1, 3, 1, 1),
                             persistent=False)

    def forward(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        x = ((x + 1.0) * 127.5 - self.mean) / self.std
        p = F.conv2d(x, self.patch_proj, stride=self.patch_size)              # [N, W, h, w]
        p = p.reshape(p.shape[0], p.shape[1], -1).permute(0, 2, 1)            # [N, h·w, W]
        t_tok = F.embedding(timesteps, self.w_t)[:, None, :]                    # [N, 1, W]
        return self.ln(torch.cat([t_tok, p], dim=1) + self.w_pos[None])


class Output(nn.Module):
    def __init__(self, width: int, n_embd: int):
        super().__init__()
        self.ln = ClipLayerNorm(width)
        self.f = Affine(width, n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.f(self.ln(x))


def _blocks(first: nn.Module, width: int, heads: int, layers: int, n_embd: int) -> nn.ModuleDict:
    mods = {"input": first}
    for i in range(layers):
        mods[f"block_{i}"] = ClipBlock(width, heads)
    mods["output"] = Output(width, n_embd)
    return nn.ModuleDict(mods)


def normalize(x: torch.Tensor) -> torch.Tensor:
    """x / (‖x‖₂ + 1e-12), as CLIPModel does."""
    return x / (torch.linalg.norm(x, dim=-1, keepdim=True) + 1e-12)


class ClipTextEncoder(nn.Module):
    """tokens [N,77] int64, text_len [N] int64 → unnormalised embedding [N,E] (causal attention)."""

    def __init__(self, opts: ClipOptions):
        super().__init__()
        opts.validate()
        self.opts = opts
        self.blocks = _blocks(TextInput(opts), opts.text_width, opts.text_heads, opts.text_layers, opts.n_embd)

    def forward(self, tokens: torch.Tensor, text_len: torch.Tensor) -> torch.Tensor:
        x = self.blocks["input"](tokens)
        t = tokens.shape[1]
        idx = torch.arange(t, device=tokens.device)
        bias = torch.where(idx[None, :] <= idx[:, None], torch.tensor(0.0, device=tokens.device),
                           torch.tensor(_MASK_BIAS, device=tokens.device))
        for i in range(self.opts.text_layers):
            x = self.blocks[f"block_{i}"](x, bias)
        # Features at the EOT position, text_len − 1 (glide-spec §9).
        last = x[torch.arange(x.shape[0], device=x.device), text_len - 1]
        return self.blocks["output"](last)


class ClipImageEncoder(nn.Module):
    """x_t [N,3,64,64] in [−1,1], timesteps [N] (original 0…999) → unnormalised embedding [N,E]."""

    def __init__(self, opts: ClipOptions):
        super().__init__()
        opts.validate()
        self.opts = opts
        self.blocks = _blocks(ImageInput(opts), opts.image_width, opts.image_heads, opts.image_layers, opts.n_embd)

    def forward(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        h = self.blocks["input"](x, timesteps)
        for i in range(self.opts.image_layers):
            h = self.blocks[f"block_{i}"](h, None)
        return self.blocks["output"](h[:, 0])


class ClipTextPart(nn.Module):
    """Export wrapper: L2-normalised text embedding."""

    def __init__(self, enc: ClipTextEncoder):
        super().__init__()
        self.enc = enc
        self.eval()  # export wrappers are inference-only: no dropout, ever

    def forward(self, tokens: torch.Tensor, text_len: torch.Tensor) -> torch.Tensor:
        return normalize(self.enc(tokens, text_len))


class ClipImagePart(nn.Module):
    """Export wrapper: L2-normalised image embedding."""

    def __init__(self, enc: ClipImageEncoder):
        super().__init__()
        self.enc = enc
        self.eval()  # export wrappers are inference-only: no dropout, ever

    def forward(self, x_t: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        return normalize(self.enc(x_t, timesteps))
