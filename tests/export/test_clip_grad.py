"""The CLIP-guidance gradient graph (clip_grad.py) against torch autograd, its export, and the CLIP-guided reference
trajectory fixture (clip_fixtures.py; glide-spec §8.4, §7.6)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F

from glide_export.clip_fixtures import GRID_STRIDE, NOISE_FILE
from glide_export.clip_grad import (CLIP_GUIDANCE_SCALE, GRAD_BATCH, clip_cond_fn, clip_gradient, logit_factor,
                                    trace_gradient)
from glide_export.diffusion import create_diffusion
from glide_export.export import export_model_set
from glide_export.fixtures import FIXTURE_SEED
from glide_export.nets_clip import normalize
from glide_export.options import ALL_KINDS
from glide_export.sources import random_entries

REPO = Path(__file__).resolve().parents[2]
TRAJECTORIES = REPO / "tests" / "fixtures" / "trajectories"
RELATIVE_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def models():
    """The tiny fixture set's networks (same kinds, order and seed as fixtures.py)."""
    return {e.kind: e.model for e in random_entries("tiny", ALL_KINDS, FIXTURE_SEED)}


@pytest.fixture(scope="module")
def clip(models):
    return models["clip"]


@pytest.fixture(scope="module")
def traced(clip):
    return trace_gradient(clip.image)


def _inputs(seed: int, opts, batch: int = 1, t=None):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, opts.image_size, opts.image_size, generator=gen)
    t = torch.randint(0, opts.n_timesteps, (batch,), generator=gen) if t is None else torch.tensor([t] * batch)
    z = normalize(torch.randn(batch, opts.n_embd, generator=gen))
    return x, t, z


def _relative_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return float((actual - expected).abs().max() / expected.abs().max())


@pytest.mark.parametrize("seed,t", [(1, None), (2, 0), (3, 999), (4, 500)])
def test_traced_graph_matches_autograd_on_new_inputs(clip, traced, seed, t) -> None:
    x, t, z = _inputs(seed, clip.image.opts, t=t)
    expected = clip_gradient(clip.image, x, t, z)
    with torch.no_grad():
        actual = traced(x, t, z)
    assert expected.abs().max() > 1e-3  # a real gradient, not a vanishing one
    assert _relative_error(actual, expected) <= RELATIVE_TOLERANCE


def test_traced_graph_keeps_no_op_the_onnx_exporter_lacks(traced) -> None:
    aten, prims = torch.ops.aten, torch.ops.prims
    banned = {aten._reshape_alias.default, aten._unsafe_view.default, prims.convert_element_type.default,
              aten.var_mean.correction, aten.convolution_backward.default, aten.native_layer_norm_backward.default,
              aten.gelu_backward.default, aten._softmax_backward_data.default, aten.select_backward.default,
              aten.slice_backward.default, aten.select_scatter.default, aten.slice_scatter.default}
    left = {str(n.target) for n in traced.graph.nodes if n.op == "call_function" and n.target in banned}
    assert left == set()
    # The backward of the patch convolution is there, as a transposed convolution.
    convolutions = [n for n in traced.graph.nodes if n.target == aten.convolution.default]
    assert sorted(bool(n.args[6]) for n in convolutions) == [False, True]


def test_gradient_is_that_of_the_spec_loss(clip) -> None:
    """glide-spec §8.4: loss = exp(ln 100)·Σ cos(image embedding, z_t), differentiated here independently of
    clip_gradient (cosine_similarity instead of the normalize helper)."""
    x, t, z = _inputs(5, clip.image.opts, batch=2)
    with torch.enable_grad():
        v = x.clone().requires_grad_(True)
        loss = 100.0 * F.cosine_similarity(clip.image(v, t), z, dim=-1).sum()
        (expected,) = torch.autograd.grad(loss, v)
    assert _relative_error(clip_gradient(clip.image, x, t, z), expected) <= 1e-5
    assert float(logit_factor(clip.image.opts.logit_scale)) == pytest.approx(100.0, rel=1e-7)


def test_rows_are_independent_so_a_batch_one_graph_serves_any_batch(clip) -> None:
    x, t, z = _inputs(7, clip.image.opts, batch=3)
    together = clip_gradient(clip.image, x, t, z)
    apart = torch.cat([clip_gradient(clip.image, x[k:k + 1], t[k:k + 1], z[k:k + 1]) for k in range(3)])
    assert _relative_error(apart, together) <= 1e-6


def test_cond_fn_scales_the_gradient_and_broadcasts_one_text_row(clip) -> None:
    x, t, _ = _inputs(8, clip.image.opts, batch=2)
    z = normalize(torch.randn(clip.image.opts.n_embd, generator=torch.Generator().manual_seed(9)))
    got = clip_cond_fn(clip.image, z)(x, t)
    expected = clip_gradient(clip.image, x, t, z[None].expand(2, -1)) * CLIP_GUIDANCE_SCALE
    assert torch.equal(got, expected)


def test_export_writes_a_fixed_batch_gradient_graph_verified_against_autograd(tmp_path: Path, clip) -> None:
    entries = random_entries("tiny", ["clip"], 0)
    out = tmp_path / "clip"
    export_model_set(entries, str(out), "tiny", 0, log=lambda *_: None)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    graph = next(g for g in manifest["graphs"] if g["name"] == "clip.grad")
    e, s = entries[0].options.n_embd, entries[0].options.image_size
    assert [(t["name"], t["dtype"], t["shape"]) for t in graph["inputs"]] == [
        ("x_t", "float32", [GRAD_BATCH, 3, s, s]), ("timesteps", "int64", [GRAD_BATCH]),
        ("text_emb", "float32", [GRAD_BATCH, e])]
    assert graph["outputs"] == [{"name": "grad", "dtype": "float32", "shape": [GRAD_BATCH, 3, s, s]}]
    assert graph["verify"] == {"file": "verify/clip.grad.npz", "batch": GRAD_BATCH}

    model = onnx.load(str(out / "clip.grad.onnx"))
    onnx.checker.check_model(model)
    assert all(op.version <= 17 for op in model.opset_import if op.domain in ("", "ai.onnx"))
    assert {"Conv", "ConvTranspose"} <= {n.op_type for n in model.graph.node}
    for value in list(model.graph.input) + list(model.graph.output):
        assert value.type.tensor_type.shape.dim[0].dim_value == GRAD_BATCH, value.name

    # The stored reference output is autograd's, on inputs other than the ones the graph was traced with.
    ref = dict(np.load(out / "verify" / "clip.grad.npz"))
    expected = clip_gradient(entries[0].model.image, torch.from_numpy(ref["in.x_t"]),
                             torch.from_numpy(ref["in.timesteps"]), torch.from_numpy(ref["in.text_emb"]))
    np.testing.assert_array_equal(ref["out.grad"], expected.numpy())
    assert np.linalg.norm(ref["in.text_emb"], axis=-1) == pytest.approx(1.0, abs=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# The committed CLIP-guided trajectory (test_fixtures.py checks that it matches a fresh regeneration)
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trajectory():
    return dict(np.load(TRAJECTORIES / "clip-guided-25.npz"))


def test_clip_guided_trajectory_layout(trajectory, clip) -> None:
    noise = np.load(TRAJECTORIES / NOISE_FILE)
    g = GRID_STRIDE
    assert int(trajectory["grid_stride"]) == g
    assert trajectory["x_t_grid"].shape == (26, 1, 3, 64 // g, 64 // g)
    np.testing.assert_array_equal(trajectory["x_t_grid"][0], noise[0, :, :, ::g, ::g].astype(np.float32))
    np.testing.assert_array_equal(trajectory["x_t_grid"][-1], trajectory["final"][:, :, ::g, ::g])
    assert trajectory["timesteps"].tolist() == create_diffusion("squaredcos_cap_v2", "25").timestep_map.tolist()
    assert float(trajectory["guidance_scale"]) == CLIP_GUIDANCE_SCALE
    assert trajectory["tokens"].shape == (1, 128) and trajectory["mask"][0].any()  # the conditional row only
    with torch.no_grad():
        text_emb = normalize(clip.text(torch.from_numpy(trajectory["clip_tokens"]),
                                       torch.from_numpy(trajectory["clip_text_len"])))
    np.testing.assert_array_equal(trajectory["text_emb"], text_emb.numpy())
    # The last step's mean shift is not clamped away (glide-spec §7.6 applies at i = 0 too): near [−1, 1] only.
    assert np.all(np.abs(trajectory["final"]) <= 1.01)


def test_clip_guidance_moves_the_first_step(trajectory, models) -> None:
    """Replaying the first step with and without cond_fn: the stored x_1 is the guided one, and the shift is large
    enough that a runtime ignoring the gradient would fail the 1e-4 trajectory comparison by orders of magnitude."""
    base = models["base"]
    noise = torch.from_numpy(np.load(TRAJECTORIES / NOISE_FILE).astype(np.float32))
    diffusion = create_diffusion("squaredcos_cap_v2", "25")
    i = diffusion.num_timesteps - 1
    x = noise[0]
    t = diffusion.mapped_timesteps(i, 1)
    with torch.no_grad():
        out = base(x, t, torch.from_numpy(trajectory["tokens"]), torch.from_numpy(trajectory["mask"]))
    cond_fn = clip_cond_fn(models["clip"].image, torch.from_numpy(trajectory["text_emb"]))
    guided, _ = diffusion.p_sample(out, x, i, noise[1], cond_fn=cond_fn)
    plain, _ = diffusion.p_sample(out, x, i, noise[1])
    g = GRID_STRIDE
    np.testing.assert_allclose(guided[:, :, ::g, ::g].numpy(), trajectory["x_t_grid"][1], rtol=0, atol=1e-5)
    assert float((guided - plain).abs().max()) > 1e-2
