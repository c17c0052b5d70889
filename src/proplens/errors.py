"""Coded errors and warnings.

Every message lives here with a stable code ("[P001] ..."); codes are never reused.
Each message says what happened, the value received, and how to fix it.
Exceptions also inherit a builtin so that callers can catch ``ValueError`` etc.

Each exception class carries what a server answers for it: ``http_status`` and ``api_code`` (the stable
machine code of the API's ``{"error": {"code", "message"}}``); an instance's ``code`` is the "Pnnn" of its
message. Client mistakes are 4xx; server faults (a model or store that cannot be used, a missing extra) 5xx.
"""

from __future__ import annotations

import re

__all__ = [
    "Errors",
    "Warnings",
    "ProplensError",
    "InvalidTextError",
    "TextTooLongError",
    "NoArticleTextError",
    "UnknownTechniqueError",
    "InvalidSpanError",
    "LabelFileError",
    "ModelLoadError",
    "InputFileError",
    "FetchError",
    "FetchRefusedError",
    "NotFittedError",
    "BatchError",
    "MissingExtraError",
    "CompareError",
    "StoreError",
    "RecordVersionError",
]


class _CodedMessages(type):
    def __getattribute__(cls, name: str) -> str:
        value = super().__getattribute__(name)
        if name.startswith(("P", "W")) and name[1:].isdigit():
            return f"[{name}] {value}"
        return value


class Errors(metaclass=_CodedMessages):
    P001 = "The text is empty or holds only whitespace; there is nothing to analyze. Pass some article text."
    P002 = "Unknown technique {value!r}. Valid technique ids are: {options}."
    P003 = (
        "Span offsets ({start}, {end}) are invalid for a text of length {length}: need 0 <= start < end <= "
        "length."
    )
    P004 = "The input is not valid text: {reason}. Pass UTF-8 (or UTF-16 with a byte-order mark) text."
    P005 = (
        "The text has {length:,} characters, more than the limit of {limit:,}. Split it or raise the limit "
        "({knob})."
    )
    P006 = "Cannot read label file {path}, line {line}: {reason}. Expected TAB-separated rows: {expected}."
    P007 = (
        "Label file {path}, line {line}: span ({start}, {end}) is outside article {article} of length "
        "{length}."
    )
    P008 = "Label file {path}, line {line}: no article file {article}.txt in {folder}."
    P009 = "Cannot load the model from {path}: {reason}."
    P010 = (
        "The base encoder at {path} failed its integrity check: sha256 of model.safetensors is {got}, "
        "expected {expected}."
    )
    P011 = "Cannot read input file {path}: {reason}."
    P012 = "No article files (article*.txt or *.txt) found in {path}."
    P013 = "{what} is not fitted yet. Call fit() first or load a trained model."
    P014 = "Refused to fetch {url}: {reason}."
    P015 = "Fetching {url} failed: {reason}."
    P016 = "{path} is not a PTC-format data folder: {reason}."
    P017 = (
        "Unsupported batch input {path}: {reason}. Pass a folder of .txt/.html files, or a .jsonl, .csv or "
        ".parquet file."
    )
    P018 = (
        "Batch input {path} has no text column: need 'text' or 'html', found {found}. Rename the column "
        "holding the article body."
    )
    P019 = "Row {where}: {reason}."
    P020 = (
        "Duplicate id {id!r} (first seen at {first}); ids must be unique within a batch, so this row was "
        "skipped."
    )
    P021 = (
        "{path} holds results of another run ({what}: {got!r}, this run: {expected!r}). Use another --out, "
        "or delete {parts} to start over."
    )
    P022 = "{what} needs the '{extra}' extra: pip install 'proplens[{extra}]' (missing module {module!r})."
    P023 = "No batch results at {path}: {reason}. Run `proplens batch INPUT --out {path}` first."
    P024 = "Cannot start or join the Ray cluster ({address}): {reason}."
    P025 = "Comparing needs at least two versions of a story; got {n}. Pass two or more files or URLs."
    P026 = "Cannot read version {what}: {reason}."
    P027 = (
        "The versions hold {n:,} sentences together, more than the comparison limit of {limit:,}. Compare "
        "fewer or shorter versions."
    )
    P028 = "Cannot open the analysis store {url}: {reason}. Use sqlite:///path/to/file.db or postgresql://user:password@host/dbname."
    P029 = "No article text could be extracted from the HTML of {what}. Pass the article's text instead."
    P030 = (
        "The analysis record has schema_version {found!r}; this proplens reads versions {supported}. Read it "
        "with the proplens version that wrote it, or upgrade proplens."
    )


class Warnings(metaclass=_CodedMessages):
    W001 = (
        "The text looks like binary data ({ratio:.0%} control characters); the analysis may be meaningless."
    )
    W002 = "Span ({start}, {end}) does not align with the text and was dropped."
    W003 = (
        "HTML of {what} was converted with the simple built-in extractor because trafilatura is not "
        "installed; "
        "menus and other page text may remain. pip install 'proplens[server]' for article extraction."
    )


_CODE = re.compile(r"\[([PW]\d{3})\]")


class ProplensError(Exception):
    """Base class of every error proplens raises on purpose.

    Attributes
    ----------
    http_status : int
        The HTTP status a server answers with (class attribute; 4xx for bad input, 5xx for server faults).
    api_code : str
        The machine-readable error code of the REST API (class attribute).
    code : str or None
        The message's code, e.g. ``"P001"`` (None for a message without one).

    Examples
    --------
    >>> err = InvalidTextError(Errors.P001)
    >>> err.code, err.http_status, err.api_code
    ('P001', 422, 'invalid_text')
    """

    http_status: int = 422
    api_code: str = "invalid_input"

    @property
    def code(self) -> str | None:
        m = _CODE.match(str(self))
        return m.group(1) if m else None


class InvalidTextError(ProplensError, ValueError):
    """The input text cannot be analyzed (empty, undecodable, too long)."""

    api_code = "invalid_text"


class TextTooLongError(InvalidTextError):
    """A text longer than the limit in force ([P005])."""

    http_status = 413
    api_code = "text_too_long"


class NoArticleTextError(InvalidTextError):
    """HTML from which no article text could be extracted ([P029])."""

    api_code = "no_article_text"


class UnknownTechniqueError(ProplensError, KeyError):
    """A technique id that is not in the inventory."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidSpanError(ProplensError, ValueError):
    """Span offsets that do not fit the text."""


class LabelFileError(ProplensError, ValueError):
    """A malformed or inconsistent PTC label file."""


class ModelLoadError(ProplensError, OSError):
    """A model directory that is missing, incomplete or corrupt (a server fault: 503)."""

    http_status = 503
    api_code = "model_unavailable"


class InputFileError(ProplensError, OSError):
    """An input file or folder that cannot be read."""


class FetchError(ProplensError, ValueError):
    """A URL that could not be fetched ([P015]: the other server failed, 502)."""

    http_status = 502
    api_code = "fetch_failed"


class FetchRefusedError(FetchError):
    """A URL refused before any connection ([P014]: not http(s), credentials, a private address)."""

    http_status = 422
    api_code = "url_refused"


class NotFittedError(ProplensError, ValueError, AttributeError):
    """A model used before it was fitted or loaded (a server fault: 500)."""

    http_status = 500
    api_code = "model_not_fitted"


class BatchError(ProplensError, RuntimeError):
    """A batch run that cannot start or resume (foreign output folder, unreachable cluster, no results)."""


class MissingExtraError(ProplensError, ImportError):
    """An optional dependency (a pip extra) that is not installed (on a server: 501)."""

    http_status = 501
    api_code = "missing_extra"


class CompareError(ProplensError, ValueError):
    """Versions that cannot be compared (fewer than two, or unreadable)."""


class StoreError(ProplensError, RuntimeError):
    """An analysis store that cannot be opened or migrated (a server fault: 503)."""

    http_status = 503
    api_code = "store_unavailable"


class RecordVersionError(ProplensError, ValueError):
    """An analysis record (JSON) written with a schema version this proplens cannot read ([P030])."""

    api_code = "unsupported_record_version"
