"""The models a request may choose (``default``, ``fast``): one :class:`~proplens.analyzer.Analyzer` per name.

Each analyzer is built on first use with the server's settings (threads, text limit, attribution), so a server
that never gets a ``fast`` request never loads that model. The analyzers keep every possible passage the model
finds (``min_score=0``); each request's ``min_score`` picks which of them its stored analysis shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..analyzer import Analyzer
from ..errors import ProplensError
from .errors import ApiError

__all__ = ["MODEL_CHOICES", "Analyzers"]

# The names a request's ``model`` may take, with what each is for.
MODEL_CHOICES = {
    "default": "the most accurate shipped model",
    "fast": "a smaller model, several times faster, for corpus-scale work",
}
CONFIG_KEYS = ("name", "version", "base_encoder", "metrics", "quantization", "possible_min_score")


class Analyzers:
    """One analyzer per model choice, created lazily.

    Parameters
    ----------
    build : callable
        ``build(choice) -> Analyzer`` for a choice that was not given ready-made.
    model_dir : callable
        ``model_dir(choice) -> Path``: the folder a choice loads from (its ``config.json`` is listed by
        ``GET /api/v1/models`` before the model is loaded).
    given : mapping, optional
        Ready-made analyzers by choice (the app's ``analyzer`` argument is ``default``; tests give fakes).
    """

    def __init__(
        self,
        *,
        build: Callable[[str], Analyzer],
        model_dir: Callable[[str], Path],
        given: Mapping[str, Analyzer] | None = None,
    ) -> None:
        self._build = build
        self._model_dir = model_dir
        self._analyzers: dict[str, Analyzer] = dict(given or {})
        self._lock = threading.Lock()

    def get(self, choice: str = "default") -> Analyzer:
        """The loaded analyzer of ``choice``; a model that cannot be loaded is a 503 ``model_unavailable``."""
        if choice not in MODEL_CHOICES:
            raise ApiError(
                422,
                "invalid_request",
                f"Unknown model {choice!r}: choose one of {', '.join(repr(c) for c in MODEL_CHOICES)}.",
            )
        with self._lock:
            an = self._analyzers.get(choice)
            if an is None:
                an = self._analyzers[choice] = self._build(choice)
        try:
            an.load()  # load now: a missing or broken model is reported as such, not as a failed analysis
        except ProplensError as exc:
            raise ApiError(
                exc.http_status, exc.api_code, f"The {choice!r} model cannot be used on this server: {exc}"
            ) from None
        return an

    def loaded(self, choice: str) -> Analyzer | None:
        """The analyzer of ``choice`` when it was already created (no loading)."""
        with self._lock:
            return self._analyzers.get(choice)

    def describe(self) -> list[dict[str, Any]]:
        """Every choice with its model's name, version, base encoder and metrics, without loading any
        model."""
        out = []
        for choice, about in MODEL_CHOICES.items():
            item: dict[str, Any] = {"choice": choice, "description": about}
            an = self.loaded(choice)
            if an is not None and an.is_loaded:
                item.update(an.model_info, possible_min_score=an.model_min_score, available=True, loaded=True)
            else:
                item.update(self._read_config(choice), loaded=False)
            out.append(item)
        return out

    def _read_config(self, choice: str) -> dict[str, Any]:
        from ..model.runtime import ModelConfig

        try:
            folder = self._model_dir(choice)
            cfg = ModelConfig.read(Path(folder) / "config.json")
        except (ProplensError, OSError) as exc:
            return {"available": False, "reason": str(exc)}
        missing = [
            f for f in ("model.onnx", "span_head.npz", "tokenizer.json") if not (Path(folder) / f).is_file()
        ]
        info = {k: cfg[k] for k in CONFIG_KEYS if k in cfg}
        if missing:
            return {
                **info,
                "available": False,
                "reason": f"the model folder {folder} lacks {', '.join(missing)}",
            }
        return {**info, "available": True}
