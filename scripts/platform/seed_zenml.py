"""Seeds the running ZenML server with the training history of demo-platform.json.

One pipeline per model (its `pipeline` name), one real run per model version, executed by the
local orchestrator of the server's default stack, in version order. Each run is linked to a
ZenML model version of the same number (the Model Control Plane), so `/api/v1/model_versions`
lines up with the MLflow registry that seed_mlflow.py fills from these runs.

Idempotent: a version whose run (named `<pipeline>-v<version>`) already exists is not run
again. Writes `<state>/zenml-seed.json`: model -> pipeline, version -> run id and name, ZenML
model version id and the hyperparameters the run chose.

Runs inside the ZenML virtualenv; zenml.sh passes the server URL and credentials through the
ZENML_STORE_* environment variables.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Annotated, Any

import zenml
from zenml import Model, log_metadata, pipeline, step
from zenml.client import Client
from zenml.enums import ExecutionStatus


def say(message: str) -> None:
    # zenml.sh shows the lines starting with "seed:" as the summary of the run.
    print(f"seed: {message}", flush=True)


@step
def load_dataset(
    dataset_id: str, path: str, lakefs_repository: str, lakefs_commit: str
) -> Annotated[dict, "dataset_snapshot"]:
    """Pins the training data to one immutable lakeFS commit."""
    uri = f"lakefs://{lakefs_repository}/{lakefs_commit or 'main'}/{path}"
    rows = random.Random(dataset_id).randint(40_000, 60_000)
    snapshot = {
        "dataset": dataset_id,
        "uri": uri,
        "lakefs_repository": lakefs_repository,
        "lakefs_commit": lakefs_commit,
        "path": path,
        "rows": rows,
    }
    log_metadata(metadata={"dataset": snapshot})
    return snapshot


@step
def train_model(
    dataset_snapshot: dict, model_format: str, version: int
) -> Annotated[dict, "model_card"]:
    """Chooses the hyperparameters of this version; the weights are logged to MLflow."""
    rng = random.Random(f"{dataset_snapshot['dataset']}-{version}")
    # Small on purpose: seed_mlflow.py fits these on a few hundred rows in well under a second.
    hyperparameters = {
        "learning_rate": rng.choice([0.05, 0.1, 0.2]),
        "n_estimators": rng.choice([40, 60, 80]),
        "max_depth": rng.choice([2, 3, 4]),
    }
    card = {
        "format": model_format,
        "hyperparameters": hyperparameters,
        "trained_on": dataset_snapshot["uri"],
        "training_rows": int(dataset_snapshot["rows"] * 0.8),
    }
    log_metadata(metadata={"hyperparameters": hyperparameters})
    return card


@step
def evaluate_model(model_card: dict, metrics: dict) -> Annotated[dict, "evaluation"]:
    """Records the holdout metrics on the run's ZenML model version."""
    log_metadata(metadata={"metrics": metrics})
    log_metadata(metadata={"metrics": metrics, "format": model_card["format"]}, infer_model=True)
    return {"metrics": metrics, "holdout_rows": model_card["training_rows"] // 4}


def training(
    dataset_id: str,
    path: str,
    lakefs_repository: str,
    lakefs_commit: str,
    model_format: str,
    version: int,
    metrics: dict,
) -> None:
    snapshot = load_dataset(dataset_id, path, lakefs_repository, lakefs_commit)
    card = train_model(snapshot, model_format, version)
    evaluate_model(card, metrics)


def read_lakefs(state: Path) -> dict[str, Any] | None:
    path = state / "lakefs-seed.json"
    return json.loads(path.read_text()) if path.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--state", required=True, type=Path)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text())
    out_path = args.state / "zenml-seed.json"

    lakefs = read_lakefs(args.state)
    datasets = {d["id"]: d for d in spec["lakefs"]["datasets"]}
    repository = (lakefs or {}).get("repository", spec["lakefs"]["repository"])
    commits = (lakefs or {}).get("commits", {})
    if lakefs is None:
        say("no lakefs-seed.json: pipeline runs record the datasets without a lakeFS commit")

    client = Client()
    say(f"server {client.zen_store.url} as {client.active_user.name}, stack {client.active_stack_model.name}")
    result: dict[str, Any] = {"zenmlVersion": zenml.__version__, "project": client.active_project.name, "models": {}}
    created = 0
    for model in spec["models"]:
        pipeline_name = model["pipeline"]
        entry = {"pipeline": pipeline_name, "versions": {}}
        result["models"][model["name"]] = entry
        training_pipeline = pipeline(name=pipeline_name, enable_cache=False)(training)
        for v in sorted(model["versions"], key=lambda v: v["version"]):
            run_name = f"{pipeline_name}-v{v['version']}"
            existing = client.list_pipeline_runs(name=run_name, hydrate=False).items
            if existing:
                run = existing[0]
                if run.status != ExecutionStatus.COMPLETED:
                    raise SystemExit(
                        f"run {run_name} ({run.id}) exists with status {run.status.value}: delete it "
                        f"(zenml pipeline runs delete {run.id}) and the model versions after it, then reseed"
                    )
            else:
                dataset = datasets[v["dataset"]]
                # version=None: ZenML numbers the new model version itself, one up from the
                # last, which matches the spec because versions run in order.
                configured = training_pipeline.with_options(
                    run_name=run_name,
                    model=Model(
                        name=model["name"],
                        description=model["description"],
                        tags=[f"owner:{model['owner']}", f"service:{model['service']}"],
                    ),
                    tags=[f"model:{model['name']}", f"format:{v['format']}"],
                )
                configured(
                    dataset_id=dataset["id"],
                    path=dataset["path"],
                    lakefs_repository=repository,
                    lakefs_commit=commits.get(dataset["id"], ""),
                    model_format=v["format"],
                    version=v["version"],
                    metrics=v["metrics"],
                )
                run = client.get_pipeline_run(run_name)
                if run.status != ExecutionStatus.COMPLETED:
                    raise SystemExit(f"run {run_name} ended with status {run.status.value}")
                created += 1
            model_version = run.model_version
            if model_version is None or model_version.number != v["version"]:
                raise SystemExit(
                    f"run {run_name} is linked to ZenML model version "
                    f"{model_version.number if model_version else None}, expected {v['version']}"
                )
            # The hyperparameters this run chose, so the MLflow run trains with the same ones.
            hyperparameters = run.steps["train_model"].run_metadata["hyperparameters"]
            entry["versions"][str(v["version"])] = {
                "runId": str(run.id),
                "runName": run.name,
                "modelVersionId": str(model_version.id),
                "hyperparameters": hyperparameters,
            }
            say(f"{model['name']} v{v['version']}: run {run.name} {run.id}" + ("" if existing else " (new)"))

    out_path.write_text(json.dumps(result, indent=2) + "\n")
    say(f"{created} new pipeline runs, wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
