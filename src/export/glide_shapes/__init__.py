"""glide-shapes: a procedural captioned-shapes world, training of small GLIDE-architecture models on it, and the
held-out evaluation captions (run from src/export: `python3 -m glide_shapes --help`)."""

__version__ = "1.0.0"
