"""Builds the serialization corpus: model files of every format the platform meets, made with
the real libraries, benign ones and crafted malicious ones, each logged into the running MLflow
as version 1 of a registered model `corpus-<case>`; then scans every file with picklescan and
modelscan, the established scanners, and writes what they found next to what each case is.

    python build_corpus.py --out DIR        (the corpus venv; MLFLOW_TRACKING_* from the env)

Writes DIR/corpus.json: {cases: [{case, model, version, expected, why, files: {path:
{picklescan: [...dangerous globals], modelscan: [...issues]}}}], took_seconds}. Idempotent: a
registered model that already has version 1 is not logged again (its files are still scanned).
The malicious files never run: they are only written and scanned.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import types
import zipfile
from collections import OrderedDict
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import joblib
import mlflow
import numpy as np
from mlflow import MlflowClient
from mlflow.models import Model


class RunsCommand:
    """What an attacker pickles: loading it runs a shell command."""

    def __reduce__(self):
        return (os.system, ("echo owned > /tmp/corpus-owned",))


def data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    return x, y


def write_mlmodel(path: Path, flavors: dict, **fields):
    model = Model(**fields)
    for name, conf in flavors.items():
        model.add_flavor(name, **conf)
    model.save(str(path / "MLmodel"))


def torch_zip(path: Path, payload: bytes):
    """The layout torch.save writes: archive/data.pkl, archive/data/<key>, archive/version."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/data/0", np.arange(4, dtype=np.float32).tobytes())
        z.writestr("archive/version", "3\n")
        z.writestr("archive/byteorder", "little")


def state_dict_pickle() -> bytes:
    """A state dict as torch pickles it: an OrderedDict of tensors rebuilt from storages,
    written without torch (its wheels are gigabytes) under torch's own global names."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("never called")

    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"
    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    torch.FloatStorage, utils._rebuild_tensor_v2 = FloatStorage, _rebuild_tensor_v2

    class Storage:
        pass

    class Tensor:
        def __reduce__(self):
            return (_rebuild_tensor_v2, (Storage(), 0, (2, 2), (2, 1), False, OrderedDict()))

    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=2)
    pickler.persistent_id = lambda obj: ("storage", FloatStorage, "0", "cpu", 4) if isinstance(obj, Storage) else None
    # Only while pickling: other libraries look for a real torch in sys.modules.
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules.update({"torch": torch, "torch._utils": utils})
    try:
        pickler.dump(OrderedDict(weight=Tensor()))
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return buf.getvalue()


def keras_model(with_lambda: bool):
    import keras

    layers = [keras.Input(shape=(4,)), keras.layers.Dense(2, name="dense")]
    if with_lambda:
        layers.append(keras.layers.Lambda(lambda t: t * 2, name="doubler"))
    return keras.Sequential(layers)


def build_cases(work: Path):
    """Each case: (name, expected, why, builder(dir) -> MLmodel flavors written)."""
    x, y = data()
    cases = []

    def case(name, expected, why):
        def wrap(fn):
            cases.append((name, expected, why, fn))
            return fn
        return wrap

    @case("sklearn-pickle", "unsafe", "a real scikit-learn pickle: its classes' code runs on load")
    def _(d):
        from sklearn.linear_model import LogisticRegression
        mlflow.sklearn.save_model(LogisticRegression().fit(x, y), d, serialization_format="pickle")

    @case("sklearn-skops", "safe", "skops of scikit-learn types only")
    def _(d):
        from sklearn.linear_model import LogisticRegression
        mlflow.sklearn.save_model(LogisticRegression().fit(x, y), d, serialization_format="skops")

    @case("onnx", "safe", "ONNX protobuf")
    def _(d):
        from skl2onnx import to_onnx
        from sklearn.linear_model import LogisticRegression
        est = LogisticRegression().fit(x.astype(np.float32), y)
        mlflow.onnx.save_model(to_onnx(est, x[:1].astype(np.float32), options={id(est): {"zipmap": False}}), d)

    @case("xgboost-native", "safe", "XGBoost's own UBJSON format")
    def _(d):
        import xgboost
        booster = xgboost.train({"objective": "binary:logistic", "max_depth": 2}, xgboost.DMatrix(x, label=y), 5)
        mlflow.xgboost.save_model(booster, d, model_format="ubj")

    @case("lightgbm-native", "safe", "a LightGBM Booster in its own text format")
    def _(d):
        import lightgbm
        booster = lightgbm.train({"objective": "binary", "verbose": -1, "num_leaves": 4}, lightgbm.Dataset(x, y), 5)
        # What loading the Booster needs, as a team pins it; the inferred list
        # adds whatever the logging process had imported (pandas, rich).
        mlflow.lightgbm.save_model(booster, d, pip_requirements=[f"lightgbm=={lightgbm.__version__}"])

    @case("statsmodels", "unsafe", "statsmodels results are pickles of its classes")
    def _(d):
        import statsmodels.api as sm
        mlflow.statsmodels.save_model(sm.OLS(y, sm.add_constant(x)).fit(), d)

    @case("joblib-zlib-benign", "safe", "a zlib-compressed joblib of numpy arrays only")
    def _(d):
        d.mkdir()
        joblib.dump({"coef": np.arange(6.0), "bias": np.float64(0.5)}, d / "weights.joblib", compress=3)
        write_mlmodel(d, {"python_function": {"data": "weights.joblib"}})

    @case("safetensors-mlp", "safe", "safetensors weights only")
    def _(d):
        from safetensors.numpy import save_file
        d.mkdir()
        save_file({"0.weight": np.ones((3, 4), np.float32), "0.bias": np.zeros(3, np.float32),
                   "2.weight": np.ones((1, 3), np.float32), "2.bias": np.zeros(1, np.float32)},
                  str(d / "model.safetensors"))
        # The network the weights belong to, as the model service's loader reads it.
        write_mlmodel(d, {"python_function": {"data": "model.safetensors"}},
                      metadata={"safetensors_layers": [{"linear": "0"}, {"activation": "relu"}, {"linear": "2"}]},
                      signature=mlflow.models.infer_signature(x.astype(np.float32)))
        (d / "requirements.txt").write_text("safetensors==0.8.0\nnumpy==2.4.6\n")

    @case("torch-state-dict", "safe", "torch.save layout, a state dict of tensors only")
    def _(d):
        d.mkdir()
        torch_zip(d / "model.pt", state_dict_pickle())
        write_mlmodel(d, {"pytorch": {"model_data": "model.pt"}})

    @case("keras-dense", "safe", "a .keras of built-in layers")
    def _(d):
        d.mkdir()
        keras_model(False).save(d / "model.keras")
        write_mlmodel(d, {"keras": {"data": "model.keras"}})

    # ---- malicious
    @case("evil-reduce-pickle", "unsafe", "__reduce__ calling os.system, as the sklearn pickle")
    def _(d):
        d.mkdir()
        (d / "model.pkl").write_bytes(pickle.dumps(RunsCommand(), protocol=4))
        write_mlmodel(d, {"sklearn": {"pickled_model": "model.pkl", "serialization_format": "pickle"},
                          "python_function": {"loader_module": "mlflow.sklearn", "model_path": "model.pkl"}})

    @case("evil-named-onnx", "unsafe", "a pickle calling os.system in a file named model.onnx")
    def _(d):
        d.mkdir()
        (d / "model.onnx").write_bytes(pickle.dumps(RunsCommand(), protocol=4))
        write_mlmodel(d, {"onnx": {"data": "model.onnx"}, "python_function": {"loader_module": "mlflow.onnx", "data": "model.onnx"}})

    @case("evil-torch-zip", "unsafe", "os.system in data.pkl of a torch.save zip")
    def _(d):
        d.mkdir()
        torch_zip(d / "model.pt", pickle.dumps(RunsCommand(), protocol=2))
        write_mlmodel(d, {"pytorch": {"model_data": "model.pt"}})

    @case("evil-joblib-compressed", "unsafe", "os.system inside a zlib-compressed joblib")
    def _(d):
        d.mkdir()
        joblib.dump({"model": RunsCommand()}, d / "model.joblib", compress=3)
        write_mlmodel(d, {"python_function": {"data": "model.joblib"}})

    @case("evil-skops-eval", "unsafe", "a skops file holding builtins.eval, trusted in MLmodel")
    def _(d):
        import skops.io as sio
        d.mkdir()
        sio.dump({"estimator": None, "hook": eval}, d / "model.skops")
        write_mlmodel(d, {"sklearn": {"pickled_model": "model.skops", "serialization_format": "skops",
                                      "skops_trusted_types": ["builtins.eval"]}})

    @case("evil-keras-lambda", "unsafe", "a Keras Lambda layer in a .keras file")
    def _(d):
        d.mkdir()
        keras_model(True).save(d / "model.keras")
        write_mlmodel(d, {"keras": {"data": "model.keras"}})

    @case("evil-keras-lambda-h5", "unsafe", "a Keras Lambda layer in a legacy H5 file")
    def _(d):
        d.mkdir()
        keras_model(True).save(d / "model.h5")
        write_mlmodel(d, {"keras": {"data": "model.h5", "save_format": "h5"}})

    @case("evil-loader-module", "unsafe", "ONNX next to a custom loader module and code path")
    def _(d):
        mlflow.onnx.save_model(_onnx_of(x, y), d)
        (d / "code").mkdir()
        (d / "code" / "my_loader.py").write_text("import os\nos.system('echo owned')\n")
        write_mlmodel(d, {"onnx": {"data": "model.onnx"},
                          "python_function": {"loader_module": "my_loader", "code": "code", "data": "model.onnx"}})

    return cases


def _onnx_of(x, y):
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression
    est = LogisticRegression().fit(x.astype(np.float32), y)
    return to_onnx(est, x[:1].astype(np.float32), options={id(est): {"zipmap": False}})


def picklescan(path: Path) -> list[str]:
    from picklescan.scanner import scan_file_path
    result = scan_file_path(str(path))
    return sorted({f"{g.module}.{g.name}" for g in result.globals if g.safety.value == "dangerous"})


def modelscan(case_dir: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """modelscan's issues and errors per file of a case directory (one run per directory: it
    starts slowly)."""
    report_file = case_dir.parent / f"{case_dir.name}.modelscan.json"
    out = subprocess.run(
        [sys.executable, "-m", "modelscan.cli", "-p", str(case_dir), "-r", "json", "-o", str(report_file)],
        capture_output=True, text=True, cwd=case_dir.parent)
    try:
        report = json.loads(report_file.read_text())
    except (OSError, json.JSONDecodeError):
        raise SystemExit(f"modelscan failed on {case_dir}: {out.stdout[-500:]} {out.stderr[-500:]}")
    def rel(source) -> str:
        # "path" or "path:entry" for a file inside a zip, relative to the scanned directory.
        path = str(source or "?").split(":")[0]
        return os.path.relpath(path, case_dir) if os.path.isabs(path) else path

    found: dict[str, set[str]] = {}
    for issue in report.get("issues", []):
        found.setdefault(rel(issue.get("source")), set()).add(
            f"{issue.get('module')}.{issue.get('operator')} ({issue.get('severity')})")
    errors: dict[str, set[str]] = {}
    for error in report.get("errors", []):
        errors.setdefault(rel(error.get("source")), set()).add(str(error.get("description"))[:200])
    return ({k: sorted(v) for k, v in found.items()}, {k: sorted(v) for k, v in errors.items()})


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    started = time.time()
    client = MlflowClient()
    mlflow.set_experiment("serialization-corpus")
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for name, expected, why, build in build_cases(args.out):
        if args.only and name not in args.only:
            continue
        model_name = f"corpus-{name}"
        d = args.out / name
        if not (d / "MLmodel").exists():
            shutil.rmtree(d, ignore_errors=True)
            build(d)
        existing = client.search_model_versions(f"name='{model_name}'")
        if not existing:
            with mlflow.start_run(run_name=model_name) as run:
                mlflow.log_artifacts(str(d), artifact_path="model")
            mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", model_name)
            version = mv.version
        else:
            version = min(int(v.version) for v in existing)
        files = {}
        by_modelscan, modelscan_errors = modelscan(d)
        for f in sorted(p for p in d.rglob("*") if p.is_file()):
            rel = str(f.relative_to(d))
            files[rel] = {"picklescan": picklescan(f), "modelscan": by_modelscan.get(rel, []),
                          "modelscan_errors": modelscan_errors.get(rel, [])}
        results.append({"case": name, "model": model_name, "version": str(version),
                        "expected": expected, "why": why, "files": files})
        print(f"corpus: {name}: {expected}", flush=True)
    (args.out / "corpus.json").write_text(json.dumps(
        {"cases": results, "took_seconds": round(time.time() - started, 1)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
