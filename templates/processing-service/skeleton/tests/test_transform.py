"""The worked example of the transform."""

from fastapi.testclient import TestClient

from app.main import app
from app.transform import TransformRequest, transform

client = TestClient(app)
{% if values.kind == 'pre' %}
RECORD = {"amount": 126.1, "hour": 18.4, "merchant_risk": 0.79, "distance_km": 0.0}


def test_normalises_each_feature_in_the_models_column_order():
    result = transform(TransformRequest(records=[RECORD]))
    assert result.columns == ["amount", "hour", "merchant_risk", "distance_km"]
    assert result.inputs == [[1.0, 1.0, 1.0, -1.0]]


def test_answers_rows_ready_for_the_model_service():
    res = client.post("/transform", json={"records": [RECORD, {**RECORD, "amount": 54.6}]})
    assert res.status_code == 200
    assert [row[0] for row in res.json()["inputs"]] == [1.0, 0.0]


def test_rejects_a_record_without_a_feature():
    res = client.post("/transform", json={"records": [{"amount": 1.0}]})
    assert res.status_code == 422
    assert "missing features: distance_km, hour, merchant_risk" in res.text
{% else %}

def test_decides_by_score_with_the_reason():
    result = transform(TransformRequest(scores=[0.1, 0.6, 0.95]))
    assert [d.decision for d in result.decisions] == ["approve", "review", "decline"]
    assert result.decisions[2].reasons == ["score 0.95 is at or above 0.8"]


def test_answers_decisions_over_http():
    res = client.post("/transform", json={"scores": [0.5]})
    assert res.status_code == 200
    assert res.json() == {
        "decisions": [{"score": 0.5, "decision": "review", "reasons": ["score 0.5 is between 0.5 and 0.8"]}]
    }


def test_rejects_a_score_outside_zero_to_one():
    assert client.post("/transform", json={"scores": [1.5]}).status_code == 422
    assert client.post("/transform", json={"scores": []}).status_code == 422
{% endif %}
