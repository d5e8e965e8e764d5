"""The network definitions load the official state dicts strictly (glide-spec §3.2, §5.5, §9).

Full-size networks are built with random weights; no download. The expected keys, shapes, order and parameter
counts come from tests/fixtures/vectors/state_dict_keys.json (recorded from the official modules).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from glide_export.models import CheckpointError, build, check_state_dict, count_parameters, load_strict
from glide_export.options import OptionsError, preset, with_overrides

KEYS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "state_dict_keys.json"
# The six official key sets and the module each is checked against.
KEY_SETS = ["base", "upsample", "base-inpaint", "upsample-inpaint", "clip-text", "clip-image"]


@pytest.fixture(scope="module")
def reference() -> dict:
    with KEYS.open(encoding="utf-8") as f:
        return json.load(f)


def _full_module(key_set: str) -> torch.nn.Module:
    if key_set.startswith("clip-"):
        pair = build("clip", preset("full", "clip"))
        return pair.text if key_set == "clip-text" else pair.image
    return build(key_set, preset("full", key_set))


@pytest.mark.parametrize("key_set", KEY_SETS)
def test_full_size_definition_loads_the_official_keys_strictly(key_set: str, reference: dict) -> None:
    module = _full_module(key_set)
    listing = [[k, list(v.shape)] for k, v in module.state_dict().items()]
    assert listing == reference[key_set]  # names, shapes and order
    assert count_parameters(module) == reference["param_counts"][key_set]
    # A state dict built from the reference listing (random values) loads with strict=True.
    state = {name: torch.randn(shape) for name, shape in reference[key_set]}
    load_strict(module, state, f"random {key_set} state dict")
    name, shape = reference[key_set][-1]
    assert torch.equal(module.state_dict()[name], state[name])
    del module, state


def test_parameter_counts_quoted_by_the_spec(reference: dict) -> None:
    assert reference["param_counts"]["base"] == 385_030_726
    assert reference["param_counts"]["upsample"] == 398_361_286


def _tiny_base() -> torch.nn.Module:
    return build("base", preset("tiny", "base"))


def test_missing_key_is_named() -> None:
    model = _tiny_base()
    state = dict(model.state_dict())
    del state["out.2.weight"]
    with pytest.raises(CheckpointError, match=r"missing keys: out\.2\.weight"):
        check_state_dict(model, state, "ckpt.pt")


def test_unexpected_key_is_named() -> None:
    model = _tiny_base()
    state = dict(model.state_dict())
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointError, match=r"unexpected keys: extra\.weight"):
        check_state_dict(model, state, "ckpt.pt")


def test_wrong_shape_is_named_with_both_shapes() -> None:
    model = _tiny_base()
    state = dict(model.state_dict())
    state["token_embedding.weight"] = torch.zeros(10, 4)
    with pytest.raises(CheckpointError, match=r"token_embedding\.weight: expected \[50257, 4\], got \[10, 4\]"):
        check_state_dict(model, state, "ckpt.pt")


def test_unknown_option_is_named() -> None:
    with pytest.raises(OptionsError, match="unknown option 'num_chanels'"):
        with_overrides(preset("tiny", "base"), {"num_chanels": "64"})


def test_invalid_option_value_is_named() -> None:
    with pytest.raises(OptionsError, match="multiple of 32"):
        with_overrides(preset("tiny", "base"), {"num_channels": "48"})
    with pytest.raises(OptionsError, match="xf_width"):
        with_overrides(preset("tiny", "base"), {"xf_heads": "3"})


def test_unknown_kind_and_config() -> None:
    with pytest.raises(OptionsError, match="unknown model kind 'basee'"):
        preset("tiny", "basee")
    with pytest.raises(OptionsError, match="unknown config 'huge'"):
        preset("huge", "base")


def test_variant_input_channels_follow_the_spec() -> None:
    # glide-spec §3.1: base 3, upsample 6, base-inpaint 7, upsample-inpaint 10.
    got = {k: preset("full", k).in_channels for k in ("base", "upsample", "base-inpaint", "upsample-inpaint")}
    assert got == {"base": 3, "upsample": 6, "base-inpaint": 7, "upsample-inpaint": 10}
