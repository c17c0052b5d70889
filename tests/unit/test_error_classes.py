"""Coded errors carry their HTTP status and API code by class; the message code is parsed from the message."""

from __future__ import annotations

import pytest

import proplens.errors as errors_module
from proplens.errors import (
    Errors,
    FetchError,
    FetchRefusedError,
    InvalidTextError,
    ModelLoadError,
    ProplensError,
    StoreError,
    TextTooLongError,
)
from proplens.text import check_text

ERROR_CLASSES = [
    getattr(errors_module, n)
    for n in errors_module.__all__
    if isinstance(getattr(errors_module, n), type) and issubclass(getattr(errors_module, n), ProplensError)
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_has_a_status_and_code(cls):
    assert isinstance(cls.http_status, int) and 400 <= cls.http_status <= 599
    assert (
        isinstance(cls.api_code, str) and cls.api_code.replace("_", "").isalpha() and cls.api_code.islower()
    )


def test_server_faults_are_5xx_and_input_errors_4xx():
    assert ModelLoadError.http_status >= 500 and StoreError.http_status >= 500
    assert (ModelLoadError.api_code, StoreError.api_code) == ("model_unavailable", "store_unavailable")
    assert InvalidTextError.http_status == 422 and TextTooLongError.http_status == 413
    assert FetchError.http_status == 502 and FetchRefusedError.http_status == 422
    assert {c.__name__ for c in ERROR_CLASSES} >= {"CompareError", "TextTooLongError", "FetchRefusedError"}


def test_subclasses_stay_catchable_as_their_parents():
    assert issubclass(TextTooLongError, InvalidTextError) and issubclass(TextTooLongError, ValueError)
    assert issubclass(FetchRefusedError, FetchError)


def test_code_is_the_message_code():
    assert InvalidTextError(Errors.P001).code == "P001"
    assert ModelLoadError(Errors.P009.format(path="x", reason="y")).code == "P009"
    assert ProplensError("no code here").code is None


def test_too_long_text_raises_text_too_long():
    with pytest.raises(TextTooLongError) as info:
        check_text("x" * 200, max_chars=100)
    assert info.value.code == "P005" and info.value.http_status == 413
    with pytest.raises(InvalidTextError) as empty:
        check_text("   ")
    assert type(empty.value) is InvalidTextError and empty.value.http_status == 422


@pytest.mark.parametrize("url", ["ftp://example.org/a", "http://user:pw@example.org/", "http://127.0.0.1/"])
def test_refused_urls_raise_fetch_refused(url):
    from proplens.fetch import fetch_article

    with pytest.raises(FetchRefusedError) as info:
        fetch_article(url)
    assert info.value.code == "P014"
