"""Loads the model baked into the image without ever unpickling it.

The model directory is an MLflow model (its `MLmodel` file names the flavors).
Three formats load from data alone: ONNX (onnxruntime), scikit-learn stored
with skops (only types on an allow-list are trusted) and safetensors. Anything
that would unpickle on load (sklearn pickle/cloudpickle, a pickled pyfunc
python_model, a pickle module) is refused: pickle runs arbitrary code, so a
model file must never be able to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import yaml

# skops types a model may declare as trusted: estimators and the arrays they
# are made of. A type outside these modules (builtins.eval, os.system, ...)
# is refused even if the model's MLmodel file declares it trusted.
ALLOWED_SKOPS_MODULES = ("sklearn.", "numpy.", "scipy.")


class UnsafeModelError(Exception):
    """The model cannot be loaded without unpickling, or trusts too much."""


@dataclass(frozen=True)
class ModelSpec:
    """What the MLmodel file says about how to load the model."""

    format: str  # onnx | skops | safetensors
    data: Path
    trusted_types: tuple[str, ...] = ()
    input_names: tuple[str, ...] = ()


@dataclass
class LoadedModel:
    spec: ModelSpec
    predict: Callable[[np.ndarray], Any]


def read_mlmodel(model_dir: Path) -> dict:
    path = model_dir / "MLmodel"
    if not path.is_file():
        raise UnsafeModelError(f"{path} is missing: is {model_dir} an MLflow model?")
    return yaml.safe_load(path.read_text())


def _input_names(mlmodel: dict) -> tuple[str, ...]:
    inputs = (mlmodel.get("signature") or {}).get("inputs")
    if not inputs:
        return ()
    columns = json.loads(inputs)
    return tuple(c["name"] for c in columns if c.get("name") and c.get("type") != "tensor")


def describe(model_dir: Path, mlmodel: dict | None = None) -> ModelSpec:
    """Decides how the model loads, or raises UnsafeModelError saying why it cannot."""
    mlmodel = mlmodel if mlmodel is not None else read_mlmodel(model_dir)
    flavors = mlmodel.get("flavors") or {}
    names = _input_names(mlmodel)
    pyfunc = flavors.get("python_function") or {}

    if "python_model" in pyfunc or "pickle_module_name" in pyfunc:
        raise UnsafeModelError(
            "the python_function flavor is a pickled Python object: loading it unpickles, refused"
        )
    if "onnx" in flavors:
        return ModelSpec("onnx", model_dir / flavors["onnx"]["data"], input_names=names)
    if "sklearn" in flavors:
        sk = flavors["sklearn"]
        fmt = sk.get("serialization_format", "pickle")
        if fmt != "skops":
            raise UnsafeModelError(
                f"the sklearn flavor is stored with {fmt}, which unpickles on load: "
                "log the model with serialization_format='skops' or as ONNX"
            )
        trusted = tuple(sk.get("skops_trusted_types") or ())
        outside = [t for t in trusted if not t.startswith(ALLOWED_SKOPS_MODULES)]
        if outside:
            raise UnsafeModelError(
                f"the model trusts types outside {', '.join(ALLOWED_SKOPS_MODULES)}: {', '.join(outside)}"
            )
        return ModelSpec("skops", model_dir / sk["pickled_model"], trusted, names)
    data = str(pyfunc.get("data") or pyfunc.get("model_path") or "")
    if data.endswith(".safetensors"):
        return ModelSpec("safetensors", model_dir / data, input_names=names)
    raise UnsafeModelError(
        f"no loader that avoids unpickling for flavors {sorted(flavors)}: "
        "serve ONNX, skops or safetensors models"
    )


def _load_onnx(spec: ModelSpec):
    import onnxruntime as ort

    session = ort.InferenceSession(str(spec.data), providers=["CPUExecutionProvider"])
    (model_input,) = session.get_inputs()
    output_names = [o.name for o in session.get_outputs()]
    dtype = np.float64 if "double" in model_input.type else np.float32

    def predict(rows: np.ndarray):
        outputs = session.run(output_names, {model_input.name: rows.astype(dtype)})
        return dict(zip(output_names, outputs))

    return predict


def _load_skops(spec: ModelSpec):
    import skops.io

    # What skops would not load by default, trusted only if on the allow-list:
    # the file, not just its MLmodel, decides what gets constructed.
    untrusted = skops.io.get_untrusted_types(file=spec.data)
    refused = [t for t in untrusted if not t.startswith(ALLOWED_SKOPS_MODULES)]
    if refused:
        raise UnsafeModelError(f"the skops file holds types outside the allow-list: {', '.join(refused)}")
    estimator = skops.io.load(spec.data, trusted=untrusted)

    def predict(rows: np.ndarray):
        return estimator.predict(rows.astype(np.float64))

    return predict


def _load_safetensors(spec: ModelSpec):
    from safetensors.numpy import load_file

    # A linear layer: weight [outputs, inputs], bias [outputs].
    tensors = load_file(str(spec.data))
    weight, bias = tensors["weight"], tensors.get("bias")

    def predict(rows: np.ndarray):
        out = rows.astype(weight.dtype) @ weight.T
        return out + bias if bias is not None else out

    return predict


LOADERS = {"onnx": _load_onnx, "skops": _load_skops, "safetensors": _load_safetensors}


def load(model_dir: Path) -> LoadedModel:
    spec = describe(model_dir)
    return LoadedModel(spec, LOADERS[spec.format](spec))
