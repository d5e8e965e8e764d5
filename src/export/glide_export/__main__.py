"""Command line: `python3 -m glide_export {export,convert,download,fixtures} …` (run from src/export)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from .models import CheckpointError
from .options import CONFIGS, UPSAMPLE_SAMPLERS, OptionsError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="glide_export", description="GLIDE PyTorch → ONNX exporter")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("export", help="export seeded random-weight models of an option preset")
    e.add_argument("--config", required=True, choices=CONFIGS)
    e.add_argument("--out", required=True, help="model directory to write (replaced only on success)")
    e.add_argument("--models", default="all", help="comma list of base,upsample,base-inpaint,upsample-inpaint,clip")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--set", action="append", default=[], metavar="MODEL.OPTION=VALUE", help="override an option")

    c = sub.add_parser("convert", help="convert the official checkpoints (glide-spec §3.3 file names) to ONNX")
    c.add_argument("--checkpoints", required=True, help="directory holding base.pt, upsample.pt, …")
    c.add_argument("--out", required=True)
    c.add_argument("--models", default="all")
    c.add_argument("--config", default="full", choices=CONFIGS, help="option preset the checkpoints were built with")
    c.add_argument("--set", action="append", default=[], metavar="MODEL.OPTION=VALUE", help="override an option")
    c.add_argument("--upsample-sampler", choices=UPSAMPLE_SAMPLERS, default=None,
                   help="the upsampler's steps when a request does not say (manifest 'sampling'; runtimes: ddim)")

    d = sub.add_parser("download", help="opt-in: fetch the official checkpoints (needs network)")
    d.add_argument("--dest", required=True)
    d.add_argument("--models", default="all")
    d.add_argument("--sha256", action="append", default=[], metavar="FILE=HEX", help="pin a file's checksum")

    b = sub.add_parser("bench", help="time the PyTorch UNets of an exported model dir (JSON on stdout)")
    b.add_argument("--model-dir", required=True)
    b.add_argument("--models", default="base,upsample")
    b.add_argument("--repeats", type=int, default=3)
    b.add_argument("--threads", type=int, default=os.cpu_count() or 1)

    f = sub.add_parser("fixtures", help="regenerate the test fixtures (or --check them against the committed ones)")
    f.add_argument("--out", default=None, help="fixtures directory (default: tests/fixtures of this repo)")
    f.add_argument("--check", action="store_true", help="regenerate into a temp dir and compare bytes")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    import torch
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    from .export import ExportError
    try:
        if args.command == "export":
            from .export import export_model_set
            from .sources import parse_models, parse_overrides, random_entries
            entries = random_entries(args.config, parse_models(args.models), args.seed, parse_overrides(args.set))
            export_model_set(entries, args.out, args.config, args.seed)
        elif args.command == "convert":
            from .export import export_model_set
            from .sources import checkpoint_entries, parse_models, parse_overrides
            entries = checkpoint_entries(args.checkpoints, parse_models(args.models), args.config,
                                         parse_overrides(args.set))
            export_model_set(entries, args.out, "checkpoint", 0, upsample_sampler=args.upsample_sampler)
        elif args.command == "download":
            from .download import download
            from .sources import parse_models
            pins = {}
            for item in args.sha256:
                name, sep, digest = item.partition("=")
                if not sep or len(digest) != 64:
                    raise OptionsError(f"bad --sha256 {item!r}: expected FILE=<64 hex digits>")
                pins[name] = digest
            download(parse_models(args.models), args.dest, pins)
        elif args.command == "bench":
            import json
            from .bench import run
            kinds = [k.strip() for k in args.models.split(",") if k.strip()]
            print(json.dumps(run(args.model_dir, kinds, args.repeats, args.threads)))
        elif args.command == "fixtures":
            from .fixtures import check_fixtures, default_fixtures_dir, generate_fixtures
            out = args.out or default_fixtures_dir()
            if args.check:
                problems = check_fixtures(out)
                for line in problems:
                    print(line, file=sys.stderr)
                if problems:
                    print(f"error: {len(problems)} fixture file(s) differ from a fresh regeneration", file=sys.stderr)
                    return 1
                print("fixtures match a fresh regeneration")
            else:
                generate_fixtures(out)
    except (OptionsError, CheckpointError, ExportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
