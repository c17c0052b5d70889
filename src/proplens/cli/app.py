"""The ``proplens`` Typer application and its error handling.

A :class:`~proplens.errors.ProplensError` becomes one line on stderr and exit code 1; any other
exception prints a short message (the full traceback with ``--debug`` or ``PROPLENS_DEBUG=1``).

The root callback makes the invocation's :class:`~proplens.cli.resources.Resources` (analyzers, the
attribution pipeline, the sentence encoder, the store) and hands them to the commands as ``ctx.obj``.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from .resources import resources

app = typer.Typer(
    name="proplens",
    help="Find, label and explain propaganda techniques in news articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Command modules, each with register(app). Add new command groups here.
COMMAND_MODULES = [
    "analyze",
    "train",
    "ptc",
    "serve",
    "attribute",
    "compare",
    "batch",
]


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on unexpected errors."),
) -> None:
    if debug:
        os.environ["PROPLENS_DEBUG"] = "1"
    resources(ctx)  # ctx.obj: the resources the commands share (given ones, e.g. a test's, are kept)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"proplens.cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"proplens.cli.commands.{name}":
                continue  # command group not present in this build
            raise
        mod.register(app)


_register_all()


def main() -> None:
    """Console entry point with proplens' error policy."""
    from ..errors import ProplensError

    try:
        rc = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        sys.exit(rc if isinstance(rc, int) else 0)
    except ProplensError as exc:
        typer.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # last resort: no raw traceback for users unless asked
        # Usage errors (Typer's vendored click): show the usage message, not a traceback.
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        if os.environ.get("PROPLENS_DEBUG"):
            raise
        typer.echo(
            f"Error: unexpected {type(exc).__name__}: {exc}. Run with --debug for the full traceback.",
            err=True,
        )
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
