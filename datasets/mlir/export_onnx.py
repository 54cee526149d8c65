#!/usr/bin/python3
"""Exports the MLIR dataset's neural-network graphs to ONNX (offline step of `passrl dataset build
--dataset mlir`; runs with Debian's python3-torch and python3-torchvision, downloads nothing).

Weights are random (the graphs' structure is what the pass-ordering task sees). Every model is
exported in eval mode at a fixed input shape, with ONNX shape inference applied so each value in
the file carries its shape for the importer (corpus/onnx_import.h).

usage: export_onnx.py OUT_DIR [MODEL ...]     (no MODEL: every model in MODELS)
       export_onnx.py --list                  (each model and its family)
Prints "model<TAB>family<TAB>path" per exported model.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


# --- transformers written here from their papers' architectures (small widths, real structure) ---

class Attention(nn.Module):
    def __init__(self, dim, heads, tokens, causal):
        super().__init__()
        self.heads, self.head_dim, self.tokens = heads, dim // heads, tokens
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        mask = torch.full((tokens, tokens), -1e4).triu(1) if causal else torch.zeros(tokens, tokens)
        self.register_buffer("mask", mask)

    def forward(self, x):
        b, t, h, d = 1, self.tokens, self.heads, self.head_dim
        q, k, v = self.qkv(x).split(h * d, dim=-1)
        q = q.reshape(b, t, h, d).transpose(1, 2)
        k = k.reshape(b, t, h, d).transpose(1, 2)
        v = v.reshape(b, t, h, d).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d)) + self.mask
        y = F.softmax(att, dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, h * d))


class Block(nn.Module):
    """Pre-norm (GPT-2, ViT) or post-norm (BERT) transformer block."""

    def __init__(self, dim, heads, tokens, causal, pre_norm):
        super().__init__()
        self.pre_norm = pre_norm
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, tokens, causal)
        self.fc1, self.fc2 = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)
        self.gelu = nn.GELU(approximate="tanh")  # as GPT-2 and the original BERT code

    def forward(self, x):
        if self.pre_norm:
            x = x + self.attn(self.ln1(x))
            return x + self.fc2(self.gelu(self.fc1(self.ln2(x))))
        x = self.ln1(x + self.attn(x))
        return self.ln2(x + self.fc2(self.gelu(self.fc1(x))))


class Gpt2(nn.Module):
    """GPT-2: token + position embeddings, causal pre-norm blocks, final norm, tied LM head."""

    def __init__(self, vocab=2048, dim=256, heads=4, layers=4, tokens=64):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, dim), nn.Parameter(torch.randn(1, tokens, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads, tokens, True, True) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)

    def forward(self, ids):
        x = self.ln(self.blocks(self.tok(ids) + self.pos))
        return x @ self.tok.weight.t()


class Bert(nn.Module):
    """BERT: embeddings with LayerNorm, post-norm encoder blocks, tanh pooler, classifier."""

    def __init__(self, vocab=2048, dim=256, heads=4, layers=4, tokens=64, classes=2):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, dim), nn.Parameter(torch.randn(1, tokens, dim))
        self.ln = nn.LayerNorm(dim)
        self.blocks = nn.Sequential(*[Block(dim, heads, tokens, False, False) for _ in range(layers)])
        self.pool, self.cls = nn.Linear(dim, dim), nn.Linear(dim, classes)

    def forward(self, ids):
        x = self.blocks(self.ln(self.tok(ids) + self.pos))
        return self.cls(torch.tanh(self.pool(x[:, 0])))


class Vit(nn.Module):
    """ViT: patch embedding by a strided conv, class token, pre-norm blocks, linear head."""

    def __init__(self, image=64, patch=8, dim=192, heads=3, layers=4, classes=100):
        super().__init__()
        tokens = (image // patch) ** 2 + 1
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, tokens, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads, tokens, False, True) for _ in range(layers)])
        self.ln, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)
        self.dim = dim

    def forward(self, img):
        x = self.patch(img).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token, x], dim=1) + self.pos
        return self.head(self.ln(self.blocks(x))[:, 0])


def _tv(name, **kw):
    import torchvision.models as m
    return lambda: getattr(m, name)(weights=None, **kw)


def _image(size=224):
    return torch.randn(1, 3, size, size)


def _ids(tokens=64, vocab=2048):
    return torch.randint(0, vocab, (1, tokens))


# name -> (family, constructor, example input). The family decides the train/test split.
MODELS = {
    "resnet18": ("resnet", _tv("resnet18"), _image),
    "resnet50": ("resnet", _tv("resnet50"), _image),
    "mobilenet_v2": ("mobilenet", _tv("mobilenet_v2"), _image),
    "mobilenet_v3_small": ("mobilenet", _tv("mobilenet_v3_small"), _image),
    "squeezenet1_1": ("squeezenet", _tv("squeezenet1_1"), _image),
    "shufflenet_v2_x1_0": ("shufflenet", _tv("shufflenet_v2_x1_0"), _image),
    "efficientnet_b0": ("efficientnet", _tv("efficientnet_b0"), _image),
    "densenet121": ("densenet", _tv("densenet121"), _image),
    "gpt2_small": ("gpt2", lambda: Gpt2(), _ids),
    "gpt2_wide": ("gpt2", lambda: Gpt2(dim=384, heads=6, layers=3, tokens=32), lambda: _ids(32)),
    "bert_small": ("bert", lambda: Bert(), _ids),
    "vit_tiny": ("vit", lambda: Vit(), lambda: _image(64)),
}


def export(name, out_dir):
    import onnx
    _, make, example = MODELS[name]
    torch.manual_seed(0)
    model = make().eval()
    path = os.path.join(out_dir, name + ".onnx")
    with torch.no_grad():
        torch.onnx.export(model, (example(),), path, opset_version=13, do_constant_folding=True,
                          input_names=["input"], output_names=["output"])
    inferred = onnx.shape_inference.infer_shapes(onnx.load(path), data_prop=True)
    onnx.save(inferred, path)
    return path


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "--list":
        for name, (family, _, _) in MODELS.items():
            print(f"{name}\t{family}")
        return 0
    out_dir, names = argv[1], argv[2:] or list(MODELS)
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        if name not in MODELS:
            print(f"export_onnx: unknown model '{name}' (known: {', '.join(MODELS)})", file=sys.stderr)
            return 2
        print(f"{name}\t{MODELS[name][0]}\t{export(name, out_dir)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
