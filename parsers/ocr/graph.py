"""The PP-OCR models' graphs made cheaper to run, computing the same function.

Paddle's ONNX export spells every activation of the PP-LCNet backbones (detection and
recognition) out element by element: hard-swish as Add(x, 3) → Clip(0, 6) → Mul(x) → Div(6),
and each "learnable affine block" (a scalar scale and shift after a convolution and after its
activation) as Mul and Add. onnxruntime fuses none of them, so a page's detection spends about
half its time in page-sized elementwise passes and layout reorders around them. Given the
model file's bytes, `faster_model` returns a model where:

- a Conv followed by Mul(scalar) and Add(scalar) has them folded into its weights and bias;
- hard-swish is HardSigmoid(1/6, 0.5) × x (onnxruntime runs HardSigmoid inside its blocked
  convolution layout);
- the affine block after a hard-swish is a 1×1 depthwise Conv (scale as weight, shift as bias),
  which stays in that layout instead of two scalar passes that leave it;
- the detector's upsampling ConvTranspose takes the bias Add and BatchNormalization after it
  into its own weights and bias.

Every rewrite checks its pattern exactly (each intermediate used once, the constants 3, 0, 6,
6), so a model that differs is left as it is. The results equal the original's to float
rounding (about 1e-6; tests/test_ocr_decode.py compares them). The protobuf is edited on the
wire (no `onnx` package: importing it costs a worker about a CPU-second).
"""
from __future__ import annotations

import struct

# ONNX protobuf field numbers (onnx.proto3)
_MODEL_GRAPH = 7
_GRAPH_NODE = 1
_NODE_INPUT, _NODE_OUTPUT, _NODE_NAME, _NODE_OP, _NODE_ATTR = 1, 2, 3, 4, 5
_ATTR_NAME, _ATTR_F, _ATTR_I, _ATTR_T, _ATTR_INTS, _ATTR_TYPE = 1, 2, 3, 5, 8, 20
_ATTR_FLOAT, _ATTR_INT, _ATTR_TENSOR, _ATTR_INTS_TYPE = 1, 2, 4, 7
_T_DIMS, _T_TYPE, _T_FLOATS, _T_NAME, _T_RAW = 1, 2, 4, 8, 9
_FLOAT = 1


def _varint(buf, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, i
        shift += 7


def _fields(buf) -> list[tuple[int, int, object]]:
    """(field number, wire type, value) of a message: an int for varints and fixed widths,
    a bytes-like slice for length-delimited fields."""
    out, i, n = [], 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 1:
            v, i = int.from_bytes(buf[i:i + 8], "little"), i + 8
        elif wt == 2:
            ln, i = _varint(buf, i)
            v, i = buf[i:i + ln], i + ln
        elif wt == 5:
            v, i = int.from_bytes(buf[i:i + 4], "little"), i + 4
        else:
            raise ValueError(f"protobuf wire type {wt} not expected in an ONNX model")
        out.append((f, wt, v))
    return out


def _put_varint(v: int) -> bytes:
    v &= (1 << 64) - 1                 # int64 two's complement, as protobuf encodes negatives
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _encode(fields) -> bytes:
    parts = []
    for f, wt, v in fields:
        parts.append(_put_varint(f << 3 | wt))
        if wt == 0:
            parts.append(_put_varint(v))
        elif wt == 1:
            parts.append(int(v).to_bytes(8, "little"))
        elif wt == 2:
            parts.append(_put_varint(len(v)))
            parts.append(bytes(v))
        else:
            parts.append(int(v).to_bytes(4, "little"))
    return b"".join(parts)


class _Node:
    """One NodeProto: its inputs, outputs, type and its other fields kept as they were."""
    __slots__ = ("inputs", "outputs", "op", "rest", "raw")

    def __init__(self, raw):
        self.raw = raw
        self.inputs, self.outputs, self.op, self.rest = [], [], "", []
        for f, wt, v in _fields(raw):
            if f == _NODE_INPUT:
                self.inputs.append(bytes(v).decode())
            elif f == _NODE_OUTPUT:
                self.outputs.append(bytes(v).decode())
            elif f == _NODE_OP:
                self.op = bytes(v).decode()
            else:
                self.rest.append((f, wt, v))

    def attr(self, name: str):
        for f, _wt, v in self.rest:
            if f == _NODE_ATTR:
                fs = _fields(v)
                if any(a == _ATTR_NAME and bytes(b).decode() == name for a, _, b in fs):
                    return fs
        return None

    def encode(self) -> bytes:
        if self.raw is not None:
            return bytes(self.raw)
        return _encode([(_NODE_INPUT, 2, s.encode()) for s in self.inputs]
                       + [(_NODE_OUTPUT, 2, s.encode()) for s in self.outputs]
                       + [(_NODE_OP, 2, self.op.encode())] + self.rest)


def _new_node(op: str, inputs: list[str], outputs: list[str], name: str, attrs: list[bytes]) -> _Node:
    n = _Node(b"")
    n.raw, n.op, n.inputs, n.outputs = None, op, list(inputs), list(outputs)
    n.rest = [(_NODE_NAME, 2, name.encode())] + [(_NODE_ATTR, 2, a) for a in attrs]
    return n


def _attr_float(name: str, v: float) -> bytes:
    return _encode([(_ATTR_NAME, 2, name.encode()), (_ATTR_F, 5, struct.unpack("<I", struct.pack("<f", v))[0]),
                    (_ATTR_TYPE, 0, _ATTR_FLOAT)])


def _attr_int(name: str, v: int) -> bytes:
    return _encode([(_ATTR_NAME, 2, name.encode()), (_ATTR_I, 0, v), (_ATTR_TYPE, 0, _ATTR_INT)])


def _attr_ints(name: str, vs: list[int]) -> bytes:
    return _encode([(_ATTR_NAME, 2, name.encode())] + [(_ATTR_INTS, 0, v) for v in vs]
                   + [(_ATTR_TYPE, 0, _ATTR_INTS_TYPE)])


def _tensor(name: str, arr) -> bytes:
    """A float32 TensorProto of a numpy array."""
    import numpy as np
    arr = np.ascontiguousarray(arr, dtype="<f4")
    return _encode([(_T_DIMS, 0, d) for d in arr.shape] + [(_T_TYPE, 0, _FLOAT), (_T_NAME, 2, name.encode()),
                                                          (_T_RAW, 2, arr.tobytes())])


def _const_node(name: str, arr) -> _Node:
    value = _encode([(_ATTR_NAME, 2, b"value"), (_ATTR_T, 2, _tensor(name, arr)), (_ATTR_TYPE, 0, _ATTR_TENSOR)])
    return _new_node("Constant", [], [name], name, [value])


def _tensor_array(fs):
    """A float TensorProto's values (numpy), or None for another type."""
    import numpy as np
    dims = [v for f, _, v in fs if f == _T_DIMS and isinstance(v, int)]
    packed_dims = [v for f, wt, v in fs if f == _T_DIMS and wt == 2]
    for p in packed_dims:
        i = 0
        while i < len(p):
            d, i = _varint(p, i)
            dims.append(d)
    if next((v for f, _, v in fs if f == _T_TYPE), 0) != _FLOAT:
        return None
    raw = next((v for f, _, v in fs if f == _T_RAW), None)
    if raw is not None:
        return np.frombuffer(bytes(raw), dtype="<f4").reshape(dims)
    floats = []
    for f, wt, v in fs:
        if f == _T_FLOATS:
            floats.extend(struct.unpack(f"<{len(v) // 4}f", bytes(v)) if wt == 2 else
                          [struct.unpack("<f", struct.pack("<I", v))[0]])
    return np.array(floats, dtype="<f4").reshape(dims)


class _Graph:
    """A GraphProto's nodes with who makes and who reads every value."""

    def __init__(self, raw):
        self.fields = _fields(raw)
        self.nodes = [_Node(v) for f, _, v in self.fields if f == _GRAPH_NODE]
        self.producer = {o: n for n in self.nodes for o in n.outputs}
        self.readers: dict[str, list] = {}
        for n in self.nodes:
            for i in n.inputs:
                self.readers.setdefault(i, []).append(n)
        outs = {bytes(v) for f, _, v in self.fields if f == 12}     # graph outputs (ValueInfoProto)
        self.graph_outputs = {bytes(_fields(v)[0][2]).decode() for v in outs}

    def const(self, name: str):
        n = self.producer.get(name)
        if n is None or n.op != "Constant":
            return None
        a = n.attr("value")
        t = next((v for f, _, v in a if f == _ATTR_T), None) if a else None
        return _tensor_array(_fields(t)) if t is not None else None

    def scalar(self, name: str):
        v = self.const(name)
        return float(v.reshape(-1)[0]) if v is not None and v.size == 1 else None

    def only_reader(self, name: str):
        rs = self.readers.get(name, [])
        return rs[0] if len(rs) == 1 and name not in self.graph_outputs else None

    def encode(self, nodes: list[_Node]) -> bytes:
        out, placed = [], False
        for f, wt, v in self.fields:
            if f == _GRAPH_NODE:
                if not placed:
                    out.extend((_GRAPH_NODE, 2, n.encode()) for n in nodes)
                    placed = True
                continue
            out.append((f, wt, v))
        return _encode(out)


def _other(node: _Node, name: str) -> str:
    return node.inputs[1] if node.inputs[0] == name else node.inputs[0]


def _affine_after(g: _Graph, name: str):
    """(Mul node, Add node, scale, shift) when `name` is read only by Mul(scalar) whose result
    is read only by Add(scalar), else None."""
    mul = g.only_reader(name)
    if mul is None or mul.op != "Mul" or len(mul.inputs) != 2 or g.scalar(_other(mul, name)) is None:
        return None
    add = g.only_reader(mul.outputs[0])
    if add is None or add.op != "Add" or len(add.inputs) != 2 or g.scalar(_other(add, mul.outputs[0])) is None:
        return None
    return mul, add, g.scalar(_other(mul, name)), g.scalar(_other(add, mul.outputs[0]))


def _fold_conv_affine(g: _Graph, drop: set, rename: dict, added: list) -> None:
    """Conv → Mul(s) → Add(b) becomes one Conv with weights s·W and bias s·B + b."""
    import numpy as np
    for n in g.nodes:
        if n.op != "Conv" or len(n.inputs) < 2:
            continue
        aff = _affine_after(g, n.outputs[0])
        w = g.const(n.inputs[1])
        if aff is None or w is None or len(g.readers.get(n.inputs[1], [])) != 1 or aff[1].outputs[0] in g.graph_outputs:
            continue                # (a graph output keeps the node that makes it)
        bias = g.const(n.inputs[2]) if len(n.inputs) > 2 else np.zeros(w.shape[0], np.float32)
        if bias is None:
            continue
        mul, add, s, b = aff
        wname, bname = n.inputs[1] + ".folded", n.outputs[0] + ".folded_bias"
        added += [_const_node(wname, w * np.float32(s)), _const_node(bname, bias * np.float32(s) + np.float32(b))]
        n.inputs[1:] = [wname, bname]
        n.raw = None
        drop.update((id(mul), id(add)))
        rename[add.outputs[0]] = n.outputs[0]


def _attr_float_value(node: _Node, name: str, default: float) -> float:
    a = node.attr(name)
    v = next((v for f, _, v in a if f == _ATTR_F), None) if a else None
    return struct.unpack("<f", struct.pack("<I", v))[0] if v is not None else default


def _attr_int_value(node: _Node, name: str, default: int) -> int:
    a = node.attr(name)
    return next((v for f, _, v in a if f == _ATTR_I), default) if a else default


def _fold_deconv_bias_norm(g: _Graph, drop: set, rename: dict, added: list) -> None:
    """ConvTranspose → Add(per-channel constant) [→ BatchNormalization] (the detector's
    upsampling head) becomes one ConvTranspose with that bias and the normalisation in its
    weights: onnxruntime adds a broadcast bias in a pass of its own over the page-sized map."""
    import numpy as np
    for n in g.nodes:
        if n.op != "ConvTranspose" or len(n.inputs) != 2 or _attr_int_value(n, "group", 1) != 1:
            continue
        w = g.const(n.inputs[1])
        add = g.only_reader(n.outputs[0])
        if w is None or w.ndim != 4 or add is None or add.op != "Add" or len(add.inputs) != 2:
            continue
        b = g.const(_other(add, n.outputs[0]))
        c = w.shape[1]
        if b is None or b.size != c or b.shape not in ((1, c, 1, 1), (c, 1, 1)) or add.outputs[0] in g.graph_outputs:
            continue
        scale, bias, last = np.ones(c, np.float32), b.reshape(-1).astype(np.float32), add
        bn = g.only_reader(add.outputs[0])
        if (bn is not None and bn.op == "BatchNormalization" and len(bn.inputs) == 5 and len(bn.outputs) == 1
                and bn.outputs[0] not in g.graph_outputs):
            gamma, beta, mean, var = (g.const(i) for i in bn.inputs[1:])
            if all(v is not None and v.size == c for v in (gamma, beta, mean, var)):
                eps = _attr_float_value(bn, "epsilon", 1e-5)
                scale = (gamma.reshape(-1) / np.sqrt(var.reshape(-1) + np.float32(eps))).astype(np.float32)
                bias = ((bias - mean.reshape(-1)) * scale + beta.reshape(-1)).astype(np.float32)
                last = bn
                drop.add(id(bn))
        wname, bname = n.inputs[1] + ".folded", n.outputs[0] + ".folded_bias"
        added += [_const_node(wname, w * scale.reshape(1, c, 1, 1)), _const_node(bname, bias)]
        n.inputs[1:] = [wname, bname]
        n.raw = None
        drop.add(id(add))
        rename[last.outputs[0]] = n.outputs[0]


def _hard_swish(g: _Graph, clip: _Node):
    """(x, [Add, Clip, Mul, Div] nodes) when `clip` is the middle of x·Clip(x + 3, 0, 6) / 6."""
    add = g.producer.get(clip.inputs[0])
    if add is None or add.op != "Add" or len(add.inputs) != 2 or len(clip.inputs) != 3:
        return None
    xs = [i for i in add.inputs if g.scalar(i) is None]
    if len(xs) != 1 or g.scalar(_other(add, xs[0])) != 3.0 or g.only_reader(add.outputs[0]) is not clip:
        return None
    if g.scalar(clip.inputs[1]) != 0.0 or g.scalar(clip.inputs[2]) != 6.0:
        return None
    x = xs[0]
    mul = g.only_reader(clip.outputs[0])
    if mul is None or mul.op != "Mul" or sorted(mul.inputs) != sorted([x, clip.outputs[0]]):
        return None
    div = g.only_reader(mul.outputs[0])
    if div is None or div.op != "Div" or div.inputs[0] != mul.outputs[0] or g.scalar(div.inputs[1]) != 6.0:
        return None
    return x, [add, clip, mul, div]


def _fuse_hard_swish(g: _Graph, drop: set, replace: dict, channels: dict) -> None:
    """x·Clip(x + 3, 0, 6)/6 becomes x·HardSigmoid(x); an affine block right after it (when x
    is a Conv's output, whose channels give the shape) becomes a 1×1 depthwise Conv."""
    import numpy as np
    for clip in [n for n in g.nodes if n.op == "Clip"]:
        got = _hard_swish(g, clip)
        if got is None:
            continue
        x, chain = got
        out = chain[-1].outputs[0]
        drop.update(id(n) for n in chain)
        hs = out + ".hsig"
        nodes = [_new_node("HardSigmoid", [x], [hs], hs, [_attr_float("alpha", 1 / 6), _attr_float("beta", 0.5)])]
        c = channels.get(x)
        aff = _affine_after(g, out)
        if aff is not None and c is not None:
            mul, add, s, b = aff
            drop.update((id(mul), id(add)))
            z, wname, bname = out + ".hswish", out + ".affine_w", out + ".affine_b"
            nodes += [_new_node("Mul", [x, hs], [z], z, []),
                      _const_node(wname, np.full((c, 1, 1, 1), s, np.float32)),
                      _const_node(bname, np.full((c,), b, np.float32)),
                      _new_node("Conv", [z, wname, bname], [add.outputs[0]], add.outputs[0] + ".affine",
                                [_attr_int("group", c), _attr_ints("kernel_shape", [1, 1])])]
        else:
            nodes.append(_new_node("Mul", [x, hs], [out], out, []))
        replace[id(chain[-1])] = nodes


def _conv_channels(g: _Graph) -> dict:
    """Output channels of every Conv whose weights are a constant, by its output's name."""
    out = {}
    for n in g.nodes:
        if n.op == "Conv" and len(n.inputs) > 1:
            w = g.const(n.inputs[1])
            if w is not None and w.ndim == 4:
                out[n.outputs[0]] = int(w.shape[0])
    return out


def faster_model(model: bytes) -> bytes:
    """The model (ONNX bytes) with the rewrites the module docstring lists; the same bytes when
    it holds none of the patterns."""
    top = _fields(memoryview(model))
    graph_raw = next((v for f, _, v in top if f == _MODEL_GRAPH), None)
    if graph_raw is None:
        return model
    g = _Graph(graph_raw)
    drop: set = set()
    rename: dict = {}
    added: list = []
    replace: dict = {}
    channels = _conv_channels(g)
    _fold_conv_affine(g, drop, rename, added)
    _fold_deconv_bias_norm(g, drop, rename, added)
    for old, new in rename.items():            # a folded Conv's channels under the name its readers use
        if new in channels:
            channels[old] = channels[new]
    _fuse_hard_swish(g, drop, replace, channels)
    if not drop:
        return model
    nodes = list(added)
    for n in g.nodes:
        if id(n) in replace:
            nodes.extend(replace[id(n)])
        elif id(n) not in drop:
            nodes.append(n)
    for n in nodes:
        for k, name in enumerate(n.inputs):
            if name in rename:
                while name in rename:
                    name = rename[name]
                n.inputs[k] = name
                n.raw = None
    read = {i for n in nodes for i in n.inputs} | g.graph_outputs
    nodes = [n for n in nodes if n.op != "Constant" or any(o in read for o in n.outputs)]
    new_graph = g.encode(nodes)
    return _encode([(f, wt, new_graph if f == _MODEL_GRAPH else v) for f, wt, v in top])
