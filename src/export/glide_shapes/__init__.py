"""glide-shapes: a procedural captioned-shapes world, training of small GLIDE-architecture models on it, and the
held-out evaluation captions (run from src/export: `python3 -m glide_shapes --help`)."""

__version__ = "1.0.0"

# `train --precision`: the forward pass under bf16 autocast or in fp32, auto = bf16 on CUDA, fp32 on the CPU. Here
# rather than in train.py so that the command line can offer them without importing torch.
PRECISIONS = ("auto", "bf16", "fp32")
