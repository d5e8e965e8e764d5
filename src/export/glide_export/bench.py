"""PyTorch baseline for `glide bench`: times one UNet evaluation of the exporter's own modules.

The C# bench calls `python3 -m glide_export bench --model-dir DIR` and reads one JSON object from stdout, so the
ONNX Runtime and PyTorch figures come from the same run on the same machine. The modules are rebuilt from the
manifest (options, and the random-init seed or the checkpoint files), so they hold the same weights as the graphs.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Dict, List

import torch

from .export import ExportError
from .init import init_random
from .models import ClipPair, build, load_strict, read_checkpoint
from .nets_unet import Text2ImUNet, UNetPart
from .options import ClipOptions, UNetOptions


def _options(kind: str, raw: Dict):
    cls = ClipOptions if kind == "clip" else UNetOptions
    fields = {f for f in cls.__dataclass_fields__}  # type: ignore[attr-defined]
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in fields}
    return cls(**values)


def rebuild(model_dir: str, kind: str) -> Text2ImUNet:
    """The PyTorch module behind `<kind>.unet` in an exported directory, with the same weights."""
    with open(os.path.join(model_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    entry = manifest["models"].get(kind)
    if entry is None:
        raise ExportError(f"{model_dir} has no {kind} model")
    model = build(kind, _options(kind, entry["options"]))
    if isinstance(model, ClipPair):
        raise ExportError("bench times the UNets only")
    source = entry["source"]
    if source["kind"] == "random":
        init_random(model, int(source["seed"]))
    else:
        ckpt_dir = os.environ.get("GLIDE_CHECKPOINTS", "")
        info = source["files"][kind]
        load_strict(model, read_checkpoint(os.path.join(ckpt_dir, info["file"])), info["file"])
    return model.eval()


def time_unet(model: Text2ImUNet, batch: int, repeats: int, threads: int) -> List[float]:
    torch.set_num_threads(threads)
    o = model.opts
    gen = torch.Generator().manual_seed(0)
    args = [torch.randn(batch, 3, o.image_size, o.image_size, generator=gen),
            torch.full((batch,), 500, dtype=torch.int64),
            torch.randn(batch, o.emb_channels, generator=gen),
            torch.randn(batch, o.xf_width, o.text_ctx, generator=gen)]
    if o.super_res:
        args.append(torch.rand(batch, 3, o.low_res_size, o.low_res_size, generator=gen) * 2 - 1)
    part = UNetPart(model)
    times = []
    with torch.no_grad():
        part(*args)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            part(*args)
            times.append(time.perf_counter() - start)
    return times


def run(model_dir: str, kinds: List[str], repeats: int, threads: int) -> Dict:
    result = {"torch": torch.__version__, "threads": threads, "graphs": {}}
    for kind in kinds:
        model = rebuild(model_dir, kind)
        batch = 2 if model.opts.image_size <= 64 else 1
        times = time_unet(model, batch, repeats, threads)
        result["graphs"][f"{kind}.unet"] = {"batch": batch, "median_s": statistics.median(times), "runs_s": times}
        del model
    return result
