#!/usr/bin/env python3
"""Sums LibTorch profiler traces (stylealigned-bench --profile DIR) by op class.

usage: bench/profile_summary.py DIR/plain.json DIR/stylealigned.json

Self time per op (its duration minus the ops it called), summed per class: convolutions, GEMMs
(linear / matmul / bmm), softmax, GroupNorm, LayerNorm, AdaIN statistics, copies and
concatenation, other element-wise work. Standard library only.
"""
import json
import sys
from collections import defaultdict

CLASSES = [
    ("convolution", ("conv", "mkldnn_convolution")),
    ("GEMM (linear, matmul, bmm)", ("addmm", "aten::mm", "bmm", "baddbmm", "matmul", "linear", "aten::dot")),
    ("softmax", ("softmax",)),
    ("GroupNorm", ("group_norm",)),
    ("LayerNorm", ("layer_norm",)),
    ("AdaIN statistics (var_mean)", ("var_mean", "aten::var", "aten::std")),
    ("concatenation / copies", ("aten::cat", "copy_", "clone", "contiguous", "repeat_interleave", "index_select",
                                "aten::repeat", "aten::reshape", "aten::stack")),
    ("element-wise (add, mul, activations)", ("add", "mul", "div", "sub", "silu", "gelu", "sigmoid", "exp", "sqrt",
                                              "rsqrt", "pow", "where", "clamp", "neg", "tanh", "fill_", "zero_")),
]


def op_class(name):
    for label, keys in CLASSES:
        if any(k in name for k in keys):
            return label
    return "other"


def self_times(path):
    with open(path) as f:
        text = f.read().rstrip().rstrip(",")
    if not text.endswith("]"):
        text += "]"
    events = [e for e in json.loads(text) if e.get("ph") == "X"]
    by_thread = defaultdict(list)
    for e in events:
        by_thread[e.get("tid")].append(e)
    totals = defaultdict(float)
    wall = 0.0
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [end, name, child time]
        for e in thread_events:
            start, end = e["ts"], e["ts"] + e["dur"]
            while stack and stack[-1][0] <= start:
                done = stack.pop()
                totals[done[1]] += done[3] - done[2]
            if stack:
                stack[-1][2] += e["dur"]
            else:
                wall += e["dur"]
            stack.append([end, e["name"], 0.0, e["dur"]])
        while stack:
            done = stack.pop()
            totals[done[1]] += done[3] - done[2]
    return totals, wall


def main():
    columns = []
    for path in sys.argv[1:]:
        totals, wall = self_times(path)
        per_class = defaultdict(float)
        for name, t in totals.items():
            per_class[op_class(name)] += t
        columns.append((path, per_class, wall))
    labels = [c[0] for c in CLASSES] + ["other"]
    print("| op class | " + " | ".join(p.split("/")[-1].replace(".json", "") for p, _, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label in labels:
        cells = [f"{pc[label] / 1e3:.1f} ms ({100 * pc[label] / max(w, 1e-9):.0f} %)" for _, pc, w in columns]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| **total (top-level ops)** | " + " | ".join(f"{w / 1e3:.1f} ms" for _, _, w in columns) + " |")


if __name__ == "__main__":
    main()
