"""Crash-safe batch output: parts written atomically, then assembled into the final files.

Layout next to ``OUT`` (say ``results.parquet``)::

    results.parquet.parts/
        manifest.json                       which model wrote the parts
        part-000000000250.errors.jsonl      error rows of the chunk starting at input row 250
        part-000000000250.parquet           result rows of that chunk (its existence = chunk done)

Each file is written to a temporary name, fsync'd and renamed with :func:`os.replace`, and the
folder is fsync'd, so a run killed at any moment (``kill -9`` included) leaves only whole files.
The errors file of a chunk is renamed *before* its Parquet part, so a Parquet part always has its
errors beside it; errors files without a Parquet part are leftovers of a killed run and are
ignored (and removed on the next run). The final ``OUT`` is rebuilt from all parts, sorted by
input position, again through a temporary file and a rename.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import BatchError, Errors
from ..records import OUTPUT_COLUMNS, ROW_SCHEMA_METADATA, part_schema

__all__ = ["PartStore", "atomic_write_bytes"]

_PART = re.compile(r"^part-(\d{12})(-\d+)?\.parquet$")
MANIFEST_FORMAT = 1


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    tmp = _tmp_name(path)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _jsonl_bytes(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for r in rows
    )


class PartStore:
    """The parts folder of one batch output.

    Parameters
    ----------
    out : str or Path
        The final Parquet file; parts live in ``OUT.parts/``.
    """

    def __init__(self, out: str | os.PathLike) -> None:
        self.out = Path(out)
        self.dir = self.out.with_name(self.out.name + ".parts")

    # ------------------------------------------------------------- lifecycle
    def open(self, identity: Mapping[str, Any]) -> None:
        """Create the folder, or check that its parts come from the same model; clear leftovers."""
        self.dir.mkdir(parents=True, exist_ok=True)
        manifest = self.dir / "manifest.json"
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text("utf-8"))
            except ValueError:
                old = {}
            for k, v in identity.items():
                if k in old and old[k] != v:
                    raise BatchError(
                        Errors.P021.format(path=self.out, what=k, got=old[k], expected=v, parts=self.dir)
                    )
        else:
            atomic_write_bytes(
                manifest, json.dumps({"format": MANIFEST_FORMAT, **identity}, sort_keys=True).encode()
            )
        names = set(os.listdir(self.dir))
        for name in names:
            if ".tmp-" in name:
                (self.dir / name).unlink(missing_ok=True)
            elif name.endswith(".errors.jsonl") and name[: -len(".errors.jsonl")] + ".parquet" not in names:
                (self.dir / name).unlink(missing_ok=True)

    def part_paths(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return sorted(self.dir / n for n in os.listdir(self.dir) if _PART.match(n))

    def _errors_path(self, part: Path) -> Path:
        return part.with_name(part.name[: -len(".parquet")] + ".errors.jsonl")

    def done_keys(self) -> set[str]:
        """Ids (and error keys) of every finished chunk."""
        import pyarrow.parquet as pq

        keys: set[str] = set()
        for p in self.part_paths():
            keys.update(pq.read_table(p, columns=["id"]).column("id").to_pylist())
            for r in self._read_errors(p):
                keys.add(r["id"])
        return keys

    def _read_errors(self, part: Path) -> list[dict[str, Any]]:
        ep = self._errors_path(part)
        if not ep.exists():
            return []
        with open(ep, "rb") as f:
            return [json.loads(line) for line in f if line.strip()]

    # ---------------------------------------------------------------- writing
    def write_part(self, first_index: int, rows: list[dict[str, Any]], errors: list[dict[str, Any]]) -> Path:
        """Write one finished chunk: its errors file first, then its Parquet part (the commit point)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        part = self.dir / f"part-{first_index:012d}.parquet"
        n = 0
        while part.exists():  # only when the input changed since an earlier run; never overwrite a part
            n += 1
            part = self.dir / f"part-{first_index:012d}-{n}.parquet"
        atomic_write_bytes(self._errors_path(part), _jsonl_bytes(errors))
        table = pa.Table.from_pylist(rows, schema=part_schema())
        tmp = _tmp_name(part)
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, part)
        _fsync_dir(self.dir)
        return part

    # ------------------------------------------------------------- assembling
    def read_all(self):
        """(results table with ``_index``, error rows) of all finished parts, in part order."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self.part_paths()
        tables = [pq.read_table(p) for p in parts]
        table = pa.concat_tables(tables) if tables else part_schema().empty_table()
        errors = [r for p in parts for r in self._read_errors(p)]
        return table, errors

    def assemble(
        self,
        *,
        order: Mapping[str, int] | None = None,
        jsonl: str | os.PathLike | None = None,
        errors_path: str | os.PathLike | None = None,
        row_group_size: int = 10_000,
    ) -> dict[str, int]:
        """Build ``OUT`` (and the JSONL and errors files) from the parts, sorted by input position.

        ``order`` maps ids to their position in the current input; rows missing from it (the input
        changed) follow, by their recorded position. Returns counts of rows and errors.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq

        table, errors = self.read_all()
        order = order or {}
        big = 1 << 62
        ids = table.column("id").to_pylist()
        recorded = table.column("_index").to_numpy()
        sort_key = np.array(
            [order.get(k, big + int(r)) for k, r in zip(ids, recorded, strict=True)], dtype=np.int64
        )
        idx = np.argsort(sort_key, kind="stable")
        table = table.take(pa.array(idx, type=pa.int64())).select(list(OUTPUT_COLUMNS)).combine_chunks()
        table = table.replace_schema_metadata(ROW_SCHEMA_METADATA)  # the row's version (records.py)
        tmp = _tmp_name(self.out)
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd", row_group_size=row_group_size)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.out)
        _fsync_dir(self.out.parent)

        for extra in (errors_path, jsonl):
            if extra is not None:
                Path(extra).parent.mkdir(parents=True, exist_ok=True)
        errors.sort(key=lambda r: (order.get(r["id"], big + r["_index"]), r["id"]))
        if errors_path is not None:
            atomic_write_bytes(
                Path(errors_path), _jsonl_bytes({k: v for k, v in r.items() if k != "_index"} for r in errors)
            )
        if jsonl is not None:
            self._write_jsonl(table, Path(jsonl))
        return {"rows": table.num_rows, "errors": len(errors)}

    def _write_jsonl(self, table, path: Path) -> None:
        tmp = _tmp_name(path)
        with open(tmp, "wb") as f:
            for batch in table.to_batches(max_chunksize=2048):
                f.write(_jsonl_bytes(batch.to_pylist()))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
