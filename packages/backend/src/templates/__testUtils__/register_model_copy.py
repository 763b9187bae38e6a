"""Registers copies of a model version, each with lines added to its requirements.txt.

    python register_model_copy.py SOURCE_MODEL SOURCE_VERSION NEW_MODEL EXTRA_LINES_JSON

EXTRA_LINES_JSON is a list with one list of requirement lines per copy (an empty
list: an unchanged copy). Each copy is logged in a run of the experiment
"template-tests" and registered as the next version of NEW_MODEL; prints the
versions as JSON. Run with the local platform's MLflow virtualenv; reads
MLFLOW_TRACKING_URI and the credentials from the environment.
"""

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def main(source_model: str, source_version: str, name: str, extra_lines: list[list[str]]) -> None:
    client = MlflowClient()
    work = Path(tempfile.mkdtemp())
    try:
        source = Path(mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{source_model}/{source_version}", dst_path=str(work / "source")))
        try:
            client.create_registered_model(name)
        except MlflowException as e:
            if "RESOURCE_ALREADY_EXISTS" not in str(e.error_code):
                raise
        mlflow.set_experiment("template-tests")
        versions = []
        for i, lines in enumerate(extra_lines):
            copy = work / f"copy-{i}"
            shutil.copytree(source, copy)
            requirements = copy / "requirements.txt"
            text = requirements.read_text()
            # MLflow writes the file without a final line break.
            requirements.write_text("".join(f"{line}\n" for line in [*text.splitlines(), *lines]))
            with mlflow.start_run() as run:
                mlflow.log_artifacts(str(copy), "model")
            mv = client.create_model_version(name, source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
            while mv.status == "PENDING_REGISTRATION":
                time.sleep(0.2)
                mv = client.get_model_version(name, mv.version)
            versions.append(mv.version)
        print(json.dumps(versions))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
