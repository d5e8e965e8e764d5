"""Multiply-accumulate count of one UNet evaluation of the full-size GLIDE networks (the basis of the GPU estimates
in infra/README.md). Builds the exporter's own PyTorch modules (src/export) with uninitialised weights, runs one
forward pass at batch 1 and counts the MACs of every convolution, linear layer and attention matmul.

    PYTHONPATH=src/export /usr/bin/python3 infra/perf/unet_flops.py
"""
import torch
import torch.nn as nn

from glide_export.models import build
from glide_export.nets_unet import UNetPart
from glide_export.options import preset

_macs = [0]


def _conv_hook(module, inputs, output):
    # Each output element is one dot product over in/groups × kernel elements.
    kernel = 1
    for k in module.kernel_size:
        kernel *= k
    _macs[0] += output.numel() * (module.in_channels // module.groups) * kernel


def _linear_hook(module, inputs, output):
    _macs[0] += output.numel() * module.in_features


_einsum = torch.einsum


def _counting_einsum(equation, *operands):
    out = _einsum(equation, *operands)
    # AttentionBlock's two einsums contract one index: "bct,bcs->bts" (over c) and "bts,bcs->bct" (over s).
    lhs = equation.split("->")[0].split(",")
    contracted = (set(lhs[0]) & set(lhs[1])) - set(equation.split("->")[1])
    size = 1
    for index in contracted:
        size *= operands[0].shape[lhs[0].index(index)]
    _macs[0] += out.numel() * size
    return out


def unet_macs(kind: str) -> int:
    model = build(kind, preset("full", kind))
    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.Conv2d)):
            module.register_forward_hook(_conv_hook)
        elif isinstance(module, nn.Linear):
            module.register_forward_hook(_linear_hook)
    o = model.opts
    args = [torch.zeros(1, 3, o.image_size, o.image_size), torch.full((1,), 500, dtype=torch.int64),
            torch.zeros(1, o.emb_channels), torch.zeros(1, o.xf_width, o.text_ctx)]
    if o.super_res:
        args.append(torch.zeros(1, 3, o.low_res_size, o.low_res_size))
    params = sum(p.numel() for p in model.parameters())
    _macs[0] = 0
    torch.einsum = _counting_einsum
    try:
        with torch.no_grad():
            UNetPart(model)(*args)
    finally:
        torch.einsum = _einsum
    print(f"{kind}.unet: {params / 1e6:.0f} M parameters, {_macs[0] / 1e9:.1f} GMAC "
          f"({2 * _macs[0] / 1e9:.0f} GFLOP) per image per evaluation")
    return _macs[0]


if __name__ == "__main__":
    torch.set_num_threads(2)
    for kind in ("base", "upsample"):
        unet_macs(kind)
