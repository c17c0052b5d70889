"""The API answers a coded error with its class's HTTP status and code, never by reading the message."""

from __future__ import annotations

import pytest
from apitest_helpers import SAMPLE, make_analyzer

from proplens.errors import (
    Errors,
    InvalidTextError,
    LabelFileError,
    MissingExtraError,
    ModelLoadError,
    StoreError,
    TextTooLongError,
)

# An error whose message starts with another code: the answer must follow the class, not the prefix.
MISLEADING = "[P005] looks like a too-long text but is not one."
RAISED = {
    "model": ModelLoadError(Errors.P009.format(path="/srv/models/x", reason="missing model.onnx")),
    "store": StoreError(Errors.P028.format(url="sqlite:///x.db", reason="disk I/O error")),
    "too_long": TextTooLongError(Errors.P005.format(length=10, limit=5, knob="K")),
    "misleading_text": InvalidTextError(MISLEADING),
    "misleading_model": ModelLoadError(MISLEADING),
    "label": LabelFileError("[P006] bad row."),
    "extra": MissingExtraError(Errors.P022.format(what="X", extra="server", module="uvicorn")),
}
EXPECTED = {
    "model": (503, "model_unavailable"),
    "store": (503, "store_unavailable"),
    "too_long": (413, "text_too_long"),
    "misleading_text": (422, "invalid_text"),
    "misleading_model": (503, "model_unavailable"),
    "label": (422, "invalid_input"),
    "extra": (501, "missing_extra"),
}


@pytest.fixture
def boom_client(client):
    def boom(kind: str):
        raise RAISED[kind]

    client.app.add_api_route("/boom/{kind}", boom)
    return client


@pytest.mark.parametrize("kind", sorted(RAISED))
def test_errors_map_by_class(boom_client, kind):
    r = boom_client.get(f"/boom/{kind}")
    status, code = EXPECTED[kind]
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["message"] == str(RAISED[kind])
    assert ("request_id" in err) == (status >= 500)  # server faults get a request id to quote


class FailingDetector:
    """Raises a coded error from inside the analysis (so inside a job)."""

    def __init__(self, exc):
        self.exc = exc
        self.armed = False

    def __getattr__(self, name):
        return getattr(make_analyzer().detector, name)

    def predict(self, texts):
        if self.armed:
            raise self.exc
        return make_analyzer().detector.predict(texts)


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (
            ModelLoadError(Errors.P009.format(path="m", reason="corrupt span_head.npz")),
            503,
            "model_unavailable",
        ),
        (InvalidTextError(MISLEADING), 422, "invalid_text"),
    ],
)
def test_errors_inside_a_job_keep_their_status(make_client, exc, status, code):
    from proplens.analyzer import Analyzer

    det = FailingDetector(exc)
    client = make_client(Analyzer(detector=det, attribution=False, model_name="t", model_version="1"))
    det.armed = True
    r = client.post("/api/v1/analyses", json={"text": SAMPLE})
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"] == str(exc)
    job = client.post(
        "/api/v1/analyses", json={"text": SAMPLE + " 2"}, headers={"Prefer": "respond-async"}
    ).json()
    for _ in range(200):
        job = client.get(job["location"]).json()
        if job["status"] not in ("queued", "running"):
            break
        __import__("time").sleep(0.05)
    assert job["status"] == "failed" and job["error"]["code"] == code
