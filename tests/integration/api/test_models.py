"""REST API: choosing the model (default / fast), listing the models, and min_score for possible passages."""

from __future__ import annotations

import json

import pytest
from apitest_helpers import SAMPLE, make_analyzer

# "claims" and "certainly" are not in the test lexicon: the detector reports them as possible passages only.
POSSIBLE = {"claims": ("Doubt", 0.45), "certainly": ("Exaggeration,Minimisation", 0.25)}
TEXT = (
    "The mayor claims the reckless plan will modernise the riverside 😀.\r\n"
    "It will certainly cost more than these traitors say."
)


def _two_models(make_client, **settings):
    """A client whose 'default' and 'fast' are different fakes (fast: another name, the same version
    string)."""
    default = make_analyzer(model_name="lexicon-default", model_version="1", min_score=0.0, possible=POSSIBLE)
    fast = make_analyzer(model_name="lexicon-fast", model_version="1", min_score=0.0, possible=POSSIBLE)
    client = make_client(default, analyzers={"fast": fast}, **settings)
    return client, default.detector, fast.detector


def test_model_choice_runs_the_chosen_model_and_caches_per_model(make_client):
    client, default, fast = _two_models(make_client)
    warm = default.calls  # the lifespan's warm-up runs the default model only
    assert fast.calls == 0
    r = client.post("/api/v1/analyses", json={"text": TEXT, "model": "fast"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["model"] == {"name": "lexicon-fast", "version": "1"} and a["cached"] is False
    assert (fast.calls, default.calls) == (1, warm)
    # the same text with the other model is not served from the fast model's cache, although the versions
    # match
    b = client.post("/api/v1/analyses", json={"text": TEXT}).json()
    assert b["model"]["name"] == "lexicon-default" and b["cached"] is False and default.calls == warm + 1
    c = client.post("/api/v1/analyses", json={"text": TEXT, "model": "fast"}).json()
    assert c["cached"] is True and c["model"]["name"] == "lexicon-fast" and fast.calls == 1
    # the stored analysis keeps its model
    assert client.get(f"/api/v1/analyses/{a['id']}").json()["model"]["name"] == "lexicon-fast"


def test_model_choice_in_upload(make_client):
    client, default, fast = _two_models(make_client)
    r = client.post(
        "/api/v1/analyses/upload",
        files={"file": ("a.txt", TEXT.encode(), "text/plain")},
        data={"model": "fast", "min_score": "0.4"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["model"]["name"] == "lexicon-fast" and fast.calls == 1
    assert [s["text"] for s in r.json()["possible_spans"]] == ["claims"]


@pytest.mark.parametrize("model", ["Fast", "mpnet", "", "../default", 3])
def test_unknown_model_is_422_naming_the_choices(client, model):
    r = client.post("/api/v1/analyses", json={"text": SAMPLE, "model": model})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and "model" in err["message"]
    assert "'default'" in err["message"] and "'fast'" in err["message"]


def test_unknown_model_in_upload_is_422(client):
    r = client.post(
        "/api/v1/analyses/upload",
        files={"file": ("a.txt", b"A reckless plan.", "text/plain")},
        data={"model": "huge"},
    )
    assert r.status_code == 422 and "'fast'" in r.json()["error"]["message"]


@pytest.mark.parametrize("min_score", [-0.1, 1.5, "high"])
def test_min_score_outside_0_1_is_422(client, min_score):
    r = client.post("/api/v1/analyses", json={"text": SAMPLE, "min_score": min_score})
    assert r.status_code == 422 and "min_score" in r.json()["error"]["message"]


def test_min_score_picks_the_possible_passages_shown_without_recomputing(make_client):
    client, default, _fast = _two_models(make_client)
    warm = default.calls
    claims, certainly = TEXT.index("claims"), TEXT.index("certainly")

    def possible(**body):
        r = client.post("/api/v1/analyses", json={"text": TEXT, **body})
        assert r.status_code == 201, r.text
        a = r.json()
        for s in a["possible_spans"]:  # offsets index the original text (emoji and CRLF before 'certainly')
            assert (s["start"], s["end"]) in {(claims, claims + 6), (certainly, certainly + 9)}
            assert TEXT[s["start"] : s["end"]] == s["text"]
        return a, [(s["text"], s["technique"], s["score"]) for s in a["possible_spans"]]

    a, low = possible(min_score=0.2)
    assert low == [("claims", "Doubt", 0.45), ("certainly", "Exaggeration,Minimisation", 0.25)]
    assert a["min_score"] == 0.2
    # possible passages are never counted as passages
    assert {s["text"] for s in a["spans"]} == {"reckless", "traitors"}
    assert sum(a["technique_counts"].values()) == 2 and a["technique_counts"]["Doubt"] == 0
    b, mid = possible(min_score=0.3)
    assert mid == [("claims", "Doubt", 0.45)] and b["cached"] is True
    c, off = possible(min_score=1)
    assert off == [] and c["min_score"] == 1
    d, default_score = possible()  # no min_score: the model's default (0.3 when its config names none)
    assert default_score == mid and d["min_score"] == 0.3
    assert default.calls == warm + 1  # one computation served all four
    # each stored analysis keeps the min_score it was made with
    assert [p for p in client.get(f"/api/v1/analyses/{a['id']}").json()["possible_spans"]] == a[
        "possible_spans"
    ]
    assert client.get(f"/api/v1/analyses/{c['id']}").json()["possible_spans"] == []
    exported = json.loads(client.get(f"/api/v1/analyses/{b['id']}/export?format=json").text)
    assert [s["text"] for s in exported["possible_spans"]] == ["claims"]


def test_cached_result_with_a_higher_floor_is_recomputed_for_a_lower_min_score(make_client):
    # an analyzer that keeps possible passages from 0.4 up only (a result stored by an older server)
    an = make_analyzer(min_score=0.4, possible=POSSIBLE)
    client = make_client(an)
    warm = an.detector.calls
    first = client.post("/api/v1/analyses", json={"text": TEXT, "min_score": 0.5}).json()
    assert first["possible_spans"] == [] and an.detector.calls == warm + 1
    again = client.post("/api/v1/analyses", json={"text": TEXT, "min_score": 0.4}).json()
    assert again["cached"] is True and [s["text"] for s in again["possible_spans"]] == ["claims"]
    assert an.detector.calls == warm + 1
    low = client.post("/api/v1/analyses", json={"text": TEXT, "min_score": 0.2}).json()
    assert low["cached"] is False and an.detector.calls == warm + 2  # 0.2 is below what the cache holds
    assert [s["text"] for s in low["possible_spans"]] == ["claims"]  # this analyzer still stops at 0.4


def test_jobs_compute_with_the_chosen_model(make_client):
    client, default, fast = _two_models(make_client)
    r = client.post(
        "/api/v1/analyses",
        json={"text": TEXT, "model": "fast", "min_score": 0.2},
        headers={"Prefer": "respond-async"},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    # the same text for the other model is another job, not this one
    other = client.post(
        "/api/v1/analyses", json={"text": TEXT, "min_score": 0.2}, headers={"Prefer": "respond-async"}
    )
    assert other.status_code in (201, 202) and other.json()["id"] != job["id"]
    for _ in range(200):
        job = client.get(job["location"]).json()
        if job["status"] == "done":
            break
        __import__("time").sleep(0.05)
    a = client.get(job["analysis_url"]).json()
    assert a["model"]["name"] == "lexicon-fast" and len(a["possible_spans"]) == 2 and fast.calls == 1


def test_models_lists_both_choices_from_their_config(make_client, tmp_path):
    folder = tmp_path / "fast-model"
    folder.mkdir()
    config = {
        "name": "proplens-test-fast",
        "version": "9.1.0",
        "base_encoder": "a/tiny-encoder",
        "metrics": {"cv": {"si_f1": 0.42}},
        "possible_min_score": 0.25,
        "techniques": [],
        "window_size": 8,
        "window_stride": 8,
        "decode": {},
    }
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    client = make_client(
        make_analyzer(model_name="lexicon-default", model_version="2"), fast_model_dir=str(folder)
    )
    models = {m["choice"]: m for m in client.get("/api/v1/models").json()}
    assert set(models) == {"default", "fast"}
    assert models["default"]["name"] == "lexicon-default" and models["default"]["version"] == "2"
    assert models["default"]["available"] is True and models["default"]["loaded"] is True
    fast = models["fast"]
    assert (fast["name"], fast["version"], fast["base_encoder"]) == (
        "proplens-test-fast",
        "9.1.0",
        "a/tiny-encoder",
    )
    assert fast["metrics"] == {"cv": {"si_f1": 0.42}} and fast["possible_min_score"] == 0.25
    assert fast["loaded"] is False
    # the folder has a config but no model files: listed as unavailable, and a request for it is a 503
    assert fast["available"] is False and "model.onnx" in fast["reason"]
    r = client.post("/api/v1/analyses", json={"text": SAMPLE, "model": "fast"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "model_unavailable"
    assert "'fast'" in r.json()["error"]["message"] and "[P009]" in r.json()["error"]["message"]


def test_models_without_a_config_is_unavailable(make_client, tmp_path):
    client = make_client(fast_model_dir=str(tmp_path / "nothing-here"))
    fast = {m["choice"]: m for m in client.get("/api/v1/models").json()}["fast"]
    assert fast["available"] is False and "config.json" in fast["reason"]


def test_shipped_fast_model_analyzes_with_exact_offsets(make_client):
    from proplens.model.runtime import resolve_model_dir

    if not (resolve_model_dir("fast") / "model.onnx").exists():
        pytest.skip("the fast model is not in src/proplens/models/fast yet")
    client = make_client(fast_model_dir=None, attribution=False)
    models = {m["choice"]: m for m in client.get("/api/v1/models").json()}
    assert models["fast"]["available"] is True
    text = "These disgraceful traitors and their notorious terror group will destroy everything 😀 we love."
    r = client.post("/api/v1/analyses", json={"text": text, "model": "fast", "min_score": 0.2})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["model"]["name"] == models["fast"]["name"] and a["model"]["version"] == models["fast"]["version"]
    for s in a["spans"] + a["possible_spans"]:
        assert 0 <= s["start"] < s["end"] <= len(text) and s["score"] >= 0
    assert all(s["score"] >= 0.2 for s in a["possible_spans"])
