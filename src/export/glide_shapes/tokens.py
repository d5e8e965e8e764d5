"""Caption → token ids for training, from a word table made once with the app's own tokenizers.

Both tokenizers split captions into words before applying BPE (GPT-2 pre-tokenizes " word" and "," separately, CLIP
splits words and punctuation), and the captions only use the world's small vocabulary, so a caption's ids are the
concatenation of its words' ids. `python3 -m glide_shapes tokens --glide-cli "…"` builds the table with `glide
tokenize` and checks the composition against whole-caption tokenization; the C# tests check it again on the
evaluation captions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Dict, List, Sequence, Tuple

import numpy as np

TABLE_PATH = os.path.join(os.path.dirname(__file__), "token_table.json")
GLIDE_CTX, GLIDE_PAD = 128, 50256
CLIP_CTX, CLIP_SOT, CLIP_EOT = 77, 49406, 49407
_WORDS = re.compile(r"[a-z]+|,")


def split_words(caption: str) -> List[str]:
    words = _WORDS.findall(caption)
    if "".join(words) != caption.replace(" ", ""):
        raise ValueError(f"caption has characters outside the word table's alphabet: {caption!r}")
    return words


class TokenTable:
    def __init__(self, table: Dict):
        self.glide_first: Dict[str, List[int]] = table["glide_first"]
        self.glide_spaced: Dict[str, List[int]] = table["glide_spaced"]
        self.clip: Dict[str, List[int]] = table["clip"]

    @classmethod
    def load(cls, path: str = TABLE_PATH) -> "TokenTable":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def glide_ids(self, caption: str) -> List[int]:
        ids: List[int] = []
        for i, w in enumerate(split_words(caption)):
            ids += self.glide_first[w] if i == 0 or w == "," else self.glide_spaced[w]
        return ids[:GLIDE_CTX]

    def clip_ids(self, caption: str) -> List[int]:
        ids = [CLIP_SOT]
        for w in split_words(caption):
            ids += self.clip[w]
        return ids[:CLIP_CTX - 1] + [CLIP_EOT]

    def glide_batch(self, captions: Sequence[str], drop: Sequence[bool]) -> Tuple[np.ndarray, np.ndarray]:
        """tokens [N,128] int64 padded with 50256 and mask [N,128] bool; dropped rows are the empty prompt."""
        tokens = np.full((len(captions), GLIDE_CTX), GLIDE_PAD, dtype=np.int64)
        mask = np.zeros((len(captions), GLIDE_CTX), dtype=bool)
        for i, (c, d) in enumerate(zip(captions, drop)):
            if d:
                continue
            ids = self.glide_ids(c)
            tokens[i, :len(ids)] = ids
            mask[i, :len(ids)] = True
        return tokens, mask

    def clip_batch(self, captions: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """tokens [N,77] int64 zero-padded and text_len [N] (the EOT position + 1)."""
        tokens = np.zeros((len(captions), CLIP_CTX), dtype=np.int64)
        lengths = np.zeros(len(captions), dtype=np.int64)
        for i, c in enumerate(captions):
            ids = self.clip_ids(c)
            tokens[i, :len(ids)] = ids
            lengths[i] = len(ids)
        return tokens, lengths


def _run_tokenizer(command: Sequence[str], lines: Sequence[str], clip: bool) -> List[List[int]]:
    args = list(command) + ["tokenize"] + (["--clip"] if clip else []) + ["--file", "-"]
    done = subprocess.run(args, input="\n".join(lines) + "\n", capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(rows) != len(lines):
        raise RuntimeError(f"tokenizer returned {len(rows)} rows for {len(lines)} lines")
    return [r["tokens"] for r in rows]


def build_table(command: Sequence[str], vocabulary: Sequence[str]) -> Dict:
    first = _run_tokenizer(command, list(vocabulary), clip=False)
    spaced = _run_tokenizer(command, [" " + w for w in vocabulary], clip=False)
    clip = _run_tokenizer(command, list(vocabulary), clip=True)
    return {
        "glide_first": dict(zip(vocabulary, first)),
        "glide_spaced": dict(zip(vocabulary, spaced)),
        # Strip the start/end tokens the CLI adds around each word.
        "clip": {w: ids[1:-1] for w, ids in zip(vocabulary, clip)},
    }


def check_table(command: Sequence[str], table: TokenTable, captions: Sequence[str]) -> List[str]:
    """Captions whose composed ids differ from the tokenizers' (empty when the table is right)."""
    glide = _run_tokenizer(command, list(captions), clip=False)
    clip = _run_tokenizer(command, list(captions), clip=True)
    bad = []
    for c, g, k in zip(captions, glide, clip):
        if table.glide_ids(c) != g[:GLIDE_CTX]:
            bad.append(f"glide: {c!r}: {table.glide_ids(c)} != {g}")
        if table.clip_ids(c) != k:
            bad.append(f"clip: {c!r}: {table.clip_ids(c)} != {k}")
    return bad
