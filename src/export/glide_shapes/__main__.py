"""Command line: `python3 -m glide_shapes {captions,tokens,train,probe,retention,rerank,keep,checkpoints}` (run
from src/export)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from . import PRECISIONS


def _parser(given_only: bool = False) -> argparse.ArgumentParser:
    """The command line; with `given_only` the train options have no defaults, so a parse holds only those given."""
    p = argparse.ArgumentParser(prog="glide_shapes", description="the glide-shapes world, training and evaluation set")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("captions", help="write the held-out evaluation captions (JSONL, the evaluator's input)")
    c.add_argument("--out", required=True)
    c.add_argument("--check", action="store_true", help="compare with the file instead of writing it")

    t = sub.add_parser("tokens", help="rebuild the word token table with `glide tokenize` and check it")
    t.add_argument("--glide", required=True, help="command that runs the glide CLI, e.g. 'dotnet path/glide.dll'")
    t.add_argument("--check", action="store_true", help="only check the committed table")

    r = sub.add_parser("train", help="train one model for a fixed wall-clock time")

    def add(*names, **kwargs):
        if given_only:
            kwargs["default"] = argparse.SUPPRESS
        r.add_argument(*names, **kwargs)

    add("--model", required=True, choices=("base", "upsample", "clip"))
    add("--out", required=True, help="directory for <model>.pt.gz and train-<model>.log")
    add("--minutes", type=float, required=True)
    add("--batch", type=int, default=None)
    add("--lr", type=float, default=None)
    add("--seed", type=int, default=0)
    add("--device", default="cuda")
    add("--save-every", type=float, default=60.0, help="seconds between EMA snapshots")
    add("--text-lr-mult", type=float, default=1.0,
        help="base/upsample: learning-rate multiplier for the text side (transformer, tables, encoder_kv)")
    add("--crop", type=int, default=0, help="upsample only: train on aligned random crops of this size")
    add("--init", default="",
        help="continue from an earlier run's <model>.pt.gz (with the <model>.state.pt beside it, when it "
             "belongs to that snapshot: raw weights and Adam's moments)")
    add("--continue", dest="continue_from", default="", metavar="DIR",
        help="continue DIR/<model>.pt.gz with the options its run recorded (what --init does, without "
             "repeating them); options given here besides replace the recorded ones")
    add("--warmup", type=int, default=200, help="learning-rate warm-up steps")
    add("--ema", type=float, default=0.999, help="EMA decay of the saved weights")
    add("--snr-weight-max", type=float, default=1.0,
        help="base/upsample: weight each sample's ε MSE by clamp(1/SNR(t), 1, this)")
    add("--high-t-share", type=float, default=0.0,
        help="base/upsample: share of samples with t drawn from [--high-t-from, 1000)")
    add("--high-t-from", type=int, default=600, help="see --high-t-share")
    add("--freeze-text", action=argparse.BooleanOptionalAction, default=False,
        help="base/upsample: train the image side only (text transformer, tables, projection fixed); "
             "--no-freeze-text with --continue trains a frozen run's text side too (the recipe's phase 2)")
    add("--reset-text", action="store_true",
        help="base/upsample with --init: keep the image side, start the text side afresh")
    add("--clip-grad", type=float, default=1.0,
        help="gradient-norm clipping threshold (raise it with --snr-weight-max: the weights scale the loss)")
    add("--threads", type=int, default=0, help="CPU runs: torch threads (default: every core)")
    add("--low-freq-weight-max", type=float, default=0.0,
        help="base/upsample: also train the x0 error of a 4×4 thumbnail, weighted clamp(1/SNR, 1, this) "
             "(balances ε̂ where sampling starts; 0 = off)")
    add("--first-step-weight", type=float, default=0.0,
        help="base/upsample: also charge the squared error of ε̂'s channel means at t = 999, where sampling "
             "starts, times this (with --first-step-share S for S of the samples there)")
    add("--first-step-share", type=float, default=0.0,
        help="base/upsample: put this share of the samples at t = 999, besides --high-t-share's")
    add("--dropout", type=float, default=0.1,
        help="base/upsample: the residual blocks' dropout while training (GLIDE's 0.1; 0 for a run that "
             "is short of steps rather than of data)")
    add("--identity-init", action="store_true",
        help="base/upsample started afresh: begin at ε̂ = x_t / rms(x_t), channel means included, so the "
             "sampler's first step has the channel means it needs (README, \"The first step\")")
    add("--clean-share", type=float, default=0.3,
        help="clip: share of samples at t = 0, the clean pictures reranking scores (the rest at a uniform t)")
    add("--contrast-group", type=int, default=0,
        help="clip: build batches from groups of this many scenes that differ in one attribute each (a shape, "
             "a colour or the layout, world.contrast_group), so the pair must tell them apart (0 = off)")
    add("--precision", choices=PRECISIONS, default="auto",
        help="forward pass under bf16 autocast or in fp32 (auto: bf16 on CUDA, fp32 on the CPU; bf16 pays "
             "on CPUs with AVX-512 BF16 or AMX, see the README)")
    add("--set", action="append", default=[], metavar="OPTION=VALUE",
        help="override an option of the model's `shapes` preset (export with --set MODEL.OPTION=VALUE)")

    q = sub.add_parser("probe", help="read trained files: caption dependence, first step, denoising (base, "
                                     "upsampler); rerank picks per attribute (clip)")
    q.add_argument("trained", nargs="+", help="base.pt.gz, upsample.pt.gz or clip.pt.gz files written by train")

    n = sub.add_parser("retention", help="base files: the share of rendered shapes still drawn after sampling back "
                                         "from each start t (t = 999: from noise, as glide eval)")
    n.add_argument("trained", nargs="+", help="base.pt.gz files written by train or keep")
    n.add_argument("--per-shape", type=int, default=8, help="single-object scenes of each shape")
    n.add_argument("--pairs", type=int, default=0, help="two-object scenes (their colours in place are reported)")
    n.add_argument("--starts", default="204,408,612,816,999", help="comma-separated start timesteps (0-999)")
    n.add_argument("--guidance", type=float, default=3.0, help="classifier-free guidance scale")
    n.add_argument("--device", default="cpu")

    b = sub.add_parser("rerank", help="score CLIP pairs as rerankers on the candidates a `glide eval --candidates N "
                                      "--keep N --save-dir DIR --json REPORT` kept, without generating again")
    b.add_argument("--report", required=True, help="glide eval's --json report (its images saved with --save-dir)")
    b.add_argument("--setting", default="",
                   help="the report's setting to read (default: the first with several plain images per caption)")
    b.add_argument("clip", nargs="+", help="clip.pt.gz files written by train or keep")

    k = sub.add_parser("checkpoints", help="unpack trained .pt.gz files into the exporter's checkpoint layout")
    k.add_argument("--trained", required=True, help="directory holding base.pt.gz, upsample.pt.gz, clip.pt.gz")
    k.add_argument("--out", required=True)

    e = sub.add_parser("keep", help="copy trained .pt.gz files (and logs) in float16, half the size, to commit and "
                                    "continue in a later session")
    e.add_argument("--trained", required=True, help="directory holding <model>.pt.gz files written by train")
    e.add_argument("--out", required=True, help="directory to write them to (e.g. glide_shapes/kept)")
    return p


def _options(pairs: List[str]) -> dict:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {pair!r}: expected OPTION=VALUE, e.g. num_res_blocks=1")
        out[name.strip()] = value.strip()
    return out


# train's command-line names that are not TrainConfig's
_TRAIN_FIELDS = {"model": "kind", "set": "options"}


def _given(argv: List[str]) -> List[str]:
    """The train options the command line names (a plain parse fills in the rest with defaults)."""
    return [name for name in vars(_parser(given_only=True).parse_args(argv)) if name != "command"]


def _train_config(args: argparse.Namespace, argv: Optional[List[str]]):
    from .train import DEFAULT_BATCH, DEFAULT_LR, TrainConfig, continued_config
    cfg = TrainConfig(kind=args.model, out=args.out, minutes=args.minutes,
                      batch=args.batch or DEFAULT_BATCH[args.model], lr=args.lr or DEFAULT_LR[args.model],
                      seed=args.seed, device=args.device, save_every=args.save_every,
                      crop=args.crop, text_lr_mult=args.text_lr_mult, init=args.init,
                      reset_text=args.reset_text, warmup=args.warmup, ema=args.ema,
                      snr_weight_max=args.snr_weight_max, high_t_share=args.high_t_share,
                      high_t_from=args.high_t_from, freeze_text=args.freeze_text,
                      options=_options(args.set), threads=args.threads, clip_grad=args.clip_grad,
                      dropout=args.dropout, low_freq_weight_max=args.low_freq_weight_max,
                      first_step_weight=args.first_step_weight, identity_init=args.identity_init,
                      first_step_share=args.first_step_share, clean_share=args.clean_share,
                      contrast_group=args.contrast_group,
                      precision=args.precision)
    if not args.continue_from:
        return cfg
    given = [_TRAIN_FIELDS.get(name, name) for name in _given(sys.argv[1:] if argv is None else argv)]
    changes = {name: getattr(cfg, name) for name in given
               if name not in ("kind", "out", "minutes", "continue_from")}
    return continued_config(args.continue_from, cfg.kind, cfg.out, cfg.minutes, **changes)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    from . import world
    if args.command == "captions":
        text = world.eval_jsonl(world.eval_scenes())
        if args.check:
            with open(args.out, encoding="utf-8") as f:
                same = f.read() == text
            print("evaluation captions match" if same else f"error: {args.out} differs from the generator's output",
                  file=sys.stdout if same else sys.stderr)
            return 0 if same else 1
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {len(world.eval_scenes())} captions to {args.out}")
    elif args.command == "tokens":
        import random
        import shlex
        from . import tokens
        cmd = shlex.split(args.glide)
        if not args.check:
            table = tokens.build_table(cmd, world.vocabulary())
            with open(tokens.TABLE_PATH, "w", encoding="utf-8") as f:
                json.dump(table, f, sort_keys=True)
        rng = random.Random(5)
        captions = sorted({world.random_scene(rng).caption for _ in range(3000)} | world.held_out_captions())
        bad = tokens.check_table(cmd, tokens.TokenTable.load(), captions)
        for line in bad[:20]:
            print(line, file=sys.stderr)
        if bad:
            print(f"error: {len(bad)} caption(s) tokenize differently from the table", file=sys.stderr)
            return 1
        print(f"token table matches the tokenizers on {len(captions)} captions")
    elif args.command == "train":
        from .train import train
        train(_train_config(args, argv))
    elif args.command == "probe":
        import torch
        from .probe import probe_files
        torch.set_num_threads(os.cpu_count() or 1)
        for line in probe_files(args.trained):
            print(line)
    elif args.command == "retention":
        import torch
        from .retention import retention_files
        torch.set_num_threads(os.cpu_count() or 1)
        try:
            starts = [int(t) for t in args.starts.split(",")]
        except ValueError:
            raise ValueError(f"--starts {args.starts!r}: comma-separated timesteps such as 204,612,999") from None
        for line in retention_files(args.trained, args.per_shape, starts, args.guidance, args.device, args.pairs):
            print(line)
    elif args.command == "rerank":
        import torch
        from .rerank import rerank_files
        torch.set_num_threads(os.cpu_count() or 1)
        for line in rerank_files(args.report, args.clip, args.setting):
            print(line)
    elif args.command == "keep":
        from .train import keep
        kinds = keep(args.trained, args.out)
        sizes = {k: os.path.getsize(os.path.join(args.out, f"{k}.pt.gz")) for k in kinds}
        print(json.dumps({"kept": {k: f"{n / 1e6:.1f} MB" for k, n in sizes.items()}, "out": args.out}))
    elif args.command == "checkpoints":
        from .train import write_checkpoints
        sources = {k: os.path.join(args.trained, f"{k}.pt.gz") for k in ("base", "upsample", "clip")}
        missing = [p for p in sources.values() if not os.path.isfile(p)]
        if missing:
            print("error: missing trained files: " + ", ".join(missing), file=sys.stderr)
            return 2
        facts = write_checkpoints(sources, args.out)
        with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as f:
            json.dump(facts, f, indent=2)
        print(json.dumps({"logit_scale": facts["logit_scale"], "set": facts["set"]}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ValueError as e:  # bad options and files: the message, not a traceback
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
