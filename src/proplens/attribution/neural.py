"""A small transformer head for attribution: per-token cue (O/B/I) and role (O/SOURCE/CONTENT)
log-probabilities.

The head is the top three layers of all-MiniLM-L6-v2, fine-tuned on PolNeAR train
(:mod:`proplens.training.attribution_head`), on top of the *shipped* sentence encoder
(``models/sentence/model.onnx``, the int8 export the comparison already uses): the encoder runs with one
extra graph output, the hidden states after its third layer, and ``head.onnx`` (8-bit, 5.6 MB) maps them to
the two label distributions. So the head costs no second copy of the embeddings or lower layers, and it was
trained on exactly the states it sees at inference.

The tagger (:class:`~proplens.attribution.model.AttributionTagger`) adds these log-probabilities, weighted,
to its own linear scores (a product of experts): the linear model knows the parse, the head knows words it
has never seen next to "said" ("chastised", "railed against").
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, ModelLoadError

__all__ = ["TokenHead", "HIDDEN_OUTPUT", "WINDOW_PIECES"]

# the encoder's LayerNormalization output after layer index 2 (of 0-5): the head's input. Three layers on
# top of it beat two on top of layer 3 on held-out train articles (docs/attribution.md).
HIDDEN_OUTPUT = "layer_norm_6"
# word pieces per window ([CLS] and [SEP] added): one window per run, unpadded, like the detector
WINDOW_PIECES = 254


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def encoder_with_hidden_output(model_path: str | Path) -> bytes:
    """The sentence encoder's ONNX graph with :data:`HIDDEN_OUTPUT` as its only output (serialized);
    onnxruntime drops the layers above it, which nothing reads any more."""
    import onnx
    from onnx import TensorProto, helper

    m = onnx.load(str(model_path))
    if not any(n.output and n.output[0] == HIDDEN_OUTPUT for n in m.graph.node):
        raise ValueError(f"{model_path} has no node output {HIDDEN_OUTPUT!r}")
    del m.graph.output[:]
    m.graph.output.append(helper.make_tensor_value_info(HIDDEN_OUTPUT, TensorProto.FLOAT, None))
    return m.SerializeToString()


class TokenHead:
    """Per-token attribution label log-probabilities for a spaCy ``Doc``.

    Parameters
    ----------
    head_path : path or None
        ``head.onnx``: input ``hidden`` (1, pieces, 384), outputs ``cue`` and ``role`` logits (1, pieces, 3).
        None (or a missing file) reads only the encoder: :meth:`windows` and :meth:`hidden`, as training does.
    encoder_dir : path, default=the shipped ``models/sentence``
        Folder with the sentence encoder's ``model.onnx`` and ``tokenizer.json``.
    threads : int, optional
        onnxruntime intra-op threads (default: ``min(2, cpu count)``).
    """

    def __init__(self, head_path, encoder_dir=None, *, threads: int | None = None):
        from ..compare.encoder import DEFAULT_SENTENCE_MODEL_DIR

        self.head_path = None if head_path is None else Path(head_path)
        self.encoder_dir = Path(encoder_dir or DEFAULT_SENTENCE_MODEL_DIR)
        self.threads = threads
        self._encoder: Any = None
        self._head: Any = None  # None while training a head (only the encoder is read)
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _ensure(self) -> None:
        if self._encoder is not None:
            return
        with self._lock:
            if self._encoder is None:
                self._load()

    def _load(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads or min(2, os.cpu_count() or 1)
            opts.inter_op_num_threads = 1
            # two sessions run in turn, window by window: threads spinning after one run would compete
            # with the other's
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            providers = ["CPUExecutionProvider"]
            graph = encoder_with_hidden_output(self.encoder_dir / "model.onnx")
            encoder = ort.InferenceSession(graph, opts, providers=providers)
            tokenizer = Tokenizer.from_file(str(self.encoder_dir / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            # training reads the encoder before any head exists
            if self.head_path is not None and self.head_path.is_file():
                self._head = ort.InferenceSession(str(self.head_path), opts, providers=providers)
            self._tokenizer = tokenizer
            self._encoder = encoder  # last: _ensure() tests it
        except Exception as exc:  # noqa: BLE001  onnx/onnxruntime/tokenizers raise their own types
            raise ModelLoadError(
                Errors.P009.format(path=self.head_path or self.encoder_dir, reason=str(exc))
            ) from None

    def windows(self, text: str):
        """``(input ids (1, pieces + 2), piece offsets (pieces, 2))`` per window of ``text``: windows never
        cross a line; offsets index ``text``. Training (:mod:`proplens.training.attribution_head`) cuts its
        windows here too."""
        self._ensure()
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                enc = self._tokenizer.encode(line, add_special_tokens=False)
                for a in range(0, len(enc.ids), WINDOW_PIECES):
                    ids = np.asarray([[101, *enc.ids[a : a + WINDOW_PIECES], 102]], dtype=np.int64)
                    offsets = np.asarray(enc.offsets[a : a + WINDOW_PIECES], dtype=np.int64) + pos
                    yield ids, offsets
            pos += len(line) + 1

    def hidden(self, ids: np.ndarray) -> np.ndarray:
        """The encoder's hidden states after its third layer for one window, ``(1, pieces + 2, 384)``."""
        self._ensure()
        return self._encoder.run([HIDDEN_OUTPUT], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]

    def piece_logprobs(self, text: str) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(piece start offsets, cue log-probs, role log-probs)`` per window."""
        self._ensure()
        if self._head is None:
            raise ModelLoadError(Errors.P009.format(path=self.head_path, reason="head.onnx is missing"))
        out = []
        for ids, offsets in self.windows(text):
            cue, role = self._head.run(["cue", "role"], {"hidden": self.hidden(ids)})
            out.append((offsets[:, 0], _log_softmax(cue[0, 1:-1]), _log_softmax(role[0, 1:-1])))
        return out

    def __call__(self, doc) -> tuple[np.ndarray, np.ndarray]:
        """Cue and role log-probabilities per token of ``doc`` (``(len(doc), 3)`` each), from each token's
        first word piece; whitespace tokens (no piece) get zeros, which leave the tagger's scores as they
        are."""
        n = len(doc)
        cue = np.zeros((n, 3), dtype=np.float32)
        role = np.zeros((n, 3), dtype=np.float32)
        if n == 0:
            return cue, role
        token_starts = np.fromiter((t.idx for t in doc), dtype=np.int64, count=n)
        seen = np.zeros(n, dtype=bool)
        for starts, c, r in self.piece_logprobs(doc.text):
            tok = np.searchsorted(token_starts, starts, side="right") - 1
            for k, t in enumerate(tok.tolist()):
                if t >= 0 and not seen[t]:
                    seen[t] = True
                    cue[t] = c[k]
                    role[t] = r[k]
        return cue, role
