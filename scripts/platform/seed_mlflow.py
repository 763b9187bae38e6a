"""Seeds the running MLflow server with the registered models of demo-platform.json.

For every model version, in order, a real training run: a tiny model fitted on a few hundred
synthetic rows with the hyperparameters its ZenML run chose, the spec's metrics, the training
data as a run input, and the model logged in the serialization format the spec names, so its
`MLmodel` file is the one MLflow writes for that format. The logged model is then registered
as the next version of the registered model, and the spec's aliases are set at the end.

Lineage, as run tags:
- `zenml` (the ZenML version), run name = ZenML run name, experiment = pipeline name: what
  ZenML's MLflow experiment tracker writes (zenml/integrations/mlflow); plus our explicit
  `zenml.pipeline_run_id`, `zenml.pipeline_name`, `zenml.run_name`.
- `lakefs.repository`, `lakefs.commit`, `lakefs.path` when lakefs-seed.json exists.
Model version tags are the ones ZenML's MLflow model registry writes (zenml_pipeline_run_uuid,
zenml_pipeline_name, zenml_run_name, zenml_version, zenml_project, mlflow_run_id ...).

Idempotent: an existing model version is left alone; a run already created for a version
whose registration did not happen is reused rather than trained again.

Runs inside the MLflow virtualenv; mlflow.sh passes MLFLOW_TRACKING_URI/USERNAME/PASSWORD.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.data.dataset_source import DatasetSource
from mlflow.models import infer_signature

# The seed pickles models on purpose (the demo shows which formats unpickle on load).
warnings.filterwarnings("ignore", message=".*(pickle|cloudpickle).*")

ROWS = 400


def say(message: str) -> None:
    # mlflow.sh shows the lines starting with "seed:" as the summary of the run.
    print(f"seed: {message}", flush=True)


# ---------------------------------------------------------------- synthetic training data


def fraud_data(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    x = pd.DataFrame(
        {
            "amount": rng.lognormal(3.5, 1.0, ROWS).round(2),
            "hour": rng.integers(0, 24, ROWS),
            "merchant_risk": rng.uniform(0, 1, ROWS).round(3),
            "distance_km": rng.exponential(20, ROWS).round(1),
            "card_age_days": rng.integers(1, 3000, ROWS),
            "tx_last_24h": rng.poisson(3, ROWS),
        }
    )
    logit = (
        0.004 * x.amount + 2.5 * x.merchant_risk + 0.02 * x.distance_km
        - 0.001 * x.card_age_days + 0.3 * x.tx_last_24h - 3.0
    )
    return x, pd.Series((rng.uniform(0, 1, ROWS) < 1 / (1 + np.exp(-logit))).astype(int), name="is_fraud")


def ranker_data(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    x = pd.DataFrame(
        {
            "price": rng.lognormal(3, 0.8, ROWS).round(2),
            "popularity": rng.uniform(0, 1, ROWS).round(3),
            "user_affinity": rng.uniform(0, 1, ROWS).round(3),
            "days_since_launch": rng.integers(0, 365, ROWS),
            "discount_pct": rng.choice([0, 5, 10, 20, 30], ROWS),
        }
    )
    score = 2.0 * x.user_affinity + 1.5 * x.popularity + 0.03 * x.discount_pct - 0.002 * x.days_since_launch
    relevance = np.clip(np.round(score + rng.normal(0, 0.3, ROWS)), 0, 4).astype(int)
    return x, pd.Series(relevance, name="relevance")


def churn_data(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    x = pd.DataFrame(
        {
            "tenure_months": rng.integers(1, 72, ROWS),
            "monthly_charges": rng.uniform(10, 120, ROWS).round(2),
            "support_tickets_90d": rng.poisson(1.2, ROWS),
            "logins_30d": rng.poisson(12, ROWS),
            "premium_plan": rng.integers(0, 2, ROWS),
        }
    )
    logit = -0.05 * x.tenure_months + 0.02 * x.monthly_charges + 0.5 * x.support_tickets_90d - 0.1 * x.logins_30d
    return x, pd.Series((rng.uniform(0, 1, ROWS) < 1 / (1 + np.exp(-logit))).astype(int), name="churned")


def ticket_data(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    x = pd.DataFrame(
        {
            "body_length": rng.integers(20, 2000, ROWS),
            "links": rng.poisson(0.5, ROWS),
            "sentiment": rng.uniform(-1, 1, ROWS).round(3),
            "has_attachment": rng.integers(0, 2, ROWS),
            "customer_tier": rng.integers(0, 3, ROWS),
        }
    )
    # 0 billing, 1 technical, 2 account, 3 fraud
    queue = np.select(
        [x.links > 1, x.has_attachment.astype(bool) & (x.body_length > 800), x.sentiment < -0.5],
        [3, 1, 0],
        default=2,
    )
    return x, pd.Series(queue, name="queue")


DATA: dict[str, Callable[[np.random.Generator], tuple[pd.DataFrame, pd.Series]]] = {
    "fraud-detector": fraud_data,
    "product-ranker": ranker_data,
    "churn-predictor": churn_data,
    "ticket-router": ticket_data,
}


class LakeFSDatasetSource(DatasetSource):
    """Where a run's training data lives: a path at one lakeFS commit.

    MLflow has no lakeFS source type; this records the commit in the run's dataset input
    (`source_type: lakefs`) so the MLflow UI shows it next to the data's digest and schema.
    """

    def __init__(self, repository: str, ref: str, path: str):
        self.repository, self.ref, self.path = repository, ref, path

    @staticmethod
    def _get_source_type() -> str:
        return "lakefs"

    def load(self, **kwargs):
        raise NotImplementedError("read it through lakeFS at the recorded commit")

    @staticmethod
    def _can_resolve(raw_source) -> bool:
        return False

    @classmethod
    def _resolve(cls, raw_source):
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"uri": f"lakefs://{self.repository}/{self.ref}/{self.path}",
                "repository": self.repository, "ref": self.ref, "path": self.path}

    @classmethod
    def from_dict(cls, d):
        return cls(d["repository"], d["ref"], d["path"])


# ---------------------------------------------------------------- models, one per format


def fit_estimator(model_name: str, fmt: str, hp: dict[str, Any], x: pd.DataFrame, y: pd.Series):
    if fmt in ("xgboost", "pyfunc-pickle"):
        import xgboost

        est = xgboost.XGBClassifier(
            n_estimators=hp["n_estimators"], max_depth=hp["max_depth"], learning_rate=hp["learning_rate"],
            n_jobs=1, random_state=0,
        )
    elif model_name == "product-ranker":
        from sklearn.ensemble import GradientBoostingRegressor

        est = GradientBoostingRegressor(random_state=0, **hp)
    else:
        from sklearn.ensemble import GradientBoostingClassifier

        est = GradientBoostingClassifier(random_state=0, **hp)
    return est.fit(x, y)


class ChurnRiskModel(mlflow.pyfunc.PythonModel):
    """Churn probability plus a retention-campaign flag over a threshold.

    Logged as a python_function model whose python_model is this object, cloudpickled:
    loading it unpickles arbitrary code, which is what the `pyfunc-pickle` format stands for.
    """

    def __init__(self, classifier, threshold: float):
        self.classifier = classifier
        self.threshold = threshold

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        p = self.classifier.predict_proba(model_input)[:, 1]
        return pd.DataFrame({"churn_probability": p, "retention_offer": p >= self.threshold})


def pins(*packages: str) -> list[str]:
    """Exact requirements of a logged model, from what is installed here.

    Given explicitly because MLflow would otherwise infer them by loading each model in a
    fresh interpreter, which costs several seconds per version on a busy 2-core machine.
    """
    return [f"{p}=={importlib.metadata.version(p)}" for p in ("mlflow", *packages)]


def log_model(fmt: str, est, x: pd.DataFrame) -> mlflow.models.model.ModelInfo:
    """Logs EST in the active run as FMT; returns what MLflow logged."""
    if fmt in ("sklearn-pickle", "sklearn-cloudpickle", "skops"):
        serialization = {"sklearn-pickle": "pickle", "sklearn-cloudpickle": "cloudpickle", "skops": "skops"}[fmt]
        extra = {"sklearn-pickle": (), "sklearn-cloudpickle": ("cloudpickle",), "skops": ("skops",)}[fmt]
        return mlflow.sklearn.log_model(
            est, name="model", serialization_format=serialization,
            # skops refuses the tree arrays of boosted models unless trusted by name; MLflow
            # records the list in the MLmodel file for loading.
            skops_trusted_types=["sklearn.tree._tree.Tree"] if fmt == "skops" else None,
            signature=infer_signature(x, est.predict(x)),
            pip_requirements=pins("scikit-learn", *extra),
        )
    if fmt == "onnx":
        from skl2onnx import to_onnx

        features = x.to_numpy(dtype=np.float32)
        # zipmap off: probabilities as a plain tensor, as ONNX serving runtimes expect them.
        onnx_model = to_onnx(est, features[:1], options={id(est): {"zipmap": False}}, target_opset=17)
        return mlflow.onnx.log_model(
            onnx_model, name="model", signature=infer_signature(features),
            onnx_execution_providers=["CPUExecutionProvider"],
            pip_requirements=pins("onnx", "onnxruntime"),
        )
    if fmt == "xgboost":
        return mlflow.xgboost.log_model(
            est, name="model", model_format="ubj", signature=infer_signature(x, est.predict(x)),
            pip_requirements=pins("xgboost"),
        )
    if fmt == "pyfunc-pickle":
        wrapper = ChurnRiskModel(est, threshold=0.6)
        return mlflow.pyfunc.log_model(
            name="model", python_model=wrapper,
            signature=infer_signature(x, wrapper.predict(None, x)),
            pip_requirements=pins("cloudpickle", "xgboost", "pandas"),
        )
    raise SystemExit(f"unknown model format {fmt!r} in demo-platform.json")


# ---------------------------------------------------------------- seeding


def existing_versions(client: MlflowClient, name: str) -> dict[int, Any]:
    return {int(mv.version): mv for mv in client.search_model_versions(f"name='{name}'")}


def ensure_registered_model(client: MlflowClient, model: dict, pipeline: str) -> None:
    tags = {"owner": model["owner"], "service": model["service"], "zenml.pipeline_name": pipeline}
    try:
        rm = client.get_registered_model(model["name"])
    except MlflowException as e:
        if e.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        client.create_registered_model(model["name"], tags=tags, description=model["description"])
        say(f"{model['name']}: registered model created")
        return
    if rm.description != model["description"]:
        client.update_registered_model(model["name"], description=model["description"])
    for key, value in tags.items():
        if rm.tags.get(key) != value:
            client.set_registered_model_tag(model["name"], key, value)


def find_unregistered_run(client: MlflowClient, experiment_id: str, zenml_run_id: str):
    """A finished run of an earlier, interrupted seed for this version, and its logged model."""
    runs = client.search_runs(
        [experiment_id], filter_string=f"tags.`zenml.pipeline_run_id` = '{zenml_run_id}' and status = 'FINISHED'"
    )
    for run in runs:
        models = mlflow.search_logged_models(
            experiment_ids=[experiment_id], filter_string=f"source_run_id = '{run.info.run_id}'", output_format="list"
        )
        if models:
            return run, models[0].model_id
    return None, None


def seed_version(client, model, v, pipeline, experiment_id, zenml_run, lakefs, datasets, zenml_version) -> None:
    name = model["name"]
    dataset = datasets[v["dataset"]]
    commit = (lakefs or {}).get("commits", {}).get(v["dataset"])
    tags = {
        # The tag ZenML's MLflow experiment tracker sets on the runs it opens (it names them
        # after the ZenML run, in an experiment named after the pipeline, as we do).
        "zenml": zenml_version,
        # Ours, explicit: ZenML's own tags do not name the run.
        "zenml.pipeline_run_id": zenml_run["runId"],
        "zenml.pipeline_name": pipeline,
        "zenml.run_name": zenml_run["runName"],
        "dataset": dataset["id"],
        "model_format": v["format"],
    }
    if commit:
        tags.update({"lakefs.repository": lakefs["repository"], "lakefs.commit": commit, "lakefs.path": dataset["path"]})
    source = LakeFSDatasetSource((lakefs or {}).get("repository", "training-data"), commit or "main", dataset["path"])

    run, model_id = find_unregistered_run(client, experiment_id, zenml_run["runId"])
    if run is not None:
        run_id = run.info.run_id
        say(f"{name} v{v['version']}: reusing run {run_id} from an interrupted seed")
    else:
        hp = zenml_run["hyperparameters"]
        # One seed per version: reruns on a fresh server train the same models.
        x, y = DATA[name](np.random.default_rng(1000 * v["version"] + len(name)))
        # Features as floats, as they come out of a feature pipeline (and so the signature
        # allows missing values).
        x = x.astype("float64")
        with mlflow.start_run(
            experiment_id=experiment_id, run_name=zenml_run["runName"], tags=tags,
            description=f"{name} v{v['version']}: {v['format']} model trained on {dataset['id']} ({dataset['message']}).",
        ) as active:
            run_id = active.info.run_id
            mlflow.log_params({**hp, "dataset": dataset["id"], "training_rows": len(x), "format": v["format"]})
            mlflow.log_input(
                mlflow.data.from_pandas(pd.concat([x, y], axis=1), source=source, name=dataset["id"], targets=y.name),
                context="training",
            )
            est = fit_estimator(name, v["format"], hp, x, y)
            if hasattr(est, "train_score_"):
                # The boosting loss per stage, for the run's metric chart.
                now = int(time.time() * 1000)
                client.log_batch(run_id, metrics=[
                    mlflow.entities.Metric("training_loss", float(s), now, i) for i, s in enumerate(est.train_score_)
                ])
            mlflow.log_metrics(v["metrics"])
            model_id = log_model(v["format"], est, x).model_id
            # Load it back the way a serving runtime would, to prove the artifact is usable.
            features = x.to_numpy(dtype=np.float32) if v["format"] == "onnx" else x
            mlflow.pyfunc.load_model(f"models:/{model_id}").predict(features[:5])

    # In MLflow 3 a logged model is an entity of its own; the version points at it by id.
    mv = client.create_model_version(
        name, source=f"models:/{model_id}", run_id=run_id, model_id=model_id,
        description=f"Trained by ZenML run {zenml_run['runName']} on {dataset['id']}"
        + (f" (lakeFS commit {commit[:12]})." if commit else "."),
        tags={
            # What ZenML's MLflow model registry writes on the versions it registers.
            "zenml_version": zenml_version,
            "zenml_pipeline_name": pipeline,
            "zenml_run_name": zenml_run["runName"],
            "zenml_pipeline_run_uuid": zenml_run["runId"],
            "zenml_step_name": "train_model",
            "zenml_project": zenml_run.get("project", "default"),
            "mlflow_run_id": run_id,
        },
    )
    if int(mv.version) != v["version"]:
        raise SystemExit(f"{name}: MLflow numbered the new version {mv.version}, the spec says {v['version']}")
    say(f"{name} v{v['version']}: {v['format']}, run {run_id}, model {model_id} (new)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--state", required=True, type=Path)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text())
    zenml_seed = json.loads((args.state / "zenml-seed.json").read_text())
    lakefs_path = args.state / "lakefs-seed.json"
    lakefs = json.loads(lakefs_path.read_text()) if lakefs_path.exists() else None
    if lakefs is None:
        say("no lakefs-seed.json: runs get no lakefs.* tags")
    datasets = {d["id"]: d for d in spec["lakefs"]["datasets"]}
    zenml_version = zenml_seed.get("zenmlVersion", "")

    if not mlflow.get_tracking_uri().startswith("http"):
        # Unset, MLflow would quietly create a local ./mlflow.db instead of using the server.
        raise SystemExit("MLFLOW_TRACKING_URI is not the server's URL: run this through mlflow.sh seed")
    client = MlflowClient()
    say(f"server {mlflow.get_tracking_uri()}")
    created = 0
    for model in spec["models"]:
        name = model["name"]
        zenml_model = zenml_seed["models"].get(name)
        if zenml_model is None:
            raise SystemExit(f"{name} is not in zenml-seed.json: run zenml.sh seed again")
        pipeline = zenml_model["pipeline"]
        ensure_registered_model(client, model, pipeline)
        experiment = client.get_experiment_by_name(pipeline)
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(
            pipeline, tags={"mlflow.note.content": f"Training runs of {name}, one per ZenML run of {pipeline}."}
        )
        have = existing_versions(client, name)
        for v in sorted(model["versions"], key=lambda v: v["version"]):
            if v["version"] in have:
                continue
            if have and max(have) != v["version"] - 1:
                raise SystemExit(f"{name}: has versions {sorted(have)}, cannot create v{v['version']} in order")
            zenml_run = {**zenml_model["versions"][str(v["version"])], "project": zenml_seed.get("project")}
            seed_version(client, model, v, pipeline, experiment_id, zenml_run, lakefs, datasets, zenml_version)
            have[v["version"]] = True
            created += 1
        current = client.get_registered_model(name).aliases
        for alias, version in model["aliases"].items():
            if str(current.get(alias)) != str(version):
                client.set_registered_model_alias(name, alias, str(version))
                say(f"{name}: alias {alias} -> v{version}")
        say(f"{name}: versions {', '.join(map(str, sorted(have)))}; aliases {model['aliases'] or 'none'}")
    say(f"{created} new model versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
