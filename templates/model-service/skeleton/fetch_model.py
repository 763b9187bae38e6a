"""Downloads one MLflow model version at image build time, never at run time.

    python fetch_model.py --model NAME --version N --dest /model

Reads MLFLOW_TRACKING_URI, and the credentials from MLFLOW_TRACKING_USERNAME /
MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN, or from the build secrets
/run/secrets/mlflow_username, mlflow_password, mlflow_token. Checks the
MLmodel file first and refuses a model that would unpickle on load before
downloading anything else. Writes the model's declared requirements (MLflow
itself left out: the service does not import it) to
DEST/model-requirements.txt for the next build step to install.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from app.loader import UnsafeModelError, describe

SECRETS = Path("/run/secrets")
# Requirements of the model that are not needed to serve it without MLflow.
NOT_NEEDED = {"mlflow", "mlflow-skinny", "cloudpickle"}


def credential(name: str) -> str | None:
    value = os.environ.get(f"MLFLOW_TRACKING_{name.upper()}")
    secret = SECRETS / f"mlflow_{name}"
    if not value and secret.is_file():
        value = secret.read_text().strip()
    return value or None


class Mlflow:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        token, user, password = credential("token"), credential("username"), credential("password")
        if token:
            self.auth = f"Bearer {token}"
        elif user and password:
            self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        else:
            self.auth = None

    def get(self, endpoint: str, **query: str) -> bytes:
        url = f"{self.url}{endpoint}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(url, headers={"Authorization": self.auth} if self.auth else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            raise SystemExit(f"MLflow answered {e.code} to GET {endpoint}: {e.read()[:300]!r}") from e

    def json(self, endpoint: str, **query: str) -> dict:
        return json.loads(self.get(endpoint, **query))


def artifact_root(client: Mlflow, model: str, version: str) -> str:
    mv = client.json("/api/2.0/mlflow/model-versions/get", name=model, version=version)["model_version"]
    if mv.get("status") != "READY":
        raise SystemExit(f"{model} v{version} is {mv.get('status')}, not READY")
    uri = client.json("/api/2.0/mlflow/model-versions/get-download-uri", name=model, version=version)["artifact_uri"]
    # The server proxies artifacts (mlflow-artifacts:/...), so the build needs
    # no credentials of the artifact store itself.
    if not uri.startswith("mlflow-artifacts:"):
        raise SystemExit(f"{uri}: only artifacts proxied by the MLflow server (mlflow-artifacts:) are supported")
    return urllib.parse.urlparse(uri).path.lstrip("/")


def files_under(client: Mlflow, root: str, prefix: str = ""):
    listing = client.json("/api/2.0/mlflow-artifacts/artifacts", path=f"{root}/{prefix}".rstrip("/"))
    for entry in listing.get("files", []):
        rel = f"{prefix}/{entry['path']}".lstrip("/") if prefix else entry["path"]
        if entry.get("is_dir"):
            yield from files_under(client, root, rel)
        else:
            yield rel


def download(client: Mlflow, root: str, rel: str, dest: Path) -> None:
    target = (dest / rel).resolve()
    if dest.resolve() not in target.parents:
        raise SystemExit(f"artifact path {rel} leaves {dest}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(client.get(f"/api/2.0/mlflow-artifacts/artifacts/{urllib.parse.quote(f'{root}/{rel}')}"))


def model_requirements(dest: Path) -> list[str]:
    path = dest / "requirements.txt"
    if not path.is_file():
        return []
    keep = []
    for line in path.read_text().splitlines():
        line = line.strip()
        name = line.split("==")[0].split(">")[0].split("<")[0].split("[")[0].strip().lower()
        if line and not line.startswith(("#", "-")) and name not in NOT_NEEDED:
            keep.append(line)
    return keep


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--dest", required=True, type=Path)
    args = parser.parse_args(argv)
    tracking_uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not tracking_uri:
        raise SystemExit("set MLFLOW_TRACKING_URI to the MLflow server")

    client = Mlflow(tracking_uri)
    root = artifact_root(client, args.model, args.version)
    mlmodel = yaml.safe_load(client.get(f"/api/2.0/mlflow-artifacts/artifacts/{urllib.parse.quote(root)}/MLmodel"))
    try:
        spec = describe(args.dest, mlmodel)
    except UnsafeModelError as e:
        raise SystemExit(f"refusing models:/{args.model}/{args.version}: {e}") from e

    args.dest.mkdir(parents=True, exist_ok=True)
    for rel in files_under(client, root):
        download(client, root, rel, args.dest)
    requirements = model_requirements(args.dest)
    (args.dest / "model-requirements.txt").write_text("".join(f"{r}\n" for r in requirements))
    print(
        f"models:/{args.model}/{args.version}: {spec.format} model in {args.dest}, "
        f"requires {', '.join(requirements) or 'nothing more'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
