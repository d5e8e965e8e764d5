"""The CLIP-guidance gradient as an exportable graph (glide-spec §8.4, §7.6, §9), and its autograd reference.

CLIP guidance needs, at every base step, the gradient of

    loss = exp(logit_scale) · Σ_rows z_i · z_t,      z_i = normalize(image_encoder(x_t, t)),

with respect to x_t (z_t: the normalised text embedding of the prompt, computed once). ONNX Runtime runs inference
only, so the gradient is exported as a graph of its own, ``clip.grad`` (FORMAT.md):

    x_t f32 [1, 3, S, S], timesteps int64 [1], text_emb f32 [1, E]  →  grad f32 [1, 3, S, S]

``grad`` includes the exp(logit_scale) factor (100) but not the guidance scale (3.0), which the sampler applies.

How (the recipe of ../shared/feasibility.md §1, written here from that description):

1. ``make_fx`` traces the forward pass *and* ``torch.autograd.grad`` into one FX graph of aten ops, with a
   decomposition table that expands the backward ops ONNX has no symbolic for (layer norm, GELU, softmax and
   select/slice backward) into plain ops; ``convolution_backward`` has no decomposition in torch 1.13, so the table
   gets one written here: the input gradient of a convolution is the transposed convolution of the output gradient.
2. A few aten ops left in the traced graph have no ONNX symbolic either; they are rewritten to equivalent calls.
3. ``torch.onnx.export`` traces the rewritten graph module as any other module.

``make_fx`` specialises every shape, so the graph has a fixed batch (``GRAD_BATCH`` = 1): the runtime runs it once
per image. Rows are independent (the loss is a sum of per-row terms), so this gives the same numbers as a batched
reference.
"""

from __future__ import annotations

import contextlib
import math
from typing import Callable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch._decomp import get_decompositions
from torch.fx.experimental.proxy_tensor import make_fx

from .nets_clip import ClipImageEncoder, normalize

#: Rows per run of the exported gradient graph (make_fx fixes the batch when it traces).
GRAD_BATCH = 1
#: The CLIP gradient scale of the CLIP-guided notebook ("guidance_scale" reused, glide-spec §8.4).
CLIP_GUIDANCE_SCALE = 3.0

_aten = torch.ops.aten


def logit_factor(logit_scale: float) -> torch.Tensor:
    """exp(logit_scale) as the reference computes it: ln(100) stored in float32, then exp in float32.

    That is 100.00000762939453 rather than exactly 100 (glide-spec §8.4 step 3: "the factor is 100").
    """
    return torch.exp(torch.tensor(math.log(logit_scale), dtype=torch.float32))


# -----------------------------------------------------------------------------------------------------------------
# The reference: plain autograd
# -----------------------------------------------------------------------------------------------------------------

def clip_gradient(encoder: ClipImageEncoder, x_t: torch.Tensor, timesteps: torch.Tensor,
                  text_emb: torch.Tensor) -> torch.Tensor:
    """d(exp(logit_scale)·Σ z_i·z_t)/dx_t by torch.autograd (glide-spec §8.4 cond_fn, without the guidance scale).

    ``text_emb`` [N, E] is the normalised text embedding per row; ``x_t`` [N, 3, S, S]; ``timesteps`` [N] original.
    """
    factor = logit_factor(encoder.opts.logit_scale)
    with torch.enable_grad():
        x = x_t.detach().to(torch.float32).requires_grad_(True)
        z_i = normalize(encoder(x, timesteps))
        loss = factor * (z_i * text_emb).sum()
        (grad,) = torch.autograd.grad(loss, x)
    return grad.detach()


def clip_cond_fn(encoder: ClipImageEncoder, text_emb: torch.Tensor,
                 grad_scale: float = CLIP_GUIDANCE_SCALE) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The CLIP-guided notebook's cond_fn for ``diffusion.Diffusion.p_sample`` (glide-spec §8.4, §7.6).

    ``text_emb`` [E] or [N, E] is computed once; each call returns clip_gradient(x_t, t)·grad_scale. The rows of
    ``text_emb`` are broadcast to the batch of x_t when it has one row.
    """
    z_t = text_emb.detach().to(torch.float32)
    if z_t.dim() == 1:
        z_t = z_t[None]

    def cond_fn(x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        rows = z_t if z_t.shape[0] == x_t.shape[0] else z_t.expand(x_t.shape[0], -1)
        return clip_gradient(encoder, x_t, t, rows) * grad_scale

    return cond_fn


# -----------------------------------------------------------------------------------------------------------------
# Tracing the gradient into an exportable graph
# -----------------------------------------------------------------------------------------------------------------

def _convolution_backward(grad_output, input, weight, bias_sizes, stride, padding, dilation, transposed,
                          output_padding, groups, output_mask):
    """aten.convolution_backward, input gradient only (the weights are constants here).

    The input gradient of a 2-D convolution is the transposed convolution of grad_output with the same weight,
    stride, padding, dilation and groups; output_padding restores the input size where the stride dropped rows.
    """
    if transposed or weight.dim() != 4:
        raise NotImplementedError("only the input gradient of a plain 2-D convolution is traced")
    if output_mask[1] or output_mask[2]:
        raise NotImplementedError("weight and bias gradients are not traced: freeze the parameters first")
    grad_input = None
    if output_mask[0]:
        extra = []
        for d in range(2):
            covered = (grad_output.shape[2 + d] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (weight.shape[2 + d] - 1) + 1
            extra.append(input.shape[2 + d] - covered)
        grad_input = F.conv_transpose2d(grad_output, weight, None, stride, padding, extra, groups, dilation)
    return grad_input, None, None


def _embed(grad: torch.Tensor, input_sizes: Sequence[int], dim: int, start: int, end: int) -> torch.Tensor:
    """grad placed at [start, end) along dim of a zero tensor of input_sizes (concatenation, not a scatter)."""
    parts = []
    if start > 0:
        before = list(input_sizes)
        before[dim] = start
        parts.append(grad.new_zeros(before))
    parts.append(grad)
    if end < input_sizes[dim]:
        after = list(input_sizes)
        after[dim] = input_sizes[dim] - end
        parts.append(grad.new_zeros(after))
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim)


def _select_backward(grad, input_sizes, dim, index):
    """aten.select_backward without select_scatter (which has no ONNX symbolic in torch 1.13)."""
    dim %= len(input_sizes)
    index %= input_sizes[dim]
    return _embed(grad.unsqueeze(dim), input_sizes, dim, index, index + 1)


def _slice_backward(grad, input_sizes, dim, start, end, step):
    """aten.slice_backward without slice_scatter, for unit steps."""
    if step != 1:
        raise NotImplementedError(f"slice_backward with step {step}")
    dim %= len(input_sizes)
    n = input_sizes[dim]
    start = min(max(start + n if start < 0 else start, 0), n)
    end = min(max(end + n if end < 0 else end, start), n)
    return _embed(grad, input_sizes, dim, start, end)


def decomposition_table():
    """torch 1.13 decompositions for the ops without an ONNX symbolic, plus this module's own three."""
    table = get_decompositions([
        _aten.native_layer_norm, _aten.native_layer_norm_backward,
        _aten.gelu, _aten.gelu_backward,
        _aten._softmax, _aten._softmax_backward_data,
        _aten.embedding_dense_backward,
    ])
    table[_aten.convolution_backward.default] = _convolution_backward
    table[_aten.select_backward.default] = _select_backward
    table[_aten.slice_backward.default] = _slice_backward
    return table


def _to_dtype(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """prims.convert_element_type, as a call the ONNX exporter knows (Cast)."""
    return x.to(dtype)


def _var_mean(x: torch.Tensor, dims, correction=1, keepdim=False):
    """aten.var_mean.correction as mean and a mean of squared deviations (no ONNX symbolic in torch 1.13)."""
    dims = list(dims)
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    count = 1
    for d in dims:
        count *= x.shape[d]
    var = (centred * centred).sum(dims, keepdim=keepdim) / (count - correction)
    return var, (mean if keepdim else mean.reshape(var.shape))


def rewrite_for_onnx(gm: torch.fx.GraphModule) -> torch.fx.GraphModule:
    """Replaces, in place, the traced aten ops that torch.onnx (opset 17, torch 1.13) cannot export."""
    for node in gm.graph.nodes:
        if node.op != "call_function":
            continue
        if node.target in (_aten._reshape_alias.default, _aten._unsafe_view.default):
            node.target = _aten.reshape.default
            node.args = (node.args[0], node.args[1])
            node.kwargs = {}
        elif node.target == torch.ops.prims.convert_element_type.default:
            node.target = _to_dtype
        elif node.target == _aten.var_mean.correction:
            node.target = _var_mean
    gm.graph.lint()
    gm.recompile()
    return gm


@contextlib.contextmanager
def _frozen(module: nn.Module) -> Iterator[None]:
    """Parameters without requires_grad while tracing (only the input gradient is wanted); restored after."""
    flags = [(p, p.requires_grad) for p in module.parameters()]
    try:
        for p, _ in flags:
            p.requires_grad_(False)
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)


def trace_gradient(encoder: ClipImageEncoder, batch: int = GRAD_BATCH) -> torch.fx.GraphModule:
    """The gradient of ``clip_gradient`` as an FX graph module (x_t, timesteps, text_emb) → grad, fixed batch.

    The weights become constants of the graph. Tracing runs on fixed stand-in inputs: make_fx records tensor ops
    only, never values (the encoder has no data-dependent control flow), so the graph holds for any input of the
    traced shapes; the tests check it on other inputs against autograd.
    """
    o = encoder.opts
    encoder.eval()
    factor = logit_factor(o.logit_scale)

    def gradient(x_t: torch.Tensor, timesteps: torch.Tensor, text_emb: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            x = x_t.detach().requires_grad_(True)
            z_i = normalize(encoder(x, timesteps))
            loss = factor * (z_i * text_emb).sum()
            (grad,) = torch.autograd.grad(loss, x)
        return grad

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(batch, 3, o.image_size, o.image_size, generator=gen)
    t = torch.arange(batch, dtype=torch.int64) * 7 + 500
    z = normalize(torch.randn(batch, o.n_embd, generator=gen))
    with _frozen(encoder):
        gm = make_fx(gradient, decomposition_table=decomposition_table())(x, t, z)
    return rewrite_for_onnx(gm)


class ClipGradPart(nn.Module):
    """Export wrapper around the traced gradient: forward(x_t, timesteps, text_emb) → grad [B, 3, S, S]."""

    def __init__(self, encoder: ClipImageEncoder, batch: int = GRAD_BATCH):
        super().__init__()
        self.batch = batch
        self.traced = trace_gradient(encoder, batch)
        self.eval()

    def forward(self, x_t: torch.Tensor, timesteps: torch.Tensor, text_emb: torch.Tensor) -> torch.Tensor:
        return self.traced(x_t, timesteps, text_emb)


__all__ = ["GRAD_BATCH", "CLIP_GUIDANCE_SCALE", "ClipGradPart", "clip_cond_fn", "clip_gradient",
           "decomposition_table", "logit_factor", "rewrite_for_onnx", "trace_gradient"]
