"""Our own requirements never ask a dependency for an extra it does not provide (issue 10).

pip before 23.3 (the one Python 3.11's ``ensurepip`` installs) compares extras without PEP 685 normalisation
and prints "X does not provide the extra 'y'" for each mismatch. The lxml warning users saw comes from
jusText's
``lxml[html_clean]`` (lxml 6 declares ``html-clean``), not from us; this test keeps our pyproject out of it by
checking every extra we request, with that pip's own comparison, against the installed distribution.
"""

from __future__ import annotations

import importlib.metadata as md
import re

import pytest
from packaging.requirements import Requirement


def _old_pip_extra(name: str) -> str:
    """pip 23.2's ``safe_extra``: '_' and '-' are *not* unified."""
    return re.sub("[^A-Za-z0-9.-]+", "_", name).lower()


def test_every_extra_we_request_is_provided_as_spelled():
    requested = []
    for spec in md.requires("proplens") or []:
        req = Requirement(spec)
        if req.extras and req.name.lower() != "proplens":
            requested.append(req)
    assert requested, "expected some requirements with extras (uvicorn[standard], psycopg[binary], ...)"
    checked = 0
    for req in requested:
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            continue  # an extra of ours that is not installed here (e.g. ray)
        provided = {_old_pip_extra(e) for e in dist.metadata.get_all("Provides-Extra") or []}
        missing = {_old_pip_extra(e) for e in req.extras} - provided
        assert not missing, (
            f"{req} asks {dist.metadata['Name']} {dist.version} for {missing}; it provides {sorted(provided)}"
        )
        checked += 1
    assert checked >= 2


def test_lxml_html_clean_is_a_direct_requirement_so_the_cleaner_imports():
    pytest.importorskip("trafilatura", reason="the server extra is not installed")
    server = [Requirement(s) for s in md.requires("proplens") or [] if 'extra == "server"' in s]
    assert any(r.name == "lxml_html_clean" for r in server)
    import lxml.html.clean  # noqa: F401  (lxml >= 5.2 re-exports lxml_html_clean here)
