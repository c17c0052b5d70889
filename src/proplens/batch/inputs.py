"""Reading batch input: a folder of .txt/.html files, JSONL, CSV or Parquet.

Every reader streams :class:`InputRecord` objects in a stable input order. A row that cannot be
used (undecodable, empty, too large, malformed line, no text) still comes out, with ``error`` set,
so that the batch writes it to its errors file and goes on. Only problems with the whole input
(unknown format, no text column) raise.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Errors, InputFileError, InvalidTextError
from ..text import DEFAULT_MAX_CHARS, decode_bytes

__all__ = ["InputRecord", "BatchInput", "open_input", "INPUT_FIELDS"]

#: Columns a tabular input may have (``text`` or ``html`` is required; ``id`` falls back to the row number).
INPUT_FIELDS = ("id", "text", "html", "title", "source", "url", "published")
_META_FIELDS = ("title", "source", "url", "published")


@dataclass
class InputRecord:
    """One input row.

    Parameters
    ----------
    index : int
        Position in the input (0-based, stable for an unchanged input).
    key : str
        The article id, or a location such as ``"feed.jsonl:12"`` for a row without a usable id.
    where : str
        Human-readable location (file and line) for error messages.
    text, html : str or None
        The body; ``html`` is converted to text by the batch.
    error : str or None
        Why the row cannot be analysed (then the other fields may be empty).
    """

    index: int
    key: str
    where: str
    text: str | None = None
    html: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    error: str | None = None

    def meta(self) -> dict[str, Any]:
        return {"title": self.title, "source": self.source, "url": self.url, "published": self.published}


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from CSV/Parquet readers
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    s = str(value)
    return s if s.strip() else None


def row_error(where: str, reason: str) -> str:
    """The coded message of a bad row ("[P019] Row feed.jsonl:12: <reason>.")."""
    return Errors.P019.format(where=where, reason=str(reason).rstrip(". "))


def _error_row(index: int, key: str, where: str, reason: str, **meta: Any) -> InputRecord:
    return InputRecord(index=index, key=key, where=where, error=row_error(where, reason), **meta)


class BatchInput:
    """A batch input source; iterate it for :class:`InputRecord` objects.

    Parameters
    ----------
    path : str or Path
        A folder of ``.txt``/``.html`` files, or a ``.jsonl``, ``.csv`` or ``.parquet`` file.
    max_chars : int
        Rows with a longer text (or a file larger than ``4 * max_chars`` bytes) become errors.
    """

    def __init__(self, path: str | os.PathLike, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.path = Path(path)
        self.max_chars = max_chars
        if not self.path.exists():
            raise InputFileError(Errors.P011.format(path=self.path, reason="it does not exist"))
        if self.path.is_dir():
            self.kind = "folder"
        else:
            suffix = (
                "".join(self.path.suffixes[-2:]).lower()
                if self.path.suffix.lower() == ".gz"
                else self.path.suffix.lower()
            )
            kinds = {
                ".jsonl": "jsonl",
                ".ndjson": "jsonl",
                ".csv": "csv",
                ".parquet": "parquet",
                ".pq": "parquet",
            }
            if suffix not in kinds:
                raise InputFileError(
                    Errors.P017.format(path=self.path, reason=f"unknown file type {suffix or '(none)'!r}")
                )
            self.kind = kinds[suffix]
        self._max_bytes = 4 * max_chars
        if self.kind in ("csv", "parquet"):
            self._check_columns()

    # ----------------------------------------------------------------- sizing
    def count(self) -> int:
        """Number of rows, cheaply (files, lines or Parquet metadata); used for the progress ETA."""
        if self.kind == "folder":
            return len(self._folder_files())
        if self.kind == "jsonl":
            n = 0
            with open(self.path, "rb") as f:
                for line in f:
                    if line.strip():
                        n += 1
            return n
        if self.kind == "csv":
            return sum(1 for _ in self._csv_rows())
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path).metadata.num_rows

    def fingerprint(self) -> dict[str, Any]:
        return {"path": str(self.path.resolve()), "kind": self.kind}

    # ---------------------------------------------------------------- reading
    def __iter__(self) -> Iterator[InputRecord]:
        return getattr(self, f"_iter_{self.kind}")()

    def _folder_files(self) -> list[Path]:
        files = [
            p for p in self.path.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm")
        ]
        return sorted(files, key=lambda p: p.relative_to(self.path).as_posix())

    def _iter_folder(self) -> Iterator[InputRecord]:
        for i, p in enumerate(self._folder_files()):
            rel = p.relative_to(self.path).as_posix()
            key = rel.rsplit(".", 1)[0]
            try:
                size = p.stat().st_size
                if size > self._max_bytes:
                    yield _error_row(
                        i,
                        key,
                        rel,
                        f"file of {size:,} bytes is larger than the limit of {self._max_bytes:,} (4 bytes "
                        "per character of --max-chars)",
                    )
                    continue
                text = decode_bytes(p.read_bytes())
            except InvalidTextError as exc:
                yield _error_row(i, key, rel, str(exc))
                continue
            except OSError as exc:
                yield _error_row(i, key, rel, f"cannot read the file ({exc.strerror or exc})")
                continue
            if p.suffix.lower() == ".txt":
                yield InputRecord(index=i, key=key, where=rel, text=text)
            else:
                yield InputRecord(index=i, key=key, where=rel, html=text)

    def _record_from_mapping(self, i: int, where: str, row: dict[str, Any], default_key: str) -> InputRecord:
        key = _str_or_none(row.get("id")) if "id" in row else default_key
        meta = {f: _str_or_none(row.get(f)) for f in _META_FIELDS}
        if key is None:
            return _error_row(i, default_key, where, "the id is empty", **meta)
        text, html = row.get("text"), row.get("html")
        if text is None and html is None:
            return _error_row(i, key, where, "no 'text' or 'html' field", **meta)
        body = text if text is not None else html
        if isinstance(body, (bytes, bytearray)):
            try:
                body = decode_bytes(bytes(body))
            except InvalidTextError as exc:
                return _error_row(i, key, where, str(exc), **meta)
        if not isinstance(body, str):
            if isinstance(body, float) and body != body:
                return _error_row(i, key, where, "the text is empty", **meta)
            return _error_row(i, key, where, f"the text is a {type(body).__name__}, not a string", **meta)
        if text is not None:
            return InputRecord(index=i, key=key, where=where, text=body, **meta)
        return InputRecord(index=i, key=key, where=where, html=body, **meta)

    def _iter_jsonl(self) -> Iterator[InputRecord]:
        name = self.path.name
        i = 0
        with open(self.path, "rb") as f:
            for lineno, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                where = f"{name}:{lineno}"
                if len(raw) > self._max_bytes:
                    yield _error_row(
                        i,
                        where,
                        where,
                        f"line of {len(raw):,} bytes is larger than the limit of {self._max_bytes:,} (4 "
                        "bytes per character of --max-chars)",
                    )
                else:
                    try:
                        row = json.loads(decode_bytes(raw))
                    except InvalidTextError as exc:
                        yield _error_row(i, where, where, str(exc))
                    except ValueError as exc:
                        yield _error_row(i, where, where, f"not valid JSON ({exc})")
                    else:
                        if not isinstance(row, dict):
                            yield _error_row(
                                i, where, where, f"expected a JSON object, got {type(row).__name__}"
                            )
                        else:
                            yield self._record_from_mapping(i, where, row, where)
                i += 1

    def _csv_rows(self) -> Iterator[tuple[int, list[str] | None, str | None]]:
        """(line number, row, error) per CSV record."""
        csv.field_size_limit(max(self._max_bytes, 131072))
        with open(self.path, "rb") as fb:
            head = fb.read(3)
        encoding = "utf-8-sig" if head == b"\xef\xbb\xbf" else "utf-8"
        with open(self.path, newline="", encoding=encoding, errors="strict") as f:
            reader = csv.reader(f)
            while True:
                line = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError as exc:
                    yield line, None, f"invalid UTF-8 ({exc.reason}); the rest of the file cannot be read"
                    return
                except csv.Error as exc:
                    yield line, None, f"malformed CSV ({exc})"
                    continue
                yield line, row, None

    def _check_columns(self) -> None:
        cols = self._columns()
        if "text" not in cols and "html" not in cols:
            raise InputFileError(
                Errors.P018.format(path=self.path, found=", ".join(map(repr, cols)) or "no columns")
            )

    def _columns(self) -> list[str]:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            try:
                return list(pq.ParquetFile(self.path).schema_arrow.names)
            except Exception as exc:  # noqa: BLE001  pyarrow raises several types for corrupt files
                raise InputFileError(
                    Errors.P011.format(path=self.path, reason=f"not a Parquet file ({exc})")
                ) from None
        for _, row, err in self._csv_rows():
            if err:
                raise InputFileError(Errors.P011.format(path=self.path, reason=f"bad header: {err}"))
            return [c.strip() for c in (row or [])]
        return []

    def _iter_csv(self) -> Iterator[InputRecord]:
        name = self.path.name
        header: list[str] | None = None
        i = 0
        for lineno, row, err in self._csv_rows():
            if header is None:
                header = [c.strip() for c in (row or [])]
                continue
            columns: list[str] = header
            where = f"{name}:{lineno}"
            default_key = str(i + 1)
            if err is not None or row is None:
                yield _error_row(i, where, where, err or "unreadable row")
            elif len(row) != len(columns):
                yield _error_row(i, where, where, f"{len(row)} fields where the header has {len(columns)}")
            else:
                yield self._record_from_mapping(i, where, dict(zip(columns, row, strict=True)), default_key)
            i += 1

    def _iter_parquet(self) -> Iterator[InputRecord]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.path)
        cols = [c for c in INPUT_FIELDS if c in pf.schema_arrow.names]
        name = self.path.name
        i = 0
        for batch in pf.iter_batches(batch_size=1024, columns=cols):
            for row in batch.to_pylist():
                yield self._record_from_mapping(i, f"{name}:row {i + 1}", row, str(i + 1))
                i += 1


def open_input(path: str | os.PathLike, *, max_chars: int = DEFAULT_MAX_CHARS) -> BatchInput:
    """Open a batch input (see :class:`BatchInput`)."""
    return BatchInput(path, max_chars=max_chars)
