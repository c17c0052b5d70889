"""Loading a shipped model directory and running it with ONNX Runtime (no torch needed).

A model directory holds ``model.onnx`` (encoder + token heads), ``span_head.npz`` (span classifier),
``tokenizer.json`` and ``config.json`` (name, version, windows, tuned decoding thresholds).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..errors import Errors, ModelLoadError
from .alignment import load_tokenizer
from .decoding import DecodeConfig
from .detector import Detector
from .paragraphs import RAW_FEATURES, ParagraphModel

__all__ = ["OnnxBackend", "ModelConfig", "load_detector", "default_model_dir", "resolve_model_dir"]

REQUIRED_FILES = ("model.onnx", "span_head.npz", "tokenizer.json", "config.json")


MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
# The models shipped inside the package, by the name users pick them with (``--model fast``).
SHIPPED_MODELS = {
    "default": "the most accurate shipped model (MPNet-base tagger)",
    "fast": "MiniLM tagger for corpus-scale work on a CPU",
}


def default_model_dir() -> Path:
    """The model shipped inside the package (``PROPLENS_MODEL``, a name or a folder, overrides it)."""
    env = os.environ.get("PROPLENS_MODEL")
    if env:
        return MODELS_DIR / env if env in SHIPPED_MODELS else Path(env)
    return MODELS_DIR / "default"


def resolve_model_dir(model: str | Path | None) -> Path:
    """A shipped model by name (``default``, ``fast``), a local folder, or ``hf://owner/name`` fetched with
    huggingface_hub (needs network)."""
    if model is None:
        return default_model_dir()
    s = str(model)
    if s in SHIPPED_MODELS:
        return MODELS_DIR / s
    if s.startswith("hf://"):
        try:
            from huggingface_hub import snapshot_download
        except ImportError:
            raise ModelLoadError(
                Errors.P009.format(path=s, reason="huggingface_hub is not installed")
            ) from None
        try:
            return Path(snapshot_download(s[len("hf://") :]))
        except Exception as exc:  # noqa: BLE001  network errors of many kinds; reported as one clear message
            raise ModelLoadError(
                Errors.P009.format(path=s, reason=f"download failed ({type(exc).__name__}: {exc})")
            ) from None
    return Path(s)


def _paragraph_model(cfg: dict, d: Path) -> ParagraphModel | None:
    """The paragraph-technique model of config.json's ``"paragraphs"`` (None when the folder has none)."""
    if not cfg.get("paragraphs"):
        return None
    try:
        model = ParagraphModel.from_dict(cfg["paragraphs"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(
            Errors.P009.format(path=d, reason=f"config.json 'paragraphs' invalid ({exc})")
        ) from None
    if model.coef.ndim != 1 or len(model.coef) != 2 * len(cfg["techniques"]) + len(RAW_FEATURES):
        raise ModelLoadError(Errors.P009.format(path=d, reason="config.json 'paragraphs' has the wrong size"))
    return model


class ModelConfig(dict):
    """The parsed ``config.json`` with checked keys."""

    REQUIRED = ("name", "version", "techniques", "window_size", "window_stride", "decode")

    @classmethod
    def read(cls, path: Path) -> ModelConfig:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                Errors.P009.format(path=path.parent, reason=f"config.json unreadable ({exc})")
            ) from None
        missing = [k for k in cls.REQUIRED if k not in data]
        if missing:
            raise ModelLoadError(
                Errors.P009.format(path=path.parent, reason=f"config.json lacks {', '.join(missing)}")
            )
        return cls(data)


def available_cpus() -> int:
    """CPUs this process may run on (respects taskset/cgroup affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ForkSafePool:
    """A thread pool made on first use, and made again in a forked child (a pool made before a fork has no
    threads in the child, so work submitted there would wait forever)."""

    def __init__(self, workers: int, name: str):
        self.workers = workers
        self.name = name
        self._pool = None
        self._pid: int | None = None

    def get(self):
        if self._pool is None or self._pid != os.getpid():
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=self.name)
            self._pid = os.getpid()
        return self._pool


class OnnxBackend:
    """An ONNX Runtime session for ``model.onnx``, created on first call.

    ``threads`` is how many cores one call may use. They are spent *across* windows: every window runs
    single-threaded, and up to ``threads`` windows run at once (ONNX Runtime releases the GIL and a
    session may be run from several threads). Measured on 2 cores with the int8 MiniLM model: one
    2-thread run per window took as long as a 1-thread run (44 ms for 256 tokens: the per-operator
    thread hand-off eats the gain on such small matrices), while two 1-thread runs side by side gave
    26 ms per window.
    """

    def __init__(self, path: Path, *, threads: int | None = None):
        self.path = path
        self.threads = threads or available_cpus()
        self._session = None
        self._pool = ForkSafePool(self.threads, "proplens-onnx")

    def _get(self):
        if self._session is None:
            import onnxruntime as ort

            so = ort.SessionOptions()
            so.intra_op_num_threads = 1
            so.inter_op_num_threads = 1
            # No busy-waiting: with other work on the cores (attribution, a web server, a second batch
            # worker) spinning threads steal the CPU they wait for (measured: 2x slower when contended).
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            # The CPU memory arena stays on: without it, two threads running windows side by side malloc and
            # free every activation, and glibc's per-thread heaps kept more (fast model, 4,000 words: peak
            # RSS 222 MB without the arena, 174 MB with it).
            try:
                # ORT's fused SkipLayerNormalization CPU kernel is slower here than the Add +
                # LayerNormalization it replaces (measured with onnxruntime 1.32, int8 MiniLM, one
                # 256-token window on one thread: 40 -> 33 ms per window with the fusion off).
                self._session = ort.InferenceSession(
                    str(self.path),
                    so,
                    providers=["CPUExecutionProvider"],
                    disabled_optimizers=["SkipLayerNormFusion"],
                )
            except Exception as exc:  # noqa: BLE001  onnxruntime raises its own untyped errors for corrupt files
                raise ModelLoadError(
                    Errors.P009.format(path=self.path, reason=str(exc).splitlines()[0])
                ) from None
        return self._session

    def __call__(self, ids: np.ndarray, mask: np.ndarray):
        """Run each sequence on its own, unpadded.

        Dynamic int8 quantization scales activations per tensor, so in a padded batch one window's
        result would depend on its neighbours; one window per run makes every result independent of
        batch composition and of how many run at once (the same article always gives the same spans),
        and wastes nothing on padding.
        """
        sess = self._get()
        B, T = ids.shape
        lengths = [int(n) for n in mask.sum(axis=1)]

        def run(r: int):
            n = lengths[r]
            return sess.run(None, {"input_ids": ids[r : r + 1, :n], "attention_mask": mask[r : r + 1, :n]})

        if self.threads > 1 and B > 1:
            results = list(self._pool.get().map(run, range(B)))
        else:
            results = [run(r) for r in range(B)]
        outs = [np.zeros((B, T) + x.shape[2:], dtype=x.dtype) for x in results[0]]
        for r, res in enumerate(results):
            for o, x in zip(outs, res, strict=True):
                o[r, : lengths[r]] = x[0]
        return tuple(outs)


def load_detector(
    model_dir: str | Path | None = None, *, threads: int | None = None, batch_size: int = 16
) -> tuple[Detector, ModelConfig]:
    """Build a :class:`Detector` from a model directory; raises ModelLoadError with the reason."""
    d = resolve_model_dir(model_dir)
    if not d.is_dir():
        raise ModelLoadError(Errors.P009.format(path=d, reason="no such folder"))
    missing = [f for f in REQUIRED_FILES if not (d / f).is_file()]
    if missing:
        raise ModelLoadError(Errors.P009.format(path=d, reason=f"missing {', '.join(missing)}"))
    cfg = ModelConfig.read(d / "config.json")
    try:
        with np.load(d / "span_head.npz") as z:
            weights = {k: z[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}
    except Exception as exc:  # noqa: BLE001  np.load raises several unrelated types on corrupt files
        raise ModelLoadError(
            Errors.P009.format(path=d, reason=f"span_head.npz unreadable ({type(exc).__name__})")
        ) from None
    tok = load_tokenizer(d / "tokenizer.json")
    det = Detector(
        OnnxBackend(d / "model.onnx", threads=threads),
        tok,
        weights,
        decode=DecodeConfig(**cfg["decode"]),
        window_size=int(cfg["window_size"]),
        window_stride=int(cfg["window_stride"]),
        batch_size=batch_size,
        techniques=cfg["techniques"],
        windowing=str(cfg.get("windowing", "stride")),
        calibration=(cfg["calibration"]["x"], cfg["calibration"]["y"]) if cfg.get("calibration") else None,
        cls_id=int(cfg.get("cls_id", 101)),
        sep_id=int(cfg.get("sep_id", 102)),
        paragraph_model=_paragraph_model(cfg, d),
    )
    return det, cfg
