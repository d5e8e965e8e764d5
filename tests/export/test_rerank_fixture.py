"""The noised-CLIP rerank reference (tests/fixtures/rerank/clip-rerank.npz): consistent with its own definition and
equal to a regeneration from the seeded tiny CLIP. (`test_fixtures.py` compares it again within the whole set.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glide_export.fixtures import FIXTURE_SEED, compare_arrays
from glide_export.models import ClipPair
from glide_export.options import ALL_KINDS
from glide_export.rerank_fixture import FILE_NAME, KEEP, SUBDIR, rank, write_rerank_fixture
from glide_export.sources import random_entries

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
COMMITTED = FIXTURES / SUBDIR / FILE_NAME


@pytest.fixture(scope="module")
def committed() -> dict:
    with np.load(COMMITTED) as z:
        return {k: z[k] for k in z.files}


def test_the_committed_reference_matches_a_regeneration(tmp_path: Path) -> None:
    # The clip model of the fixture set: same kinds and seed as fixtures.generate_fixtures.
    pair = next(e.model for e in random_entries("tiny", ALL_KINDS, FIXTURE_SEED) if isinstance(e.model, ClipPair))
    write_rerank_fixture(pair, str(FIXTURES), str(tmp_path))
    assert compare_arrays(str(COMMITTED), str(tmp_path / SUBDIR / FILE_NAME)) is None


def test_scores_are_cosines_of_the_normalised_embeddings_at_t0(committed: dict) -> None:
    text, image = committed["text_emb"].astype(np.float64), committed["image_emb"].astype(np.float64)
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(image, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(committed["scores"], image @ text[0], atol=1e-6)
    assert committed["timesteps"].tolist() == [0] * committed["candidates"].shape[0]
    assert committed["candidates"].shape == (8, 3, 64, 64) and np.all(np.abs(committed["candidates"]) <= 1.0)


def test_the_best_scores_are_kept_best_first(committed: dict) -> None:
    scores, order = committed["scores"], committed["order"]
    assert sorted(order.tolist()) == list(range(len(scores)))
    assert np.all(np.diff(scores[order]) < 0)
    assert int(committed["keep"][0]) == KEEP
    assert committed["kept"].tolist() == order[:KEEP].tolist()
    assert committed["kept"].tolist() != list(range(KEEP))  # a prefix would not show that ranking happened


def test_the_prompt_tokens_are_the_clip_tokenizer_vectors(committed: dict) -> None:
    import json
    item = json.loads((FIXTURES / "vectors" / "tokenizer_clip.json").read_text(encoding="utf-8"))["items"][0]
    assert committed["tokens"].tolist() == [item["padded_tokens"]]
    assert committed["text_len"].tolist() == [item["text_len"]]


def test_equal_scores_rank_by_candidate_index() -> None:
    assert rank([0.2, 0.7, 0.2, 0.7, 0.2]).tolist() == [1, 3, 0, 2, 4]
