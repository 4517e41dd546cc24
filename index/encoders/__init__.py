"""The encoders: the `Embedder` protocol, the torch and ONNX Runtime encoders, the export of a model
to ONNX (cached), torch's int8 arithmetic for the sentence encoder, and the bundled models (`offline`)."""
