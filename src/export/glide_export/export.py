"""ONNX export of every graph of a model set, the manifest, and reference inputs/outputs for verification.

Layout and I/O names: FORMAT.md beside this package. Export goes to a temporary directory next to the target and
is moved into place only when every graph exported and checked, so a failure never leaves a partial model dir.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import onnx
from onnx import numpy_helper
import torch

from . import __version__
from .clip_grad import GRAD_BATCH, ClipGradPart, clip_gradient
from .models import Built, ClipPair, parameter_count
from .nets_clip import ClipImagePart, ClipTextPart
from .nets_unet import Text2ImUNet, TextPart, UNetPart
from .options import UPSAMPLE_SAMPLERS, ClipOptions, UNetOptions

OPSET = 17
BATCH = "batch"
GLIDE_PAD_TOKEN = 50256
CLIP_SOT, CLIP_EOT = 49406, 49407

_DTYPE_NAMES = {np.float32: "float32", np.int64: "int64", np.bool_: "bool"}
_ONNX_DTYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64", onnx.TensorProto.BOOL: "bool"}


class ExportError(RuntimeError):
    """Export produced something that does not match the contract; nothing was written."""


@dataclass
class TensorSpec:
    name: str
    dtype: str
    shape: List  # ints or "batch"

    def to_json(self) -> Dict:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}


@dataclass
class GraphPlan:
    """One graph to export: the module, its I/O contract, and the reference inputs used to verify it."""

    name: str
    model: str
    module: torch.nn.Module
    inputs: List[TensorSpec]
    outputs: List[TensorSpec]
    verify_inputs: Dict[str, np.ndarray]
    verify_batch: int
    # The PyTorch outputs to store for verification, when they are not module(*inputs) under no_grad (clip.grad:
    # the graph is a traced autograd computation; its reference is autograd itself).
    reference: Optional[Callable[..., torch.Tensor]] = None


@dataclass
class ModelEntry:
    kind: str
    model: Built
    options: object
    source: Dict


# ---------------------------------------------------------------------------------------------------------------
# Reference inputs
# ---------------------------------------------------------------------------------------------------------------

def _f16_exact(a: np.ndarray) -> np.ndarray:
    """Round to values exactly representable in float16, so the stored float32 arrays compress well."""
    return a.astype(np.float16).astype(np.float32)


def glide_tokens(rng: np.random.Generator, batch: int, ctx: int, n_vocab: int) -> Tuple[np.ndarray, np.ndarray]:
    """Token rows of different lengths (the last row fully padded, like CFG's unconditional row)."""
    tokens = np.full((batch, ctx), GLIDE_PAD_TOKEN, dtype=np.int64)
    mask = np.zeros((batch, ctx), dtype=np.bool_)
    for row in range(batch):
        length = 0 if row == batch - 1 and batch > 1 else int(rng.integers(1, ctx // 2))
        tokens[row, :length] = rng.integers(0, n_vocab - 1, size=length)
        mask[row, :length] = True
    return tokens, mask


def clip_tokens(rng: np.random.Generator, batch: int, ctx: int) -> Tuple[np.ndarray, np.ndarray]:
    tokens = np.zeros((batch, ctx), dtype=np.int64)
    lengths = np.zeros((batch,), dtype=np.int64)
    for row in range(batch):
        n = 0 if row == batch - 1 and batch > 1 else int(rng.integers(1, ctx - 2))
        tokens[row, 0] = CLIP_SOT
        tokens[row, 1:n + 1] = rng.integers(0, CLIP_SOT, size=n)
        tokens[row, n + 1] = CLIP_EOT
        lengths[row] = n + 2
    return tokens, lengths


def _timesteps(rng: np.random.Generator, batch: int) -> np.ndarray:
    t = rng.integers(0, 1000, size=batch).astype(np.int64)
    t[-1] = 999 if batch > 1 else t[-1]
    return t


def _quantized(rng: np.random.Generator, shape) -> np.ndarray:
    return (np.round(rng.uniform(0, 255, size=shape)) / 127.5 - 1.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------------------------

def unet_plans(kind: str, model: Text2ImUNet, seed: int) -> List[GraphPlan]:
    o: UNetOptions = model.opts
    rng = np.random.default_rng(seed)
    size = o.image_size
    # Text graphs and 64×64 graphs are verified at batch 2 (distinct rows: proves the batch axis is dynamic and
    # rows do not mix); 256×256 graphs at batch 1 to keep the fixtures small.
    text_batch = 2
    unet_batch = 2 if size <= 64 else 1
    tokens, mask = glide_tokens(rng, text_batch, o.text_ctx, o.n_vocab)
    with torch.no_grad():
        xf_proj, xf_out = model.encode_text(torch.from_numpy(tokens[:unet_batch]), torch.from_numpy(mask[:unet_batch]))
    text = GraphPlan(
        name=f"{kind}.text", model=kind, module=TextPart(model),
        inputs=[TensorSpec("tokens", "int64", [BATCH, o.text_ctx]), TensorSpec("mask", "bool", [BATCH, o.text_ctx])],
        outputs=[TensorSpec("xf_proj", "float32", [BATCH, o.emb_channels]),
                 TensorSpec("xf_out", "float32", [BATCH, o.xf_width, o.text_ctx])],
        verify_inputs={"tokens": tokens, "mask": mask}, verify_batch=text_batch)
    inputs = [TensorSpec("x_t", "float32", [BATCH, 3, size, size]), TensorSpec("timesteps", "int64", [BATCH]),
              TensorSpec("xf_proj", "float32", [BATCH, o.emb_channels]),
              TensorSpec("xf_out", "float32", [BATCH, o.xf_width, o.text_ctx])]
    values: Dict[str, np.ndarray] = {
        "x_t": _f16_exact(rng.standard_normal((unet_batch, 3, size, size)).astype(np.float32)),
        "timesteps": _timesteps(rng, unet_batch),
        "xf_proj": xf_proj.numpy(), "xf_out": xf_out.numpy()}
    if o.super_res:
        inputs.append(TensorSpec("low_res", "float32", [BATCH, 3, o.low_res_size, o.low_res_size]))
        values["low_res"] = _quantized(rng, (unet_batch, 3, o.low_res_size, o.low_res_size))
    if o.inpaint:
        inputs.append(TensorSpec("inpaint_image", "float32", [BATCH, 3, size, size]))
        inputs.append(TensorSpec("inpaint_mask", "float32", [BATCH, 1, size, size]))
        values["inpaint_image"] = _f16_exact(rng.uniform(-1, 1, size=(unet_batch, 3, size, size)).astype(np.float32))
        m = np.ones((unet_batch, 1, size, size), dtype=np.float32)
        m[:, :, size // 3:, :] = 0.0  # keep the top third, as the inpaint notebook keeps the top rows
        values["inpaint_mask"] = m
    unet = GraphPlan(name=f"{kind}.unet", model=kind, module=UNetPart(model), inputs=inputs,
                     outputs=[TensorSpec("model_output", "float32", [BATCH, o.out_channels, size, size])],
                     verify_inputs=values, verify_batch=unet_batch)
    return [text, unet]


def clip_plans(pair: ClipPair, seed: int) -> List[GraphPlan]:
    o: ClipOptions = pair.text.opts
    rng = np.random.default_rng(seed)
    tokens, lengths = clip_tokens(rng, 2, o.text_ctx)
    text = GraphPlan(
        name="clip.text", model="clip", module=ClipTextPart(pair.text),
        inputs=[TensorSpec("tokens", "int64", [BATCH, o.text_ctx]), TensorSpec("text_len", "int64", [BATCH])],
        outputs=[TensorSpec("text_emb", "float32", [BATCH, o.n_embd])],
        verify_inputs={"tokens": tokens, "text_len": lengths}, verify_batch=2)
    s = o.image_size
    image = GraphPlan(
        name="clip.image", model="clip", module=ClipImagePart(pair.image),
        inputs=[TensorSpec("x_t", "float32", [BATCH, 3, s, s]), TensorSpec("timesteps", "int64", [BATCH])],
        outputs=[TensorSpec("image_emb", "float32", [BATCH, o.n_embd])],
        verify_inputs={"x_t": _f16_exact(rng.standard_normal((2, 3, s, s)).astype(np.float32)),
                       "timesteps": _timesteps(rng, 2)},
        verify_batch=2)
    return [text, image, clip_grad_plan(pair, rng)]


def clip_grad_plan(pair: ClipPair, rng: np.random.Generator) -> GraphPlan:
    """clip.grad: the CLIP-guidance gradient (clip_grad.py), fixed batch GRAD_BATCH, verified against autograd."""
    o: ClipOptions = pair.image.opts
    s, b = o.image_size, GRAD_BATCH
    text_emb = rng.standard_normal((b, o.n_embd)).astype(np.float32)
    text_emb /= np.linalg.norm(text_emb, axis=-1, keepdims=True)
    return GraphPlan(
        name="clip.grad", model="clip", module=ClipGradPart(pair.image, b),
        inputs=[TensorSpec("x_t", "float32", [b, 3, s, s]), TensorSpec("timesteps", "int64", [b]),
                TensorSpec("text_emb", "float32", [b, o.n_embd])],
        outputs=[TensorSpec("grad", "float32", [b, 3, s, s])],
        verify_inputs={"x_t": _f16_exact(rng.standard_normal((b, 3, s, s)).astype(np.float32)),
                       "timesteps": rng.integers(0, o.n_timesteps, size=b).astype(np.int64),
                       "text_emb": text_emb},
        verify_batch=b,
        reference=lambda x_t, timesteps, text_emb: clip_gradient(pair.image, x_t, timesteps, text_emb))


def plans_for(entry: ModelEntry, seed: int) -> List[GraphPlan]:
    if isinstance(entry.model, ClipPair):
        return clip_plans(entry.model, seed)
    return unet_plans(entry.kind, entry.model, seed)


# ---------------------------------------------------------------------------------------------------------------
# Export and checks
# ---------------------------------------------------------------------------------------------------------------

def _onnx_io(graph_io) -> List[TensorSpec]:
    specs = []
    for v in graph_io:
        t = v.type.tensor_type
        dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
        specs.append(TensorSpec(v.name, _ONNX_DTYPES.get(t.elem_type, f"onnx:{t.elem_type}"), dims))
    return specs


def declare_static_dims(m: onnx.ModelProto, plan: GraphPlan) -> bool:
    """Write the contract's fixed dims over the symbolic names the tracer leaves on outputs (e.g. after Resize).

    Only auto-named symbolic dims are replaced; a fixed dim that disagrees is left for the contract check. Returns
    whether anything changed."""
    changed = False
    for value, spec in zip(m.graph.output, plan.outputs):
        for dim, want in zip(value.type.tensor_type.shape.dim, spec.shape):
            if isinstance(want, int) and dim.dim_param and dim.dim_param != BATCH:
                dim.Clear()
                dim.dim_value = want
                changed = True
    return changed


def check_onnx_contract(path: str, plan: GraphPlan) -> None:
    """The written graph declares exactly the planned input/output names, dtypes and shapes."""
    m = onnx.load(path, load_external_data=False)
    onnx.checker.check_model(path)  # by path: works above the 2 GB in-memory protobuf limit
    if not any(op.domain in ("", "ai.onnx") and op.version <= OPSET for op in m.opset_import):
        raise ExportError(f"{plan.name}: opset above {OPSET}")
    for label, got, want in (("inputs", _onnx_io(m.graph.input), plan.inputs),
                             ("outputs", _onnx_io(m.graph.output), plan.outputs)):
        got_j = [g.to_json() for g in got]
        want_j = [w.to_json() for w in want]
        if got_j != want_j:
            raise ExportError(f"{plan.name}: graph {label} {got_j} differ from the contract {want_j}")


SPARSE_MIN_ELEMENTS = 1 << 16  # initializers below this stay dense: the saving would be small
SPARSE_MAX_DENSITY = 0.25  # at most this share nonzero; each stored value costs 12 bytes (value + int64 index)


def sparsify_initializers(m: onnx.ModelProto) -> List[str]:
    """Store the graph's large, mostly-zero float initializers as ONNX sparse initializers (COO, linear indices).

    A model trained on a small vocabulary, such as glide-shapes, has a 50,257-row token table of which only the rows
    of the tokens it saw are nonzero: nearly all of its 13.6 MB base text graph is zeros. ONNX Runtime turns sparse
    initializers back into the same dense tensors when it loads a graph, so the numbers do not change; the files
    shrink (and with them the repository, the container image and the hashing at start). Changes `m` in place;
    returns the names stored sparse."""
    dense, sparse = [], []
    for init in m.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or init.data_location == onnx.TensorProto.EXTERNAL:
            dense.append(init)
            continue
        flat = numpy_helper.to_array(init).reshape(-1)
        nonzero = np.flatnonzero(flat)
        if flat.size < SPARSE_MIN_ELEMENTS or nonzero.size > SPARSE_MAX_DENSITY * flat.size:
            dense.append(init)
            continue
        values = numpy_helper.from_array(flat[nonzero].astype(np.float32), init.name)
        indices = numpy_helper.from_array(nonzero.astype(np.int64), f"{init.name}.indices")
        sparse.append(onnx.helper.make_sparse_tensor(values, indices, list(init.dims)))
    if sparse:
        del m.graph.initializer[:]
        m.graph.initializer.extend(dense)
        m.graph.sparse_initializer.extend(sparse)
    return [t.values.name for t in sparse]


def finish_graph(path: str, plan: GraphPlan) -> List[str]:
    """The traced graph as it is kept: the contract's static dims declared and mostly-zero initializers stored
    sparse, in one load and one save. Returns the names stored sparse."""
    m = onnx.load(path)
    dims = declare_static_dims(m, plan)
    sparse = sparsify_initializers(m)
    if dims or sparse:
        onnx.save(m, path)
    return sparse


def export_graph(plan: GraphPlan, path: str) -> None:
    # torch.onnx.export restores the wrapper's mode afterwards, and a freshly made wrapper is in training mode:
    # without eval() here the inner network would come back with dropout active.
    plan.module.eval()
    args = tuple(torch.from_numpy(plan.verify_inputs[s.name]) for s in plan.inputs)
    dynamic = {s.name: {0: BATCH} for s in plan.inputs + plan.outputs if s.shape[:1] == [BATCH]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about python-int shapes are expected and harmless
        torch.onnx.export(plan.module, args, path, input_names=[s.name for s in plan.inputs],
                          output_names=[s.name for s in plan.outputs], dynamic_axes=dynamic,
                          opset_version=OPSET, do_constant_folding=True)


def reference_outputs(plan: GraphPlan) -> Dict[str, np.ndarray]:
    plan.module.eval()  # GLIDE runs in eval mode: dropout 0.1 is in the options but inactive (glide-spec §11.14)
    args = tuple(torch.from_numpy(plan.verify_inputs[s.name]) for s in plan.inputs)
    if plan.reference is not None:
        out = plan.reference(*args)
    else:
        with torch.no_grad():
            out = plan.module(*args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return {s.name: o.detach().numpy().astype(np.float32) for s, o in zip(plan.outputs, outs)}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_npz(path: str, arrays: Dict[str, np.ndarray]) -> None:
    """A deterministic .npz (fixed zip timestamps), so regenerating fixtures reproduces the bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def export_model_set(entries: Sequence[ModelEntry], out_dir: str, config: str, seed: int,
                     log: Callable[[str], None] = print, upsample_sampler: Optional[str] = None) -> Dict:
    """Export every graph of `entries` into `out_dir` atomically and return the manifest.

    `upsample_sampler` ("ddim" or "ancestral") is written as the manifest's `sampling.upsample_sampler`: how a
    runtime samples the upsampler when a request does not say (FORMAT.md)."""
    if upsample_sampler is not None and upsample_sampler not in UPSAMPLE_SAMPLERS:
        raise ExportError(f"upsample sampler {upsample_sampler!r}: expected one of {', '.join(UPSAMPLE_SAMPLERS)}")
    torch.manual_seed(seed)  # the exporter's tracing uses no RNG, but keep any stray draw deterministic
    parent = os.path.dirname(os.path.abspath(out_dir)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=parent)
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the model dir is meant to be shared read-only
    try:
        os.makedirs(os.path.join(tmp, "verify"))
        manifest = {"format": "glide-onnx-manifest", "format_version": 1, "exporter_version": __version__,
                    "opset": OPSET, "config": config, "models": {}, "graphs": []}
        for entry in entries:
            manifest["models"][entry.kind] = {"kind": entry.kind, "options": entry.options.to_json(),
                                              "param_count": parameter_count(entry.model), "source": entry.source}
            for plan in plans_for(entry, seed * 1000 + len(manifest["graphs"])):
                file = f"{plan.name}.onnx"
                path = os.path.join(tmp, file)
                log(f"exporting {plan.name} …")
                export_graph(plan, path)
                sparse = finish_graph(path, plan)
                check_onnx_contract(path, plan)
                ref = reference_outputs(plan)
                verify_file = f"verify/{plan.name}.npz"
                arrays = {f"in.{k}": v for k, v in plan.verify_inputs.items()}
                arrays.update({f"out.{k}": v for k, v in ref.items()})
                write_npz(os.path.join(tmp, verify_file), arrays)
                with open(path, "rb") as f:
                    digest = sha256_bytes(f.read())
                manifest["graphs"].append({
                    "name": plan.name, "model": plan.model, "file": file, "sha256": digest,
                    "inputs": [s.to_json() for s in plan.inputs], "outputs": [s.to_json() for s in plan.outputs],
                    "verify": {"file": verify_file, "batch": plan.verify_batch}})
                stored = f" ({len(sparse)} mostly-zero initializer(s) stored sparse)" if sparse else ""
                log(f"  {file}: {os.path.getsize(path) / 1e6:.2f} MB, sha256 {digest[:12]}…{stored}")
        if upsample_sampler is not None:
            manifest["sampling"] = {"upsample_sampler": upsample_sampler}
        with open(os.path.join(tmp, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        _replace_dir(tmp, out_dir)
        return manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace_dir(src: str, dst: str) -> None:
    """Move a finished export into place; an existing model dir is replaced only after success."""
    if os.path.exists(dst):
        if not os.path.isdir(dst):
            raise ExportError(f"output path {dst} exists and is not a directory")
        old = dst.rstrip("/") + ".old-export"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(dst, old)
        os.rename(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(src, dst)


__all__ = ["export_model_set", "ModelEntry", "GraphPlan", "TensorSpec", "ExportError", "write_npz", "OPSET"]
