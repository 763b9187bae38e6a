"""Downloads one MLflow model version at image build time, never at run time.

    python fetch_model.py --model NAME --version N --dest /model [--lock requirements.txt]

Reads MLFLOW_TRACKING_URI, and the credentials from MLFLOW_TRACKING_USERNAME /
MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN, or from the build secrets
/run/secrets/mlflow_username, mlflow_password, mlflow_token. Before
downloading anything else it refuses a model that would unpickle on load (its
MLmodel file) and a model whose declared requirements (its requirements.txt)
the image's own lock does not satisfy, naming each package. Nothing of the
model is installed or run: its requirements are only read and compared.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from app.loader import UnsafeModelError, describe

SECRETS = Path("/run/secrets")
LOCK = Path(__file__).resolve().with_name("requirements.txt")
# Requirements MLflow adds to every model that serving it without MLflow
# never imports: not checked against the lock.
NOT_NEEDED = {"mlflow", "mlflow-skinny", "mlflow-tracing", "cloudpickle"}
# Packages the lock holds under another distribution name that installs the
# same module: a model logged with `xgboost` loads with the CPU build.
SAME_MODULE = {"xgboost": "xgboost-cpu"}


def credential(name: str) -> str | None:
    value = os.environ.get(f"MLFLOW_TRACKING_{name.upper()}")
    secret = SECRETS / f"mlflow_{name}"
    if not value and secret.is_file():
        value = secret.read_text().strip()
    return value or None


class _NoAuthOnRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect without the credentials: they are for MLflow, not
    for wherever a proxy or a misconfigured server sends the build."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.remove_header("Authorization")
        return new


_opener = urllib.request.build_opener(_NoAuthOnRedirect)


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
            with _opener.open(request, timeout=60) as response:
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


def read_lock(path: Path) -> dict[str, Version]:
    """The exact version of every package of a pip lock: its `name==version` lines."""
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def unmet_requirements(text: str, lock: dict[str, Version]) -> list[str]:
    """What of a model's requirements.txt the lock does not satisfy, one
    sentence per line that names the package. Only parses: a requirement is
    never resolved, downloaded, built or installed."""
    unmet = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            unmet.append(f"'{line}': pip options are not followed, the image installs its own lock only")
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as e:
            unmet.append(f"'{line}' is not a requirement the build can check: {e}")
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        if name in NOT_NEEDED:
            continue
        locked = lock.get(name, lock.get(SAME_MODULE.get(name, "")))
        if req.url:
            unmet.append(f"{req.name} @ {req.url}: the image installs packages of its lock only")
        elif locked is None:
            unmet.append(f"{req.name} ('{line}') is not in the image's lock")
        elif not req.specifier.contains(locked, prereleases=True):
            unmet.append(f"{req.name}{req.specifier} is required, the image's lock has {req.name}=={locked}")
        elif req.extras:
            unmet.append(f"{req.name}[{','.join(sorted(req.extras))}]: extras are not checked against the lock")
    return unmet


def check_requirements(client: Mlflow, root: str, ref: str, lock_path: Path) -> None:
    """Refuses the model, naming the packages, unless the lock satisfies its
    declared requirements. A model without a requirements.txt declares none."""
    names = {entry["path"] for entry in client.json("/api/2.0/mlflow-artifacts/artifacts", path=root).get("files", [])}
    if "requirements.txt" not in names:
        return
    text = client.get(f"/api/2.0/mlflow-artifacts/artifacts/{urllib.parse.quote(f'{root}/requirements.txt')}")
    unmet = unmet_requirements(text.decode("utf-8", "replace"), read_lock(lock_path))
    if unmet:
        raise SystemExit(
            f"refusing {ref}: its requirements.txt is not satisfied by the image's lock ({lock_path.name}): "
            + "; ".join(unmet)
            + ". Add what the model needs to requirements.in and relock, or log the model with the lock's versions."
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--dest", required=True, type=Path)
    parser.add_argument("--lock", default=LOCK, type=Path, help="the image's pip lock (default: %(default)s)")
    args = parser.parse_args(argv)
    tracking_uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not tracking_uri:
        raise SystemExit("set MLFLOW_TRACKING_URI to the MLflow server")

    client = Mlflow(tracking_uri)
    ref = f"models:/{args.model}/{args.version}"
    root = artifact_root(client, args.model, args.version)
    mlmodel = yaml.safe_load(client.get(f"/api/2.0/mlflow-artifacts/artifacts/{urllib.parse.quote(root)}/MLmodel"))
    try:
        spec = describe(args.dest, mlmodel)
    except UnsafeModelError as e:
        raise SystemExit(f"refusing {ref}: {e}") from e
    check_requirements(client, root, ref, args.lock)

    args.dest.mkdir(parents=True, exist_ok=True)
    for rel in files_under(client, root):
        download(client, root, rel, args.dest)
    print(f"{ref}: {spec.format} model in {args.dest}, its requirements met by {args.lock.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
