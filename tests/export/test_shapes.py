"""The glide-shapes world, renderer, token table, training loss and training loop (src/export/glide_shapes)."""

import dataclasses
import gzip
import io
import json
import os
import random

import pytest
import torch

from glide_export.models import CheckpointError, build, load_strict
from glide_export.options import preset, with_overrides
from glide_shapes import render, tokens, world
from glide_shapes.losses import NoiseSchedule, hybrid_loss
from glide_shapes.train import SceneBatches, TrainConfig, load_trained, train, write_checkpoints

SHAPES_DIR = os.path.join(os.path.dirname(world.__file__))
EXPORT_DIR = os.path.dirname(SHAPES_DIR)  # src/export: the command lines run from here


def test_scenes_are_deterministic_from_the_seed():
    a = [world.random_scene(random.Random(11)) for _ in range(1)]
    first = [world.random_scene(rng) for rng in [random.Random(11)] for _ in range(50)]
    second = [world.random_scene(rng) for rng in [random.Random(11)] for _ in range(50)]
    assert first == second
    assert a[0] == first[0]
    assert first != [world.random_scene(rng) for rng in [random.Random(12)] for _ in range(50)]


def test_captions_cover_the_world_and_use_only_the_table_vocabulary():
    rng = random.Random(3)
    scenes = [world.random_scene(rng) for _ in range(3000)]
    table = tokens.TokenTable.load()
    words = set()
    for s in scenes:
        for w in tokens.split_words(s.caption):
            words.add(w)
            assert w in table.glide_spaced and w in table.clip
        assert len(table.glide_ids(s.caption)) <= tokens.GLIDE_CTX
    shapes = {o.shape for s in scenes for o in s.objects}
    colours = {o.colour for s in scenes for o in s.objects}
    regions = {o.region for s in scenes for o in s.objects}
    assert shapes == set(world.SHAPES) and len(shapes) >= 4
    assert colours == set(world.COLOURS) and len(colours) >= 8
    assert regions == set(world.REGIONS) | {None}
    assert {s.background for s in scenes} == set(world.BACKGROUNDS)
    assert any(len(s.objects) == 2 for s in scenes)
    assert any(" to the left of " in s.caption for s in scenes)
    assert any(" an orange " in f" {s.caption} " for s in scenes)
    assert not any(" a orange" in s.caption for s in scenes)


def test_the_evaluation_file_is_the_generator_output_and_holds_64_or_more_unique_captions():
    path = os.path.join(SHAPES_DIR, "eval_captions.jsonl")
    with open(path, encoding="utf-8") as f:
        committed = f.read()
    scenes = world.eval_scenes()
    assert committed == world.eval_jsonl(scenes)
    rows = [json.loads(line) for line in committed.splitlines()]
    assert len(rows) >= 64
    assert len({r["caption"] for r in rows}) == len(rows)
    assert all(o["region"] for r in rows for o in r["objects"])


def test_training_never_yields_a_held_out_caption():
    probe = random.Random(5)
    frequent = [world.random_scene(probe).caption for _ in range(4000)]
    # Exclude the captions the raw generator produced most, so the filter has work to do with this seed.
    held_out = {c for c in frequent if frequent.count(c) > 1} | world.held_out_captions()
    assert len(held_out) > len(world.held_out_captions())
    stream = world.training_scenes(random.Random(5), held_out)
    drawn = [next(stream).caption for _ in range(4000)]
    assert not held_out.intersection(drawn)


def test_rendered_objects_have_their_colour_inside_and_the_background_outside():
    obj = world.SceneObject("circle", "red", 0.5, 0.5, 0.2, "centre", None)
    scene = world.Scene("a red circle in the centre", "white", False, (obj,), ((0, 0, 0), (0, 0, 0)))
    img = render.to_uint8(render.render([scene]))[0]
    assert img.shape == (256, 256, 3)
    assert tuple(img[128, 128].tolist()) == world.COLOURS["red"]
    assert tuple(img[5, 5].tolist()) == world.BACKGROUNDS["white"]
    # Radius 0.2 → 51.2 px: just inside and just outside the outline along the row through the centre.
    assert tuple(img[128, 128 + 49].tolist()) == world.COLOURS["red"]
    assert tuple(img[128, 128 + 54].tolist()) == world.BACKGROUNDS["white"]


def test_the_triangle_points_up_and_the_diamond_is_symmetric():
    def widths(shape):
        o = world.SceneObject(shape, "blue", 0.5, 0.5, 0.3, None, None)
        s = world.Scene("x", "black", False, (o,), ((0, 0, 0), (0, 0, 0)))
        mask = (render.render([s])[0, 2] > 0).float()  # blue channel high inside
        rows = mask.sum(dim=1)
        top, bottom = int(256 * 0.35), int(256 * 0.65)
        return float(rows[top]), float(rows[bottom])
    t_top, t_bottom = widths("triangle")
    d_top, d_bottom = widths("diamond")
    assert t_top < 0.6 * t_bottom
    assert abs(d_top - d_bottom) <= 2


def test_two_objects_stay_in_their_halves_and_downsampling_is_a_box_average():
    rng = random.Random(9)
    scenes = [world.two_object_scene(rng) for _ in range(40)]
    for s in scenes:
        for o in s.objects:
            lo_x, hi_x = o.cx - o.r, o.cx + o.r
            lo_y, hi_y = o.cy - o.r, o.cy + o.r
            if o.region == "left":
                assert hi_x < 0.5
            elif o.region == "right":
                assert lo_x > 0.5
            elif o.region == "top":
                assert hi_y < 0.5
            else:
                assert o.region == "bottom" and lo_y > 0.5
    high = render.render(scenes[:2])
    low = render.downsample(high)
    assert low.shape == (2, 3, 64, 64)
    assert torch.allclose(low[0, :, 3, 7], high[0, :, 12:16, 28:32].mean(dim=(1, 2)))


def _single(shape="square", colour="orange", region="bottom", caption="there is an orange square near the bottom"):
    cx, cy = world.REGION_CENTRES[region]
    obj = world.SceneObject(shape, colour, cx + 0.01, cy - 0.02, 0.15, region, None)
    return world.Scene(caption, "white", False, (obj,), ((1, 2, 3), (4, 5, 6)))


def test_a_shape_or_colour_variant_changes_one_object_and_rewrites_its_words_with_the_right_article():
    scene = _single()
    rng = random.Random(0)
    for _ in range(10):
        shaped = world.change_attribute(scene, "shape", rng)
        (obj,) = shaped.objects
        assert obj.shape != "square" and dataclasses.replace(obj, shape="square") == scene.objects[0]
        assert shaped.caption == f"there is an orange {obj.shape} near the bottom"
        coloured = world.change_attribute(scene, "colour", rng)
        (obj,) = coloured.objects
        assert obj.colour != "orange" and dataclasses.replace(obj, colour="orange") == scene.objects[0]
        article = "an" if obj.colour[0] in "aeiou" else "a"
        assert coloured.caption == f"there is {article} {obj.colour} square near the bottom"
        assert coloured.jitter == scene.jitter and coloured.background == scene.background


def test_a_layout_variant_moves_a_single_object_with_its_phrase_and_swaps_a_pair():
    scene = _single(region="top", caption="at the top of the picture, a large red circle", shape="circle",
                    colour="red")
    moved = world.change_attribute(scene, "layout", random.Random(1))
    (obj,) = moved.objects
    (ox, oy), (nx, ny) = world.REGION_CENTRES["top"], world.REGION_CENTRES[obj.region]
    assert obj.region != "top"
    assert (obj.cx - nx, obj.cy - ny) == pytest.approx((scene.objects[0].cx - ox, scene.objects[0].cy - oy))
    # The longest phrase of the old region is replaced by the phrase at the same place in the new region's list.
    assert moved.caption.endswith(", a large red circle")
    assert "of the picture" in moved.caption or obj.region in ("left", "right", "centre")
    assert world.change_attribute(dataclasses.replace(scene, objects=(dataclasses.replace(
        scene.objects[0], region=None),)), "layout", random.Random(1)) is None

    left = world.SceneObject("circle", "orange", 0.27, 0.5, 0.1, "left")
    right = world.SceneObject("square", "blue", 0.73, 0.5, 0.1, "right")
    pair = world.Scene("a blue square to the right of an orange circle", "gray", False, (left, right))
    swapped = world.change_attribute(pair, "layout", random.Random(2))
    assert swapped.caption == "an orange circle to the right of a blue square"
    assert [(o.shape, o.colour, o.region) for o in swapped.objects] == [("square", "blue", "left"),
                                                                          ("circle", "orange", "right")]
    with pytest.raises(ValueError, match="unknown attribute"):
        world.change_attribute(pair, "size", random.Random(0))


def test_a_variant_of_a_pair_never_makes_both_objects_alike():
    left = world.SceneObject("circle", "red", 0.27, 0.5, 0.1, "left")
    right = world.SceneObject("square", "red", 0.73, 0.5, 0.1, "right")
    pair = world.Scene("a red circle left of a red square", "gray", False, (left, right))
    rng = random.Random(3)
    for _ in range(40):
        variant = world.change_attribute(pair, "shape", rng)
        a, b = variant.objects
        assert (a.shape, a.colour) != (b.shape, b.colour)
        assert variant.caption == f"a red {a.shape} left of a red {b.shape}"


def test_every_training_variant_caption_uses_only_the_table_vocabulary_and_describes_its_scene():
    table = tokens.TokenTable.load()
    rng = random.Random(7)
    for _ in range(300):
        group = world.contrast_group(world.random_scene(rng), 4, rng)
        assert len({s.caption for s in group}) == len(group) and 2 <= len(group) <= 4
        for scene in group:
            for word in scene.caption.replace(",", " ,").split():
                assert word in table.clip, (word, scene.caption)
            for obj in scene.objects:
                assert f"{obj.colour} {obj.shape}" in scene.caption
            assert not any(f" a {c}" in " " + scene.caption for c in ("orange",))  # "an orange", never "a orange"


def test_a_contrast_group_is_deterministic_and_leaves_out_the_excluded_captions():
    scene = _single()
    first = world.contrast_group(scene, 4, random.Random(5))
    assert first == world.contrast_group(scene, 4, random.Random(5)) and first[0] == scene and len(first) == 4
    blocked = {s.caption for s in first[1:]}
    again = world.contrast_group(scene, 4, random.Random(5), excluded=blocked)
    assert not blocked & {s.caption for s in again[1:]}
    only = world.contrast_group(scene, 8, random.Random(5), attributes=("shape",))
    assert sorted(s.objects[0].shape for s in only) == sorted(world.SHAPES)  # all four, then no more to find


def test_contrast_batches_come_in_groups_of_one_scene_and_its_variants():
    batches = SceneBatches(4, torch.device("cpu"), tokens.TokenTable.load())
    scenes, high, low = batches.next(12, high_res=False, contrast=4)
    assert high is None and low.shape == (12, 3, 64, 64) and len(scenes) == 12
    held_out = world.held_out_captions()
    assert not held_out & {s.caption for s in scenes}
    # A variant keeps its scene's colour jitter, which independent scenes share by chance only: every scene but a
    # truncated last group has a partner, and the partners sit next to each other.
    for i, scene in enumerate(scenes[:-1]):
        partners = [j for j, other in enumerate(scenes) if j != i and other.jitter == scene.jitter]
        assert partners and all(abs(j - i) < 4 for j in partners)
    assert len({s.jitter for s in scenes}) <= 12 // 2 + 1


def test_the_rerank_probe_picks_by_colour_for_a_pair_that_sees_only_colour_and_never_on_a_tie():
    palette = list(world.COLOURS)
    table = tokens.TokenTable.load()

    class ColourOnly(torch.nn.Module):
        """A 'CLIP pair' embedding the set of palette colours a picture shows or a caption names, nothing else."""

        def __init__(self, image_side):
            super().__init__()
            self.image_side, self.dummy = image_side, torch.nn.Parameter(torch.zeros(1))

        def forward(self, a, b):
            if self.image_side:
                rgb = (a + 1.0) * 127.5  # [N, 3, 64, 64]
                colours = torch.tensor([world.COLOURS[c] for c in palette] + list(world.BACKGROUNDS.values()),
                                       dtype=torch.float32)
                distance, nearest = ((rgb[:, None] - colours[None, :, :, None, None]) ** 2).sum(2).min(1)
                nearest[distance > 30.0 ** 2] = -1  # anti-aliased edges: no colour
                counts = torch.stack([(nearest == k).flatten(1).sum(1) for k in range(len(palette))], dim=1)
                return (counts >= 20).float()
            return torch.tensor([[float(all(i in row.tolist() for i in table.clip[c])) for c in palette]
                                 for row in a])

    from glide_shapes.probe import attribute_picks
    picks = attribute_picks(ColourOnly(False), ColourOnly(True), table, n=24)
    assert picks["colour"] == 1.0  # the named colours: always picked
    assert picks["shape"] == 0.0 and picks["layout"] == 0.0  # the same colours score alike: no pick
    assert picks["shape_chance"] == pytest.approx(0.25) and picks["colour_chance"] == pytest.approx(0.25)
    assert 0.25 < picks["layout_chance"] < 0.5  # single objects: one of four; pairs: one of two


def _eval_report(tmp_path, verdicts):
    """A glide eval report of one plain setting whose captions' candidates are rendered scenes, with `verdicts`
    (one list of all-correct flags per caption) and the image files saved beside it."""
    from PIL import Image
    rng = random.Random(11)
    results = []
    for c, flags in enumerate(verdicts):
        scene = world.single_object_scene(rng, require_region=True)
        pictures = render.to_uint8(render.downsample(render.render([scene] * len(flags))))
        images = []
        for k, ok in enumerate(flags):
            name = f"g3-first{len(flags)}-eval-{c:03d}-{k}.png"
            Image.fromarray(pictures[k].numpy()).save(tmp_path / name)
            images.append({"candidate": k, "file": str(tmp_path / "elsewhere" / name), "all_correct": ok,
                           "objects": [{"colour_correct": True, "shape_correct": ok}]})
        results.append({"id": f"eval-{c:03d}", "caption": scene.caption, "images": images})
    report = {"settings": [{"name": "g3", "rerank": False, "results": [dict(r, images=r["images"][:1])
                                                                       for r in results]},
                           {"name": f"g3-first{len(verdicts[0])}", "rerank": False, "results": results}]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    return path


def test_rerank_scores_a_clip_file_against_the_first_a_random_and_the_best_candidate(tmp_path):
    from glide_shapes.rerank import load_candidates, rerank_files, rerank_scores
    verdicts = [[True, False, False, False], [False, False, True, True], [False, False, False, False]]
    report = _eval_report(tmp_path, verdicts)
    rows = load_candidates(str(report))  # the first setting with several images; files found beside the report
    assert [r["correct"] for r in rows] == verdicts and rows[0]["pixels"].shape == (4, 3, 64, 64)

    class Picks(torch.nn.Module):
        """A pair whose pick is the candidate the test names, whatever the caption: image k embeds as axis k."""
        def __init__(self, pick, image_side):
            super().__init__()
            self.pick, self.image_side, self.dummy = pick, image_side, torch.nn.Parameter(torch.zeros(1))

        def forward(self, a, b):
            if self.image_side:
                return torch.eye(4)[: a.shape[0]]
            return torch.eye(4)[self.pick: self.pick + 1]

    table = tokens.TokenTable.load()
    for pick, expected in ((0, 1 / 3), (2, 1 / 3), (1, 0.0)):
        r = rerank_scores(Picks(pick, False), Picks(pick, True), table, rows)
        assert r["captions"] == 3 and r["clip"] == pytest.approx(expected)
        assert r["first"] == pytest.approx(1 / 3) and r["oracle"] == pytest.approx(2 / 3)
        assert r["random"] == pytest.approx((0.25 + 0.5 + 0.0) / 3)
        assert r["clip_colour"] == 1.0 and r["clip_shape"] == pytest.approx(expected)

    trained = tmp_path / "clip"
    train(TrainConfig(kind="clip", out=str(trained), minutes=0.0005, batch=2, lr=1e-4, device="cpu",
                      save_every=1e9))
    (line,) = rerank_files(str(report), [str(trained / "clip.pt.gz")], setting="g3-first4")
    assert "3 captions" in line and "first 33.3%" in line and "best there 66.7%" in line
    with pytest.raises(ValueError, match="no setting 'g9'"):
        load_candidates(str(report), "g9")
    (tmp_path / "other.json").write_text(json.dumps({"settings": [{"name": "g3"}]}))
    with pytest.raises(ValueError, match="not a glide eval --json report"):
        load_candidates(str(tmp_path / "other.json"))
    (tmp_path / "g3-first4-eval-000-0.png").unlink()
    with pytest.raises(ValueError, match="not found"):
        load_candidates(str(report))


def test_the_hybrid_loss_is_zero_for_a_perfect_prediction_and_positive_otherwise():
    schedule = NoiseSchedule("squaredcos_cap_v2", "cpu")
    g = torch.Generator().manual_seed(0)
    x0 = torch.rand(4, 3, 8, 8, generator=g) * 2 - 1
    noise = torch.randn(4, 3, 8, 8, generator=g)
    t = torch.tensor([1, 100, 500, 999])
    x_t = schedule.q_sample(x0, t, noise)
    # v = −1 selects the posterior variance exactly, ε̂ = ε gives the true posterior mean: KL = 0, MSE = 0.
    perfect = torch.cat([noise, -torch.ones_like(noise)], dim=1)
    loss, mse, vb = hybrid_loss(schedule, perfect, x0, x_t, t, noise)
    assert float(mse) == 0.0
    assert abs(float(vb)) < 1e-5 and abs(float(loss)) < 1e-5
    wrong = torch.cat([noise + 0.1, torch.zeros_like(noise)], dim=1)
    loss2, mse2, vb2 = hybrid_loss(schedule, wrong, x0, x_t, t, noise)
    assert float(mse2) == pytest.approx(0.01, rel=1e-4)
    assert float(vb2) > 0


@pytest.mark.parametrize("kind", ["base", "clip"])
def test_a_short_training_run_writes_ema_weights_that_load_into_the_exporter_networks(tmp_path, kind):
    out = tmp_path / "trained"
    summary = train(TrainConfig(kind=kind, out=str(out), minutes=0.0005, batch=2, lr=1e-4, device="cpu",
                                save_every=1e9, log_every=1, contrast_group=2 if kind == "clip" else 0))
    assert summary["steps"] >= 1
    state = load_trained(str(out / f"{kind}.pt.gz"))
    assert state["meta"]["final"] and state["meta"]["steps"] == summary["steps"]
    log = [json.loads(line) for line in (out / f"train-{kind}.log").read_text().splitlines()]
    assert log[0]["event"] == "start" and log[-1]["event"] == "done"
    # The log and the file say how the run was made: every training option, not only a few.
    assert log[0]["kind"] == kind and log[0]["batch"] == 2 and "snr_weight_max" in log[0] and "out" not in log[0]
    assert state["meta"]["config"]["lr"] == 1e-4 and state["meta"]["config"]["freeze_text"] is False
    if kind == "base":
        probe = [e for e in log if e.get("event") == "probe"]
        assert probe and set(probe[-1]["alignment"]) == {"980", "900", "800"}
        assert set(probe[-1]["denoise_gain"]) == {"10", "100"}
    else:
        probe = [e for e in log if e.get("event") == "probe"]
        assert probe and {"shape", "colour", "layout", "shape_chance"} <= set(probe[-1]["picks"])
    facts = write_checkpoints({kind: str(out / f"{kind}.pt.gz")}, str(tmp_path / "ckpt"))
    opts = preset("shapes", kind)
    model = build(kind, opts)
    if kind == "clip":
        load_strict(model.text, torch.load(tmp_path / "ckpt" / "clip_text_enc.pt"), "text")
        load_strict(model.image, torch.load(tmp_path / "ckpt" / "clip_image_enc.pt"), "image")
        assert 0 < facts["logit_scale"] <= 100
        emb = model.text.blocks["input"].w_voc
    else:
        load_strict(model, torch.load(tmp_path / "ckpt" / "base.pt"), "base")
        emb = model.token_embedding.weight
    # Rows of tokens no caption uses stay zero; the caption words' rows do not.
    table = tokens.TokenTable.load()
    used = table.clip["red"] if kind == "clip" else table.glide_spaced["red"]
    assert float(emb[used].abs().sum()) > 0
    assert float(emb[1000].abs().sum()) == 0


def test_load_trained_reads_the_gzip_layout(tmp_path):
    buf = io.BytesIO()
    torch.save({"meta": {"kind": "base"}, "base": {"w": torch.ones(2)}}, buf)
    path = tmp_path / "base.pt.gz"
    with gzip.open(path, "wb") as f:
        f.write(buf.getvalue())
    assert torch.equal(load_trained(str(path))["base"]["w"], torch.ones(2))


def test_upsampler_crops_are_aligned_so_the_low_res_crop_is_the_high_res_box_average():
    batches = SceneBatches(4, torch.device("cpu"), tokens.TokenTable.load())
    for _ in range(3):
        _, high, low = batches.next(2, high_res=True, crop=128)
        assert high.shape == (2, 3, 128, 128) and low.shape == (2, 3, 32, 32)
        # Both are 8-bit quantized after averaging, so they agree to within one level.
        assert float((render.downsample(high, 32) - low).abs().max()) <= 1.0 / 127.5 + 1e-6


def test_crop_is_refused_for_other_models_and_bad_sizes(tmp_path):
    for kind, crop in (("base", 128), ("upsample", 100), ("upsample", 512)):
        with pytest.raises(ValueError, match="crop="):
            train(TrainConfig(kind=kind, out=str(tmp_path), minutes=0.001, batch=1, lr=1e-4, device="cpu", crop=crop))


def test_the_text_side_can_take_its_own_learning_rate():
    from glide_shapes.train import _param_groups
    model = build("base", preset("shapes", "base"))
    params = list(model.parameters())
    cfg = TrainConfig(kind="base", out="", minutes=1, batch=1, lr=1e-4, text_lr_mult=5.0)
    rest, text = _param_groups(model, params, cfg)
    assert text["base_lr"] == pytest.approx(5e-4) and rest["base_lr"] == pytest.approx(1e-4)
    ids = {id(p) for p in text["params"]}
    assert id(model.token_embedding.weight) in ids and id(model.transformer_proj.weight) in ids
    assert any(id(p) in ids for n, p in model.named_parameters() if ".encoder_kv." in n)
    assert id(model.out[-1].weight) not in ids and id(model.time_embed[0].weight) not in ids
    assert len(text["params"]) + len(rest["params"]) == len(params)
    single = _param_groups(model, params, TrainConfig(kind="base", out="", minutes=1, batch=1, lr=1e-4))
    assert len(single) == 1 and single[0]["base_lr"] == 1e-4


# A UNet's text side in the official key layout: the transformer, its tables, its final norm and projection.
_TEXT_SIDE = ("transformer.", "transformer_proj.", "token_embedding.", "positional_embedding", "padding_embedding",
              "final_ln.")


def _captions_batch(captions):
    table = tokens.TokenTable.load()
    ids, mask = table.glide_batch(captions, [False] * len(captions))
    return torch.from_numpy(ids), torch.from_numpy(mask)


def test_the_text_side_starts_with_the_pooled_vector_a_function_of_the_caption_alone():
    from glide_shapes.train import _init_unet, _used_token_ids
    model = build("base", preset("shapes", "base"))
    _init_unet(model, _used_token_ids(tokens.TokenTable.load())["glide"])
    assert float(model.padding_embedding.abs().max()) == 0.0
    ids, mask = _captions_batch(["a red circle", "a blue circle", "a green square on the left"])
    with torch.no_grad():
        pooled, xf_out = model.encode_text(ids, mask)
        # Every padding position holds the same caption-derived vector (they all start from zero)...
        assert torch.allclose(xf_out[:, :, 20], xf_out[:, :, 127], atol=5e-3)
        # ...so the pooled vector moves with the caption by a large fraction of its size, not a few percent.
        spread = (pooled - pooled.mean(0)).norm(dim=1).mean() / pooled.mean(0).norm()
        assert float(spread) > 0.3
        # The empty prompt carries nothing: all zeros in, the projection's bias out.
        empty = model.encode_text(torch.full((1, 128), 50256), torch.zeros(1, 128, dtype=torch.bool))[0]
        assert torch.allclose(empty[0], model.transformer_proj.bias, atol=1e-6)


def test_the_snr_weight_leaves_low_noise_alone_and_caps_high_noise():
    from glide_shapes.losses import snr_weight
    schedule = NoiseSchedule("squaredcos_cap_v2", "cpu")
    t = torch.tensor([0, 100, 400, 800, 950, 999])
    w = snr_weight(schedule, t, 20.0)
    assert w[:3].tolist() == [1.0, 1.0, 1.0]  # SNR ≥ 1 up to about t = 500 for this schedule
    assert 1.0 < float(w[3]) < 20.0 and float(w[4]) == 20.0 and float(w[5]) == 20.0
    assert snr_weight(schedule, t, 1.0).tolist() == [1.0] * 6
    g = torch.Generator().manual_seed(1)
    x0 = torch.rand(6, 3, 8, 8, generator=g) * 2 - 1
    noise = torch.randn(6, 3, 8, 8, generator=g)
    x_t = schedule.q_sample(x0, t, noise)
    out = torch.cat([noise + 0.1, torch.zeros_like(noise)], dim=1)
    plain, mse, vb = hybrid_loss(schedule, out, x0, x_t, t, noise)
    weighted, mse_w, vb_w = hybrid_loss(schedule, out, x0, x_t, t, noise, max_weight=20.0)
    assert float(mse_w) == float(mse) and float(vb_w) == float(vb)  # the logged parts stay unweighted
    assert float(weighted) == pytest.approx(float(vb) + 0.01 * float(w.mean()), rel=1e-4)
    assert float(weighted) > float(plain)


def test_reset_text_keeps_the_image_side_and_starts_from_the_old_mean_projection(tmp_path):
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0005, batch=2, lr=1e-3, device="cpu",
                      save_every=1e9))
    old = load_trained(str(first / "base.pt.gz"))["base"]
    second = tmp_path / "second"
    # No steps: what is saved is the model as the reset left it.
    train(TrainConfig(kind="base", out=str(second), minutes=0.0, batch=2, lr=1e-3, device="cpu",
                      save_every=1e9, init=str(first / "base.pt.gz"), reset_text=True))
    new = load_trained(str(second / "base.pt.gz"))["base"]
    for name, value in old.items():
        if not name.startswith(_TEXT_SIDE):
            assert torch.equal(value, new[name]), name
    assert float(new["padding_embedding"].abs().max()) == 0.0
    assert float(new["transformer_proj.weight"].abs().max()) == 0.0
    from glide_shapes.train import reset_sample
    model = build("base", preset("shapes", "base"))
    model.load_state_dict(old)
    ids, mask = reset_sample(tokens.TokenTable.load(), 0 + 4)  # TrainConfig's seed 0
    with torch.no_grad():
        expected = model.encode_text(ids, mask)[0].mean(0)
    # The image side first sees the old model's mean pooled vector, whatever the caption.
    assert torch.allclose(new["transformer_proj.bias"], expected, atol=1e-5)
    with pytest.raises(ValueError, match="reset_text"):
        train(TrainConfig(kind="base", out=str(tmp_path / "x"), minutes=0.0, batch=2, lr=1e-3, device="cpu",
                          reset_text=True))


def test_padding_embedding_stays_frozen_during_training(tmp_path):
    train(TrainConfig(kind="base", out=str(tmp_path), minutes=0.0005, batch=2, lr=1e-2, device="cpu",
                      save_every=1e9, snr_weight_max=20.0, high_t_share=0.5))
    state = load_trained(str(tmp_path / "base.pt.gz"))
    assert state["meta"]["steps"] >= 1
    assert float(state["base"]["padding_embedding"].abs().max()) == 0.0


def test_the_caption_probe_reads_zero_when_the_caption_cannot_matter_and_more_when_it_can():
    from glide_shapes.probe import caption_sensitivity, summary_line
    from glide_shapes.train import _init_unet, _used_token_ids
    table = tokens.TokenTable.load()
    torch.manual_seed(3)
    model = build("base", preset("shapes", "base"))
    _init_unet(model, _used_token_ids(table)["glide"])
    # The output convolution starts at zero: ε̂ = 0 for every caption, so the x0 predictions are identical.
    blind = caption_sensitivity(model, table, steps=(900,))
    assert blind["t"][900]["spread"] == 0.0 and blind["pooled_spread"] > 0.2  # the caption reaches the image side
    with torch.no_grad():
        model.out[-1].weight.normal_(0.0, 0.05)
    seeing = caption_sensitivity(model, table, steps=(900,))
    assert seeing["t"][900]["spread"] > 1e-3
    assert set(seeing["t"][900]["colours"]) == {"red", "blue", "green", "yellow", "purple", "cyan"}
    assert "t=900" in summary_line(seeing) and not model.training  # left in the mode it was given


class _PaletteFollower(torch.nn.Module):
    """A stand-in base model whose x0 prediction is the caption's palette colour (times `sign`) everywhere."""

    def __init__(self, table, sign: float):
        super().__init__()
        from glide_shapes.probe import COLOURS
        self.anchor = torch.nn.Parameter(torch.zeros(1))
        self.sign = sign
        self.schedule = NoiseSchedule("squaredcos_cap_v2", "cpu")
        self.colour_of = {}
        for name in COLOURS:
            ids, _ = table.glide_batch([f"a large {name} square in the center"], [False])
            self.colour_of[tuple(ids[0].tolist())] = torch.tensor(world.COLOURS[name]) / 127.5 - 1.0

    def encode_text(self, tokens, mask):
        return torch.stack([self.colour_of[tuple(row.tolist())] for row in tokens]), None

    def forward(self, x_t, t, tokens, mask):
        x0 = self.sign * self.encode_text(tokens, mask)[0][:, :, None, None].expand_as(x_t)
        eps = (x_t - self.schedule.at("sqrt_ac", t) * x0) / self.schedule.at("sqrt_1m_ac", t)
        return torch.cat([eps, torch.zeros_like(eps)], dim=1)


def test_the_caption_probe_alignment_is_one_for_a_perfect_follower_and_minus_one_for_a_contrary_one():
    from glide_shapes.probe import caption_sensitivity
    table = tokens.TokenTable.load()
    follower = caption_sensitivity(_PaletteFollower(table, 1.0), table, steps=(980, 800))
    contrary = caption_sensitivity(_PaletteFollower(table, -1.0), table, steps=(980, 800))
    for t in (980, 800):
        assert follower["t"][t]["alignment"] == pytest.approx(1.0, abs=1e-3)
        assert contrary["t"][t]["alignment"] == pytest.approx(-1.0, abs=1e-3)
        assert follower["t"][t]["spread"] > 0.3


def test_freeze_text_trains_the_image_side_only(tmp_path):
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0, batch=2, lr=1e-2, device="cpu", save_every=1e9))
    before = load_trained(str(first / "base.pt.gz"))["base"]
    second = tmp_path / "second"
    train(TrainConfig(kind="base", out=str(second), minutes=0.0005, batch=2, lr=1e-2, device="cpu", save_every=1e9,
                      init=str(first / "base.pt.gz"), freeze_text=True, ema=0.0))
    after = load_trained(str(second / "base.pt.gz"))
    assert after["meta"]["steps"] >= 1
    changed = {name for name, value in after["base"].items() if not torch.equal(value, before[name])}
    assert changed and not any(name.startswith(_TEXT_SIDE) for name in changed)
    assert "out.2.weight" in changed  # from a fresh start the first step moves the zeroed output convolution
    with pytest.raises(ValueError, match="freeze_text"):
        train(TrainConfig(kind="clip", out=str(tmp_path / "c"), minutes=0.0, batch=2, lr=1e-3, device="cpu",
                          freeze_text=True))


@pytest.mark.parametrize("option, value", [("high_t_share", 1.5), ("high_t_from", 1000), ("snr_weight_max", 0.5),
                                           ("ema", 1.0), ("warmup", 0), ("threads", -1),
                                           ("clip_grad", 0.0), ("dropout", 1.0), ("low_freq_weight_max", -1.0),
                                           ("first_step_weight", -1.0), ("first_step_share", 1.5),
                                           ("precision", "fp16"), ("contrast_group", 4),
                                           ("clean_share", 1.5)])
def test_out_of_range_training_options_are_refused_naming_the_option(tmp_path, option, value):
    with pytest.raises(ValueError, match=option):
        train(TrainConfig(kind="base", out=str(tmp_path), minutes=0.0, batch=1, lr=1e-4, device="cpu",
                          **{option: value}))


@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("fp32", torch.float32),
                                              ("auto", torch.float32)])
def test_the_forward_pass_runs_in_the_precision_asked_for_and_the_weights_stay_float32(tmp_path, monkeypatch,
                                                                                       precision, dtype):
    from glide_shapes import train as train_module
    seen = []
    real = train_module.hybrid_loss

    def recording(schedule, output, *rest):
        seen.append(output.dtype)
        return real(schedule, output, *rest)

    monkeypatch.setattr(train_module, "hybrid_loss", recording)
    monkeypatch.setattr(train_module, "cpu_has_bf16", lambda: True)  # the autocast path, whatever this CPU has
    out = tmp_path / "trained"
    train(TrainConfig(kind="base", out=str(out), minutes=0.0005, batch=2, lr=1e-4, device="cpu", save_every=1e9,
                      precision=precision))
    # auto is bf16 on CUDA only: on the CPU it is opt-in (slower without AVX-512 BF16 or AMX).
    assert seen and set(seen) == {dtype}
    state = load_trained(str(out / "base.pt.gz"))
    assert state["meta"]["config"]["precision"] == precision
    assert {v.dtype for v in state["base"].values() if v.is_floating_point()} == {torch.float32}
    assert train_module.uses_bf16("auto", torch.device("cuda")) and not train_module.uses_bf16("fp32", torch.device("cuda"))


def test_bf16_is_refused_on_a_cpu_without_bf16_instructions_and_the_flags_are_read_from_cpuinfo(tmp_path,
                                                                                                  monkeypatch):
    from glide_shapes import train as train_module
    read_flags = train_module.cpu_has_bf16
    monkeypatch.setattr(train_module, "cpu_has_bf16", lambda: False)
    with pytest.raises(ValueError, match="precision='bf16' on a CPU without bf16 instructions.*--precision fp32"):
        train(TrainConfig(kind="base", out=str(tmp_path / "b"), minutes=0.0, batch=1, lr=1e-4, device="cpu",
                          precision="bf16"))
    assert not (tmp_path / "b" / "base.pt.gz").exists()
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")
    assert read_flags(str(info)) is False
    info.write_text("processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16\n")
    assert read_flags(str(info)) is True
    assert read_flags(str(tmp_path / "none")) is None  # unknown: nothing refused on a guess


def test_keep_halves_a_trained_file_and_a_later_run_continues_it(tmp_path):
    from glide_shapes.__main__ import main
    from glide_shapes.train import keep
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0005, batch=2, lr=1e-3, seed=3, device="cpu",
                      save_every=1e9, ema=0.0, precision="fp32"))
    kept = tmp_path / "kept"
    assert main(["keep", "--trained", str(first), "--out", str(kept)]) == 0
    assert (kept / "train-base.log").read_text() == (first / "train-base.log").read_text()
    assert not (kept / "base.state.pt").exists()
    with gzip.open(kept / "base.pt.gz", "rb") as f:
        raw = torch.load(io.BytesIO(f.read()))
    assert {v.dtype for v in raw["base"].values() if v.is_floating_point()} == {torch.float16}
    assert (kept / "base.pt.gz").stat().st_size < 0.6 * (first / "base.pt.gz").stat().st_size
    before, after = load_trained(str(first / "base.pt.gz")), load_trained(str(kept / "base.pt.gz"))
    assert after["meta"] == before["meta"]
    for name, value in before["base"].items():
        assert after["base"][name].dtype == value.dtype
        torch.testing.assert_close(after["base"][name], value, rtol=1e-3, atol=1e-4)
    # The committed snapshot continues like any other (Adam restarts: no .state.pt beside it).
    second = tmp_path / "second"
    assert main(["train", "--model", "base", "--continue", str(kept), "--out", str(second), "--minutes",
                 "0.0005"]) == 0
    start = json.loads((second / "train-base.log").read_text().splitlines()[0])
    assert start["seed"] == 3 and not start["continued"]["optimizer_state"]
    assert load_trained(str(second / "base.pt.gz"))["meta"]["history"][0]["steps"] == before["meta"]["steps"]
    # A weight float16 cannot hold is refused, and nothing is written for it.
    state = load_trained(str(first / "base.pt.gz"))
    state["base"]["out.2.bias"][0] = 1e6
    bad = tmp_path / "bad"
    bad.mkdir()
    with gzip.open(bad / "base.pt.gz", "wb") as f:
        torch.save(state, f)
    with pytest.raises(ValueError, match="out.2.bias does not fit float16"):
        keep(str(bad), str(tmp_path / "kept2"))
    assert not (tmp_path / "kept2" / "base.pt.gz").exists()
    with pytest.raises(ValueError, match="no base.pt.gz"):
        keep(str(tmp_path / "empty"), str(tmp_path / "kept3"))


def test_continue_replays_the_recorded_options_and_takes_only_those_given_anew(tmp_path):
    from glide_shapes.__main__ import main
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0005, batch=2, lr=1e-4, seed=5, device="cpu",
                      save_every=1e9, dropout=0.0, snr_weight_max=20.0, high_t_share=0.3, high_t_from=850,
                      first_step_weight=30.0, first_step_share=0.1, warmup=7, ema=0.99, precision="fp32"))
    second = tmp_path / "second"
    assert main(["train", "--model", "base", "--continue", str(first), "--out", str(second), "--minutes", "0.0005",
                 "--lr", "5e-5"]) == 0
    before = load_trained(str(first / "base.pt.gz"))["meta"]
    after = load_trained(str(second / "base.pt.gz"))["meta"]
    expected = {**before["config"], "lr": 5e-5, "init": str(first / "base.pt.gz")}
    assert after["config"] == expected  # batch 2, dropout 0, … carried over; not the command line's defaults
    start = json.loads((second / "train-base.log").read_text().splitlines()[0])
    assert start["continued"]["from"]["steps"] == before["steps"] and start["continued"]["optimizer_state"]


def test_continue_unfreezes_a_frozen_text_side_only_when_asked(tmp_path):
    from glide_shapes.__main__ import main
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0, batch=1, lr=1e-4, device="cpu", freeze_text=True))
    common = ["train", "--model", "base", "--continue", str(first), "--minutes", "0"]
    assert main(common + ["--out", str(tmp_path / "still")]) == 0
    assert main(common + ["--out", str(tmp_path / "thawed"), "--no-freeze-text"]) == 0
    assert load_trained(str(tmp_path / "still" / "base.pt.gz"))["meta"]["config"]["freeze_text"] is True
    assert load_trained(str(tmp_path / "thawed" / "base.pt.gz"))["meta"]["config"]["freeze_text"] is False


@pytest.mark.parametrize("extra, message", [(["--init", "x.pt.gz"], "leave out --init"),
                                            (["--model", "clip"], "holds a base model, not clip")])
def test_continue_refuses_what_it_cannot_continue(tmp_path, extra, message):
    from glide_shapes.__main__ import main
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0, batch=1, lr=1e-4, device="cpu"))
    (first / "clip.pt.gz").write_bytes((first / "base.pt.gz").read_bytes())  # a file under the wrong name
    args = ["train", "--model", "base", "--continue", str(first), "--out", str(tmp_path / "b"), "--minutes", "0"]
    with pytest.raises(ValueError, match=message):
        main(args + extra)
    with pytest.raises(ValueError, match="no base.pt.gz there"):
        main(["train", "--model", "base", "--continue", str(tmp_path / "none"), "--out", str(tmp_path / "c"),
              "--minutes", "0"])


def test_the_timestep_draw_puts_the_first_step_share_at_t_999_besides_the_high_t_share():
    from glide_shapes.train import draw_timesteps
    cfg = TrainConfig(kind="base", out="", minutes=0.0, batch=20000, lr=1e-4, high_t_share=0.3, high_t_from=850,
                      first_step_share=0.1)
    t = draw_timesteps(cfg, 1000, torch.Generator().manual_seed(0), torch.device("cpu"))
    assert int(t.min()) >= 0 and int(t.max()) == 999
    at_999 = float((t == 999).float().mean())
    assert at_999 == pytest.approx(0.1 + 0.9 * (0.3 / 150 + 0.7 / 1000), abs=0.01)
    assert float((t >= 850).float().mean()) == pytest.approx(0.1 + 0.9 * (0.3 + 0.7 * 0.15), abs=0.015)
    # Without it the draw consumes the generator as before the option existed, so earlier runs stay reproducible.
    plain = dataclasses.replace(cfg, batch=64, first_step_share=0.0)
    gen = torch.Generator().manual_seed(3)
    uniform = torch.randint(0, 1000, (64,), generator=gen)
    high = torch.randint(850, 1000, (64,), generator=gen)
    expected = torch.where(torch.rand(64, generator=gen) < 0.3, high, uniform)
    assert torch.equal(draw_timesteps(plain, 1000, torch.Generator().manual_seed(3), torch.device("cpu")), expected)


def test_the_command_line_reports_a_bad_option_without_a_traceback(tmp_path):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "glide_shapes", "train", "--model", "base", "--out", str(tmp_path),
                             "--minutes", "0", "--device", "cpu", "--high-t-from", "1200"],
                            capture_output=True, text=True, cwd=EXPORT_DIR)
    assert result.returncode == 2
    assert "high_t_from=1200" in result.stderr and "Traceback" not in result.stderr


def test_preset_overrides_train_a_smaller_network_and_checkpoints_name_them_for_the_export(tmp_path):
    import subprocess
    import sys
    out = tmp_path / "trained"
    run = subprocess.run([sys.executable, "-m", "glide_shapes", "train", "--model", "base", "--out", str(out),
                          "--minutes", "0", "--device", "cpu", "--batch", "1", "--save-every", "1e9",
                          "--set", "num_res_blocks=1", "--set", "channel_mult=1,2,2"],
                         capture_output=True, text=True, cwd=EXPORT_DIR)
    assert run.returncode == 0, run.stderr
    state = load_trained(str(out / "base.pt.gz"))
    assert state["meta"]["options"]["num_res_blocks"] == 1 and state["meta"]["options"]["channel_mult"] == [1, 2, 2]
    smaller = with_overrides(preset("shapes", "base"), {"num_res_blocks": "1", "channel_mult": "1,2,2"})
    load_strict(build("base", smaller), state["base"], "base")
    with pytest.raises(CheckpointError):
        load_strict(build("base", preset("shapes", "base")), state["base"], "base")
    # `checkpoints` prints the overrides in the exporter's MODEL.OPTION=VALUE form.
    for kind in ("upsample", "clip"):
        train(TrainConfig(kind=kind, out=str(out), minutes=0.0, batch=1, lr=1e-4, device="cpu", save_every=1e9))
    unpack = subprocess.run([sys.executable, "-m", "glide_shapes", "checkpoints", "--trained", str(out),
                             "--out", str(tmp_path / "ckpt")], capture_output=True, text=True, cwd=EXPORT_DIR)
    assert unpack.returncode == 0, unpack.stderr
    assert json.loads(unpack.stdout.strip().splitlines()[-1])["set"] == ["base.channel_mult=1,2,2",
                                                                          "base.num_res_blocks=1"]
    bad = subprocess.run([sys.executable, "-m", "glide_shapes", "train", "--model", "base", "--out", str(out),
                          "--minutes", "0", "--device", "cpu", "--set", "num_res_block=1"],
                         capture_output=True, text=True, cwd=EXPORT_DIR)
    assert bad.returncode == 2 and "num_res_block" in bad.stderr and "Traceback" not in bad.stderr


def test_release_exports_trained_files_with_their_overrides_and_training_facts(tmp_path):
    import subprocess
    import sys
    trained = tmp_path / "trained"
    for kind in ("base", "upsample", "clip"):
        options = {"num_res_blocks": "1", "channel_mult": "1,2,2"} if kind == "base" else {}
        train(TrainConfig(kind=kind, out=str(trained), minutes=0.0, batch=1, lr=1e-4, device="cpu", save_every=1e9,
                          options=options))
    # Each UNet snapshot logs the denoising probe; the upsampler's also its first step's colour error.
    log = [json.loads(line) for line in (trained / "train-upsample.log").read_text().splitlines()]
    probe = [e for e in log if e.get("event") == "probe"]
    assert probe and set(probe[-1]["denoise_gain"]) == {"10", "100"} and 0 <= probe[-1]["first_step_error"] <= 2
    out = tmp_path / "models"
    (out / "stale").mkdir(parents=True)  # replaced, not merged into
    env = dict(os.environ, PYTHON=sys.executable)
    run = subprocess.run(["bash", os.path.join(SHAPES_DIR, "release.sh"), str(trained), str(out)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["models"]) == {"base", "upsample", "clip"}
    assert manifest["sampling"] == {"upsample_sampler": "ancestral"}  # DDIM keeps this upsampler's grain
    assert manifest["models"]["base"]["options"]["num_res_blocks"] == 1
    assert manifest["models"]["base"]["options"]["channel_mult"] == [1, 2, 2]
    logit_scale = load_trained(str(trained / "clip.pt.gz"))["logit_scale"]
    assert manifest["models"]["clip"]["options"]["logit_scale"] == pytest.approx(logit_scale)
    facts = json.loads((out / "training.json").read_text())
    assert facts["training"]["base"]["config"]["options"] == {"num_res_blocks": "1", "channel_mult": "1,2,2"}
    assert not (out / "stale").exists()
    # A failed export leaves the existing directory as it was.
    os.remove(trained / "clip.pt.gz")
    failed = subprocess.run(["bash", os.path.join(SHAPES_DIR, "release.sh"), str(trained), str(out)],
                            capture_output=True, text=True, env=env)
    assert failed.returncode != 0 and "clip.pt.gz" in failed.stderr
    assert json.loads((out / "manifest.json").read_text()) == manifest


def _lent_gpu(tmp_path, minutes, **env_extra):
    import subprocess
    import sys
    env = dict(os.environ, PYTHON=sys.executable, BATCH_BASE="2", BATCH_UPSAMPLE="1", BATCH_CLIP="4",
               WORK_DIR=str(tmp_path / "work"), **env_extra)
    return subprocess.run(["bash", os.path.join(SHAPES_DIR, "lent_gpu.sh"), str(tmp_path / "out"), *minutes, "cpu",
                           "300"], capture_output=True, text=True, env=env)


def _continued_from_kept(out, kinds):
    # Each model given time goes on from its committed total with its recorded options; only float16 copies and
    # logs come back, within what one device call brings back.
    assert sorted(os.listdir(out / "kept")) == sorted([f"{k}.pt.gz" for k in kinds] + [f"train-{k}.log" for k in kinds])
    assert len(os.listdir(out)) + len(os.listdir(out / "kept")) - 1 <= 8
    for kind in kinds:
        before = load_trained(os.path.join(SHAPES_DIR, "kept", f"{kind}.pt.gz"))["meta"]
        meta = load_trained(str(out / "kept" / f"{kind}.pt.gz"))["meta"]
        assert meta["samples"] >= 1 and meta["total"]["samples"] == before["total"]["samples"] + meta["samples"]
        assert len(meta["history"]) == len(before["history"]) + 1
    assert (out / "stdout.txt").read_text().count('"event": "done"') == len(kinds)


def test_lent_gpu_trains_the_models_given_time_one_after_another(tmp_path):
    # The script a session lent a GPU runs in one call, here on the CPU with tiny batches. By default the models run
    # one after another (a shared GPU gives each a fraction), and one given 0 minutes stays as committed.
    run = _lent_gpu(tmp_path, ["0.02", "0", "0.02"], RETENTION_PER_SHAPE="1", RETENTION_PAIRS="1",
                   RETENTION_STARTS="204")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "== training base clip (one after another)" in run.stdout
    out = tmp_path / "out"
    _continued_from_kept(out, ["base", "clip"])
    # Each line says whose it is; base's run ends before the pair's starts.
    events = [(line.split(" ", 1)[0], json.loads(line.split(" ", 1)[1])["event"])
              for line in (out / "stdout.txt").read_text().splitlines()
              if '"event": "start"' in line or '"event": "done"' in line]
    assert events == [("[base]", "start"), ("[base]", "done"), ("[clip]", "start"), ("[clip]", "done")]
    base = load_trained(str(out / "kept" / "base.pt.gz"))["meta"]["config"]
    assert base["batch"] == 2 and base["ema"] == 0.999 and base["text_lr_mult"] == 0.1  # recorded options replayed
    assert base["high_t_from"] == 600 and base["high_t_share"] == 0.5  # the extra samples where shapes are lost
    # The trained base's shape retention comes back in stdout.txt.
    assert "from t=204: " in (out / "stdout.txt").read_text() and "keep both colours in place" in (
        out / "stdout.txt").read_text()
    clip = load_trained(str(out / "kept" / "clip.pt.gz"))["meta"]["config"]
    # The pair goes on with contrast groups and its GPU settings, whatever its snapshot recorded.
    kept_clip = load_trained(os.path.join(SHAPES_DIR, "kept", "clip.pt.gz"))["meta"]["config"]
    assert clip["ema"] == 0.999 and clip["save_every"] == 60.0 and clip["batch"] == 4 and clip["contrast_group"] == 4
    assert clip["clean_share"] == kept_clip.get("clean_share", 0.3)
    assert (tmp_path / "work" / "base" / "base.state.pt").is_file()  # what a second call continues with


def test_lent_gpu_side_by_side_trains_the_upsampler_with_its_recorded_crop(tmp_path):
    run = _lent_gpu(tmp_path, ["0", "0.02", "0"], SIDE_BY_SIDE="1")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "shape retention" not in run.stdout  # no base was trained
    assert "== training upsample (side by side)" in run.stdout
    _continued_from_kept(tmp_path / "out", ["upsample"])
    assert load_trained(str(tmp_path / "out" / "kept" / "upsample.pt.gz"))["meta"]["config"]["crop"] == 128


@pytest.mark.parametrize("minutes, message", [
    (["0", "0", "0"], "every model was given 0 minutes"),
    (["7", "soon", "1"], "upsample's minutes must be a number of minutes"),
    (["-1", "0", "1"], "base's minutes must be a number of minutes"),
])
def test_lent_gpu_refuses_minutes_it_cannot_use_before_training(tmp_path, minutes, message):
    run = _lent_gpu(tmp_path, minutes)
    assert run.returncode == 2 and message in run.stderr
    assert not (tmp_path / "out" / "stdout.txt").exists()


def test_a_continued_run_resumes_the_optimizer_adds_up_its_history_and_draws_new_scenes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0005, batch=2, lr=1e-3, device="cpu",
                      save_every=1e9, ema=0.9))
    saved = torch.load(first / "base.state.pt")
    earlier = load_trained(str(first / "base.pt.gz"))
    assert saved["meta"] == earlier["meta"] and saved["moments"]
    # The raw weights differ from the EMA ones; both are kept, so continuing loses neither.
    assert any(not torch.equal(saved["weights"][k], earlier["base"][k]) for k in saved["weights"])

    train(TrainConfig(kind="base", out=str(second), minutes=0.0005, batch=2, lr=1e-3, device="cpu",
                      save_every=1e9, ema=0.9, init=str(first / "base.pt.gz")))
    start = json.loads((second / "train-base.log").read_text().splitlines()[0])
    steps1, samples1 = earlier["meta"]["steps"], earlier["meta"]["samples"]
    assert start["continued"]["optimizer_state"] is True
    assert start["continued"]["from"]["samples"] == samples1 and start["continued"]["stream_seed"] == samples1
    later = load_trained(str(second / "base.pt.gz"))["meta"]
    assert [run["steps"] for run in later["history"]] == [steps1]
    assert later["total"]["steps"] == steps1 + later["steps"]
    assert later["total"]["samples"] == samples1 + later["samples"]
    # Adam's step counts carried on from the first run's.
    moments = torch.load(second / "base.state.pt")["moments"]
    assert float(moments["out.2.weight"]["step"]) == steps1 + later["steps"]

    # A third run continues the second's total, and its history names both runs.
    third = tmp_path / "third"
    train(TrainConfig(kind="base", out=str(third), minutes=0.0, batch=2, lr=1e-3, device="cpu",
                      save_every=1e9, init=str(second / "base.pt.gz")))
    assert len(load_trained(str(third / "base.pt.gz"))["meta"]["history"]) == 2

    # A file trained with preset overrides continues as the same network without repeating them.
    smaller = tmp_path / "smaller"
    train(TrainConfig(kind="base", out=str(smaller), minutes=0.0, batch=1, lr=1e-3, device="cpu", save_every=1e9,
                      options={"num_res_blocks": "1"}))
    again = tmp_path / "again"
    train(TrainConfig(kind="base", out=str(again), minutes=0.0, batch=1, lr=1e-3, device="cpu", save_every=1e9,
                      init=str(smaller / "base.pt.gz")))
    assert load_trained(str(again / "base.pt.gz"))["meta"]["options"]["num_res_blocks"] == 1

    # The continued streams do not replay the first run's scenes.
    table = tokens.TokenTable.load()
    replay = SceneBatches(0 + 1, torch.device("cpu"), table).next(4, high_res=False)[0]
    fresh = SceneBatches(samples1 + 1, torch.device("cpu"), table).next(4, high_res=False)[0]
    assert [s.caption for s in replay] != [s.caption for s in fresh]


def test_a_state_from_another_snapshot_is_not_resumed(tmp_path):
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0, batch=2, lr=1e-3, device="cpu", save_every=1e9))
    state = torch.load(first / "base.state.pt")
    state["meta"]["steps"] += 1  # as if the run had written another snapshot since
    torch.save(state, first / "base.state.pt")
    second = tmp_path / "second"
    train(TrainConfig(kind="base", out=str(second), minutes=0.0, batch=2, lr=1e-3, device="cpu", save_every=1e9,
                      init=str(first / "base.pt.gz")))
    start = json.loads((second / "train-base.log").read_text().splitlines()[0])
    assert start["continued"]["optimizer_state"] is False


def test_a_frozen_continuation_keeps_the_moments_of_what_both_runs_train(tmp_path):
    first = tmp_path / "first"
    train(TrainConfig(kind="base", out=str(first), minutes=0.0005, batch=2, lr=1e-3, device="cpu", save_every=1e9))
    second = tmp_path / "second"
    train(TrainConfig(kind="base", out=str(second), minutes=0.0, batch=2, lr=1e-3, device="cpu", save_every=1e9,
                      init=str(first / "base.pt.gz"), freeze_text=True))
    moments = torch.load(second / "base.state.pt")["moments"]
    assert "out.2.weight" in moments and not any(n.startswith(_TEXT_SIDE) for n in moments)


@pytest.mark.parametrize("dropout", [0.0, 0.1])
def test_the_residual_blocks_train_with_the_dropout_asked_for(tmp_path, dropout):
    import glide_shapes.train as shapes_train
    seen = []
    original = shapes_train._ema_update

    def spy(ema, model, decay):  # the training network itself, as the run built it
        seen.append(sorted({m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)}))
        original(ema, model, decay)

    shapes_train._ema_update = spy
    try:
        train(TrainConfig(kind="base", out=str(tmp_path), minutes=0.0005, batch=1, lr=1e-4, device="cpu",
                          save_every=1e9, dropout=dropout))
    finally:
        shapes_train._ema_update = original
    assert seen and all(p == [dropout] for p in seen)
    assert load_trained(str(tmp_path / "base.pt.gz"))["meta"]["config"]["dropout"] == dropout


def test_the_low_frequency_loss_charges_a_channel_bias_in_x0_terms_and_ignores_balanced_detail():
    from glide_shapes.losses import low_frequency_loss
    schedule = NoiseSchedule("squaredcos_cap_v2", "cpu")
    noise = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    t = torch.tensor([999, 500])
    assert float(low_frequency_loss(schedule, noise, noise, t, 1000.0)) == 0.0
    # A checkerboard error (per-pixel ±0.1) averages out in every 16×16 cell: nothing to charge.
    checker = 0.1 * (torch.arange(64)[:, None] + torch.arange(64)[None, :]).remainder(2).float().mul(2).sub(1)
    assert float(low_frequency_loss(schedule, noise + checker, noise, t, 1000.0)) < 1e-10
    # A bias of 0.03 in one channel: ε-MSE would charge 0.0003; here t = 999 is charged at the cap (1000) and
    # t = 500 at its own 1/SNR.
    biased = noise.clone()
    biased[:, 1] += 0.03
    inv_snr_500 = float(schedule.t["sqrt_recipm1_ac"][500] ** 2)
    expected = (1000.0 * 0.03 ** 2 / 3 + max(1.0, inv_snr_500) * 0.03 ** 2 / 3) / 2
    assert float(low_frequency_loss(schedule, biased, noise, t, 1000.0)) == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="cells"):
        low_frequency_loss(schedule, noise[:, :, :63], noise[:, :, :63], t, 10.0)


def test_a_run_with_the_low_frequency_loss_logs_it(tmp_path):
    train(TrainConfig(kind="base", out=str(tmp_path), minutes=0.0005, batch=2, lr=1e-4, device="cpu",
                      save_every=1e9, log_every=1, low_freq_weight_max=1000.0))
    log = [json.loads(line) for line in (tmp_path / "train-base.log").read_text().splitlines()]
    steps = [e for e in log if "step" in e and "loss" in e]
    assert steps and all(e["low_freq"] >= 0 for e in steps) and log[0]["low_freq_weight_max"] == 1000.0


def test_checkpoints_name_what_a_file_differs_from_todays_preset_in_even_after_the_preset_changed(tmp_path):
    from glide_shapes.train import preset_differences
    base = preset("shapes", "base")
    meta = {"options": base.to_json(), "config": {"options": {}}}
    assert preset_differences("base", meta) == {}
    # A file trained when the preset had another width and depth, without any --set: its recorded options say so.
    older = dict(base.to_json(), num_channels=base.num_channels * 2, channel_mult=[1, 2, 3], xf_padding=False)
    differs = preset_differences("base", {"options": older, "config": {"options": {}}})
    assert differs["num_channels"] == str(base.num_channels * 2) and differs["xf_padding"] == "false"
    assert ("channel_mult" in differs) == (list(base.channel_mult) != [1, 2, 3])
    rebuilt = with_overrides(base, differs)
    assert rebuilt.to_json() == dict(older, in_channels=rebuilt.in_channels)
    # The CLIP logit scale is trained, not an option of the network's shape.
    clip = preset("shapes", "clip").to_json()
    assert preset_differences("clip", {"options": dict(clip, logit_scale=20.0)}) == {}
    # Files written before options were recorded fall back to their --set overrides.
    assert preset_differences("base", {"config": {"options": {"num_res_blocks": "1"}}}) == {"num_res_blocks": "1"}


class _Echo(torch.nn.Module):
    """A stand-in base that predicts ε̂ = x_t (+ an optional constant per channel), with zero variance channels."""

    def __init__(self, offset=(0.0, 0.0, 0.0)):
        super().__init__()
        self.offset = torch.nn.Parameter(torch.tensor(offset).view(1, 3, 1, 1), requires_grad=False)

    def forward(self, x, t, tokens, mask):
        return torch.cat([x + self.offset, torch.zeros_like(x)], dim=1)


def test_the_first_step_probe_reads_a_faithful_echo_as_gain_one_and_a_blind_base_as_gain_zero():
    from glide_shapes.probe import first_step
    table = tokens.TokenTable.load()
    echo = first_step(_Echo(), table)
    assert echo["dc_gain"] == pytest.approx(1.0, abs=1e-4)
    assert echo["chroma_gain"] == pytest.approx(1.0, abs=1e-4)
    assert echo["bias"] < 0.05
    # ε̂ off by 0.03 in green: every green pixel clips the same way (x0 = −0.03·20,000 before clipping).
    biased = first_step(_Echo((0.0, 0.03, 0.0)), table)
    assert biased["bias"] > 0.3
    assert biased["colour_bias"] > 0.4  # green alone: a colour cast
    grey = first_step(_Echo((0.03, 0.03, 0.03)), table)
    assert grey["bias"] > 0.9 and grey["colour_bias"] < 0.05  # all three alike: a black start, no colour
    # A base with 32 channels at the first level: its last GroupNorm has one channel per group and subtracts every
    # channel's mean, so a shift of x_t's channel means reaches ε̂ only through the zero padding at the borders (the
    # zero-initialised output layer is randomised so the reading is not trivially 0).
    from glide_export.init import init_random
    model = build("base", with_overrides(preset("shapes", "base"), {"num_channels": "32", "channel_mult": "1,2,3"}))
    init_random(model, 0)
    with torch.no_grad():
        for p in model.out[-1].parameters():
            p.normal_(0.0, 0.1)
    blind = first_step(model, table)
    assert abs(blind["dc_gain"]) < 0.05 and abs(blind["chroma_gain"]) < 0.05



def test_the_first_step_loss_charges_only_samples_at_t_999_and_only_their_channel_means():
    from glide_shapes.losses import first_step_loss
    schedule = NoiseSchedule("squaredcos_cap_v2", "cpu")
    noise = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    biased = noise.clone()
    biased[:, 2] += 0.1  # blue's mean off by 0.1
    assert float(first_step_loss(schedule, biased, noise, torch.tensor([999, 999]))) == pytest.approx(0.01 / 3)
    assert float(first_step_loss(schedule, biased, noise, torch.tensor([999, 998]))) == pytest.approx(0.01 / 6)
    assert float(first_step_loss(schedule, biased, noise, torch.tensor([998, 500]))) == 0.0
    checker = 0.1 * (torch.arange(8)[:, None] + torch.arange(8)[None, :]).remainder(2).float().mul(2).sub(1)
    assert float(first_step_loss(schedule, noise + checker, noise, torch.tensor([999, 999]))) < 1e-12


@pytest.mark.parametrize("kind", ["base", "upsample"])
def test_the_identity_init_starts_the_unets_at_eps_equal_x_t_over_its_rms_channel_means_included(kind):
    from glide_shapes.probe import first_step
    from glide_shapes.train import _init_unet, _used_token_ids
    table = tokens.TokenTable.load()
    torch.manual_seed(0)
    model = build(kind, preset("shapes", kind))
    _init_unet(model, _used_token_ids(table)["glide"], identity=True)
    model.eval()
    size = model.opts.image_size
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(2)) * 0.6
    x[:, 1] += 0.2  # a channel mean well away from zero
    ids, mask = _captions_batch(["a red circle", ""])
    extra = {"low_res": torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(3)) * 2 - 1} \
        if kind == "upsample" else {}
    with torch.no_grad():
        out = model(x, torch.tensor([999, 20]), ids, mask, **extra)
    expected = x / (x.square().mean(dim=(2, 3), keepdim=True) + 1e-5).sqrt()
    assert torch.allclose(out[:, :3], expected, atol=1e-5)
    assert float(out[:, 3:].abs().max()) == 0.0  # the variance channels start at the mid-point, as before
    if kind == "base":
        reading = first_step(model, table)
        assert reading["dc_gain"] == pytest.approx(1.0, abs=0.01)
        assert reading["chroma_gain"] == pytest.approx(1.0, abs=0.01)
        assert reading["bias"] < 0.05
    # Every residual branch starts at zero, GLIDE's own initialisation of their last convolution.
    assert all(float(m.out_layers[-1].weight.abs().max()) == 0.0
               for m in model.modules() if m.__class__.__name__ == "ResBlock")


def test_the_identity_init_is_refused_for_a_continued_run_and_for_clip(tmp_path):
    for kind, init in (("base", "earlier/base.pt.gz"), ("clip", "")):
        with pytest.raises(ValueError, match="identity_init"):
            train(TrainConfig(kind=kind, out=str(tmp_path), minutes=0.0, batch=1, lr=1e-4, device="cpu",
                              identity_init=True, init=init))


def test_the_identity_init_refuses_a_first_level_without_pairs_of_channels_per_group():
    from glide_shapes.train import _init_identity
    model = build("base", with_overrides(preset("shapes", "base"), {"num_channels": "32", "channel_mult": "1,2,3"}))
    with pytest.raises(ValueError, match="even number of channels per group"):
        _init_identity(model)


@pytest.mark.parametrize("kind", ["base", "upsample"])
def test_the_shapes_unets_keep_two_channels_per_group_at_their_first_level(kind):
    # GroupNorm32 has 32 groups; with 32 channels at the first level the last one subtracts every channel's mean and
    # ε̂ cannot follow x_t's (the first-step probe above reads a gain near 0 for such a base).
    opts = preset("shapes", kind)
    assert opts.num_channels * opts.channel_mult[0] >= 64


class _Oracle(torch.nn.Module):
    """A UNet stand-in that knows the clean image: ε̂ = (x_t − √ᾱ·x0)/√(1−ᾱ) exactly, times `gain`."""

    def __init__(self, x0: torch.Tensor, schedule: str, gain: float = 1.0):
        super().__init__()
        from glide_shapes.losses import NoiseSchedule
        self.anchor = torch.nn.Parameter(torch.zeros(1))
        self.x0, self.schedule, self.gain = x0, NoiseSchedule(schedule, "cpu"), gain

    def forward(self, x_t, t, tokens, mask, low_res=None):
        eps = (x_t - self.schedule.at("sqrt_ac", t) * self.x0) / self.schedule.at("sqrt_1m_ac", t)
        return torch.cat([self.gain * eps, torch.zeros_like(eps)], dim=1)


def _probe_scenes(kind, n=4, seed=0):
    # The scenes and clean images probe.denoising draws for `seed`.
    from glide_export.diffusion import quantize_low_res
    rng = random.Random(seed)
    scenes = [world.random_scene(rng) for _ in range(n)]
    high = render.render(scenes, "cpu", render.HIGH)
    return quantize_low_res(render.downsample(high)) if kind == "base" else quantize_low_res(high)


@pytest.mark.parametrize("kind", ["base", "upsample"])
def test_the_denoising_probe_reads_the_share_of_the_noise_recovered(kind):
    from glide_shapes.probe import SCHEDULES, denoising
    table = tokens.TokenTable.load()
    x0 = _probe_scenes(kind)

    exact = denoising(_Oracle(x0, SCHEDULES[kind]), table, kind)
    half = denoising(_Oracle(x0, SCHEDULES[kind], gain=0.5), table, kind)

    assert exact["denoise_gain"] == {10: pytest.approx(1.0, abs=1e-4), 100: pytest.approx(1.0, abs=1e-4)}
    assert half["denoise_gain"] == {10: pytest.approx(0.5, abs=1e-4), 100: pytest.approx(0.5, abs=1e-4)}
    assert ("first_step_error" in exact) == (kind == "upsample")


def test_the_upsampler_first_step_error_is_zero_for_an_exact_model_and_the_background_for_a_blind_one():
    from glide_shapes.probe import denoising
    table = tokens.TokenTable.load()
    x0 = _probe_scenes("upsample")
    low = torch.nn.functional.avg_pool2d(x0, 4)

    exact = denoising(_Oracle(x0, "linear"), table, "upsample")
    blind = denoising(_Oracle(torch.zeros_like(x0), "linear"), table, "upsample")  # always draws mid grey

    assert exact["first_step_error"] < 0.01
    expected = float(low.mean(dim=(2, 3)).abs().max(dim=1).values.mean())
    assert blind["first_step_error"] == pytest.approx(expected, abs=0.01)
    assert expected > 0.1  # the scenes' backgrounds are not all mid grey, so the reading can tell


def test_the_denoising_probe_refuses_the_clip_pair():
    from glide_shapes.probe import denoising
    with pytest.raises(ValueError, match="UNets"):
        denoising(_Oracle(torch.zeros(1, 3, 64, 64), "linear"), tokens.TokenTable.load(), "clip")


def test_the_retention_classifier_reads_every_rendered_shape_and_nothing_on_a_plain_picture():
    from glide_shapes.retention import classify, scenes
    batch = scenes(per_shape=10, seed=4)
    images = render.downsample(render.render(batch, "cpu", render.HIGH))
    assert [classify(images[i]) for i in range(len(batch))] == [s.objects[0].shape for s in batch]
    assert classify(torch.zeros(3, 64, 64)) is None
    with pytest.raises(ValueError, match=r"\[3, H, W\]"):
        classify(images)


def _swapped(scene):
    # A pair with its two colours exchanged.
    first, second = scene.objects
    return dataclasses.replace(scene, objects=(dataclasses.replace(first, colour=second.colour),
                                               dataclasses.replace(second, colour=first.colour)))


def test_the_colour_check_finds_each_pairs_colours_in_their_halves_and_not_when_exchanged():
    from glide_shapes.retention import colours_in_place, scenes
    pairs = [s for s in scenes(per_shape=1, pairs=30)[4:] if s.objects[0].colour != s.objects[1].colour]
    images = render.downsample(render.render(pairs, "cpu", render.HIGH))
    exchanged = render.downsample(render.render([_swapped(s) for s in pairs], "cpu", render.HIGH))
    assert len(pairs) >= 20
    assert all(colours_in_place(images[i], s) == [True, True] for i, s in enumerate(pairs))
    assert all(colours_in_place(exchanged[i], s) == [False, False] for i, s in enumerate(pairs))


def test_shape_retention_is_full_for_a_model_that_knows_the_picture_and_circles_only_for_a_circle_drawer():
    from glide_shapes.retention import retention, scenes, summary_lines
    table = tokens.TokenTable.load()
    batch = scenes(per_shape=1, pairs=2)
    assert all(s.objects[0].colour != s.objects[1].colour for s in batch[4:])
    x0 = render.downsample(render.render(batch, "cpu", render.HIGH))
    # The drawer: every single object a circle, every pair's colours exchanged.
    drawn = [dataclasses.replace(s, objects=(dataclasses.replace(s.objects[0], shape="circle"),)) for s in batch[:4]]
    x0_drawn = render.downsample(render.render(drawn + [_swapped(s) for s in batch[4:]], "cpu", render.HIGH))

    exact = retention(_Oracle(torch.cat([x0, x0]), "squaredcos_cap_v2"), table, per_shape=1, starts=(204, 999),
                      pairs=2)
    drawer = retention(_Oracle(torch.cat([x0_drawn, x0_drawn]), "squaredcos_cap_v2"), table, per_shape=1,
                       starts=(210, 999), pairs=2)  # 210: mapped to the nearest kept timestep, 204

    assert (exact["renders"], exact["pair_renders"]) == (1.0, 1.0)
    assert {t: (v["kept"], v["pair_colours"]) for t, v in exact["starts"].items()} == {204: (1.0, 1.0),
                                                                                      999: (1.0, 1.0)}
    assert {t: (v["kept"], v["pair_colours"]) for t, v in drawer["starts"].items()} == {204: (0.25, 0.0),
                                                                                       999: (0.25, 0.0)}
    assert drawer["starts"][999]["shapes"] == {"circle": 1.0, "square": 0.0, "triangle": 0.0, "diamond": 0.0}
    assert summary_lines(drawer)[-1] == ("from t=999: 25% keep their shape (circle 100%, square 0%, triangle 0%, "
                                         "diamond 0%); pairs: 0% keep both colours in place")
    assert "pair" not in summary_lines(retention(_Oracle(torch.cat([x0[:4], x0[:4]]), "squaredcos_cap_v2"), table,
                                                 per_shape=1, starts=(204,)))[-1]
    with pytest.raises(ValueError, match="start t=1000"):
        retention(_Oracle(torch.cat([x0, x0]), "squaredcos_cap_v2"), table, per_shape=1, starts=(1000,))


def test_the_retention_command_refuses_a_file_that_is_not_a_base(tmp_path):
    import subprocess
    import sys
    clip = os.path.join(SHAPES_DIR, "kept", "clip.pt.gz")
    run = subprocess.run([sys.executable, "-m", "glide_shapes", "retention", clip], cwd=EXPORT_DIR,
                         capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert run.returncode == 2
    assert "holds a clip model; shape retention reads base models" in run.stderr and "Traceback" not in run.stderr
