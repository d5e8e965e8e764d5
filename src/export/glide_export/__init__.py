"""GLIDE export package: PyTorch network definitions, ONNX export and the reference diffusion sampler."""

__version__ = "0.1.0"
