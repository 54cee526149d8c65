#!/usr/bin/python3
"""Small ONNX models with reference outputs, one or more per ONNX op the importer supports
(corpus/onnx_import.h), for the importer's numeric test (tests/corpus/onnx_numeric_test.cc).

Each case is a torch module (or, for ops torch never emits in eval mode, a graph built with
onnx.helper) exported like datasets/mlir/export_onnx.py exports the dataset (opset 13, constant
folding, shape inference), with a seeded random input and the output torch (or numpy) computes for
it. The test imports each model, runs it through mlir-opt-16 and mlir-cpu-runner-16
(envs/mlir_runner.h) and compares.

usage: op_cases.py OUT_DIR [CASE ...]
Writes CASE.onnx and CASE.json ({"inputs": [...], "outputs": [...]}, each {"shape", "elem", "data"})
and prints "case<TAB>onnx path<TAB>json path" per case.
"""
import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_onnx import Block  # noqa: E402  (the dataset's transformer block)

warnings.filterwarnings("ignore")  # torch.onnx notes on constant folding; the cases are checked numerically


class Fn(nn.Module):
    """A module from a function, with optional submodules the function receives."""

    def __init__(self, fn, **mods):
        super().__init__()
        self.fn = fn
        self.mods = nn.ModuleDict(mods)

    def forward(self, *xs):
        return self.fn(self.mods, *xs)


def img(c=4, h=7, w=7):
    return lambda: torch.randn(1, c, h, w)


def seq(t=6, d=8):
    return lambda: torch.randn(1, t, d)


def ids(t=5, vocab=11):
    return lambda: torch.randint(0, vocab, (1, t))


class InvertedResidual(nn.Module):
    """MobileNet-v2's block (expand, depthwise, project, residual) with ReLU6, and an SE gate."""

    def __init__(self, c=4, e=8):
        super().__init__()
        self.expand, self.dw = nn.Conv2d(c, e, 1), nn.Conv2d(e, e, 3, padding=1, groups=e)
        self.bn = nn.BatchNorm2d(e)
        self.project = nn.Conv2d(e, c, 1)
        self.se = nn.Linear(e, e)

    def forward(self, x):
        y = F.relu6(self.bn(self.dw(F.relu6(self.expand(x)))))
        gate = F.hardsigmoid(self.se(F.adaptive_avg_pool2d(y, 1).flatten(1)))
        return x + self.project(y * gate.reshape(1, -1, 1, 1))


def _with_running_stats(bn):
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 2.0)
    return bn


# name -> (module constructor, input constructors). Names say the ONNX op they are for.
TORCH_CASES = {
    "conv": (lambda: nn.Conv2d(4, 5, 3, stride=2, padding=1), [img()]),
    "conv_depthwise": (lambda: nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), [img()]),
    "conv_dilated_rect": (lambda: nn.Conv2d(4, 6, (3, 2), padding=(2, 1), dilation=2), [img(4, 8, 8)]),
    "add_sub_mul_div": (lambda: Fn(lambda m, x, y: (x + y) * (x - y) / (y * y + 1.0)), [seq(), seq()]),
    "add_broadcast": (lambda: Fn(lambda m, x, y: x + y), [seq(), lambda: torch.randn(8)]),
    "pow_sqrt": (lambda: Fn(lambda m, x: torch.sqrt(x.pow(2.0) + 0.5)), [seq()]),
    "relu_sigmoid_tanh": (lambda: Fn(lambda m, x: torch.relu(x) + torch.sigmoid(x) * torch.tanh(x)), [seq()]),
    "exp_neg": (lambda: Fn(lambda m, x: torch.exp(-x)), [seq()]),
    "clip_relu6": (lambda: Fn(lambda m, x: F.relu6(3.0 * x)), [img()]),
    "hardsigmoid": (lambda: nn.Hardsigmoid(), [lambda: 4 * torch.randn(1, 4, 3, 3)]),
    "maxpool_ceil": (lambda: nn.MaxPool2d(3, 2, ceil_mode=True), [img(3, 8, 8)]),
    "maxpool_padded": (lambda: nn.MaxPool2d(3, 2, padding=1), [img(3, 7, 7)]),
    "averagepool": (lambda: nn.AvgPool2d(2, 2), [img(3, 6, 6)]),
    "globalaveragepool": (lambda: nn.AdaptiveAvgPool2d(1), [img()]),
    "gemm": (lambda: nn.Linear(8, 5), [lambda: torch.randn(3, 8)]),
    "matmul": (lambda: Fn(lambda m, x, y: x @ y.transpose(1, 2)), [seq(), seq()]),
    "matmul_linear_3d": (lambda: nn.Linear(8, 5), [seq()]),
    "softmax": (lambda: nn.Softmax(dim=-1), [seq()]),
    "layernorm_reducemean": (lambda: nn.LayerNorm(8), [seq()]),
    "batchnorm": (lambda: _with_running_stats(nn.BatchNorm2d(4)), [img()]),
    "flatten_reshape": (lambda: Fn(lambda m, x: x.flatten(1).reshape(2, -1) * 2.0), [img(2, 3, 4)]),
    "squeeze_unsqueeze": (lambda: Fn(lambda m, x: x.squeeze(0).unsqueeze(2) + 1.0), [seq()]),
    "transpose": (lambda: Fn(lambda m, x: x.permute(0, 2, 3, 1) * 2.0), [img(2, 3, 4)]),
    "split": (lambda: Fn(lambda m, x: (lambda a, b: b * 2.0 + a.mean(-1, keepdim=True))(*x.split([3, 5], dim=-1))),
              [seq()]),
    "slice_gather": (lambda: Fn(lambda m, x: x[:, 1:5] + x[:, 0:1] * x[:, -1].unsqueeze(1)), [seq()]),
    "concat": (lambda: Fn(lambda m, x, y: torch.cat([x, 2.0 * y, x], dim=1)), [seq(), seq(3)]),
    "pad": (lambda: Fn(lambda m, x: F.pad(x, (1, 2, 0, 1)) + 1.0), [img(2, 3, 3)]),
    "shape_dynamic_reshape": (lambda: Fn(lambda m, x: x.reshape(x.size(0), x.size(1) * x.size(2), -1)),
                              [img(2, 3, 4)]),
    "cast_gather_embedding": (lambda: Fn(lambda m, i: m["emb"](i) + i.float().unsqueeze(-1), emb=nn.Embedding(11, 4)),
                              [ids()]),
    "transformer_block_causal": (lambda: Block(16, 2, 6, True, True), [seq(6, 16)]),
    "transformer_block_post_norm": (lambda: Block(16, 2, 6, False, False), [seq(6, 16)]),
    "inverted_residual": (lambda: InvertedResidual(), [img(4, 6, 6)]),
}


def tensor_json(t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    elem = "i64" if a.dtype.kind in "iu" else "f32"
    return {"shape": list(a.shape), "elem": elem, "data": a.reshape(-1).astype(float).tolist()}


def export_torch(name, out_dir):
    import onnx
    make, inputs = TORCH_CASES[name]
    torch.manual_seed(sum(map(ord, name)))
    model = make().eval()
    with torch.no_grad():
        for p in model.parameters():  # default inits leave biases tiny; spread every weight
            p.uniform_(-1.0, 1.0)
        xs = tuple(f() for f in inputs)
        y = model(*xs)
        path = os.path.join(out_dir, name + ".onnx")
        torch.onnx.export(model, xs, path, opset_version=13, do_constant_folding=True,
                          input_names=[f"in{i}" for i in range(len(xs))], output_names=["out"])
    onnx.save(onnx.shape_inference.infer_shapes(onnx.load(path), data_prop=True), path)
    return path, [tensor_json(x) for x in xs], [tensor_json(y)]


def helper_cases():
    """Ops torch does not emit here: Identity, Dropout (inference), Constant, Shape (folded by torch)."""
    from onnx import TensorProto, helper, numpy_helper
    opset = helper.make_opsetid("", 13)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    c = rng.standard_normal((2, 3)).astype(np.float32)
    nodes = [
        helper.make_node("Identity", ["in0"], ["a"]),
        helper.make_node("Dropout", ["a"], ["b"]),
        helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(c, "c")),
        helper.make_node("Mul", ["b", "c"], ["out"]),
    ]
    graph = helper.make_graph(nodes, "identity_dropout_constant",
                              [helper.make_tensor_value_info("in0", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, [2, 3])])
    cases = {"identity_dropout_constant": (helper.make_model(graph, opset_imports=[opset]), [x], [x * c])}
    # x.reshape(x.shape[0], -1) with the shape read at run time: Shape, Slice, Concat, Reshape.
    y = rng.standard_normal((2, 3, 2)).astype(np.float32)
    nodes = [
        helper.make_node("Shape", ["in0"], ["s"]),
        helper.make_node("Constant", [], ["b"], value=numpy_helper.from_array(np.array([0], np.int64))),
        helper.make_node("Constant", [], ["e"], value=numpy_helper.from_array(np.array([1], np.int64))),
        helper.make_node("Slice", ["s", "b", "e"], ["d0"]),
        helper.make_node("Constant", [], ["rest"], value=numpy_helper.from_array(np.array([-1], np.int64))),
        helper.make_node("Concat", ["d0", "rest"], ["target"], axis=0),
        helper.make_node("Reshape", ["in0", "target"], ["out"]),
    ]
    graph = helper.make_graph(nodes, "shape_slice_concat_reshape",
                              [helper.make_tensor_value_info("in0", TensorProto.FLOAT, [2, 3, 2])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, [2, 6])])
    cases["shape_slice_concat_reshape"] = (helper.make_model(graph, opset_imports=[opset]), [y], [y.reshape(2, -1)])
    return cases


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    import onnx
    out_dir, wanted = argv[1], set(argv[2:])
    os.makedirs(out_dir, exist_ok=True)
    built = {}
    for name in TORCH_CASES:
        if not wanted or name in wanted:
            built[name] = export_torch(name, out_dir)
    for name, (model, xs, ys) in helper_cases().items():
        if not wanted or name in wanted:
            path = os.path.join(out_dir, name + ".onnx")
            onnx.save(onnx.shape_inference.infer_shapes(model), path)
            built[name] = (path, [tensor_json(x) for x in xs], [tensor_json(y) for y in ys])
    unknown = wanted - set(built)
    if unknown:
        print(f"op_cases: unknown case(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for name, (path, xs, ys) in built.items():
        ref = os.path.join(out_dir, name + ".json")
        with open(ref, "w") as f:
            json.dump({"inputs": xs, "outputs": ys}, f)
        print(f"{name}\t{path}\t{ref}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
