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


def test_refuses_a_custom_loader_module_or_code_paths_next_to_onnx(tmp_path):
    loader = write_mlmodel(tmp_path / "a", {"onnx": {"data": "model.onnx"},
                                            "python_function": {"loader_module": "my_loader", "data": "model.onnx"}})
    with pytest.raises(UnsafeModelError, match="its own module my_loader"):
        describe(loader)
    code = write_mlmodel(tmp_path / "b", {"onnx": {"data": "model.onnx"},
                                          "python_function": {"loader_module": "mlflow.onnx", "code": "code"}})
    with pytest.raises(UnsafeModelError, match="code paths"):
        describe(code)


def test_refuses_safetensors_weights_whose_network_the_mlmodel_does_not_describe(tmp_path):
    model_dir = write_mlmodel(tmp_path, {"python_function": {"data": "model.safetensors"}})
    with pytest.raises(UnsafeModelError, match="does not describe the network"):
        describe(model_dir)


def test_refuses_a_pickled_lightgbm_model(tmp_path):
    model_dir = write_mlmodel(tmp_path, {"lightgbm": {"data": "model.pkl", "model_class": "lightgbm.sklearn.LGBMClassifier"}})
    with pytest.raises(UnsafeModelError, match="unpickles on load"):
        describe(model_dir)


def test_serves_the_safetensors_network_the_mlmodel_describes(tmp_path, monkeypatch):
    model_dir = tmp_path
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "MLmodel").write_text(yaml.safe_dump({
        "flavors": {"python_function": {"data": "model.safetensors"}},
        "metadata": {"safetensors_layers": [{"linear": "0"}, {"activation": "relu"}, {"linear": "2"}]},
    }))
    save_file(
        {"0.weight": np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32),
         "0.bias": np.array([0.5, 0.0], dtype=np.float32),
         "2.weight": np.array([[1.0, 1.0]], dtype=np.float32),
         "2.bias": np.array([-1.0], dtype=np.float32)},
        str(model_dir / "model.safetensors"),
    )
    monkeypatch.setattr(main, "MODEL_DIR", model_dir)
    with TestClient(main.app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["format"] == "safetensors"
        res = client.post("/predict", json={"inputs": [[1, 1], [2, 0]]})
        assert res.status_code == 200
        # layer 0: [3.5, -0.5] -> relu [3.5, 0] -> layer 2: 2.5; [2.5, 1.0] -> 2.5
        assert res.json()["predictions"] == [[2.5], [2.5]]
        assert client.post("/predict", json={"inputs": [[1, 1], [2]]}).status_code == 422
