"""Every answer names its version; /metrics counts requests, errors and latency per version."""

from pathlib import Path

import numpy as np
import yaml
from fastapi.testclient import TestClient
from safetensors.numpy import save_file

from app import main


def serve_linear_model(tmp_path: Path, monkeypatch) -> TestClient:
    mlmodel = {
        "flavors": {"python_function": {"data": "model.safetensors"}},
        "metadata": {"safetensors_layers": [{"linear": "0"}]},
    }
    (tmp_path / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    save_file({"0.weight": np.array([[1.0, 2.0]], dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    monkeypatch.setattr(main, "MODEL_DIR", tmp_path)
    # A model that fails answers 500 here, as it would to a client.
    return TestClient(main.app, raise_server_exceptions=False)


def test_answers_name_the_model_version(tmp_path, monkeypatch):
    with serve_linear_model(tmp_path, monkeypatch) as client:
        res = client.post("/predict", json={"inputs": [[1, 1]]})
        assert res.status_code == 200
        assert res.headers["X-Model-Version"] == main.MODEL_VERSION
        assert res.headers["X-Model-Name"] == main.MODEL_NAME


def value(metrics_text: str, series: str) -> float:
    """The value of one series in a /metrics answer (0 when it is not there yet)."""
    for line in metrics_text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_errors_and_latency_per_route(tmp_path, monkeypatch):
    labels = f'model="{main.MODEL_NAME}",version="{main.MODEL_VERSION}",route="/predict"'
    series = {
        "ok": f'model_service_requests_total{{{labels},code="200"}}',
        "invalid": f'model_service_requests_total{{{labels},code="422"}}',
        "failed": f'model_service_requests_total{{{labels},code="500"}}',
        "errors": f"model_service_request_errors_total{{{labels}}}",
        "all": f'model_service_request_duration_seconds_bucket{{{labels},le="+Inf"}}',
        "count": f"model_service_request_duration_seconds_count{{{labels}}}",
    }
    with serve_linear_model(tmp_path, monkeypatch) as client:
        before = client.get("/metrics").text
        for _ in range(3):
            client.post("/predict", json={"inputs": [[1, 1]]})
        client.post("/predict", json={"inputs": [[1, 1], [2]]})
        # Three features for a model of two: the model itself fails.
        assert client.post("/predict", json={"inputs": [[1, 1, 1]]}).status_code == 500
        after = client.get("/metrics").text
    delta = {name: value(after, s) - value(before, s) for name, s in series.items()}
    assert delta == {"ok": 3, "invalid": 1, "failed": 1, "errors": 1, "all": 5, "count": 5}
