"""The glide-shapes world: scenes of one or two coloured shapes with plain-English captions.

Everything here is deterministic from a `random.Random`; the renderer (render.py) turns scenes into pixels and the
evaluator (`glide eval`) checks generated images against the labels written by `eval_captions`. Geometry and palette
are part of the evaluator's contract: changing them means regenerating the evaluation file and retraining.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional, Tuple

# Object colours (RGB before the per-sample jitter) and backgrounds. The analyzer classifies by nearest colour.
COLOURS: Dict[str, Tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (245, 140, 20),
    "yellow": (240, 220, 40),
    "green": (40, 170, 60),
    "cyan": (40, 200, 220),
    "blue": (40, 70, 220),
    "purple": (140, 50, 190),
    "pink": (245, 130, 190),
    "brown": (130, 80, 30),
}
BACKGROUNDS: Dict[str, Tuple[int, int, int]] = {
    "white": (245, 245, 245),
    "black": (15, 15, 15),
    "gray": (128, 128, 128),
}
BACKGROUND_WEIGHTS = {"white": 0.5, "black": 0.25, "gray": 0.25}
SHAPES = ("circle", "square", "triangle", "diamond")
# Half-extent of a shape as a fraction of the image side (±10 % jitter when rendered).
SIZES: Dict[str, float] = {"small": 0.10, "medium": 0.15, "large": 0.21}
REGIONS = ("left", "right", "top", "bottom", "centre")
# Where a single object named with a region is centred (±0.04 jitter, 0.03 for the centre).
REGION_CENTRES: Dict[str, Tuple[float, float]] = {
    "left": (0.27, 0.5), "right": (0.73, 0.5), "top": (0.5, 0.27), "bottom": (0.5, 0.73), "centre": (0.5, 0.5),
}

_REGION_PHRASES: Dict[str, Tuple[str, ...]] = {
    "left": ("on the left", "on the left side", "at the left"),
    "right": ("on the right", "on the right side", "at the right"),
    "top": ("at the top", "near the top", "at the top of the picture"),
    "bottom": ("at the bottom", "near the bottom", "at the bottom of the picture"),
    "centre": ("in the centre", "in the center", "in the middle"),
}
_BACKGROUND_WORDS = {"white": ("white",), "black": ("black",), "gray": ("gray", "grey")}


@dataclass(frozen=True)
class SceneObject:
    shape: str
    colour: str
    cx: float
    cy: float
    r: float
    region: Optional[str] = None  # named in the caption, if any
    size: Optional[str] = None    # named in the caption, if any


@dataclass(frozen=True)
class Scene:
    caption: str
    background: str
    background_named: bool
    objects: Tuple[SceneObject, ...]
    jitter: Tuple[Tuple[int, int, int], ...] = field(default=())  # per object colour jitter, then background's

    def label(self) -> Dict:
        """The evaluator's view of the scene (what the caption promises)."""
        return {
            "caption": self.caption,
            "background": self.background if self.background_named else None,
            "objects": [{"shape": o.shape, "colour": o.colour, "region": o.region, "size": o.size}
                        for o in self.objects],
        }


def _a(phrase: str) -> str:
    """The phrase with its indefinite article ("an orange circle")."""
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def _pick_background(rng: random.Random) -> str:
    names = list(BACKGROUND_WEIGHTS)
    return rng.choices(names, weights=[BACKGROUND_WEIGHTS[n] for n in names])[0]


def _jitter(rng: random.Random, amount: int) -> Tuple[int, int, int]:
    return tuple(rng.randint(-amount, amount) for _ in range(3))  # type: ignore[return-value]


def _background_phrase(rng: random.Random, background: str) -> str:
    word = rng.choice(_BACKGROUND_WORDS[background])
    return rng.choice((f" on a {word} background", f" against a {word} background"))


def single_object_scene(rng: random.Random, require_region: bool = False) -> Scene:
    shape, colour = rng.choice(SHAPES), rng.choice(list(COLOURS))
    background = _pick_background(rng)
    size = rng.choice(list(SIZES))
    size_named = rng.random() < 0.5
    r = SIZES[size] * rng.uniform(0.9, 1.1)
    region: Optional[str] = None
    if require_region or rng.random() < 0.85:
        region = rng.choice(REGIONS)
        bx, by = REGION_CENTRES[region]
        j = 0.03 if region == "centre" else 0.04
        cx, cy = bx + rng.uniform(-j, j), by + rng.uniform(-j, j)
    else:
        cx, cy = rng.uniform(r + 0.02, 0.98 - r), rng.uniform(r + 0.02, 0.98 - r)
    subject = _a(f"{size + ' ' if size_named else ''}{colour} {shape}")
    where = f" {rng.choice(_REGION_PHRASES[region])}" if region else ""
    form = rng.random()
    if form < 0.55:
        text = f"{subject}{where}"
    elif form < 0.7:
        text = f"a picture of {subject}{where}"
    elif form < 0.85:
        text = f"there is {subject}{where}"
    elif region:
        text = f"{where.strip()}, {subject}"
    else:
        text = f"a drawing of {subject}"
    background_named = rng.random() < 0.3
    if background_named:
        text += _background_phrase(rng, background)
    obj = SceneObject(shape, colour, cx, cy, r, region, size if size_named else None)
    return Scene(text, background, background_named, (obj,), (_jitter(rng, 12), _jitter(rng, 8)))


def two_object_scene(rng: random.Random) -> Scene:
    background = _pick_background(rng)
    (s1, c1), (s2, c2) = [(rng.choice(SHAPES), rng.choice(list(COLOURS))) for _ in range(2)]
    while (s1, c1) == (s2, c2):
        s2, c2 = rng.choice(SHAPES), rng.choice(list(COLOURS))
    horizontal = rng.random() < 0.5
    r1, r2 = (SIZES[rng.choice(("small", "medium"))] * rng.uniform(0.9, 1.1) for _ in range(2))
    first, second = f"{c1} {s1}", f"{c2} {s2}"
    if horizontal:
        o1 = SceneObject(s1, c1, 0.27 + rng.uniform(-0.04, 0.04), 0.5 + rng.uniform(-0.12, 0.12), r1, "left")
        o2 = SceneObject(s2, c2, 0.73 + rng.uniform(-0.04, 0.04), 0.5 + rng.uniform(-0.12, 0.12), r2, "right")
        first, second = _a(first), _a(second)
        text = rng.choice((f"{first} to the left of {second}", f"{second} to the right of {first}",
                           f"{first} left of {second}", f"{second} right of {first}"))
    else:
        o1 = SceneObject(s1, c1, 0.5 + rng.uniform(-0.12, 0.12), 0.27 + rng.uniform(-0.04, 0.04), r1, "top")
        o2 = SceneObject(s2, c2, 0.5 + rng.uniform(-0.12, 0.12), 0.73 + rng.uniform(-0.04, 0.04), r2, "bottom")
        first, second = _a(first), _a(second)
        text = rng.choice((f"{first} above {second}", f"{second} below {first}",
                           f"{first} over {second}", f"{second} under {first}"))
    background_named = rng.random() < 0.3
    if background_named:
        text += _background_phrase(rng, background)
    return Scene(text, background, background_named, (o1, o2),
                 (_jitter(rng, 12), _jitter(rng, 12), _jitter(rng, 8)))


def random_scene(rng: random.Random) -> Scene:
    return two_object_scene(rng) if rng.random() < 0.35 else single_object_scene(rng)


# -- contrast variants ---------------------------------------------------------------------------------------
# The same scene with one attribute changed and its caption rewritten to match: what a contrastive batch needs to
# make the CLIP pair tell shapes and places apart (a batch of random scenes mostly differs in colour, and colour is
# all a pair trained on such batches learnt), and what its probe scores. Only the changed words move; the rest of
# the caption, the geometry and the colour jitter stay.

ATTRIBUTES = ("shape", "colour", "layout")
_SIZE_WORDS = "|".join(SIZES)


def _rewrite(caption: str, words: Dict[str, str]) -> str:
    """The caption with each noun phrase naming a key of `words` ("orange circle") naming its value instead, in one
    pass, the article agreeing with the next word and a size word kept ("an orange circle" → "a red square")."""
    pattern = re.compile(rf"\b(an?) ((?:(?:{_SIZE_WORDS}) )?)({'|'.join(words)})\b")
    return pattern.sub(lambda m: _a(f"{m.group(2)}{words[m.group(3)]}"), caption)


def _words(obj: SceneObject) -> str:
    return f"{obj.colour} {obj.shape}"


def _rewrite_object(scene: Scene, j: int, new: SceneObject) -> str:
    """The caption with object j's noun phrase describing `new`."""
    old = _words(scene.objects[j])
    if len(re.findall(rf"\b{old}\b", scene.caption)) != 1:
        raise ValueError(f"caption {scene.caption!r} does not name a {old} exactly once")
    return _rewrite(scene.caption, {old: _words(new)})


def _region_phrase(caption: str, region: str) -> Tuple[int, str]:
    """Which of the region's phrases the caption uses (the longest that occurs, as "at the top" is a prefix of
    "at the top of the picture"): its index and text."""
    found = [(len(p), i, p) for i, p in enumerate(_REGION_PHRASES[region]) if p in caption]
    if not found:
        raise ValueError(f"caption {caption!r} has no phrase for region {region!r}")
    _, index, phrase = max(found)
    return index, phrase


def change_attribute(scene: Scene, attribute: str, rng: random.Random) -> Optional[Scene]:
    """`scene` with one `attribute` changed ("shape" or "colour" of one object, "layout": a single object moved to
    another named region, or two objects' shapes and colours exchanged), its caption rewritten to match; None when
    the scene has nothing of that kind to change (a single object with no region named has no layout)."""
    if attribute not in ATTRIBUTES:
        raise ValueError(f"unknown attribute {attribute!r}; expected one of {', '.join(ATTRIBUTES)}")
    objects = list(scene.objects)
    if attribute == "layout":
        if len(objects) == 2:
            a, b = objects
            swapped = (replace(a, shape=b.shape, colour=b.colour), replace(b, shape=a.shape, colour=a.colour))
            caption = _rewrite(scene.caption, {_words(a): _words(b), _words(b): _words(a)})  # each the other
            return replace(scene, caption=caption, objects=swapped)
        obj = objects[0]
        if obj.region is None:
            return None
        new_region = rng.choice([r for r in REGIONS if r != obj.region])
        index, phrase = _region_phrase(scene.caption, obj.region)
        (ox, oy), (nx, ny) = REGION_CENTRES[obj.region], REGION_CENTRES[new_region]
        moved = replace(obj, cx=obj.cx - ox + nx, cy=obj.cy - oy + ny, region=new_region)
        caption = scene.caption.replace(phrase, _REGION_PHRASES[new_region][index], 1)
        return replace(scene, caption=caption, objects=(moved,))
    j = rng.randrange(len(objects))
    others = {(o.shape, o.colour) for k, o in enumerate(objects) if k != j}
    old = objects[j]
    if attribute == "shape":
        choices = [replace(old, shape=s) for s in SHAPES if s != old.shape]
    else:
        choices = [replace(old, colour=c) for c in COLOURS if c != old.colour]
    choices = [o for o in choices if (o.shape, o.colour) not in others]
    new = rng.choice(choices)
    objects[j] = new
    return replace(scene, caption=_rewrite_object(scene, j, new), objects=tuple(objects))


# Which attribute a training variant changes: shape most often, the one a random batch teaches least.
CONTRAST_WEIGHTS = {"shape": 0.5, "colour": 0.25, "layout": 0.25}


def contrast_group(scene: Scene, size: int, rng: random.Random, excluded: Iterable[str] = (),
                   attributes: Optional[Tuple[str, ...]] = None) -> List[Scene]:
    """`scene` and up to `size` − 1 variants of it (change_attribute), each with a caption of its own and none in
    `excluded`; the attribute is drawn from `attributes` (equally) or else by CONTRAST_WEIGHTS. A scene with fewer
    distinct variants than asked gives a shorter group."""
    names = attributes or tuple(CONTRAST_WEIGHTS)
    weights = None if attributes else [CONTRAST_WEIGHTS[a] for a in names]
    group, captions = [scene], {scene.caption}
    blocked = frozenset(excluded)
    for _ in range(8 * size):  # enough tries that a short group means the scene has no more variants
        if len(group) == size:
            break
        variant = change_attribute(scene, rng.choices(names, weights=weights)[0], rng)
        if variant is not None and variant.caption not in captions and variant.caption not in blocked:
            group.append(variant)
            captions.add(variant.caption)
    return group


# -- held-out evaluation captions --------------------------------------------------------------------------------

EVAL_SEED = 20261126
EVAL_SINGLE, EVAL_PAIRS = 48, 32


def eval_scenes(seed: int = EVAL_SEED, singles: int = EVAL_SINGLE, pairs: int = EVAL_PAIRS) -> List[Scene]:
    """The held-out evaluation scenes: every single-object caption names a region, captions are unique."""
    rng = random.Random(seed)
    out: List[Scene] = []
    seen = set()
    while len(out) < singles + pairs:
        scene = single_object_scene(rng, require_region=True) if len(out) < singles else two_object_scene(rng)
        if scene.caption not in seen:
            seen.add(scene.caption)
            out.append(scene)
    return out


def held_out_captions() -> frozenset:
    """Caption strings training never uses (the evaluation set)."""
    return frozenset(s.caption for s in eval_scenes())


def training_scenes(rng: random.Random, held_out: Iterable[str]) -> Iterable[Scene]:
    """An endless stream of training scenes, skipping any caption in the evaluation set."""
    excluded = frozenset(held_out)
    while True:
        scene = random_scene(rng)
        if scene.caption not in excluded:
            yield scene


def eval_jsonl(scenes: List[Scene]) -> str:
    lines = []
    for i, s in enumerate(scenes):
        row = {"id": f"eval-{i:03d}"}
        row.update(s.label())
        lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def vocabulary() -> List[str]:
    """Every word and punctuation mark a caption can contain (for the token table)."""
    rng_free = set()
    for phrases in _REGION_PHRASES.values():
        for p in phrases:
            rng_free.update(p.split())
    for words in _BACKGROUND_WORDS.values():
        rng_free.update(words)
    rng_free.update(COLOURS)
    rng_free.update(SHAPES)
    rng_free.update(SIZES)
    rng_free.update("a an picture of there is drawing on against background to the left right above below over under".split())
    rng_free.add(",")
    return sorted(rng_free)
