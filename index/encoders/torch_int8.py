"""torch's dynamic int8 linear layers, rewritten into an exported ONNX graph.

Earlier versions read with `torch.ao.quantization.quantize_dynamic(model, per_channel_dynamic_qconfig)`,
quantized again in every process. This module writes the same arithmetic into the fused fp32
graph once, so that ONNX Runtime runs it and torch is needed only to export:

- weights: torch's own int8 values and per-channel scales (symmetric, zero point 0), taken from
  the quantized torch model at export time;
- activations: quantized per call over the whole input tensor (the batch, padding included), as
  fbgemm does for `quantized::linear_dynamic` with `reduce_range=True`: the range [min(x, 0),
  max(x, 0)] onto 0..127, the scale computed in double and kept as a float, the zero point taken
  from whichever end rounds closer, `q = round(x * (1 / scale) + zero_point)`;
- outputs: `(int32 product) * input scale * weight scale + bias`, in that order.

Every matrix product and every fused attention block of the graph is rewritten (MatMulInteger
and QAttention); the embeddings, layer norms, GELU and softmax stay in float, as in torch.
Not reproduced: fbgemm's guards for an all-zero input (a scale of 0.1) and for scales below
6.1e-5, which a sentence encoder's activations never reach.

The result matches torch's quantized model op for op, within float rounding (on a single
sentence, 1 - cosine is 0.0 to 1e-7). It is not bit-exact: float results that differ in the last
bit can land an activation on the other side of a rounding step, and a step changes the next
layers' ranges; across a batch of sentences the vectors then differ by as much as two int8 runs
of torch differ from each other (docs/scale.md has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from index.errors import StoreError

if TYPE_CHECKING:
    import onnx

# fbgemm quantizes the inputs of a dynamic linear layer with reduce_range: 7 bits, 0..127.
_QMAX = 127.0


@dataclass(frozen=True)
class LinearWeights:
    """One `torch.nn.Linear` layer: its float weight (out x in) and torch's int8 version of it."""

    weight: npt.NDArray[np.float32]
    int8: npt.NDArray[np.int8]
    scales: npt.NDArray[np.float32]  # one per output channel


def quantize_like_torch(model: onnx.ModelProto, layers: dict[str, LinearWeights]) -> None:
    """Rewrite `model` (the fused fp32 export) in place; `layers` are torch's, by module name."""
    from onnx import numpy_helper

    graph = model.graph
    known = _by_float_weight(layers)
    initializers = {i.name: i for i in graph.initializer}
    rewrite = _Rewrite()
    for node in graph.node:
        weight = initializers.get(node.input[1]) if len(node.input) > 1 else None
        if node.op_type not in ("MatMul", "Attention") or weight is None:
            rewrite.nodes.append(node)
            continue
        found = known.get(_key(numpy_helper.to_array(weight)))
        if found is None:
            raise StoreError(f"cannot build the int8 reader: no torch layer has the weights of {node.name}")
        rewrite.replaced.add(weight.name)
        if node.op_type == "MatMul":
            rewrite.matmul(node, *found)
        else:
            rewrite.attention(node, *found)
    if not rewrite.replaced:
        raise StoreError("cannot build the int8 reader: the export holds no linear layer to quantize")
    kept = [i for i in graph.initializer if i.name not in rewrite.replaced]
    del graph.node[:]
    graph.node.extend(rewrite.nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + rewrite.initializers)


def _key(weight: npt.NDArray[np.float32]) -> bytes:
    return np.ascontiguousarray(weight, dtype=np.float32).tobytes()


def _by_float_weight(layers: dict[str, LinearWeights]) -> dict[bytes, tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]]:
    """torch's int8 weights (in x out, as ONNX multiplies) keyed by the float weight the export
    holds: a linear layer's transposed weight, or an attention block's query, key and value
    weights side by side."""
    found = {_key(w.weight.T): (w.int8.T, w.scales) for w in layers.values()}
    for name, query in layers.items():
        if name.endswith(".query"):
            stem = name[: -len("query")]
            parts = [query, layers[stem + "key"], layers[stem + "value"]]
            found[_key(np.concatenate([p.weight.T for p in parts], axis=1))] = (
                np.concatenate([p.int8.T for p in parts], axis=1),
                np.concatenate([p.scales for p in parts]),
            )
    return found


class _Rewrite:
    """The new node list and initializers; each distinct input is quantized once (query, key
    and value read the same tensor, and torch quantizes it the same way three times)."""

    def __init__(self) -> None:
        from onnx import numpy_helper

        self.nodes: list[onnx.NodeProto] = []
        self.initializers = [
            numpy_helper.from_array(np.array(value, dtype=dtype), name)
            for name, value, dtype in (
                ("q7_zero", 0.0, np.float32), ("q7_one", 1.0, np.float32), ("q7_u8max", 255.0, np.float32),
                ("q7_zero_d", 0.0, np.float64), ("q7_qmax_d", _QMAX, np.float64),
            )
        ]
        self.replaced: set[str] = set()
        self._quantized: dict[str, tuple[str, str, str]] = {}

    def _node(self, op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def _constant(self, name: str, value: npt.NDArray[np.generic]) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def quantized(self, x: str) -> tuple[str, str, str]:
        """(uint8 tensor, float scale, uint8 zero point) of `x`, as fbgemm computes them."""
        if x in self._quantized:
            return self._quantized[x]
        from onnx import TensorProto

        n, p = self._node, f"{x}/q7"
        low = n("Cast", [n("Min", [n("ReduceMin", [x], p + "/min", keepdims=0), "q7_zero"], p + "/low")],
                p + "/low_d", to=TensorProto.DOUBLE)
        high = n("Cast", [n("Max", [n("ReduceMax", [x], p + "/max", keepdims=0), "q7_zero"], p + "/high")],
                 p + "/high_d", to=TensorProto.DOUBLE)
        scale = n("Cast", [n("Div", [n("Sub", [high, low], p + "/range"), "q7_qmax_d"], p + "/scale_d")],
                  p + "/scale", to=TensorProto.FLOAT)
        scale_d = n("Cast", [scale], p + "/scale_f_d", to=TensorProto.DOUBLE)  # the float, widened
        low_s, high_s = n("Div", [low, scale_d], p + "/low_s"), n("Div", [high, scale_d], p + "/high_s")
        from_low, from_high = n("Neg", [low_s], p + "/from_low"), n("Sub", ["q7_qmax_d", high_s], p + "/from_high")
        error_low = n("Neg", [n("Abs", [low_s], p + "/abs_low")], p + "/error_low")
        error_high = n("Sub", ["q7_qmax_d", n("Abs", [high_s], p + "/abs_high")], p + "/error_high")
        zero = n("Where", [n("Less", [error_low, error_high], p + "/use_low"), from_low, from_high], p + "/zero_d")
        zero = n("Round", [n("Clip", [zero, "q7_zero_d", "q7_qmax_d"], p + "/zero_clipped")], p + "/zero_r")
        zero_f = n("Cast", [zero], p + "/zero_f", to=TensorProto.FLOAT)
        zero_u8 = n("Cast", [zero], p + "/zero", to=TensorProto.UINT8)
        # round(x * (1 / scale) + zero point), each step in float: fbgemm adds the zero point
        # before rounding (0.4999995 steps above a zero point of 1 round to 2, not 1).
        scaled = n("Mul", [x, n("Div", ["q7_one", scale], p + "/inverse")], p + "/scaled")
        steps = n("Round", [n("Add", [scaled, zero_f], p + "/shifted")], p + "/steps")
        clipped = n("Clip", [steps, "q7_zero", "q7_u8max"], p + "/clipped")
        self._quantized[x] = (n("Cast", [clipped], p + "/u8", to=TensorProto.UINT8), scale, zero_u8)
        return self._quantized[x]

    def matmul(self, node: onnx.NodeProto, int8: npt.NDArray[np.int8], scales: npt.NDArray[np.float32]) -> None:
        from onnx import TensorProto

        n, p = self._node, node.output[0]
        x, scale, zero = self.quantized(node.input[0])
        product = n("MatMulInteger", [x, self._constant(p + "/w_int8", int8), zero], p + "/int32")
        scaled = n("Mul", [n("Cast", [product], p + "/float", to=TensorProto.FLOAT), scale], p + "/by_x_scale")
        n("Mul", [scaled, self._constant(p + "/w_scales", scales)], node.output[0])

    def attention(self, node: onnx.NodeProto, int8: npt.NDArray[np.int8], scales: npt.NDArray[np.float32]) -> None:
        from onnx import helper

        x, scale, zero = self.quantized(node.input[0])
        p = node.output[0]
        mask = node.input[3] if len(node.input) > 3 else ""
        inputs = [x, self._constant(p + "/w_int8", int8), node.input[2], scale,
                  self._constant(p + "/w_scales", scales), mask, zero]
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        self.nodes.append(helper.make_node("QAttention", inputs, list(node.output), name=p + "/qattention",
                                           domain="com.microsoft", **attributes))
