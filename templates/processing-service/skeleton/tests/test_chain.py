"""POST /predict calls the model service at MODEL_SERVICE_URL{% if values.kind == 'pre' %}, then the
post-processing service at POSTPROCESSING_URL{% endif %}.

The services it calls stand in here as small HTTP servers on 127.0.0.1 that record what
they were sent.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from app import chain
from app.main import app


def serve(answer, headers):
    """An HTTP server answering every POST with ANSWER; returns (url, requests seen, server)."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            body = json.dumps(answer).encode()
            self.send_response(200)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", seen, server


@pytest.fixture
def model(monkeypatch):
    url, seen, server = serve(
        {"model": "fraud", "version": "6", "predictions": {"probabilities": [[0.1, 0.9]]}},
        {"X-Model-Name": "fraud", "X-Model-Version": "6"},
    )
    monkeypatch.setattr(chain, "MODEL_SERVICE_URL", url)
    yield seen
    server.shutdown()

{% if values.kind == 'pre' %}
RECORD = {"amount": 126.1, "hour": 18.4, "merchant_risk": 0.79, "distance_km": 0.0}


def test_sends_the_features_to_the_model_and_its_scores_to_the_post_processor(model, monkeypatch):
    post_url, post_seen, server = serve(
        {"decisions": [{"score": 0.9, "decision": "decline", "reasons": ["high"]}]}, {"X-Served-By": "decider"}
    )
    monkeypatch.setattr(chain, "POSTPROCESSING_URL", post_url)
    try:
        res = TestClient(app).post("/predict", json={"records": [RECORD]})
    finally:
        server.shutdown()
    assert res.status_code == 200
    assert model == [("/predict", {"inputs": [[1.0, 1.0, 1.0, -1.0]]})]
    assert post_seen == [("/transform", {"scores": [0.9]})]
    assert res.headers["X-Model-Version"] == "6"
    assert res.json()["decisions"][0]["decision"] == "decline"
    assert res.json()["chain"] == [chain.SERVICE_NAME, "fraud v6", "decider"]


def test_answers_the_model_alone_without_a_post_processor(model, monkeypatch):
    monkeypatch.setattr(chain, "POSTPROCESSING_URL", "")
    res = TestClient(app).post("/predict", json={"records": [RECORD]})
    assert res.status_code == 200
    assert res.json()["decisions"] is None
    assert res.json()["predictions"] == {"probabilities": [[0.1, 0.9]]}
{% else %}

def test_sends_the_rows_to_the_model_and_decides_on_its_scores(model):
    res = TestClient(app).post("/predict", json={"inputs": [[1.0, 2.0]]})
    assert res.status_code == 200
    assert model == [("/predict", {"inputs": [[1.0, 2.0]]})]
    assert res.headers["X-Model-Version"] == "6"
    assert res.json()["decisions"] == [{"score": 0.9, "decision": "decline", "reasons": ["score 0.9 is at or above 0.8"]}]
    assert res.json()["chain"] == ["fraud v6", chain.SERVICE_NAME]
{% endif %}

def test_says_which_hop_failed_when_the_model_service_does_not_answer(monkeypatch):
    monkeypatch.setattr(chain, "MODEL_SERVICE_URL", "http://127.0.0.1:9")
{%- if values.kind == 'pre' %}
    body = {"records": [RECORD]}
{%- else %}
    body = {"inputs": [[1.0]]}
{%- endif %}
    res = TestClient(app).post("/predict", json=body)
    assert res.status_code == 502
    assert "http://127.0.0.1:9/predict did not answer" in res.json()["detail"]
