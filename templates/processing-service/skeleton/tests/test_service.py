"""The service's endpoints, through FastAPI's TestClient."""

from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_health_and_readiness():
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_the_committed_openapi_definition_is_the_apps():
    # catalog-info.yaml's API entity reads openapi.yaml: it must say what the
    # app serves.
    committed = yaml.safe_load((Path(__file__).parent.parent / "openapi.yaml").read_text())
    assert committed["paths"] == app.openapi()["paths"]
    assert committed["components"] == app.openapi()["components"]
