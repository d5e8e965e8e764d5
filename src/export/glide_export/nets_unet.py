"""PyTorch definition of GLIDE's text-conditional UNet (glide-spec §4, §5), written from the spec.

Reference behaviour: glide_text2im `text2im_model.py` (Text2ImUNet, SuperResText2ImModel, InpaintText2ImUNet,
SuperResInpaintText2ImUnet) and `unet.py` / `xf.py`. Module names are chosen so that `state_dict()` has exactly
the official keys in the official order (glide-spec §5.5), so the official checkpoints load strictly.
"""

from __future__ import annotations

import math
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .options import UNetOptions


def timestep_embedding(timesteps: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features, cosine first (glide-spec §5.1)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=timesteps.device) / half)
    args = timesteps.to(torch.float32)[:, None] * freqs[None, :]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


class GroupNorm32(nn.GroupNorm):
    """GroupNorm(32, eps 1e-5) computed in float32 (glide-spec §5.2)."""

    def __init__(self, channels: int):
        super().__init__(32, channels, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.float()).to(x.dtype)


# ---------------------------------------------------------------------------------------------------------------
# Text transformer (glide-spec §4)
# ---------------------------------------------------------------------------------------------------------------

class XfAttention(nn.Module):
    """Unmasked multi-head self-attention; q,k,v interleaved per head in c_qkv's output (glide-spec §4.3, §11.4)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.c_qkv = nn.Linear(width, width * 3)
        self.c_proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, ctx, width = x.shape
        qkv = self.c_qkv(x).reshape(n, ctx, self.heads, -1)           # [N, L, H, 3·d]
        d = qkv.shape[-1] // 3
        q, k, v = qkv[..., :d], qkv[..., d:2 * d], qkv[..., 2 * d:]
        scale = 1.0 / math.sqrt(math.sqrt(d))
        w = torch.einsum("nthc,nshc->nhts", q * scale, k * scale)
        w = torch.softmax(w.float(), dim=-1).to(w.dtype)
        out = torch.einsum("nhts,nshc->nthc", w, v)
        return self.c_proj(out.reshape(n, ctx, width))


class XfMlp(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.c_fc = nn.Linear(width, width * 4)
        self.c_proj = nn.Linear(width * 4, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(F.gelu(self.c_fc(x)))  # exact erf GELU


class XfBlock(nn.Module):
    """Pre-LayerNorm residual block; registration order attn, ln_1, mlp, ln_2 gives the official key order."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.attn = XfAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = XfMlp(width)
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.resblocks = nn.ModuleList([XfBlock(width, heads) for _ in range(layers)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.resblocks:
            x = block(x)
        return x


# ---------------------------------------------------------------------------------------------------------------
# UNet blocks (glide-spec §5.2, §5.3)
# ---------------------------------------------------------------------------------------------------------------

class ResBlock(nn.Module):
    """Scale-shift ResBlock; optional nearest-×2 up or 2×2 average-pool down between GN+SiLU and the conv."""

    def __init__(self, channels: int, emb_channels: int, out_channels: int, up: bool = False, down: bool = False):
        super().__init__()
        self.up, self.down = up, down
        self.in_layers = nn.Sequential(GroupNorm32(channels), nn.SiLU(), nn.Conv2d(channels, out_channels, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb_channels, 2 * out_channels))
        self.out_layers = nn.Sequential(GroupNorm32(out_channels), nn.SiLU(), nn.Dropout(0.1),
                                        nn.Conv2d(out_channels, out_channels, 3, padding=1))
        self.skip_connection = (nn.Identity() if out_channels == channels
                                else nn.Conv2d(channels, out_channels, 1))

    def _resample(self, x: torch.Tensor) -> torch.Tensor:
        if self.up:
            return F.interpolate(x, scale_factor=2.0, mode="nearest")
        if self.down:
            return F.avg_pool2d(x, kernel_size=2, stride=2)
        return x

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        norm, act, conv = self.in_layers[0], self.in_layers[1], self.in_layers[2]
        h = conv(self._resample(act(norm(x))))
        x = self._resample(x)
        scale, shift = self.emb_layers(emb)[:, :, None, None].chunk(2, dim=1)
        out_norm, out_rest = self.out_layers[0], self.out_layers[1:]
        h = out_rest(out_norm(h) * (1 + scale) + shift)
        return self.skip_connection(x) + h


class AttentionBlock(nn.Module):
    """Spatial self-attention with the text tokens prepended as extra keys/values (glide-spec §5.3)."""

    def __init__(self, channels: int, num_head_channels: int, encoder_channels: int):
        super().__init__()
        self.heads = channels // num_head_channels
        self.norm = GroupNorm32(channels)
        self.qkv = nn.Conv1d(channels, channels * 3, 1)
        self.encoder_kv = nn.Conv1d(encoder_channels, channels * 2, 1)
        self.proj_out = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor, xf_out: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        qkv = self.qkv(self.norm(x).reshape(n, c, h * w))              # [N, 3C, T]
        d = c // self.heads
        qkv = qkv.reshape(n * self.heads, 3 * d, h * w)                 # head-major, q|k|v per head
        q, k, v = qkv[:, :d], qkv[:, d:2 * d], qkv[:, 2 * d:]
        ekv = self.encoder_kv(xf_out).reshape(n * self.heads, 2 * d, -1)  # [N·H, 2d, 128]
        k = torch.cat([ekv[:, :d], k], dim=-1)                          # text keys first
        v = torch.cat([ekv[:, d:], v], dim=-1)
        scale = 1.0 / math.sqrt(math.sqrt(d))
        weight = torch.einsum("bct,bcs->bts", q * scale, k * scale)
        weight = torch.softmax(weight.float(), dim=-1).to(weight.dtype)
        a = torch.einsum("bts,bcs->bct", weight, v).reshape(n, c, h * w)
        return x + self.proj_out(a).reshape(n, c, h, w)


class TimestepSequential(nn.Sequential):
    """A UNet stage: passes emb to ResBlocks and the text sequence to AttentionBlocks."""

    def forward(self, x: torch.Tensor, emb: torch.Tensor, xf_out: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        for layer in self:
            if isinstance(layer, ResBlock):
                x = layer(x, emb)
            elif isinstance(layer, AttentionBlock):
                x = layer(x, xf_out)
            else:
                x = layer(x)
        return x


# ---------------------------------------------------------------------------------------------------------------
# The full network
# ---------------------------------------------------------------------------------------------------------------

class Text2ImUNet(nn.Module):
    """GLIDE's text-conditional UNet, with the super-res and inpaint input variants (glide-spec §5.6)."""

    def __init__(self, opts: UNetOptions):
        super().__init__()
        opts.validate()
        self.opts = opts
        mc, emb_ch, xf = opts.num_channels, opts.emb_channels, opts.xf_width
        # Root parameters first: state_dict lists them before any child module (glide-spec §5.5).
        self.positional_embedding = nn.Parameter(torch.empty(opts.text_ctx, xf))
        self.padding_embedding = nn.Parameter(torch.empty(opts.text_ctx, xf)) if opts.xf_padding else None
        self.time_embed = nn.Sequential(nn.Linear(mc, emb_ch), nn.SiLU(), nn.Linear(emb_ch, emb_ch))

        def attn(ch: int) -> AttentionBlock:
            return AttentionBlock(ch, opts.num_head_channels, xf)

        ch = opts.channel_mult[0] * mc
        self.input_blocks = nn.ModuleList([TimestepSequential(nn.Conv2d(opts.in_channels, ch, 3, padding=1))])
        skip_chans: List[int] = [ch]
        ds = 1
        for level, mult in enumerate(opts.channel_mult):
            for _ in range(opts.num_res_blocks):
                layers: List[nn.Module] = [ResBlock(ch, emb_ch, mult * mc)]
                ch = mult * mc
                if ds in opts.attention_ds:
                    layers.append(attn(ch))
                self.input_blocks.append(TimestepSequential(*layers))
                skip_chans.append(ch)
            if level != len(opts.channel_mult) - 1:
                self.input_blocks.append(TimestepSequential(ResBlock(ch, emb_ch, ch, down=True)))
                skip_chans.append(ch)
                ds *= 2
        self.middle_block = TimestepSequential(ResBlock(ch, emb_ch, ch), attn(ch), ResBlock(ch, emb_ch, ch))
        self.output_blocks = nn.ModuleList()
        for level, mult in reversed(list(enumerate(opts.channel_mult))):
            for i in range(opts.num_res_blocks + 1):
                layers = [ResBlock(ch + skip_chans.pop(), emb_ch, mult * mc)]
                ch = mult * mc
                if ds in opts.attention_ds:
                    layers.append(attn(ch))
                if level and i == opts.num_res_blocks:
                    layers.append(ResBlock(ch, emb_ch, ch, up=True))
                    ds //= 2
                self.output_blocks.append(TimestepSequential(*layers))
        self.out = nn.Sequential(GroupNorm32(ch), nn.SiLU(), nn.Conv2d(ch, opts.out_channels, 3, padding=1))
        self.transformer = Transformer(xf, opts.xf_layers, opts.xf_heads)
        self.final_ln = nn.LayerNorm(xf, eps=1e-5) if opts.xf_final_ln else None
        self.token_embedding = nn.Embedding(opts.n_vocab, xf)
        self.transformer_proj = nn.Linear(xf, emb_ch)

    # -- text side (glide-spec §4) -------------------------------------------------------------------------------
    def encode_text(self, tokens: torch.Tensor, mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """tokens [N,128] int64, mask [N,128] bool → xf_proj [N,4·mc], xf_out [N,W,128]."""
        xf_in = self.token_embedding(tokens) + self.positional_embedding[None]
        if self.padding_embedding is not None:
            # Padding positions take padding_embedding *instead of* token + position (glide-spec §4.2).
            xf_in = torch.where(mask[..., None], xf_in, self.padding_embedding[None].to(xf_in.dtype))
        xf_out = self.transformer(xf_in)
        if self.final_ln is not None:
            xf_out = self.final_ln(xf_out)
        xf_proj = self.transformer_proj(xf_out[:, -1])  # last position, usually padding (glide-spec §11.1)
        return xf_proj, xf_out.permute(0, 2, 1)

    # -- image side (glide-spec §5) ------------------------------------------------------------------------------
    def assemble_input(self, x_t: torch.Tensor, low_res: Optional[torch.Tensor] = None,
                       inpaint_image: Optional[torch.Tensor] = None,
                       inpaint_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Concatenate [x, image·mask, mask, bilinear(low_res)] as the variant requires (glide-spec §5.6)."""
        parts = [x_t]
        if self.opts.inpaint:
            if inpaint_image is None:
                inpaint_image = torch.zeros_like(x_t)
            if inpaint_mask is None:
                inpaint_mask = torch.zeros_like(x_t[:, :1])
            parts += [inpaint_image * inpaint_mask, inpaint_mask]
        if self.opts.super_res:
            if low_res is None:
                raise ValueError("a super-resolution model needs low_res")
            size = (x_t.shape[2], x_t.shape[3])
            parts.append(F.interpolate(low_res, size=size, mode="bilinear", align_corners=False))
        return torch.cat(parts, dim=1) if len(parts) > 1 else x_t

    def denoise(self, x: torch.Tensor, timesteps: torch.Tensor, xf_proj: torch.Tensor,
                xf_out: torch.Tensor) -> torch.Tensor:
        """The UNet proper on an assembled input; timesteps are original indices (glide-spec §5.1)."""
        emb = self.time_embed(timestep_embedding(timesteps, self.opts.num_channels)) + xf_proj.to(x.dtype)
        hs = []
        h = x
        for block in self.input_blocks:
            h = block(h, emb, xf_out)
            hs.append(h)
        h = self.middle_block(h, emb, xf_out)
        for block in self.output_blocks:
            h = block(torch.cat([h, hs.pop()], dim=1), emb, xf_out)
        return self.out(h)

    def forward(self, x_t: torch.Tensor, timesteps: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor,
                low_res: Optional[torch.Tensor] = None, inpaint_image: Optional[torch.Tensor] = None,
                inpaint_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        xf_proj, xf_out = self.encode_text(tokens, mask)
        x = self.assemble_input(x_t, low_res, inpaint_image, inpaint_mask)
        return self.denoise(x, timesteps, xf_proj, xf_out)


class TextPart(nn.Module):
    """Export wrapper: the text side alone, run once per prompt."""

    def __init__(self, model: Text2ImUNet):
        super().__init__()
        self.model = model
        self.eval()  # export wrappers are inference-only: no dropout, ever

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor):
        return self.model.encode_text(tokens, mask)


class UNetPart(nn.Module):
    """Export wrapper: one denoising evaluation given precomputed text features."""

    def __init__(self, model: Text2ImUNet):
        super().__init__()
        self.model = model
        self.eval()  # export wrappers are inference-only: no dropout, ever

    def forward(self, x_t, timesteps, xf_proj, xf_out, *extra):
        opts = self.model.opts
        low_res = inpaint_image = inpaint_mask = None
        extra = list(extra)
        if opts.super_res:
            low_res = extra.pop(0)
        if opts.inpaint:
            inpaint_image, inpaint_mask = extra.pop(0), extra.pop(0)
        x = self.model.assemble_input(x_t, low_res, inpaint_image, inpaint_mask)
        return self.model.denoise(x, timesteps, xf_proj, xf_out)
