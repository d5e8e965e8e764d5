"""The exporter's command line: conversion of checkpoint files, and bad input failing with a message that names
the problem while writing nothing partial."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pytest
import torch

from glide_export import download as download_module
from glide_export.__main__ import main
from glide_export.init import init_random
from glide_export.models import CHECKPOINT_FILES, CheckpointError, build, sha256_file
from glide_export.options import preset


def _tiny_checkpoint(folder: Path, mutate=None) -> Path:
    model = build("base", preset("tiny", "base"))
    init_random(model, 7)
    state = dict(model.state_dict())
    if mutate:
        mutate(state)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CHECKPOINT_FILES["base"]
    torch.save(state, path)
    return path


def _convert(ckpt_dir: Path, out: Path, *extra: str) -> int:
    return main(["convert", "--checkpoints", str(ckpt_dir), "--out", str(out), "--models", "base",
                 "--config", "tiny", *extra])


def test_convert_writes_graphs_and_records_the_checkpoint_hash(tmp_path: Path) -> None:
    ckpt = _tiny_checkpoint(tmp_path / "ckpt")
    out = tmp_path / "model"
    assert _convert(tmp_path / "ckpt", out) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"] == "checkpoint"
    source = manifest["models"]["base"]["source"]
    assert source == {"kind": "checkpoint", "files": {"base": {"file": "base.pt", "sha256": sha256_file(str(ckpt))}}}
    assert sorted(p.name for p in out.glob("*.onnx")) == ["base.text.onnx", "base.unet.onnx"]
    assert "sampling" not in manifest  # runtimes then sample as the notebooks do


def test_convert_names_the_upsample_sampler_in_the_manifest(tmp_path: Path, capsys) -> None:
    _tiny_checkpoint(tmp_path / "ckpt")
    out = tmp_path / "model"
    assert _convert(tmp_path / "ckpt", out, "--upsample-sampler", "ancestral") == 0
    assert json.loads((out / "manifest.json").read_text())["sampling"] == {"upsample_sampler": "ancestral"}
    with pytest.raises(SystemExit):
        _convert(tmp_path / "ckpt", tmp_path / "other", "--upsample-sampler", "euler")
    assert "invalid choice: 'euler'" in capsys.readouterr().err and not (tmp_path / "other").exists()


def test_export_model_set_refuses_an_unknown_upsample_sampler(tmp_path: Path) -> None:
    from glide_export.export import ExportError, export_model_set
    from glide_export.sources import random_entries
    with pytest.raises(ExportError, match="upsample sampler 'euler': expected one of ddim, ancestral"):
        export_model_set(random_entries("tiny", ["base"], 3), str(tmp_path / "model"), "tiny", 3,
                         log=lambda *_: None, upsample_sampler="euler")
    assert not (tmp_path / "model").exists()


def _assert_failed_cleanly(code: int, capsys, out: Path, *needles: str) -> None:
    err = capsys.readouterr().err
    assert code == 2
    for needle in needles:
        assert needle in err, err
    assert not out.exists(), "a failed export must not leave an output directory"
    assert not list(out.parent.glob(".export-*")), "a failed export must not leave temporary directories"


def test_missing_checkpoint_file_is_named(tmp_path: Path, capsys) -> None:
    (tmp_path / "ckpt").mkdir()
    out = tmp_path / "model"
    _assert_failed_cleanly(_convert(tmp_path / "ckpt", out), capsys, out, "checkpoint files not found", "base.pt")


def test_missing_checkpoint_directory_is_named(tmp_path: Path, capsys) -> None:
    out = tmp_path / "model"
    _assert_failed_cleanly(_convert(tmp_path / "nowhere", out), capsys, out, "checkpoint directory not found")


def test_wrong_keys_are_named(tmp_path: Path, capsys) -> None:
    def drop(state):
        del state["transformer_proj.bias"]
        state["bogus.weight"] = torch.zeros(2)
    _tiny_checkpoint(tmp_path / "ckpt", drop)
    out = tmp_path / "model"
    _assert_failed_cleanly(_convert(tmp_path / "ckpt", out), capsys, out,
                           "missing keys: transformer_proj.bias", "unexpected keys: bogus.weight")


def test_wrong_shapes_are_named(tmp_path: Path, capsys) -> None:
    def reshape(state):
        state["out.2.weight"] = torch.zeros(3, 32, 3, 3)
    _tiny_checkpoint(tmp_path / "ckpt", reshape)
    out = tmp_path / "model"
    _assert_failed_cleanly(_convert(tmp_path / "ckpt", out), capsys, out,
                           "out.2.weight: expected [6, 32, 3, 3], got [3, 32, 3, 3]")


def test_unreadable_checkpoint_is_named(tmp_path: Path, capsys) -> None:
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "base.pt").write_bytes(b"not a checkpoint")
    out = tmp_path / "model"
    _assert_failed_cleanly(_convert(tmp_path / "ckpt", out), capsys, out, "cannot read checkpoint", "base.pt")


def test_unknown_option_is_named(tmp_path: Path, capsys) -> None:
    out = tmp_path / "model"
    code = main(["export", "--config", "tiny", "--models", "base", "--out", str(out), "--set", "base.xf_widht=8"])
    _assert_failed_cleanly(code, capsys, out, "unknown option 'xf_widht'")


def test_unknown_model_is_named(tmp_path: Path, capsys) -> None:
    out = tmp_path / "model"
    code = main(["export", "--config", "tiny", "--models", "base,upscale", "--out", str(out)])
    _assert_failed_cleanly(code, capsys, out, "unknown model 'upscale'")


def test_failed_export_keeps_the_previous_model_dir(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "manifest.json").write_text("previous")

    import glide_export.export as export_module

    def broken(path, plan):
        raise export_module.ExportError(f"{plan.name}: simulated contract failure")
    monkeypatch.setattr(export_module, "check_onnx_contract", broken)
    code = main(["export", "--config", "tiny", "--models", "clip", "--out", str(out)])
    assert code == 2
    assert "simulated contract failure" in capsys.readouterr().err
    assert (out / "manifest.json").read_text() == "previous"
    assert not list(tmp_path.glob(".export-*"))


def test_export_succeeds_for_a_single_model_with_an_override(tmp_path: Path) -> None:
    out = tmp_path / "model"
    assert main(["export", "--config", "tiny", "--models", "clip", "--out", str(out), "--set", "clip.n_embd=8"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["models"]["clip"]["options"]["n_embd"] == 8
    graphs = {g["name"]: g for g in manifest["graphs"]}
    assert [graphs[n]["outputs"][0]["shape"] for n in ("clip.text", "clip.image")] == [["batch", 8], ["batch", 8]]
    assert graphs["clip.grad"]["inputs"][2] == {"name": "text_emb", "dtype": "float32", "shape": [1, 8]}


def test_download_offline_gives_an_actionable_message(tmp_path: Path, monkeypatch) -> None:
    def offline(*_args, **_kwargs):
        raise urllib.error.URLError("Name or service not known")
    monkeypatch.setattr(download_module.urllib.request, "urlopen", offline)
    with pytest.raises(CheckpointError, match="may be offline"):
        download_module.download(["base"], str(tmp_path), log=lambda *_: None)
    assert not list(tmp_path.glob("*.part"))


def test_download_rejects_a_checksum_mismatch_of_a_present_file(tmp_path: Path) -> None:
    (tmp_path / "base.pt").write_bytes(b"abc")
    with pytest.raises(CheckpointError, match="does not match the expected"):
        download_module.download(["base"], str(tmp_path), pins={"base.pt": "0" * 64}, log=lambda *_: None)


def test_export_leaves_the_network_in_eval_mode(tmp_path: Path) -> None:
    """Regression: torch.onnx.export restores a wrapper's training mode, which once re-enabled dropout in the UNet
    and made every reference output after the export random."""
    from glide_export.export import export_model_set, plans_for, reference_outputs
    from glide_export.sources import random_entries
    entries = random_entries("tiny", ["base"], 3)
    export_model_set(entries, str(tmp_path / "model"), "tiny", 3, log=lambda *_: None)
    model = entries[0].model
    assert not any(m.training for m in model.modules())
    plan = plans_for(entries[0], 3)[1]
    first, second = reference_outputs(plan), reference_outputs(plan)
    assert torch.equal(torch.from_numpy(first["model_output"]), torch.from_numpy(second["model_output"]))


def test_mostly_zero_initializers_are_stored_sparse_with_the_same_values(tmp_path):
    # A token table with two used rows (what glide-shapes' text encoders hold) and a dense weight beside it.
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
    from glide_export.export import SPARSE_MIN_ELEMENTS, sparsify_initializers

    rows, width = 1024, 128
    assert rows * width >= SPARSE_MIN_ELEMENTS
    rng = np.random.default_rng(0)
    table = np.zeros((rows, width), np.float32)
    table[[3, 700]] = rng.standard_normal((2, width)).astype(np.float32)
    table[700, 5] = 0.0  # a zero inside a used row stays a zero
    dense = rng.standard_normal((width, width)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "ids"], ["rows"]), helper.make_node("MatMul", ["rows", "dense"], ["y"])],
        "g", [helper.make_tensor_value_info("ids", onnx.TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, width])],
        initializer=[numpy_helper.from_array(table, "table"), numpy_helper.from_array(dense, "dense")])
    path = str(tmp_path / "g.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    before = (tmp_path / "g.onnx").stat().st_size

    m = onnx.load(path)
    assert sparsify_initializers(m) == ["table"]
    onnx.save(m, path)

    onnx.checker.check_model(path)
    m = onnx.load(path)
    assert [i.name for i in m.graph.initializer] == ["dense"]
    sparse = m.graph.sparse_initializer[0]
    assert list(sparse.dims) == [rows, width]
    restored = np.zeros(rows * width, np.float32)
    restored[numpy_helper.to_array(sparse.indices)] = numpy_helper.to_array(sparse.values)
    np.testing.assert_array_equal(restored.reshape(rows, width), table)
    # What remains is the dense weight and 255 (value, index) pairs, not the 512 KiB table.
    assert before > table.nbytes and (tmp_path / "g.onnx").stat().st_size < dense.nbytes + 255 * 12 + 2_000
    assert sparsify_initializers(m) == []  # nothing left to convert; the dense weight stays dense
