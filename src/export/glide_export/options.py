"""Option sets for the GLIDE networks (glide-spec §3.1, §9).

`full` option sets reproduce the official checkpoints' shapes exactly; `tiny` ones keep the same architecture
with small widths so tests and fixtures stay small and fast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Tuple

UNET_KINDS = ("base", "upsample", "base-inpaint", "upsample-inpaint")
CLIP_KINDS = ("clip",)
ALL_KINDS = UNET_KINDS + CLIP_KINDS
CONFIGS = ("tiny", "shapes", "full")

# How a runtime may step the text-to-image upsampler (the manifest's sampling.upsample_sampler, FORMAT.md): DDIM
# with eta 0, the notebook's and the default, or the reference's ancestral p_sample loop.
UPSAMPLE_SAMPLERS = ("ddim", "ancestral")


class OptionsError(ValueError):
    """An option set that cannot build a network; the message names the option."""


@dataclass(frozen=True)
class UNetOptions:
    """Text2ImUNet options (glide-spec §3.1). Names follow the reference's option names."""

    image_size: int = 64
    num_channels: int = 192
    num_res_blocks: int = 3
    channel_mult: Tuple[int, ...] = (1, 2, 3, 4)
    attention_resolutions: Tuple[int, ...] = (32, 16, 8)
    num_head_channels: int = 64
    text_ctx: int = 128
    xf_width: int = 512
    xf_layers: int = 16
    xf_heads: int = 8
    xf_final_ln: bool = True
    xf_padding: bool = True
    n_vocab: int = 50257
    inpaint: bool = False
    super_res: bool = False
    low_res_size: int = 64
    out_channels: int = 6

    @property
    def in_channels(self) -> int:
        # glide-spec §3.1 "Input channels": x, then image·mask and mask (inpaint), then upsampled low_res.
        return 3 + (4 if self.inpaint else 0) + (3 if self.super_res else 0)

    @property
    def emb_channels(self) -> int:
        return 4 * self.num_channels

    @property
    def attention_ds(self) -> Tuple[int, ...]:
        return tuple(self.image_size // r for r in self.attention_resolutions)

    def validate(self) -> None:
        if self.image_size <= 0 or self.image_size % (2 ** (len(self.channel_mult) - 1)) != 0:
            raise OptionsError(
                f"image_size={self.image_size} must be divisible by 2^(len(channel_mult)-1)"
                f" = {2 ** (len(self.channel_mult) - 1)}")
        for m in self.channel_mult:
            ch = m * self.num_channels
            if ch % 32 != 0:
                raise OptionsError(f"channel_mult×num_channels={ch} must be a multiple of 32 (GroupNorm(32))")
            if ch % self.num_head_channels != 0:
                raise OptionsError(f"channels {ch} not divisible by num_head_channels={self.num_head_channels}")
        if self.xf_width % self.xf_heads != 0:
            raise OptionsError(f"xf_width={self.xf_width} not divisible by xf_heads={self.xf_heads}")
        for r in self.attention_resolutions:
            if r <= 0 or self.image_size % r != 0:
                raise OptionsError(f"attention resolution {r} does not divide image_size={self.image_size}")
        if self.super_res and self.low_res_size <= 0:
            raise OptionsError("low_res_size must be positive for a super-resolution model")
        if self.num_res_blocks < 1:
            raise OptionsError("num_res_blocks must be at least 1")

    def to_json(self) -> Dict[str, Any]:
        d = dataclasses.asdict(self)
        d["channel_mult"] = list(self.channel_mult)
        d["attention_resolutions"] = list(self.attention_resolutions)
        d["in_channels"] = self.in_channels
        return d


@dataclass(frozen=True)
class ClipOptions:
    """Noised-CLIP encoder options (glide-spec §9)."""

    image_size: int = 64
    patch_size: int = 4
    n_timesteps: int = 1000
    n_embd: int = 512
    text_ctx: int = 77
    n_vocab: int = 65536
    text_width: int = 512
    text_heads: int = 8
    text_layers: int = 12
    image_width: int = 768
    image_heads: int = 12
    image_layers: int = 12
    logit_scale: float = 100.0
    # glide-spec §9: per-channel mean/std applied after mapping [-1, 1] to [0, 255].
    image_mean: Tuple[float, float, float] = (122.77093945, 116.74601272, 104.09373519)
    image_std: Tuple[float, float, float] = (68.50053285, 66.63215831, 70.32316309)

    def validate(self) -> None:
        if self.image_size % self.patch_size != 0:
            raise OptionsError(f"patch_size={self.patch_size} does not divide image_size={self.image_size}")
        if self.text_width % self.text_heads != 0:
            raise OptionsError(f"text_width={self.text_width} not divisible by text_heads={self.text_heads}")
        if self.image_width % self.image_heads != 0:
            raise OptionsError(f"image_width={self.image_width} not divisible by image_heads={self.image_heads}")
        if self.n_vocab < 49408:
            raise OptionsError(f"n_vocab={self.n_vocab} is smaller than the CLIP tokenizer's 49408 ids")

    def to_json(self) -> Dict[str, Any]:
        d = dataclasses.asdict(self)
        d["image_mean"] = list(self.image_mean)
        d["image_std"] = list(self.image_std)
        return d


def _full(kind: str):
    if kind == "base":
        return UNetOptions()
    if kind == "base-inpaint":
        return UNetOptions(inpaint=True)
    if kind in ("upsample", "upsample-inpaint"):
        # model_and_diffusion_defaults_upsampler(): only these differ from the base.
        return UNetOptions(image_size=256, num_res_blocks=2, channel_mult=(1, 1, 2, 2, 4, 4), super_res=True,
                           inpaint=kind == "upsample-inpaint")
    if kind == "clip":
        return ClipOptions()
    raise OptionsError(f"unknown model kind {kind!r}; expected one of {', '.join(ALL_KINDS)}")


# The tiny option sets keep every structural feature (down/up ResBlocks, text-attention, skip 1×1 convs,
# the 128-token text context, the real vocabularies) with widths small enough for a few-MB fixture. The text
# width is tiny (4) because the real vocabularies (50257 and 49408 rows) dominate a tiny graph's size.
_TINY_TEXT = dict(num_channels=32, num_head_channels=16, xf_width=4, xf_layers=2, xf_heads=2)


def _tiny(kind: str):
    if kind in ("base", "base-inpaint"):
        return UNetOptions(num_res_blocks=1, channel_mult=(1, 1), attention_resolutions=(32,),
                           inpaint=kind == "base-inpaint", **_TINY_TEXT)
    if kind in ("upsample", "upsample-inpaint"):
        # Attention only at 32×32, as in the full upsampler: attention over 64×64 positions costs seconds a step.
        return UNetOptions(image_size=256, num_res_blocks=1, channel_mult=(1, 1, 1, 1), attention_resolutions=(32,),
                           super_res=True, inpaint=kind == "upsample-inpaint", **_TINY_TEXT)
    if kind == "clip":
        return ClipOptions(n_embd=16, n_vocab=49408, text_width=4, text_heads=2, text_layers=2,
                           image_width=16, image_heads=2, image_layers=2)
    raise OptionsError(f"unknown model kind {kind!r}; expected one of {', '.join(ALL_KINDS)}")


# The glide-shapes default model (src/export/glide_shapes): the same architectures at widths that train in minutes
# on one GPU and run the default cascade in well under a minute on a 2-core CPU. The text widths stay small because
# the vocabulary tables (50257 and 49408 rows) dominate the graphs' size; the captions use a few dozen tokens.
# The UNets' first level has 64 channels, not 32: their last GroupNorm (32 groups) then holds two channels per group
# and keeps the difference of their means. With one channel per group it subtracts every channel's mean, ε̂ sees
# x_t's channel means only through the zero padding at the borders, and the sampler's first step (x0 = 20,412 ×
# (x_t − ε̂) at t = 999, clipped) starts the picture from a saturated colour (glide_shapes/README.md, "The first
# step"; that training learns to use the second channel is not shown yet).
def _shapes(kind: str):
    if kind in ("base", "base-inpaint"):
        return UNetOptions(num_channels=32, num_res_blocks=2, channel_mult=(2, 2, 3), attention_resolutions=(16,),
                           num_head_channels=32, xf_width=64, xf_layers=3, xf_heads=4,
                           inpaint=kind == "base-inpaint")
    if kind in ("upsample", "upsample-inpaint"):
        return UNetOptions(image_size=256, num_channels=32, num_res_blocks=1, channel_mult=(2, 2, 2, 2),
                           attention_resolutions=(32,), num_head_channels=32, xf_width=32, xf_layers=1, xf_heads=1,
                           super_res=True, inpaint=kind == "upsample-inpaint")
    if kind == "clip":
        return ClipOptions(n_embd=64, n_vocab=49408, text_width=32, text_heads=2, text_layers=2,
                           image_width=64, image_heads=4, image_layers=3)
    raise OptionsError(f"unknown model kind {kind!r}; expected one of {', '.join(ALL_KINDS)}")


def preset(config: str, kind: str):
    """The option set `config` ('tiny', 'shapes' or 'full') for model `kind`."""
    if config == "full":
        opts = _full(kind)
    elif config == "tiny":
        opts = _tiny(kind)
    elif config == "shapes":
        opts = _shapes(kind)
    else:
        raise OptionsError(f"unknown config {config!r}; expected one of {', '.join(CONFIGS)}")
    opts.validate()
    return opts


def with_overrides(opts, overrides: Dict[str, Any]):
    """Apply `name=value` overrides; an unknown name is an error naming it and the valid names."""
    names = {f.name: f for f in dataclasses.fields(opts)}
    clean: Dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in names:
            raise OptionsError(f"unknown option {key!r} for {type(opts).__name__}; valid: {', '.join(sorted(names))}")
        current = getattr(opts, key)
        clean[key] = _coerce(key, value, current)
    out = dataclasses.replace(opts, **clean)
    out.validate()
    return out


def _coerce(key: str, value: Any, current: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if isinstance(current, bool):
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, tuple):
            return tuple(type(current[0])(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise OptionsError(f"option {key}={value!r} is not a valid {type(current).__name__}") from None
    return value


__all__ = ["UNetOptions", "ClipOptions", "OptionsError", "preset", "with_overrides", "UNET_KINDS", "CLIP_KINDS",
           "ALL_KINDS", "CONFIGS"]
