"""The loader serves data-only formats and refuses anything that unpickles."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient
from safetensors.numpy import save_file

from app import main
from app.loader import UnsafeModelError, describe


def write_mlmodel(model_dir: Path, flavors: dict) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "MLmodel").write_text(yaml.safe_dump({"flavors": flavors}))
    return model_dir


@pytest.mark.parametrize("fmt", ["pickle", "cloudpickle"])
def test_refuses_pickled_sklearn(tmp_path, fmt):
    model_dir = write_mlmodel(tmp_path, {"sklearn": {"pickled_model": "model.pkl", "serialization_format": fmt}})
    with pytest.raises(UnsafeModelError, match=f"stored with {fmt}"):
        describe(model_dir)


def test_refuses_a_pickled_pyfunc(tmp_path):
    model_dir = write_mlmodel(tmp_path, {"python_function": {"python_model": "python_model.pkl"}})
    with pytest.raises(UnsafeModelError, match="pickled Python object"):
        describe(model_dir)


def test_refuses_skops_models_that_trust_arbitrary_types(tmp_path):
    model_dir = write_mlmodel(
        tmp_path,
        {"sklearn": {"pickled_model": "model.skops", "serialization_format": "skops",
                     "skops_trusted_types": ["builtins.eval"]}},
    )
    with pytest.raises(UnsafeModelError, match="builtins.eval"):
        describe(model_dir)


def test_serves_a_safetensors_linear_model(tmp_path, monkeypatch):
    model_dir = write_mlmodel(tmp_path, {"python_function": {"data": "model.safetensors"}})
    save_file(
        {"weight": np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32),
         "bias": np.array([0.5, 0.0], dtype=np.float32)},
        str(model_dir / "model.safetensors"),
    )
    monkeypatch.setattr(main, "MODEL_DIR", model_dir)
    with TestClient(main.app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["format"] == "safetensors"
        res = client.post("/predict", json={"inputs": [[1, 1], [2, 0]]})
        assert res.status_code == 200
        assert res.json()["predictions"] == [[3.5, -0.5], [2.5, 1.0]]
        assert client.post("/predict", json={"inputs": [[1, 1], [2]]}).status_code == 422
