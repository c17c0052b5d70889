"""The resources of one CLI invocation: made by the root callback, handed to the commands as ``ctx.obj``.

A command asks its context for what it needs (``resources(ctx).analyzer(...)``, ``.attributor()``,
``.encoder()``, ``.open_store(url)``) instead of building it inline or reading a process-wide default. Each
is made on first use, at most once per invocation (an analyzer once per set of options), and the attribution
pipeline is shared by every analyzer made here. Tests pass their own factories:
``CliRunner().invoke(app, args, obj=Resources(make_analyzer=...))``.

Nothing heavy is imported here: the factories import the model, spaCy or SQLAlchemy when called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from ..analyzer import Analyzer

__all__ = ["Resources", "resources"]


def _default_analyzer(model: str | None, **options: Any) -> Analyzer:
    from ..analyzer import Analyzer

    return Analyzer(model, **options)


def _default_attributor() -> Any:
    from ..attribution import make_attributor

    return make_attributor()


def _default_encoder() -> Any:
    from ..compare.encoder import SentenceEncoder

    return SentenceEncoder()


@dataclass
class Resources:
    """What the commands of one invocation share.

    Parameters
    ----------
    make_analyzer : callable, optional
        ``make_analyzer(model, **options) -> Analyzer`` (default: :class:`proplens.Analyzer`).
    make_attributor : callable, optional
        ``make_attributor() -> Attributor`` (default: :func:`proplens.attribution.make_attributor`; an
        ``ImportError`` means spaCy is not installed).
    make_encoder : callable, optional
        ``make_encoder() -> SentenceEncoder`` (default: :class:`proplens.compare.encoder.SentenceEncoder`).
    """

    make_analyzer: Callable[..., Analyzer] = _default_analyzer
    make_attributor: Callable[[], Any] = _default_attributor
    make_encoder: Callable[[], Any] = _default_encoder
    _analyzers: dict[tuple, Analyzer] = field(default_factory=dict, init=False, repr=False)
    _attributor: Any = field(default=None, init=False, repr=False)
    _attributor_made: bool = field(default=False, init=False, repr=False)
    _encoder: Any = field(default=None, init=False, repr=False)
    _engines: list[Any] = field(default_factory=list, init=False, repr=False)

    def attributor(self, *, required: bool = False) -> Any:
        """The invocation's attribution pipeline; None when spaCy is not installed, unless ``required``
        ([P022] then names the extra to install)."""
        if not self._attributor_made:
            try:
                self._attributor = self.make_attributor()
            except ImportError as exc:
                if required:
                    from ..errors import Errors, MissingExtraError

                    raise MissingExtraError(
                        Errors.P022.format(what="Attribution", extra="attribution", module=exc.name)
                    ) from None
                self._attributor = None
            self._attributor_made = True
        if self._attributor is None and required:
            self._attributor_made = False
            return self.attributor(required=True)
        return self._attributor

    def analyzer(self, model: str | None = None, *, attribution: bool = False, **options: Any) -> Analyzer:
        """An analyzer of ``model`` (a shipped name or a folder; None: the built-in default), made once per
        set of options. With ``attribution`` it shares :meth:`attributor` (skipped when spaCy is missing);
        ``options`` go to :class:`~proplens.Analyzer` (``max_chars``, ``min_score``, ``threads``, ...)."""
        key = (model, attribution, tuple(sorted(options.items())))
        if key not in self._analyzers:
            attributor = self.attributor() if attribution else None
            self._analyzers[key] = self.make_analyzer(
                model,
                attribution="auto" if attribution and attributor is not None else False,
                attributor=attributor,
                **options,
            )
        return self._analyzers[key]

    def encoder(self) -> Any:
        """The invocation's sentence encoder (compare; loads its model on first use)."""
        if self._encoder is None:
            self._encoder = self.make_encoder()
        return self._encoder

    def open_store(self, url: str | None) -> Any:
        """Open and migrate the store at ``url`` (default: SQLite in the user data directory) now, so that a
        bad ``--db`` fails with one line ([P028]), not a server start-up traceback."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        from ..store import create_store_engine, default_db_url, init_db

        url = url or default_db_url()
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except ArgumentError:
            shown = "(unparseable URL)"
        try:
            engine = create_store_engine(url)
            init_db(engine)
        except (SQLAlchemyError, ImportError, ValueError, OSError) as exc:
            from ..errors import Errors, StoreError

            first = str(exc).splitlines()[0] if str(exc) else ""
            raise StoreError(
                Errors.P028.format(url=shown, reason=f"{type(exc).__name__}: {first}".rstrip(": "))
            ) from None
        typer.echo(f"proplens: store {shown}", err=True)
        self._engines.append(engine)
        return engine

    def close(self) -> None:
        """Release what was opened (store connections); the callback's context calls it on exit."""
        for engine in self._engines:
            engine.dispose()
        self._engines.clear()


def resources(ctx: typer.Context) -> Resources:
    """The invocation's :class:`Resources` (made by the root callback; a bare context gets new ones)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Resources):
        root.obj = Resources()
        root.call_on_close(root.obj.close)
    if ctx.obj is not root.obj:
        ctx.obj = root.obj
    return root.obj
