"""Where weights come from: seeded random init for an option preset, or the official checkpoint files."""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence

from .export import ModelEntry
from .init import init_random
from .models import CHECKPOINT_FILES, CheckpointError, ClipPair, build, load_strict, read_checkpoint, sha256_file
from .options import ALL_KINDS, OptionsError, preset, with_overrides


def parse_models(spec: Optional[str]) -> List[str]:
    """'base,upsample' → ['base', 'upsample']; None or 'all' → every kind. Unknown names are an error."""
    if spec is None or spec == "all":
        return list(ALL_KINDS)
    kinds = [k.strip() for k in spec.split(",") if k.strip()]
    for k in kinds:
        if k not in ALL_KINDS:
            raise OptionsError(f"unknown model {k!r}; expected any of {', '.join(ALL_KINDS)}")
    if not kinds:
        raise OptionsError("no models selected")
    return kinds


def parse_overrides(items: Sequence[str]) -> Dict[str, Dict[str, str]]:
    """['base.xf_width=16', 'clip.n_embd=32'] → {'base': {'xf_width': '16'}, 'clip': {'n_embd': '32'}}."""
    out: Dict[str, Dict[str, str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        kind, dot, name = key.partition(".")
        if not sep or not dot or kind not in ALL_KINDS or not name:
            raise OptionsError(f"bad --set {item!r}: expected MODEL.OPTION=VALUE with MODEL one of {', '.join(ALL_KINDS)}")
        out.setdefault(kind, {})[name] = value
    return out


def random_entries(config: str, kinds: Sequence[str], seed: int,
                   overrides: Optional[Dict[str, Dict[str, str]]] = None) -> List[ModelEntry]:
    entries = []
    for i, kind in enumerate(kinds):
        opts = with_overrides(preset(config, kind), (overrides or {}).get(kind, {}))
        model = build(kind, opts)
        model_seed = seed * 100 + i
        if isinstance(model, ClipPair):
            init_random(model.text, model_seed)
            init_random(model.image, model_seed + 50)
        else:
            init_random(model, model_seed)
        entries.append(ModelEntry(kind, model, opts, {"kind": "random", "config": config, "seed": model_seed}))
    return entries


def checkpoint_paths(checkpoint_dir: str, kind: str) -> Dict[str, str]:
    names = ["clip-text", "clip-image"] if kind == "clip" else [kind]
    return {n: os.path.join(checkpoint_dir, CHECKPOINT_FILES[n]) for n in names}


def checkpoint_entries(checkpoint_dir: str, kinds: Sequence[str], config: str = "full",
                       overrides: Optional[Dict[str, Dict[str, str]]] = None) -> List[ModelEntry]:
    """Build networks of an option preset (the official checkpoints are `full`) and load the files strictly.

    Files carry the official names (glide-spec §3.3); a project's own smaller checkpoints use the same names with
    `config`/`overrides` describing their options."""
    if not os.path.isdir(checkpoint_dir):
        raise CheckpointError(f"checkpoint directory not found: {checkpoint_dir}")
    paths = {k: checkpoint_paths(checkpoint_dir, k) for k in kinds}
    missing = [p for d in paths.values() for p in d.values() if not os.path.isfile(p)]
    if missing:
        raise CheckpointError("checkpoint files not found: " + ", ".join(missing)
                              + " (fetch them with `python3 -m glide_export download`, or choose --models)")
    entries = []
    for kind in kinds:
        opts = with_overrides(preset(config, kind), (overrides or {}).get(kind, {}))
        model = build(kind, opts)
        files = paths[kind]
        source: Dict = {"kind": "checkpoint", "files": {}}
        for name, path in files.items():
            target = model if not isinstance(model, ClipPair) else (model.text if name == "clip-text" else model.image)
            load_strict(target, read_checkpoint(path), path)
            source["files"][name] = {"file": os.path.basename(path), "sha256": sha256_file(path)}
        entries.append(ModelEntry(kind, model, opts, source))
    return entries
