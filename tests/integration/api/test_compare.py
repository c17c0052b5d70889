"""``/api/v1/analyses/{id}/related`` and ``/api/v1/compare`` (needs the shipped sentence encoder)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

V1 = (
    "The city council approved the reckless riverside plan on Tuesday. Mayor Ann Lee said 40 jobs would be "
    "created. "
    "Critics called the plan disastrous for the old market."
)
V2 = (
    "The city council approved the riverside plan on Tuesday after a long debate. Mayor Ann Lee said 45 "
    "jobs would be created. "
    "These traitors sold the old market, everyone knows."
)
OTHER = (
    "The football team won the cup final with a late goal from its captain. Fans celebrated in the streets "
    "until dawn."
)


def test_related_finds_the_same_story_first(client):
    a = client.post("/api/v1/analyses", json={"text": V1, "source": "a.example"}).json()
    b = client.post("/api/v1/analyses", json={"text": V2, "source": "b.example"}).json()
    client.post("/api/v1/analyses", json={"text": OTHER, "source": "c.example"})
    client.post(
        "/api/v1/analyses", json={"text": V1, "source": "a-again.example"}
    )  # same text: not a candidate
    r = client.get(f"/api/v1/analyses/{a['id']}/related", params={"min_similarity": -1})
    assert r.status_code == 200
    got = [(x["source"], x["similarity"]) for x in r.json()]
    assert [s for s, _ in got] == ["b.example", "c.example"] and got[0][1] > got[1][1] + 0.3
    assert [
        x["id"]
        for x in client.get(f"/api/v1/analyses/{a['id']}/related", params={"min_similarity": 0.5}).json()
    ] == [b["id"]]
    assert client.get("/api/v1/analyses/missing/related").status_code == 404


def test_compare_stored_and_pasted_versions(client):
    a = client.post("/api/v1/analyses", json={"text": V1, "source": "a.example"}).json()
    b = client.post("/api/v1/analyses", json={"text": V2, "source": "b.example"}).json()
    r = client.post(
        "/api/v1/compare",
        json={
            "versions": [
                {"analysis_id": a["id"]},
                {"analysis_id": b["id"]},
                {"text": OTHER, "label": "sport"},
            ]
        },
    )
    assert r.status_code == 200, r.text
    c = r.json()
    assert [v["id"] for v in c["versions"]] == ["a.example", "b.example", "sport"]
    assert c["texts"]["a.example"] == V1 and c["meta"][0]["analysis_id"] == a["id"]
    changed = c["differences"]["b.example"]["changed_numbers"]
    assert any(x["from"] == "40" and x["to"] == "45" for x in changed)
    for row in c["alignment"]:
        for vid, span in row["spans"].items():
            if span:
                assert 0 <= span[0] < span[1] <= len(c["texts"][vid])


@pytest.mark.parametrize(
    "body,status,needle",
    [
        ({"versions": [{"text": V1}]}, 422, "at least 2"),
        ({"versions": [{"text": V1}, {"text": V2, "url": "https://x.example"}]}, 422, "exactly one of"),
        ({"versions": [{"analysis_id": "nope"}, {"text": V2}]}, 404, "no analysis with id 'nope'"),
        ({"versions": [{"text": V1}, {"url": "http://10.0.0.1/"}]}, 422, "private address"),
    ],
)
def test_compare_bad_input(client, body, status, needle):
    r = client.post("/api/v1/compare", json=body)
    assert r.status_code == status and needle in r.json()["error"]["message"]
