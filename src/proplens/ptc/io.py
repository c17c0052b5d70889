"""Reading PTC article folders and label files, with clear errors for malformed files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Errors, InputFileError, LabelFileError
from ..techniques import get_technique
from ..text import read_text_file

__all__ = [
    "TcRow",
    "PtcCorpus",
    "read_articles",
    "read_tc_labels",
    "read_si_labels",
    "write_tc_labels",
    "write_si_labels",
]

_ARTICLE = re.compile(r"^article(.+)\.txt$")


@dataclass(frozen=True)
class TcRow:
    """One label row: article id, technique (or None for '?'/SI rows), start, end."""

    article_id: str
    technique: str | None
    start: int
    end: int


def article_id_of(path: Path) -> str:
    m = _ARTICLE.match(path.name)
    return m.group(1) if m else path.stem


def read_articles(folder: str | Path) -> dict[str, str]:
    """Read every ``article<ID>.txt`` (or, failing that, every ``*.txt``) in ``folder``.

    Returns a dict id -> text (read with no newline translation), sorted by id.
    """
    d = Path(folder)
    if not d.is_dir():
        raise InputFileError(Errors.P011.format(path=d, reason="not a folder"))
    files = sorted(d.glob("article*.txt")) or sorted(d.glob("*.txt"))
    if not files:
        raise InputFileError(Errors.P012.format(path=d))
    return {article_id_of(f): read_text_file(f) for f in files}


def _parse_rows(path: Path, *, with_technique: bool, allow_unknown: bool) -> list[TcRow]:
    expected = "ID<TAB>technique<TAB>start<TAB>end" if with_technique else "ID<TAB>start<TAB>end"
    try:
        raw = read_text_file(path)
    except InputFileError:
        raise
    rows: list[TcRow] = []
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.rstrip("\r\n").split("\t")
        n = 4 if with_technique else 3
        if len(parts) != n:
            raise LabelFileError(
                Errors.P006.format(
                    path=path, line=lineno, reason=f"{len(parts)} fields instead of {n}", expected=expected
                )
            )
        art = parts[0].strip()
        tech: str | None = None
        if with_technique:
            t = parts[1].strip()
            if t in ("?", ""):
                if not allow_unknown:
                    raise LabelFileError(
                        Errors.P006.format(
                            path=path, line=lineno, reason="technique is '?'", expected=expected
                        )
                    )
            else:
                try:
                    tech = get_technique(t).id
                except KeyError as exc:
                    raise LabelFileError(
                        Errors.P006.format(path=path, line=lineno, reason=str(exc), expected=expected)
                    ) from None
        try:
            start, end = int(parts[-2]), int(parts[-1])
        except ValueError:
            raise LabelFileError(
                Errors.P006.format(
                    path=path,
                    line=lineno,
                    reason=f"offsets {parts[-2]!r}, {parts[-1]!r} are not integers",
                    expected=expected,
                )
            ) from None
        if start < 0 or end <= start:
            raise LabelFileError(
                Errors.P006.format(
                    path=path,
                    line=lineno,
                    reason=f"bad span ({start}, {end}): need 0 <= start < end",
                    expected=expected,
                )
            )
        rows.append(TcRow(art, tech, start, end))
    return rows


def read_tc_labels(
    path: str | Path, *, allow_unknown: bool = False, articles: Mapping[str, str] | None = None
) -> list[TcRow]:
    """Read a TC label file (``ID technique start end``); ``?`` techniques allowed with ``allow_unknown``.

    When ``articles`` is given, every row is checked against its article's length.
    """
    p = Path(path)
    rows = _parse_rows(p, with_technique=True, allow_unknown=allow_unknown)
    if articles is not None:
        check_rows(rows, articles, p)
    return rows


def read_si_labels(path: str | Path, *, articles: Mapping[str, str] | None = None) -> list[TcRow]:
    p = Path(path)
    rows = _parse_rows(p, with_technique=False, allow_unknown=True)
    if articles is not None:
        check_rows(rows, articles, p)
    return rows


def check_rows(
    rows: Iterable[TcRow], articles: Mapping[str, str], path: Path, folder: str = "the articles folder"
) -> None:
    for i, r in enumerate(rows, 1):
        if r.article_id not in articles:
            raise LabelFileError(
                Errors.P008.format(path=path, line=i, article=f"article{r.article_id}", folder=folder)
            )
        n = len(articles[r.article_id])
        if r.end > n:
            raise LabelFileError(
                Errors.P007.format(
                    path=path, line=i, start=r.start, end=r.end, article=r.article_id, length=n
                )
            )


def write_tc_labels(path: str | Path, rows: Iterable[TcRow]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        for r in rows:
            f.write(f"{r.article_id}\t{r.technique or '?'}\t{r.start}\t{r.end}\n")


def write_si_labels(path: str | Path, rows: Iterable[TcRow]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        for r in rows:
            f.write(f"{r.article_id}\t{r.start}\t{r.end}\n")


@dataclass
class PtcCorpus:
    """A PTC-format folder: ``articles/`` plus ``labels-tc/`` (per article) or one ``*TC.labels`` file."""

    articles: dict[str, str]
    spans: dict[str, list[TcRow]]

    @classmethod
    def load(cls, folder: str | Path) -> PtcCorpus:
        d = Path(folder)
        art_dir = d / "articles" if (d / "articles").is_dir() else d
        articles = read_articles(art_dir)
        rows: list[TcRow] = []
        if (d / "labels-tc").is_dir():
            for f in sorted((d / "labels-tc").glob("*.labels")):
                rows.extend(read_tc_labels(f))
        else:
            files = sorted(d.glob("*TC.labels")) or sorted(d.glob("*.labels"))
            if not files:
                raise InputFileError(
                    Errors.P016.format(path=d, reason="no labels-tc/ folder and no *TC.labels file")
                )
            rows = read_tc_labels(files[0])
        check_rows(rows, articles, d, folder=str(art_dir))
        spans: dict[str, list[TcRow]] = {a: [] for a in articles}
        for r in rows:
            spans[r.article_id].append(r)
        return cls(articles, spans)
