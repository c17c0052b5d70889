"""Sentence embeddings with the shipped int8 ONNX export of all-MiniLM-L6-v2 (onnxruntime + tokenizers).

The graph already applies mean pooling and L2 normalisation, so rows of :func:`embed` are unit vectors
and a dot product is a cosine similarity.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, ModelLoadError

__all__ = ["SentenceEncoder", "embed", "get_default_encoder", "DEFAULT_SENTENCE_MODEL_DIR"]

DEFAULT_SENTENCE_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "sentence"


class SentenceEncoder:
    """Embed sentences into 384-d unit vectors.

    Parameters
    ----------
    model_dir : path, default=the shipped ``models/sentence``
        Folder with ``model.onnx`` and ``tokenizer.json``.
    max_length : int, default=256
        Longer inputs are truncated (in word pieces).
    batch_size : int, default=64
        Kept for compatibility: every text runs alone (see ``__call__``).
    threads : int, optional
        onnxruntime intra-op threads (default: ``min(2, cpu count)``).
    """

    def __init__(
        self,
        model_dir=DEFAULT_SENTENCE_MODEL_DIR,
        *,
        max_length: int = 256,
        batch_size: int = 64,
        threads=None,
    ):
        self.model_dir = Path(model_dir)
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None  # onnxruntime.InferenceSession, made on first use
        self._tokenizer: Any = None  # tokenizers.Tokenizer
        self._lock = threading.Lock()  # one encoder may serve several threads (the API's pool)

    def _ensure(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                self._load()

    def _load(self) -> None:
        model = self.model_dir / "model.onnx"
        tok = self.model_dir / "tokenizer.json"
        for p in (model, tok):
            if not p.is_file():
                raise ModelLoadError(Errors.P009.format(path=self.model_dir, reason=f"{p.name} is missing"))
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelLoadError(
                Errors.P009.format(path=self.model_dir, reason=f"{exc}; install onnxruntime and tokenizers")
            ) from exc
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads or min(2, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(tok))
        except Exception as exc:  # noqa: BLE001  onnxruntime raises its own exception types
            raise ModelLoadError(Errors.P009.format(path=self.model_dir, reason=str(exc))) from None
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._session = session

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-norm embeddings, shape ``(len(texts), 384)``, float32."""
        self._ensure()
        texts = [t if t.strip() else "." for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        # One text per run, unpadded: the model is int8 with activation scales computed per tensor, so in a
        # padded batch a sentence's embedding would depend on its neighbours (docs/design.md, "One window per
        # ONNX run"); alone, the same sentence always gets the same vector.
        for i, e in enumerate(self._tokenizer.encode_batch(list(texts))):
            ids = np.asarray([e.ids], dtype=np.int64)
            out[i] = self._session.run(
                ["embeddings"], {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            )[0][0]
        return out


@functools.cache
def get_default_encoder() -> SentenceEncoder:
    """The encoder of the convenience function :func:`embed` (and of ``compare()`` called without one).

    Applications make their own :class:`SentenceEncoder` and pass it (``compare(..., embed=encoder)``).
    """
    return SentenceEncoder()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts with the shared default encoder; rows are L2-normalised (dot product = cosine).

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    numpy.ndarray
        Shape ``(len(texts), 384)``, float32.

    Examples
    --------
    >>> v = embed(["The mayor resigned.", "The mayor stepped down."])  # doctest: +SKIP
    >>> float(v[0] @ v[1]) > 0.8  # doctest: +SKIP
    True
    """
    return get_default_encoder()(list(texts))
