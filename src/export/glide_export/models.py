"""Building the networks by kind and loading state dicts strictly, with errors that name the problem."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Dict, List, Tuple, Union

import torch
from torch import nn

from .nets_clip import ClipImageEncoder, ClipTextEncoder
from .nets_unet import Text2ImUNet
from .options import ClipOptions, OptionsError, UNetOptions, UNET_KINDS

# Official checkpoint names (glide-spec §3.3). The CLIP pair is two files that together form the "clip" model.
CHECKPOINT_FILES: Dict[str, str] = {
    "base": "base.pt",
    "upsample": "upsample.pt",
    "base-inpaint": "base_inpaint.pt",
    "upsample-inpaint": "upsample_inpaint.pt",
    "clip-image": "clip_image_enc.pt",
    "clip-text": "clip_text_enc.pt",
}
CHECKPOINT_BASE_URL = "https://openaipublic.blob.core.windows.net/diffusion/dec-2021/"


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded; the message names the file and the offending keys."""


@dataclass
class ClipPair:
    """The noised-CLIP model: a text and an image encoder sharing one option set."""

    text: ClipTextEncoder
    image: ClipImageEncoder

    def parameter_count(self) -> int:
        return count_parameters(self.text) + count_parameters(self.image)


Built = Union[Text2ImUNet, ClipPair]


def build(kind: str, opts: Union[UNetOptions, ClipOptions]) -> Built:
    """An eval-mode float32 network of `kind` with uninitialised weights."""
    if kind in UNET_KINDS:
        if not isinstance(opts, UNetOptions):
            raise OptionsError(f"{kind} needs UNetOptions, got {type(opts).__name__}")
        expected_inpaint, expected_sr = "inpaint" in kind, kind.startswith("upsample")
        if opts.inpaint != expected_inpaint or opts.super_res != expected_sr:
            raise OptionsError(f"{kind} needs inpaint={expected_inpaint} and super_res={expected_sr}")
        return Text2ImUNet(opts).eval()
    if kind == "clip":
        if not isinstance(opts, ClipOptions):
            raise OptionsError(f"clip needs ClipOptions, got {type(opts).__name__}")
        return ClipPair(ClipTextEncoder(opts).eval(), ClipImageEncoder(opts).eval())
    raise OptionsError(f"unknown model kind {kind!r}")


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def parameter_count(model: Built) -> int:
    return model.parameter_count() if isinstance(model, ClipPair) else count_parameters(model)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """Load a `.pt` state dict on CPU; a missing or unreadable file is a CheckpointError naming it."""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint file not found: {path}")
    try:
        obj = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any unpickling failure means the same thing to the user
        raise CheckpointError(f"cannot read checkpoint {path}: {type(e).__name__}: {e}") from None
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError(f"{path} is not a state dict of tensors (got {type(obj).__name__})")
    return obj


def check_state_dict(module: nn.Module, state: Dict[str, torch.Tensor], source: str) -> None:
    """Strict comparison of keys and shapes, reporting every difference (up to a few of each kind)."""
    expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    missing = [k for k in expected if k not in got]
    unexpected = [k for k in got if k not in expected]
    wrong = [f"{k}: expected {list(expected[k])}, got {list(got[k])}"
             for k in expected if k in got and expected[k] != got[k]]
    problems: List[str] = []
    for label, items in (("missing keys", missing), ("unexpected keys", unexpected), ("wrong shapes", wrong)):
        if items:
            shown = ", ".join(items[:5]) + (f", … ({len(items)} in all)" if len(items) > 5 else "")
            problems.append(f"{label}: {shown}")
    if problems:
        raise CheckpointError(f"{source} does not match the {type(module).__name__} definition: "
                              + "; ".join(problems))


def load_strict(module: nn.Module, state: Dict[str, torch.Tensor], source: str) -> None:
    check_state_dict(module, state, source)
    module.load_state_dict({k: v.to(torch.float32) for k, v in state.items()}, strict=True)


def expected_keys(model: Built) -> Dict[str, List[Tuple[str, List[int]]]]:
    """Key lists in state_dict order, grouped as in state_dict_keys.json."""
    def listing(m: nn.Module):
        return [(k, list(v.shape)) for k, v in m.state_dict().items()]
    if isinstance(model, ClipPair):
        return {"clip-text": listing(model.text), "clip-image": listing(model.image)}
    return {"unet": listing(model)}
