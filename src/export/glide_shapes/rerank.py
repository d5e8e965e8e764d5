"""Scores CLIP pairs as rerankers on pictures the base already drew, without generating again.

`glide eval --candidates N --keep N --save-dir DIR --json REPORT` keeps every candidate of every caption and the
analyzer's verdicts; for each CLIP file this reranks each caption's candidates as the app does (the caption's
embedding against each picture's at t = 0, best cosine kept) and compares what it keeps with the first candidate
(plain sampling), a random pick (the mean over candidates) and the best there is (any candidate all correct).
"""

from __future__ import annotations

import json
import os
from typing import Dict, List

import numpy as np
import torch
from PIL import Image

from .probe import clip_pair, embed_captions, embed_pictures
from .tokens import TokenTable


def _setting(report: Dict, name: str) -> Dict:
    settings = report.get("settings", [])
    if name:
        chosen = [s for s in settings if s["name"] == name]
    else:  # the first that keeps several images per caption, unreranked
        chosen = [s for s in settings if not s.get("rerank") and any(len(r["images"]) > 1 for r in s["results"])]
    if not chosen:
        names = ", ".join(s["name"] for s in settings) or "none"
        raise ValueError(f"no {'setting ' + repr(name) if name else 'setting with several plain images per caption'}"
                         f" in the report (settings: {names})")
    return chosen[0]


def _picture(path: str, report_path: str) -> np.ndarray:
    if not os.path.isfile(path):
        beside = os.path.join(os.path.dirname(report_path), os.path.basename(path))
        if not os.path.isfile(beside):
            raise ValueError(f"image {path} not found (nor beside the report); run glide eval with --save-dir")
        path = beside
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 127.5 - 1.0  # [H, W, 3]


def load_candidates(report_path: str, setting: str = "") -> List[Dict]:
    """[{"caption", "correct": [bool per candidate], "objects": [(colour hits, shape hits, objects) per candidate],
    "pixels": [N, 3, H, W]}] for captions with two or more saved candidates."""
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    try:
        return _candidates(report, report_path, setting)
    except (KeyError, TypeError) as e:
        raise ValueError(f"{report_path} is not a glide eval --json report (no {e})") from e


def _candidates(report: Dict, report_path: str, setting: str) -> List[Dict]:
    rows = []
    for result in _setting(report, setting)["results"]:
        images = result["images"]
        if len(images) < 2:
            continue
        for image in images:
            if not image.get("file"):
                raise ValueError(f"{result['id']}: no image file in the report; run glide eval with --save-dir")
        pixels = np.stack([_picture(i["file"], report_path) for i in images]).transpose(0, 3, 1, 2)
        rows.append({"caption": result["caption"], "correct": [bool(i["all_correct"]) for i in images],
                     "objects": [(sum(o["colour_correct"] for o in i["objects"]),
                                  sum(o["shape_correct"] for o in i["objects"]), len(i["objects"])) for i in images],
                     "pixels": torch.from_numpy(np.ascontiguousarray(pixels))})
    if not rows:
        raise ValueError(f"{report_path}: no caption with two or more candidates")
    return rows


def rerank_scores(text: torch.nn.Module, image: torch.nn.Module, table: TokenTable, rows: List[Dict]) -> Dict:
    """All-correct shares over captions (first, random, clip, oracle) and colour/shape accuracy over objects for the
    first candidate and for CLIP's pick."""
    first = rand = pick = oracle = 0.0
    hits = {"first": [0, 0, 0], "clip": [0, 0, 0]}
    text.eval()
    image.eval()
    with torch.no_grad():
        for row in rows:
            scores = embed_pictures(image, row["pixels"]) @ embed_captions(text, table, [row["caption"]])[0]
            best = int(scores.argmax())
            ok = row["correct"]
            first += ok[0]
            rand += sum(ok) / len(ok)
            pick += ok[best]
            oracle += any(ok)
            for name, k in (("first", 0), ("clip", best)):
                hits[name] = [a + b for a, b in zip(hits[name], row["objects"][k])]
    n = len(rows)
    return {"captions": n, "first": first / n, "random": rand / n, "clip": pick / n, "oracle": oracle / n,
            **{f"{name}_{what}": hits[name][i] / hits[name][2] for name in hits
               for i, what in enumerate(("colour", "shape"))}}


def rerank_files(report_path: str, clip_paths: List[str], setting: str = "") -> List[str]:
    from .train import load_trained

    rows = load_candidates(report_path, setting)
    table = TokenTable.load()
    lines = []
    for path in clip_paths:
        state = load_trained(path)
        if state["meta"]["kind"] != "clip":
            raise ValueError(f"{path} holds a {state['meta']['kind']} model, not a CLIP pair")
        pair = clip_pair(state)
        r = rerank_scores(pair.text, pair.image, table, rows)
        lines.append(f"{path}: {r['captions']} captions, all correct: CLIP's pick {r['clip']:.1%}, first "
                     f"{r['first']:.1%}, random pick {r['random']:.1%}, best there {r['oracle']:.1%}; colour / shape: "
                     f"CLIP's pick {r['clip_colour']:.1%} / {r['clip_shape']:.1%}, first {r['first_colour']:.1%} / "
                     f"{r['first_shape']:.1%}")
    return lines
