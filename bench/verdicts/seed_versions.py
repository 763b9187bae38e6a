"""Seeds the verdicts benchmark's MLflow with N versions of real model files: the models of the
serialization corpus (scripts/corpus), each logged again as new versions, in rotation over their
formats, so that every version's files have to be listed and read. Idempotent: stops at N.

    python seed_versions.py --corpus DIR --versions N     (the corpus venv; MLFLOW_TRACKING_*)
"""
import argparse
import sys
import time
from pathlib import Path

import mlflow
from mlflow import MlflowClient

CASES = ["onnx", "sklearn-skops", "sklearn-pickle", "xgboost-native", "safetensors-mlp",
         "joblib-zlib-benign", "evil-torch-zip", "keras-dense"]
PER_MODEL = 5


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--versions", type=int, default=1000)
    args = parser.parse_args(argv)
    client = MlflowClient()
    experiment = mlflow.set_experiment("verdicts-bench")
    started = time.time()
    have = len(client.search_model_versions("name LIKE 'vbench-%'", max_results=200000))
    for i in range(have, args.versions):
        case = CASES[(i // PER_MODEL) % len(CASES)]
        name = f"vbench-{i // PER_MODEL:04d}"
        if i % PER_MODEL == 0:
            try:
                client.create_registered_model(name)
            except mlflow.exceptions.MlflowException:
                pass
        run = client.create_run(experiment.experiment_id)
        client.log_artifacts(run.info.run_id, str(args.corpus / case), artifact_path="model")
        client.set_terminated(run.info.run_id)
        client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
        if i % 100 == 99:
            print(f"seed: {i + 1} versions", flush=True)
    print(f"seed: {args.versions} versions ({args.versions - have} new) in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
