"""The model runtime: tokenizer and windows, ONNX session, span features and decoding (no torch)."""
