"""Loads the model baked into the image without ever unpickling it.

The model directory is an MLflow model (its `MLmodel` file names the flavors).
These formats load from data alone: ONNX (onnxruntime), scikit-learn stored
with skops (only types on an allow-list are trusted), XGBoost and LightGBM in
their native formats, and safetensors weights of a network the MLmodel
describes layer by layer. Anything that would unpickle on load (sklearn
pickle/cloudpickle, a pickled pyfunc python_model, a pickle module) or run the
author's code (a custom loader module, code paths) is refused: a model file
must never be able to run code.
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

    format: str  # onnx | skops | safetensors | xgboost | lightgbm
    data: Path
    trusted_types: tuple[str, ...] = ()
    input_names: tuple[str, ...] = ()
    # xgboost: the estimator class to load into; safetensors: the layers.
    model_class: str = ""
    layers: tuple[dict, ...] = ()


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
    loader = str(pyfunc.get("loader_module") or "")
    if loader and not loader.startswith("mlflow."):
        raise UnsafeModelError(f"the model loads with its own module {loader}, which runs its code: refused")
    if any(f.get("code") for f in flavors.values() if isinstance(f, dict)):
        raise UnsafeModelError("the model ships code paths that loading would import: refused")
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
    if "xgboost" in flavors:
        xg = flavors["xgboost"]
        if xg.get("model_format", "xgb") not in ("ubj", "json", "xgb"):
            raise UnsafeModelError(f"xgboost model_format {xg.get('model_format')} is not a native format")
        cls = str(xg.get("model_class") or "xgboost.core.Booster")
        if cls not in XGBOOST_CLASSES:
            raise UnsafeModelError(f"xgboost model_class {cls} is not one this service loads")
        return ModelSpec("xgboost", model_dir / xg["data"], input_names=names, model_class=cls)
    if "lightgbm" in flavors:
        lg = flavors["lightgbm"]
        cls = str(lg.get("model_class") or "")
        data = str(lg.get("data") or "")
        # MLflow pickles LightGBM's scikit-learn models; only a Booster is native.
        if cls != "lightgbm.basic.Booster" or data.endswith((".pkl", ".pickle")):
            raise UnsafeModelError(f"the lightgbm flavor stores {cls or 'its model'} as {data}, which unpickles on load")
        return ModelSpec("lightgbm", model_dir / data, input_names=names, model_class=cls)
    data = str(pyfunc.get("data") or pyfunc.get("model_path") or "")
    if data.endswith(".safetensors"):
        layers = (mlmodel.get("metadata") or {}).get("safetensors_layers")
        if not layers:
            raise UnsafeModelError(
                "the MLmodel does not describe the network of the safetensors weights: "
                "log it with metadata.safetensors_layers, e.g. "
                '[{"linear": "0"}, {"activation": "relu"}, {"linear": "2"}]'
            )
        return ModelSpec("safetensors", model_dir / data, input_names=names, layers=tuple(_layers(layers)))
    raise UnsafeModelError(
        f"no loader that avoids unpickling for flavors {sorted(flavors)}: "
        "serve ONNX, skops, XGBoost, LightGBM or safetensors models"
    )


XGBOOST_CLASSES = {
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
    "xgboost.sklearn.XGBRanker",
}
ACTIVATIONS = {"relu", "tanh", "sigmoid", "softmax", "identity"}


def _layers(layers) -> list[dict]:
    out = []
    for layer in layers:
        if not isinstance(layer, dict) or len(layer) != 1:
            raise UnsafeModelError(f"safetensors layer {layer!r}: one of linear or activation")
        (kind, value), = layer.items()
        if kind == "linear" and isinstance(value, str):
            out.append({"linear": value})
        elif kind == "activation" and value in ACTIVATIONS:
            out.append({"activation": value})
        else:
            raise UnsafeModelError(f"safetensors layer {layer!r}: a linear layer's tensor prefix, or an activation of {sorted(ACTIVATIONS)}")
    return out


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

    # The network the MLmodel describes: linear layers (`<prefix>.weight` of
    # shape [outputs, inputs] and `<prefix>.bias`) and activations, in order.
    tensors = load_file(str(spec.data))
    steps = []
    for layer in spec.layers:
        if "linear" in layer:
            prefix = layer["linear"]
            if f"{prefix}.weight" not in tensors:
                raise UnsafeModelError(f"the weights have no tensor {prefix}.weight")
            steps.append(("linear", tensors[f"{prefix}.weight"], tensors.get(f"{prefix}.bias")))
        else:
            steps.append(("activation", layer["activation"], None))

    def predict(rows: np.ndarray):
        out = rows.astype(np.float32)
        for kind, a, b in steps:
            if kind == "linear":
                out = out @ a.T + (b if b is not None else 0)
            elif a == "relu":
                out = np.maximum(out, 0)
            elif a == "tanh":
                out = np.tanh(out)
            elif a == "sigmoid":
                out = 1 / (1 + np.exp(-out))
            elif a == "softmax":
                e = np.exp(out - out.max(axis=1, keepdims=True))
                out = e / e.sum(axis=1, keepdims=True)
        return out

    return predict


def _load_xgboost(spec: ModelSpec):
    import xgboost

    # The native format, never an unpickle. MLflow saves the scikit-learn
    # wrappers' booster in the same format; a classifier's labels are worked
    # out from the booster's output as XGBClassifier.predict does.
    booster = xgboost.Booster()
    booster.load_model(str(spec.data))
    names = list(spec.input_names) or None
    classifier = spec.model_class == "xgboost.sklearn.XGBClassifier"

    def predict(rows: np.ndarray):
        out = booster.predict(xgboost.DMatrix(rows, feature_names=names))
        if not classifier:
            return out
        return out.argmax(axis=1) if out.ndim > 1 else (out > 0.5).astype(int)

    return predict


def _load_lightgbm(spec: ModelSpec):
    import lightgbm

    booster = lightgbm.Booster(model_file=str(spec.data))

    def predict(rows: np.ndarray):
        return booster.predict(rows)

    return predict


LOADERS = {
    "onnx": _load_onnx,
    "skops": _load_skops,
    "safetensors": _load_safetensors,
    "xgboost": _load_xgboost,
    "lightgbm": _load_lightgbm,
}


def load(model_dir: Path) -> LoadedModel:
    spec = describe(model_dir)
    return LoadedModel(spec, LOADERS[spec.format](spec))
