"""Training of the glide-shapes models from scratch: base (64×64, text, CFG dropout), upsampler (64→256, text) and
the noised-CLIP pair (contrastive, image encoder on x_t at random t).

Time-boxed rather than step-counted: each run trains for `minutes` of wall clock with a warm-up then a cosine decay
over that time, keeps an exponential moving average of the weights, and writes the EMA weights (official state-dict
key layout, gzip'd) every `save_every` seconds and at the end, so a run stopped early still leaves a usable model.
Beside it, `<kind>.state.pt` holds what continuing needs beyond the EMA weights — the raw weights and the optimizer's
moments — so a run continued with `init` picks up where the earlier one stopped instead of restarting Adam (which
costs hundreds of steps of progress). Runs add up: a continued run's file records the runs before it (`history`)
and the totals.
Seeded: scenes, noise and initialisation all derive from `seed` (GPU kernels may still differ in the last bits); a
continued run offsets its streams by the samples already trained, so it never replays the scenes it started from.
"""

from __future__ import annotations

import copy
import dataclasses
import gzip
import io
import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from glide_export.diffusion import quantize_low_res
from glide_export.models import build
from glide_export.nets_unet import ResBlock
from glide_export.options import preset, with_overrides

from . import PRECISIONS, render, world
from .losses import (BASE_SCHEDULE, UPSAMPLE_SCHEDULE, NoiseSchedule, first_step_loss, hybrid_loss,
                     low_frequency_loss)
from .probe import attribute_picks, caption_sensitivity, denoising, first_step
from .tokens import TokenTable

KINDS = ("base", "upsample", "clip")
CLIP_PROBE_SCENES = 32  # scenes per attribute in a CLIP run's probe (probe.attribute_picks)
CAPTION_DROP = 0.2  # share of base samples trained with the empty prompt, for classifier-free guidance


@dataclass
class TrainConfig:
    kind: str
    out: str
    minutes: float
    batch: int
    lr: float
    seed: int = 0
    device: str = "cuda"
    save_every: float = 60.0
    warmup: int = 200
    ema: float = 0.999
    log_every: int = 50
    crop: int = 0  # upsample only: train on aligned crops of this size (0 = whole 256×256 images)
    text_lr_mult: float = 1.0  # UNets: learning-rate multiplier for the text side and the attention's text keys
    init: str = ""  # a <kind>.pt.gz from an earlier run to continue from (with its <kind>.state.pt when present)
    snr_weight_max: float = 1.0  # UNets: ε MSE weighted by clamp(1/SNR, 1, this) (losses.hybrid_loss)
    high_t_share: float = 0.0  # UNets: share of samples with t drawn from [high_t_from, steps) instead of all
    high_t_from: int = 600
    reset_text: bool = False  # UNets continued with `init`: start the text side afresh (_reset_text)
    freeze_text: bool = False  # UNets: keep the text transformer, its tables and projection as initialised/loaded
    options: Dict[str, str] = field(default_factory=dict)  # overrides of the `shapes` preset (option name → value)
    clip_grad: float = 1.0  # gradient-norm clipping threshold (with --snr-weight-max, scale it with the weights)
    threads: int = 0  # CPU runs: torch threads (0 = every core; this torch build would otherwise use one)
    dropout: float = 0.1  # UNets: the residual blocks' dropout (GLIDE's 0.1; the exported graphs have none)
    low_freq_weight_max: float = 0.0  # UNets: add losses.low_frequency_loss with this weight cap (0 = off)
    first_step_weight: float = 0.0  # UNets: add this × losses.first_step_loss (0 = off; see first_step_share)
    identity_init: bool = False  # UNets started afresh: _init_identity (ε̂ = x_t / rms at the start)
    first_step_share: float = 0.0  # UNets: share of samples at t = 999, besides high_t_share's (draw_timesteps)
    clean_share: float = 0.3  # clip: share of samples at t = 0 (what reranking scores); the rest at a uniform t
    contrast_group: int = 0  # clip: batches of groups of this many scenes differing in one attribute (0 = off)
    precision: str = "auto"  # forward pass: bf16 autocast or fp32; auto = bf16 on CUDA, fp32 on the CPU (PRECISIONS)


DEFAULT_BATCH = {"base": 384, "upsample": 48, "clip": 512}
DEFAULT_LR = {"base": 4e-4, "upsample": 3e-4, "clip": 5e-4}


def _used_token_ids(table: TokenTable) -> Dict[str, List[int]]:
    glide = sorted({i for d in (table.glide_first, table.glide_spaced) for ids in d.values() for i in ids})
    clip = sorted({i for ids in table.clip.values() for i in ids} | {49406, 49407})
    return {"glide": glide, "clip": clip}


def _zero_unused_rows(weight: torch.Tensor, used: List[int]) -> None:
    """Rows of tokens no caption contains are never read; zero them so they carry no arbitrary values."""
    keep = torch.zeros(weight.shape[0], dtype=torch.bool)
    keep[used] = True
    with torch.no_grad():
        weight[~keep.to(weight.device)] = 0.0


def _init_text(model: torch.nn.Module, used: List[int]) -> None:
    """The UNet's text side, set up so that the caption reaches the image side from the first step.

    The pooled text vector is the transformer's output at the *last* of 128 positions, which is padding for every
    caption here; padding positions read `padding_embedding` instead of a token. With padding embeddings and the
    transformer's biases at zero, every padding position starts as an exact zero vector (LayerNorm(0) = 0, the
    linear maps of 0 are 0), so its attention output is the mean of the caption tokens' values and everything it
    carries afterwards — the pooled vector, and the padding keys the UNet's attention reads — is a function of the
    caption alone. Drawn at random instead (the previous set-up), 120 position-specific padding vectors drown the
    ~8 caption tokens and the networks first learn to ignore the text. `padding_embedding` stays frozen at zero."""
    with torch.no_grad():
        model.token_embedding.weight.normal_(0.0, 0.02)
        model.positional_embedding.normal_(0.0, 0.02)
        if model.padding_embedding is not None:
            model.padding_embedding.zero_()
        for module in model.transformer.modules():
            if isinstance(module, torch.nn.Linear):
                module.bias.zero_()
    _zero_unused_rows(model.token_embedding.weight, used)


def _init_unet(model: torch.nn.Module, used: List[int], identity: bool = False) -> None:
    # PyTorch's default initialisation, the final convolution zeroed (the network starts by predicting zero noise
    # and the mid-point variance), and the text side as _init_text sets it; with `identity`, _init_identity then
    # zeroes every residual branch and sets up an ε̂ = x_t path through the final convolution instead.
    with torch.no_grad():
        model.out[-1].weight.zero_()
        model.out[-1].bias.zero_()
    if identity:
        _init_identity(model)
    _init_text(model, used)


def _init_identity(model: torch.nn.Module) -> None:
    """Start the UNet predicting ε̂ = x_t / rms(x_t) per colour channel, channel means included.

    At high t the noise *is* x_t, and the sampler's first step needs ε̂'s channel means to follow x_t's (README, "The
    first step"): the last GroupNorm removes each group's mean, so a network that has not learnt to carry them in the
    difference of a group's channels predicts none, and x0 = 20,412 × (x_t − ε̂) starts from a tinted or saturated
    colour. Trained from PyTorch's initialisation, the 64-channel bases learnt a little of it (probe chroma_gain
    0.25–0.3 after 400–900 steps) and drew tinted backgrounds. This sets the path up instead:
    the input convolution writes +x and −x of each colour channel into a pair of channels of one group; the last
    output block's 1×1 skip passes that pair (the skip of the input convolution's output) straight through; every
    residual branch starts at zero (GLIDE's own zero-initialised last convolution), so nothing else reaches those
    channels; the pair's mean is zero, so the final GroupNorm leaves ±x / rms(x), its mean included; and since
    SiLU(a) − SiLU(−a) = a, the final convolution's ±1 taps return x / rms(x). Only weights change, not the
    architecture; training then learns everything else, including the departure from ε̂ ≈ x_t at low t. Measured on
    CPU: training keeps the colour part (chroma_gain 0.94–0.98 after 170 steps, backgrounds white, black or grey)
    and drops the equal part (dc_gain ≈ 0.02: below t ≈ 985 x_t's overall brightness is mostly picture, and the
    network does not yet tell those steps apart), so the first step picks a white or black start. Later training
    erodes the colour part too (0.74 after 900 steps) unless --first-step-weight holds it."""
    first, last, out = model.input_blocks[0][0], model.output_blocks[-1][0], model.out[-1]
    ch, colours, groups = first.out_channels, 3, model.out[0].num_groups
    if ch % (2 * groups) or not isinstance(last.skip_connection, torch.nn.Conv2d):
        raise ValueError(f"identity init needs an even number of channels per group at the first level "
                         f"({2 * groups}, {4 * groups}, …), not {ch}")
    skip = last.skip_connection
    offset = skip.in_channels - ch  # the output blocks concatenate [h, skip], the input convolution's output last
    with torch.no_grad():
        for block in model.modules():
            if isinstance(block, ResBlock):
                block.out_layers[-1].weight.zero_()
                block.out_layers[-1].bias.zero_()
        first.weight[:2 * colours].zero_()
        first.bias[:2 * colours].zero_()
        skip.weight[:2 * colours].zero_()
        skip.bias[:2 * colours].zero_()
        for k in range(colours):
            for sign, c in ((1.0, 2 * k), (-1.0, 2 * k + 1)):
                first.weight[c, k, 1, 1] = sign
                skip.weight[c, offset + c, 0, 0] = 1.0
                out.weight[k, c, 1, 1] = sign


def reset_sample(table: TokenTable, seed: int, n: int = 256):
    """The captions _reset_text averages the old projection over: n training captions, every fifth one dropped."""
    stream = world.training_scenes(random.Random(seed), world.held_out_captions())
    captions = [next(stream).caption for _ in range(n)]
    tokens, mask = table.glide_batch(captions, [i % 5 == 0 for i in range(n)])
    return torch.from_numpy(tokens), torch.from_numpy(mask)


def _reset_text(model: torch.nn.Module, used: List[int], tokens: torch.Tensor, mask: torch.Tensor,
                seed: int) -> None:
    """Continue a trained UNet with a fresh text side (_init_text): the image side keeps what it learned.

    The new projection starts at zero weight with the old model's mean pooled vector (over `tokens`) as its bias,
    so the image side first sees what it was trained with and the caption's influence grows from there."""
    with torch.no_grad():
        old_mean = model.encode_text(tokens, mask)[0].mean(dim=0)
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        for module in model.transformer.modules():
            if isinstance(module, (torch.nn.Linear, torch.nn.LayerNorm)):
                module.reset_parameters()
        if model.final_ln is not None:
            model.final_ln.reset_parameters()
        torch.random.set_rng_state(state)
        _init_text(model, used)
        model.transformer_proj.weight.zero_()
        model.transformer_proj.bias.copy_(old_mean)


def _init_clip(pair, used: List[int]) -> None:
    with torch.no_grad():
        for enc in (pair.text, pair.image):
            for name, p in enc.named_parameters():
                if name.endswith((".g",)):
                    p.fill_(1.0)
                elif name.endswith((".b",)):
                    p.zero_()
                elif p.dim() >= 2:
                    fan_in = p[0].numel()
                    if name.endswith(("w_voc", "w_pos", "w_t")):
                        p.normal_(0.0, 0.02)
                    else:
                        p.normal_(0.0, 1.0 / math.sqrt(fan_in))
    _zero_unused_rows(pair.text.blocks["input"].w_voc, used)


class SceneBatches:
    """Training batches: scenes (evaluation captions excluded), rendered on the device, with token arrays."""

    def __init__(self, seed: int, device: torch.device, table: TokenTable):
        self.rng = random.Random(seed)
        self.held_out = world.held_out_captions()
        self.stream = world.training_scenes(self.rng, self.held_out)
        self.device = device
        self.table = table

    def next(self, n: int, high_res: bool, crop: int = 0, contrast: int = 0):
        """Scenes, the quantized 256×256 images (when asked) and the quantized 64×64 ones.

        With `contrast` > 1 the scenes come in groups: a drawn scene, then up to `contrast` − 1 variants of it that
        differ in one attribute each (world.contrast_group), until there are n.

        With `crop`, both come back as one random crop per batch, aligned to the 4×4 grid so that the low-res crop
        is exactly the box average of the high-res one (the upsampler is convolutional; crops train it 256²/crop²
        times cheaper per image)."""
        if contrast > 1:
            scenes: List[world.Scene] = []
            while len(scenes) < n:
                scenes += world.contrast_group(next(self.stream), contrast, self.rng, self.held_out)
            scenes = scenes[:n]
        else:
            scenes = [next(self.stream) for _ in range(n)]
        high = render.render(scenes, self.device, render.HIGH)
        low = quantize_low_res(render.downsample(high))
        if high_res and crop:
            factor = render.HIGH // render.LOW
            cells = (render.HIGH - crop) // factor
            y, x = (self.rng.randint(0, cells) * factor for _ in range(2))
            high = high[:, :, y:y + crop, x:x + crop]
            low = low[:, :, y // factor:(y + crop) // factor, x // factor:(x + crop) // factor]
        return scenes, (quantize_low_res(high) if high_res else None), low


_TEXT_PREFIXES = ("transformer.", "transformer_proj.", "token_embedding.", "positional_embedding",
                  "padding_embedding", "final_ln.")


def cpu_has_bf16(cpuinfo: str = "/proc/cpuinfo") -> Optional[bool]:
    """Whether this CPU has bf16 instructions (AVX-512 BF16 or AMX), read from `cpuinfo`; None where that file
    cannot be read (not Linux), so nothing is refused on a guess."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            flags = {word for line in f if line.startswith("flags") for word in line.split()}
    except OSError:
        return None
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def uses_bf16(precision: str, device: torch.device) -> bool:
    """Whether the forward pass runs under bf16 autocast: asked for, or `auto` on CUDA. The weights, the optimizer,
    the EMA and the losses stay float32 either way (the losses cast the output up).

    On a CPU with AVX-512 BF16 (a 2-core development machine of this project's) bf16 trained the base at 1.4 times
    fp32's samples per second (README, "bf16 on the CPU"); without such instructions it is emulated and far slower,
    hence opt-in there, and `train` refuses it where /proc/cpuinfo shows none (cpu_has_bf16)."""
    return precision == "bf16" or (precision == "auto" and device.type == "cuda")


def draw_timesteps(cfg: "TrainConfig", steps: int, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    """A batch's diffusion steps: uniform, then `high_t_share` of them from [high_t_from, steps), then
    `first_step_share` of them at steps − 1, where sampling starts (each share drawn independently)."""
    t = torch.randint(0, steps, (cfg.batch,), device=device, generator=gen)
    if cfg.high_t_share > 0:
        t_high = torch.randint(cfg.high_t_from, steps, (cfg.batch,), device=device, generator=gen)
        t = torch.where(torch.rand(cfg.batch, device=device, generator=gen) < cfg.high_t_share, t_high, t)
    if cfg.first_step_share > 0:
        first = torch.rand(cfg.batch, device=device, generator=gen) < cfg.first_step_share
        t = torch.where(first, torch.full_like(t, steps - 1), t)
    return t


def _param_groups(modules: torch.nn.Module, params: List[torch.nn.Parameter], cfg: "TrainConfig") -> List[Dict]:
    """One group at cfg.lr, or for a UNet with text_lr_mult ≠ 1 the text side (the transformer, its tables and
    projection, and every attention block's encoder_kv) in a second group at cfg.lr × text_lr_mult."""
    if cfg.kind == "clip" or cfg.text_lr_mult == 1.0:
        return [{"params": params, "base_lr": cfg.lr}]
    text, rest = [], []
    for name, p in modules.named_parameters():
        if not p.requires_grad:
            continue
        (text if name.startswith(_TEXT_PREFIXES) or ".encoder_kv." in name else rest).append(p)
    return [{"params": rest, "base_lr": cfg.lr}, {"params": text, "base_lr": cfg.lr * cfg.text_lr_mult}]


def _lr_factor(step: int, elapsed: float, total: float, warmup: int) -> float:
    warm = min(1.0, (step + 1) / warmup)
    progress = min(1.0, elapsed / total)
    return warm * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def _ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.lerp_(pm, 1.0 - decay)


def _save_gz(obj, path: str) -> None:
    buf = io.BytesIO()
    torch.save(obj, buf)
    tmp = path + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)


def _cpu_state(module: torch.nn.Module) -> Dict[str, torch.Tensor]:
    return {k: v.detach().float().cpu().clone() for k, v in module.state_dict().items()}


def train(cfg: TrainConfig) -> Dict:
    if cfg.kind not in KINDS:
        raise ValueError(f"unknown kind {cfg.kind!r}; expected one of {', '.join(KINDS)}")
    factor = render.HIGH // render.LOW
    if cfg.crop and (cfg.kind != "upsample" or cfg.crop % (8 * factor) or not 0 < cfg.crop <= render.HIGH):
        raise ValueError(f"crop={cfg.crop}: only for the upsampler, a multiple of {8 * factor} up to {render.HIGH}")
    for bad, message in ((not 0.0 <= cfg.high_t_share <= 1.0, f"high_t_share={cfg.high_t_share}: a share in [0, 1]"),
                         (not 0 <= cfg.high_t_from < 1000, f"high_t_from={cfg.high_t_from}: a step in [0, 1000)"),
                         (not cfg.snr_weight_max >= 1.0, f"snr_weight_max={cfg.snr_weight_max}: 1 (off) or more"),
                         (not 0.0 <= cfg.ema < 1.0, f"ema={cfg.ema}: a decay in [0, 1)"),
                         (cfg.warmup < 1, f"warmup={cfg.warmup}: at least 1 step"),
                         (cfg.threads < 0, f"threads={cfg.threads}: 0 (every core) or more"),
                         (not cfg.clip_grad > 0, f"clip_grad={cfg.clip_grad}: a positive gradient norm"),
                         (not 0.0 <= cfg.dropout < 1.0, f"dropout={cfg.dropout}: a probability in [0, 1)"),
                         (not cfg.low_freq_weight_max >= 0.0,
                          f"low_freq_weight_max={cfg.low_freq_weight_max}: 0 (off) or a positive weight cap"),
                         (cfg.identity_init and (cfg.kind == "clip" or bool(cfg.init)),
                          "identity_init starts a UNet afresh; it applies to base/upsample without init"),
                         (not 0.0 <= cfg.clean_share <= 1.0, f"clean_share={cfg.clean_share}: a share in [0, 1]"),
                         (cfg.contrast_group and (cfg.kind != "clip" or not 2 <= cfg.contrast_group <= cfg.batch),
                          f"contrast_group={cfg.contrast_group}: 0 (off), or for clip a group of 2 up to the batch"),
                         (not 0.0 <= cfg.first_step_share <= 1.0,
                          f"first_step_share={cfg.first_step_share}: a share in [0, 1]"),
                         (not cfg.first_step_weight >= 0.0,
                          f"first_step_weight={cfg.first_step_weight}: 0 (off) or a positive weight"),
                         (cfg.precision not in PRECISIONS,
                          f"precision={cfg.precision!r}: one of {', '.join(PRECISIONS)}"),
                         (cfg.precision == "bf16" and torch.device(cfg.device).type == "cpu"
                          and cpu_has_bf16() is False,
                          "precision='bf16' on a CPU without bf16 instructions (no avx512_bf16 or amx_bf16 in "
                          "/proc/cpuinfo): autocast runs emulated there, dozens of times slower than fp32 (README, "
                          "\"bf16 on the CPU\"); use --precision fp32, also to continue a run recorded with bf16")):
        if bad:
            raise ValueError(message)
    os.makedirs(cfg.out, exist_ok=True)
    device = torch.device(cfg.device)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    if device.type == "cpu":
        torch.set_num_threads(cfg.threads or os.cpu_count() or 1)  # this torch build defaults to one thread
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    table = TokenTable.load()
    used = _used_token_ids(table)
    earlier = load_trained(cfg.init) if cfg.init else None
    if earlier is not None and earlier["meta"]["kind"] != cfg.kind:
        raise ValueError(f"{cfg.init} holds a {earlier['meta']['kind']} model, not {cfg.kind}")
    # A continued run builds the network its init file recorded (whatever the preset is today), then cfg.options.
    recorded = preset_differences(cfg.kind, earlier["meta"]) if earlier is not None else {}
    opts = with_overrides(preset("shapes", cfg.kind), {**recorded, **cfg.options})
    model = build(cfg.kind, opts)
    if cfg.kind == "clip":
        _init_clip(model, used["clip"])
        modules = torch.nn.ModuleDict({"text": model.text, "image": model.image}).to(device).train()
        log_scale = torch.nn.Parameter(torch.tensor(math.log(10.0), device=device))
        params = list(modules.parameters()) + [log_scale]
    else:
        _init_unet(model, used["glide"], identity=cfg.identity_init)
        for module in model.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = cfg.dropout
        modules = model.to(device).train()
        log_scale = None
        params = list(modules.parameters())
    if earlier is not None:
        if cfg.kind == "clip":
            modules["text"].load_state_dict(earlier["clip_text_enc"])
            modules["image"].load_state_dict(earlier["clip_image_enc"])
            with torch.no_grad():
                log_scale.fill_(math.log(earlier["logit_scale"]))
        else:
            modules.load_state_dict(earlier[cfg.kind])
    if cfg.reset_text:
        if cfg.kind == "clip" or not cfg.init:
            raise ValueError("reset_text continues a trained UNet: it needs init and a base or upsample model")
        tokens, mask = reset_sample(table, cfg.seed + 4)
        _reset_text(modules, used["glide"], tokens.to(device), mask.to(device), cfg.seed + 5)
    if cfg.kind != "clip" and modules.padding_embedding is not None:
        modules.padding_embedding.requires_grad_(False)  # frozen (see _init_text)
    if cfg.freeze_text:
        if cfg.kind == "clip":
            raise ValueError("freeze_text applies to the UNets (base, upsample)")
        for name, p in modules.named_parameters():
            if name.startswith(_TEXT_PREFIXES):
                p.requires_grad_(False)
    params = [p for p in params if p.requires_grad]
    ema = copy.deepcopy(modules).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(_param_groups(modules, params, cfg), lr=cfg.lr, weight_decay=0.0,
                                  betas=(0.9, 0.999))
    before = _totals(earlier["meta"]) if cfg.init else {"steps": 0, "samples": 0, "seconds": 0.0}
    resumed = False
    if cfg.init and not cfg.reset_text:
        resumed = _resume(cfg.init, earlier["meta"], modules, log_scale, optimizer)
    stream = cfg.seed + before["samples"]  # a continued run draws scenes and noise it has not trained on yet
    batches = SceneBatches(stream + 1, device, table)
    schedule = NoiseSchedule(BASE_SCHEDULE if cfg.kind != "upsample" else UPSAMPLE_SCHEDULE, device)
    gen = torch.Generator(device=device).manual_seed(stream + 2)
    drop_rng = random.Random(stream + 3)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=uses_bf16(cfg.precision, device))

    log_path = os.path.join(cfg.out, f"train-{cfg.kind}.log")
    log = open(log_path, "a", encoding="utf-8")

    def emit(obj: Dict) -> None:
        line = json.dumps(obj)
        log.write(line + "\n")
        log.flush()
        print(f"[{cfg.kind}] {line}", flush=True)

    total = cfg.minutes * 60.0
    start = time.monotonic()
    last_save = start
    step, samples = 0, 0
    running: List[float] = []
    emit({"event": "start", "device": str(device),
          "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
          "torch": torch.__version__, "trainable_parameters": sum(p.numel() for p in params),
          **{k: v for k, v in asdict(cfg).items() if k != "out"},
          "continued": {"from": before, "optimizer_state": resumed, "stream_seed": stream} if cfg.init else None})

    def save(final: bool) -> None:
        if cfg.kind == "clip":
            state = {"clip_text_enc": _cpu_state(ema["text"]), "clip_image_enc": _cpu_state(ema["image"]),
                     "logit_scale": float(torch.exp(log_scale.detach()).clamp(max=100.0))}
        else:
            state = {cfg.kind: _cpu_state(ema)}
        seconds = time.monotonic() - start
        meta = {"kind": cfg.kind, "steps": step, "samples": samples, "seconds": seconds,
                "final": final, "options": opts.to_json(),
                "config": {k: v for k, v in asdict(cfg).items() if k != "out"},
                "history": (_history(earlier["meta"]) if cfg.init else []),
                "total": {"steps": before["steps"] + step, "samples": before["samples"] + samples,
                          "seconds": before["seconds"] + seconds}}
        state["meta"] = meta
        # The state first: a snapshot whose .state.pt is missing or older is continued with a fresh optimizer.
        _save_state(os.path.join(cfg.out, f"{cfg.kind}.state.pt"), meta, modules, log_scale, optimizer)
        _save_gz(state, os.path.join(cfg.out, f"{cfg.kind}.pt.gz"))
        if cfg.kind == "base":
            result = caption_sensitivity(ema, table)
            first = first_step(ema, table)
            emit({"event": "probe", "step": step, "pooled_spread": round(result["pooled_spread"], 4),
                  "spread": {str(t): round(v["spread"], 4) for t, v in result["t"].items()},
                  "alignment": {str(t): round(v["alignment"], 3) for t, v in result["t"].items()},
                  "dc_gain": round(first["dc_gain"], 3),
                  "chroma_gain": round(first["chroma_gain"], 3), "first_step_bias": round(first["bias"], 3),
                  "colour_bias": round(first["colour_bias"], 3), **_denoising_fields(ema, table, cfg.kind)})
        elif cfg.kind == "upsample":
            emit({"event": "probe", "step": step, **_denoising_fields(ema, table, cfg.kind)})
        else:
            picks = attribute_picks(ema["text"], ema["image"], table, n=CLIP_PROBE_SCENES)
            emit({"event": "probe", "step": step, "picks": {k: round(v, 3) for k, v in picks.items()}})

    while True:
        elapsed = time.monotonic() - start
        if elapsed >= total:
            break
        for group in optimizer.param_groups:
            group["lr"] = group["base_lr"] * _lr_factor(step, elapsed, total, cfg.warmup)
        scenes, high, low = batches.next(cfg.batch, high_res=cfg.kind == "upsample", crop=cfg.crop,
                                         contrast=cfg.contrast_group)
        captions = [s.caption for s in scenes]
        with autocast:
            if cfg.kind == "clip":
                tokens, lengths = table.clip_batch(captions)
                tokens_t = torch.from_numpy(tokens).to(device)
                lengths_t = torch.from_numpy(lengths).to(device)
                # Reranking scores clean images (t = 0); guidance scores x_t at every t.
                t = torch.randint(0, schedule.steps, (cfg.batch,), device=device, generator=gen)
                t = torch.where(torch.rand(cfg.batch, device=device, generator=gen) < cfg.clean_share,
                                torch.zeros_like(t), t)
                noise = torch.randn(low.shape, device=device, generator=gen)
                x_t = schedule.q_sample(low, t, noise)
                zt = F.normalize(modules["text"](tokens_t, lengths_t).float(), dim=-1)
                zi = F.normalize(modules["image"](x_t, t).float(), dim=-1)
                logits = torch.exp(log_scale.clamp(max=math.log(100.0))) * zi @ zt.t()
                # Several captions in a batch can describe the same picture; treat identical captions as positives.
                ids = {c: i for i, c in enumerate(dict.fromkeys(captions))}
                cid = torch.tensor([ids[c] for c in captions], device=device)
                same = (cid[:, None] == cid[None, :]).float()
                targets = same / same.sum(dim=1, keepdim=True)
                loss = 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets))
                extra = {"scale": float(torch.exp(log_scale.detach()))} if (step + 1) % cfg.log_every == 0 else {}
            else:
                x0 = low if cfg.kind == "base" else high
                drop = [drop_rng.random() < CAPTION_DROP for _ in captions] if cfg.kind == "base" else [False] * len(captions)
                tokens, mask = table.glide_batch(captions, drop)
                tokens_t = torch.from_numpy(tokens).to(device)
                mask_t = torch.from_numpy(mask).to(device)
                t = draw_timesteps(cfg, schedule.steps, gen, device)
                noise = torch.randn(x0.shape, device=device, generator=gen)
                x_t = schedule.q_sample(x0, t, noise)
                out = modules(x_t, t, tokens_t, mask_t, low_res=low if cfg.kind == "upsample" else None)
                loss, mse, vb = hybrid_loss(schedule, out, x0, x_t, t, noise, cfg.snr_weight_max)
                extra = {"mse": float(mse), "vb": float(vb)} if (step + 1) % cfg.log_every == 0 else {}
                if cfg.low_freq_weight_max > 0:
                    thumb = low_frequency_loss(schedule, out[:, :3], noise, t, cfg.low_freq_weight_max)
                    loss = loss + thumb
                    if extra:
                        extra["low_freq"] = float(thumb)
                if cfg.first_step_weight > 0:
                    first = cfg.first_step_weight * first_step_loss(schedule, out[:, :3], noise, t)
                    loss = loss + first
                    if extra:
                        extra["first_step"] = float(first)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(params, cfg.clip_grad)
        optimizer.step()
        done = before["steps"] + step  # a continued run's average is already warm
        decay = min(cfg.ema, (1.0 + done) / (10.0 + done))
        _ema_update(ema, modules, decay)
        step += 1
        samples += cfg.batch
        if step % cfg.log_every == 0:
            running.append(float(loss))
            emit({"step": step, "samples": samples, "seconds": round(time.monotonic() - start, 1),
                  "loss": round(running[-1], 5), "grad_norm": round(float(grad_norm), 4),
                  "lr": optimizer.param_groups[0]["lr"], **{k: round(v, 5) for k, v in extra.items()}})
        if time.monotonic() - last_save >= cfg.save_every:
            save(final=False)
            last_save = time.monotonic()
    save(final=True)
    summary = {"event": "done", "steps": step, "samples": samples, "seconds": round(time.monotonic() - start, 1),
               "samples_per_second": round(samples / max(1e-9, time.monotonic() - start), 1)}
    emit(summary)
    log.close()
    return summary


def _denoising_fields(model: torch.nn.Module, table: TokenTable, kind: str) -> Dict:
    """The denoising probe's readings as probe-event fields (probe.denoising)."""
    result = denoising(model, table, kind)
    fields: Dict = {"denoise_gain": {str(t): round(g, 3) for t, g in result["denoise_gain"].items()}}
    if "first_step_error" in result:
        fields["first_step_error"] = round(result["first_step_error"], 3)
    return fields


def _totals(meta: Dict) -> Dict:
    """Steps, samples and seconds trained in all, up to and including the run that wrote `meta`."""
    return dict(meta.get("total") or {k: meta[k] for k in ("steps", "samples", "seconds")})


def _history(meta: Dict) -> List[Dict]:
    """The runs before a continued one: the earlier file's own history, then that run itself."""
    run = {k: meta[k] for k in ("steps", "samples", "seconds", "config") if k in meta}
    return list(meta.get("history", [])) + [run]


def _state_path(trained: str) -> str:
    name = os.path.basename(trained)
    kind = name[:-len(".pt.gz")] if name.endswith(".pt.gz") else name
    return os.path.join(os.path.dirname(trained), f"{kind}.state.pt")


def _param_names(modules: torch.nn.Module, log_scale) -> Dict[int, str]:
    """Each trained parameter's name by identity (the CLIP temperature is "<logit_scale>")."""
    names = {id(p): n for n, p in modules.named_parameters()}
    if log_scale is not None:
        names[id(log_scale)] = "<logit_scale>"
    return names


def _save_state(path: str, meta: Dict, modules: torch.nn.Module, log_scale, optimizer) -> None:
    names = _param_names(modules, log_scale)
    moments = {names[id(p)]: {k: (v.detach().cpu().clone() if torch.is_tensor(v) else v)
                              for k, v in optimizer.state[p].items()}
               for group in optimizer.param_groups for p in group["params"] if optimizer.state.get(p)}
    obj = {"meta": meta, "weights": _cpu_state(modules), "moments": moments,
           "log_scale": None if log_scale is None else float(log_scale.detach())}
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _resume(init: str, meta: Dict, modules: torch.nn.Module, log_scale, optimizer) -> bool:
    """Load the raw weights and Adam's moments saved beside `init`, if they belong to the same snapshot.

    Moments are matched by parameter name and shape, so a continued run that freezes or unfreezes part of the
    network keeps the moments of what both runs train. Returns whether the state was used."""
    path = _state_path(init)
    if not os.path.exists(path):
        return False
    state = torch.load(path, map_location="cpu", weights_only=False)  # our own file (meta dicts)
    if state.get("meta") != meta:  # written by another snapshot of the run (or another run): EMA weights only
        return False
    modules.load_state_dict(state["weights"])
    if log_scale is not None and state.get("log_scale") is not None:
        with torch.no_grad():
            log_scale.fill_(state["log_scale"])
    device = next(modules.parameters()).device
    names = _param_names(modules, log_scale)
    for group in optimizer.param_groups:
        for p in group["params"]:
            saved = state["moments"].get(names[id(p)])
            if saved is None or saved["exp_avg"].shape != p.shape:
                continue
            optimizer.state[p] = {k: (v.to(device) if torch.is_tensor(v) and v.dim() > 0 else v)
                                  for k, v in saved.items()}
    return True


def _tensors(obj, convert):
    """`obj` with every tensor inside its dicts replaced by `convert(tensor)`."""
    if isinstance(obj, dict):
        return {k: _tensors(v, convert) for k, v in obj.items()}
    return convert(obj) if torch.is_tensor(obj) else obj


def load_trained(path: str) -> Dict:
    """A `<kind>.pt.gz` written by `train` (EMA weights, CPU float32), or by `keep` (float16, read back as float32)."""
    with gzip.open(path, "rb") as f:
        state = torch.load(io.BytesIO(f.read()), map_location="cpu", weights_only=False)  # our own file
    return _tensors(state, lambda v: v.float() if v.dtype == torch.float16 else v)


KEPT_DTYPE = torch.float16


def keep(trained_dir: str, out: str) -> List[str]:
    """Copy the `<kind>.pt.gz` files in `trained_dir` (and their training logs) to `out` with the weights in
    float16: half the size, for a snapshot committed to the repository so that the next session can `--continue`
    it — nothing outside the repository outlives a session. The raw weights and Adam's moments (`.state.pt`,
    about six times larger) stay behind, so the continued run restarts Adam (its warm-up covers that).

    Every weight must survive the cast (finite, within float16's range); returns the kinds kept."""
    kinds = [k for k in KINDS if os.path.isfile(os.path.join(trained_dir, f"{k}.pt.gz"))]
    if not kinds:
        raise ValueError(f"{trained_dir}: no base.pt.gz, upsample.pt.gz or clip.pt.gz to keep")
    limit = torch.finfo(KEPT_DTYPE).max
    states = {kind: load_trained(os.path.join(trained_dir, f"{kind}.pt.gz")) for kind in kinds}
    for kind, state in states.items():  # all checked before anything is written
        for name, value in _named_tensors(state):
            if value.is_floating_point() and not (torch.isfinite(value).all() and value.abs().max() <= limit):
                raise ValueError(f"{kind}.pt.gz: {name} does not fit float16 (non-finite or beyond ±{limit:g})")
    os.makedirs(out, exist_ok=True)
    for kind, state in states.items():
        _save_gz(_tensors(state, lambda v: v.to(KEPT_DTYPE) if v.dtype == torch.float32 else v),
                 os.path.join(out, f"{kind}.pt.gz"))
        log = os.path.join(trained_dir, f"train-{kind}.log")
        if os.path.isfile(log):
            shutil.copyfile(log, os.path.join(out, f"train-{kind}.log"))
    return kinds


def _named_tensors(obj, prefix: str = ""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _named_tensors(v, f"{prefix}{k}.")
    elif torch.is_tensor(obj):
        yield prefix[:-1], obj


def continued_config(trained_dir: str, kind: str, out: str, minutes: float, **changes) -> TrainConfig:
    """The configuration that continues `trained_dir`'s `<kind>.pt.gz` as it was trained: every option the file
    recorded, with `init` pointing at it, then `changes` (the options given anew).

    One-time actions of the earlier run (`identity_init`, `reset_text`) are not repeated; options a file from before
    they existed did not record take today's defaults (each new option's default is what runs did before it)."""
    path = os.path.join(trained_dir, f"{kind}.pt.gz")
    if not os.path.isfile(path):
        raise ValueError(f"--continue {trained_dir}: no {kind}.pt.gz there to continue")
    if changes.get("init"):
        raise ValueError("--continue names the run to continue; leave out --init")
    meta = load_trained(path)["meta"]
    if meta.get("kind") != kind:
        raise ValueError(f"--continue {trained_dir}: {path} holds a {meta.get('kind')} model, not {kind}")
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    recorded = {k: v for k, v in meta.get("config", {}).items() if k in names}
    recorded.update(kind=kind, out=out, minutes=minutes, init=path, identity_init=False, reset_text=False)
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ValueError(f"not training options: {', '.join(unknown)}")
    return TrainConfig(**{**recorded, **changes})


def recorded_options(meta: Dict) -> Dict[str, str]:
    """The `shapes` preset overrides a trained file was made with (none in files written before `--set`)."""
    return meta.get("config", {}).get("options", {})


def write_checkpoints(sources: Dict[str, str], out: str) -> Dict:
    """Unpack trained `.pt.gz` files into the exporter's checkpoint layout (base.pt, upsample.pt, clip_*_enc.pt).

    Returns the facts the export needs — the CLIP logit scale and, as `set`, the preset overrides in the exporter's
    MODEL.OPTION=VALUE form — and the training metadata."""
    os.makedirs(out, exist_ok=True)
    facts: Dict = {"training": {}}
    for kind, path in sources.items():
        state = load_trained(path)
        facts["training"][kind] = state["meta"]
        if kind == "clip":
            torch.save(state["clip_text_enc"], os.path.join(out, "clip_text_enc.pt"))
            torch.save(state["clip_image_enc"], os.path.join(out, "clip_image_enc.pt"))
            facts["logit_scale"] = state["logit_scale"]
        else:
            torch.save(state[kind], os.path.join(out, f"{kind}.pt"))
    facts["set"] = [f"{kind}.{name}={value}" for kind, meta in facts["training"].items()
                    for name, value in preset_differences(kind, meta).items()]
    return facts


def _option_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def preset_differences(kind: str, meta: Dict) -> Dict[str, str]:
    """The options a trained file's network differs from today's `shapes` preset in, as OPTION=VALUE text.

    Read from the full option set every file records (`meta.options`), so a file trained before the preset changed
    still exports as the network it is; the CLIP logit scale is a trained value, passed separately. Files without
    it fall back to the `--set` overrides they recorded."""
    recorded = meta.get("options")
    if not recorded:
        return dict(recorded_options(meta))
    current = preset("shapes", kind).to_json()
    fields = {f.name for f in dataclasses.fields(preset("shapes", kind))} - {"logit_scale"}
    return {name: _option_text(recorded[name]) for name in sorted(fields)
            if name in recorded and _option_text(recorded[name]) != _option_text(current[name])}
