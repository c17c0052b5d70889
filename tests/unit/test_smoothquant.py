"""Smoothed dynamic int8 keeps a MatMul with an outlier input channel close to fp32 where plain dynamic
int8 does not; MatMulNBits weights dequantize back to the MatMul they came from."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxruntime.quantization")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from proplens.training.smoothquant import dequantize_matmul_nbits, smooth_quantize  # noqa: E402

D, OUT = 32, 96


def _model(path, w):
    x = helper.make_tensor_value_info("input_ids", TensorProto.FLOAT, ["b", "t", w.shape[0]])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "t"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", OUT])
    # Identity gives the MatMul input a name of its own, as LayerNorm outputs have in the encoder
    nodes = [
        helper.make_node("Identity", ["input_ids"], ["ln"], name="ln"),
        helper.make_node("MatMul", ["ln", "w"], ["y"], name="mm"),
    ]
    g = helper.make_graph(nodes, "g", [x, mask], [y], [numpy_helper.from_array(w, "w")])
    m = helper.make_model(
        g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    m.ir_version = 8
    onnx.save(m, str(path))


def _inputs(rng, d=D, n=4, t=10):
    x = rng.normal(size=(n, t, d)).astype(np.float32)
    x[:, :, 3] *= 60.0  # an outlier channel, as MPNet's LayerNorm outputs have
    return x, np.ones((n, t), dtype=np.int64)


def _run(path, x, mask):
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return s.run(None, {"input_ids": x, "attention_mask": mask})[0]


def test_smoothing_beats_plain_dynamic_int8(tmp_path):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rng = np.random.default_rng(0)
    w = rng.normal(scale=0.1, size=(D, OUT)).astype(np.float32)
    fp32 = tmp_path / "fp32.onnx"
    _model(fp32, w)
    x, mask = _inputs(rng)
    ref = _run(fp32, x, mask)
    plain = tmp_path / "plain.onnx"
    quantize_dynamic(
        str(fp32), str(plain), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]
    )
    smooth = tmp_path / "smooth.onnx"
    info = smooth_quantize(fp32, smooth, [_inputs(rng)])
    assert info == {"smoothed_inputs": 1, "quantized_matmuls": 1}
    err_plain = np.abs(_run(plain, x, mask) - ref).mean()
    err_smooth = np.abs(_run(smooth, x, mask) - ref).mean()
    assert err_smooth < 0.5 * err_plain
    ops = {n.op_type for n in onnx.load(str(smooth)).graph.node}
    assert "Mul" in ops and "MatMul" not in ops  # the MatMul became an int8 one


def test_matmul_nbits_dequantizes_to_the_fp32_matmul(tmp_path):
    # the quantizer imports onnx_ir, which comes with onnxscript (the [train] extra); onnx alone is a core
    # dependency since the attribution head
    pytest.importorskip("onnx_ir", reason="MatMulNBitsQuantizer needs onnx_ir: pip install '.[train]'")
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    rng = np.random.default_rng(1)
    w = rng.normal(scale=0.1, size=(128, OUT)).astype(np.float32)  # K = 128: one block per row
    fp32 = tmp_path / "fp32.onnx"
    _model(fp32, w)
    q = MatMulNBitsQuantizer(str(fp32), bits=8, block_size=128, is_symmetric=True, accuracy_level=4)
    q.process()
    nbits = tmp_path / "nbits.onnx"
    q.model.save_model_to_file(str(nbits), use_external_data_format=False)
    back = tmp_path / "back.onnx"
    assert dequantize_matmul_nbits(nbits, back) == 1
    assert [n.op_type for n in onnx.load(str(back)).graph.node] == ["Identity", "MatMul"]
    # the dequantized weight is the original to within one int8 step per block
    got = numpy_helper.to_array(
        next(i for i in onnx.load(str(back)).graph.initializer if i.name.endswith("_fp32"))
    )
    step = np.abs(w).max(axis=0) / 127
    assert np.all(np.abs(got - w) <= step[None, :] * 0.51 + 1e-7)
