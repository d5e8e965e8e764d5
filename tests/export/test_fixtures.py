"""The committed fixtures: regenerated from seeds they match; their manifest, graphs and trajectories are sound;
and ONNX Runtime (through the C# `glide verify-model` command) agrees with PyTorch on every exported graph.

One regeneration (the whole tiny model set plus three trajectories, about a minute) serves every test here.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest

from glide_export.diffusion import create_diffusion
from glide_export.export import OPSET
from glide_export.fixtures import compare_fixtures, regenerate
from glide_export.options import preset

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
GRAPHS = ["base.text", "base.unet", "upsample.text", "upsample.unet", "base-inpaint.text", "base-inpaint.unet",
          "upsample-inpaint.text", "upsample-inpaint.unet", "clip.text", "clip.image", "clip.grad"]
# Graphs whose batch is fixed (make_fx specialises shapes; FORMAT.md): name → rows per run.
FIXED_BATCH = {"clip.grad": 1}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fixtures")
    regenerate(str(FIXTURES), str(out))
    return out


@pytest.fixture(scope="module")
def manifest(fresh: Path) -> dict:
    return json.loads((fresh / "tiny" / "manifest.json").read_text(encoding="utf-8"))


def test_committed_fixtures_match_a_fresh_regeneration(fresh: Path) -> None:
    problems = compare_fixtures(str(FIXTURES), str(fresh))
    assert problems == [], "fixtures drifted; run `python3 -m glide_export fixtures` (src/export):\n" + "\n".join(problems)


def test_fixture_total_size_is_within_budget() -> None:
    total = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
    assert total <= 25 * 1024 * 1024, f"tests/fixtures is {total / 2**20:.1f} MiB"


def test_manifest_lists_every_graph_with_hashes_and_contract(fresh: Path, manifest: dict) -> None:
    assert manifest["format"] == "glide-onnx-manifest"
    assert manifest["format_version"] == 1
    assert manifest["opset"] == OPSET <= 17
    assert manifest["config"] == "tiny"
    assert [g["name"] for g in manifest["graphs"]] == GRAPHS
    assert set(manifest["models"]) == {"base", "upsample", "base-inpaint", "upsample-inpaint", "clip"}
    for kind, model in manifest["models"].items():
        assert model["source"]["kind"] == "random"
        assert model["param_count"] > 0
        assert model["options"]["image_size"] == preset("tiny", kind).image_size
    for g in manifest["graphs"]:
        path = fresh / "tiny" / g["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == g["sha256"]
        assert (fresh / "tiny" / g["verify"]["file"]).is_file()
        for spec in g["inputs"] + g["outputs"]:
            assert spec["dtype"] in ("float32", "int64", "bool")
            assert spec["shape"][0] == FIXED_BATCH.get(g["name"], "batch")


def test_unet_graph_contracts_follow_the_design(manifest: dict) -> None:
    by_name = {g["name"]: g for g in manifest["graphs"]}

    def names(graph: str, side: str):
        return [s["name"] for s in by_name[graph][side]]

    assert names("base.text", "inputs") == ["tokens", "mask"]
    assert names("base.text", "outputs") == ["xf_proj", "xf_out"]
    assert names("base.unet", "inputs") == ["x_t", "timesteps", "xf_proj", "xf_out"]
    assert names("upsample.unet", "inputs") == ["x_t", "timesteps", "xf_proj", "xf_out", "low_res"]
    assert names("base-inpaint.unet", "inputs")[-2:] == ["inpaint_image", "inpaint_mask"]
    assert names("upsample-inpaint.unet", "inputs")[4:] == ["low_res", "inpaint_image", "inpaint_mask"]
    assert by_name["upsample.unet"]["outputs"][0]["shape"] == ["batch", 6, 256, 256]
    assert by_name["base.unet"]["outputs"][0]["shape"] == ["batch", 6, 64, 64]
    assert by_name["base.text"]["inputs"][0]["shape"] == ["batch", 128]
    assert by_name["clip.text"]["inputs"][0]["shape"] == ["batch", 77]
    assert names("clip.image", "inputs") == ["x_t", "timesteps"]


@pytest.mark.parametrize("graph", GRAPHS)
def test_onnx_graph_is_valid_with_dynamic_batch(fresh: Path, graph: str) -> None:
    model = onnx.load(str(fresh / "tiny" / f"{graph}.onnx"))
    onnx.checker.check_model(model)
    assert all(op.version <= 17 for op in model.opset_import if op.domain in ("", "ai.onnx"))
    for value in list(model.graph.input) + list(model.graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        if graph in FIXED_BATCH:
            assert dim.dim_value == FIXED_BATCH[graph] and not dim.dim_param, value.name
        else:
            assert dim.dim_param == "batch", value.name


def test_onnx_runtime_agrees_with_pytorch_on_every_graph(fresh: Path) -> None:
    """`glide verify-model` runs each graph in ONNX Runtime (C#) on the reference inputs and compares with the
    PyTorch outputs: max |ort − torch| ≤ 1e-4·max(1, max|torch|)."""
    result = _run_glide(["verify-model", str(fresh / "tiny")])
    assert result.returncode == 0, result.stdout + result.stderr
    for graph in GRAPHS:
        assert graph in result.stdout


def test_base_trajectory_starts_at_the_noise_and_ends_in_range(fresh: Path) -> None:
    traj = dict(np.load(fresh / "trajectories" / "base-100.npz"))
    noise = np.load(fresh / "trajectories" / "base-100.noise.npy")
    assert noise.shape == (101, 1, 3, 64, 64) and noise.dtype == np.float16
    stride = int(traj["grid_stride"])
    assert traj["x_t_grid"].shape == (101, 1, 3, 64 // stride, 64 // stride)
    np.testing.assert_array_equal(traj["x_t_grid"][0], noise[0, :, :, ::stride, ::stride].astype(np.float32))
    np.testing.assert_array_equal(traj["x_t_grid"][-1], traj["final"][:, :, ::stride, ::stride])
    assert np.all(np.abs(traj["final"]) <= 1.0)
    expected_t = sorted(create_diffusion("squaredcos_cap_v2", "100").timestep_map.tolist())
    assert traj["timesteps"].tolist() == expected_t
    assert traj["tokens"].shape == (2, 128) and traj["mask"][1].sum() == 0  # cond row, then uncond row


def test_upsample_trajectory_uses_temperature_and_quantized_low_res(fresh: Path) -> None:
    traj = dict(np.load(fresh / "trajectories" / "upsample-fast27.npz"))
    base = dict(np.load(fresh / "trajectories" / "base-100.npz"))
    noise = np.load(fresh / "trajectories" / "upsample-fast27.noise.npy")
    assert noise.shape == (1, 1, 3, 256, 256)
    stride = int(traj["grid_stride"])
    x_t = noise[0].astype(np.float32) * np.float32(0.997)
    np.testing.assert_array_equal(traj["x_t_grid"][0], x_t[:, :, ::stride, ::stride])
    assert traj["x_t_grid"].shape[0] == 28
    levels = (traj["low_res"].astype(np.float64) + 1) * 127.5
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-4)
    # The regeneration pins the committed low-res input (generate_fixtures): base-100's final quantized, to within
    # one 8-bit step where this CPU rounds a pixel across a step, equal everywhere else.
    off = np.abs(traj["low_res"] - (np.round((base["final"] + 1) * 127.5) / 127.5 - 1))
    assert off.max() <= 1 / 127.5 + 1e-6 and np.mean(off > 1e-6) < 1e-3
    assert np.all(np.abs(traj["final"]) <= 1.0)


def test_the_pinned_low_res_input_is_checked_against_the_fresh_base_to_one_8_bit_step(tmp_path: Path) -> None:
    import torch
    from glide_export.diffusion import quantize_low_res
    from glide_export.export import write_npz
    from glide_export.fixtures import LOW_RES_LEVEL, _low_res_problem
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    for d in (committed, fresh):
        (d / "trajectories").mkdir(parents=True)
    final = np.linspace(-1, 1, 3 * 8 * 8, dtype=np.float32).reshape(1, 3, 8, 8)
    write_npz(str(fresh / "trajectories" / "base-100.npz"), {"final": final})
    quantized = quantize_low_res(torch.from_numpy(final)).numpy()

    def pinned(low_res):
        write_npz(str(committed / "trajectories" / "upsample-fast27.npz"), {"low_res": low_res})
        return _low_res_problem(str(committed), str(fresh))

    assert pinned(quantized) is None
    flipped = quantized.copy()
    flipped[0, 1, 2, 3] += np.float32(LOW_RES_LEVEL)  # another CPU rounded one pixel across a step
    assert pinned(flipped) is None
    flipped[0, 2, 4, 4] -= np.float32(2 * LOW_RES_LEVEL)
    assert "more than one 8-bit step" in pinned(flipped)
    assert "shape" in pinned(quantized[:, :, :4])
    problems = compare_fixtures(str(committed), str(fresh))
    assert any("upsample-fast27.npz: low_res" in p for p in problems)


def _run_glide(args):
    dll = REPO / "src" / "Glide.Cli" / "bin" / "Release" / "net10.0" / "glide.dll"
    env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
    if not dll.is_file():
        build = subprocess.run(["dotnet", "build", str(REPO / "src" / "Glide.Cli"), "-c", "Release", "-nologo"],
                               capture_output=True, text=True, env=env)
        assert build.returncode == 0, "building the glide CLI failed:\n" + build.stdout[-4000:]
    return subprocess.run(["dotnet", str(dll), *args], capture_output=True, text=True, env=env, timeout=600)


def test_sampler_fixtures_match_a_fresh_regeneration() -> None:
    """tests/fixtures/sampler (model-free sampler cases for the C# samplers) cannot drift from the reference."""
    from glide_export.sampler_fixtures import check_fixtures as check_sampler_fixtures
    problems = check_sampler_fixtures(str(FIXTURES / "sampler"))
    assert problems == [], "\n".join(problems)
