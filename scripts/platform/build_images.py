#!/usr/bin/env python3
"""Builds the demo's service images from the scaffolder templates, with buildah.

    build_images.py SPEC STATE_DIR
    build_images.py one STATE_DIR CONTEXT_DIR NAME TAG   (registry.sh build-image)

For each model version that demo-platform.json serves, the model-service template is
rendered for it and its Dockerfile built: the build downloads the version from MLflow
and the template's loader refuses it if it would unpickle, so only versions the
generated service can serve get an image (the others stay on kwok's fake nodes, with
the loader's reason in the log). The processing services of the spec are built from
the processing-service template the same way. Each image is pushed to this instance's
registry; STATE_DIR/images.json maps what was built to its image reference, which
kube.sh seed reads. Images whose inputs did not change are not built again.

Reads STATE_DIR/mlflow.json and STATE_DIR/registry.json; buildah's storage is
STATE_DIR/buildah.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "..", "templates")
sys.path.insert(0, HERE)
from render_skeleton import render  # noqa: E402

HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def log(message):
    print(f"    {message}", file=sys.stderr, flush=True)


class Builder:
    def __init__(self, state):
        self.state = state
        with open(os.path.join(state, "registry.json")) as f:
            self.registry = json.load(f)
        with open(os.path.join(state, "mlflow.json")) as f:
            self.mlflow = json.load(f)
        self.work = os.path.join(state, "images")
        os.makedirs(self.work, exist_ok=True)

    def buildah(self, *args, log_file=None):
        cmd = ["buildah", *self.registry["buildahArgs"], *args]
        if log_file:
            with open(log_file, "w") as out:
                return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def exists(self, repository, tag):
        """Whether the registry has the tag (HEAD of its manifest)."""
        url = f"http://127.0.0.1:{self.registry['port']}/v2/{repository}/manifests/{tag}"
        req = urllib.request.Request(url, method="HEAD", headers={"Accept": ", ".join([
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json"])})
        try:
            with urllib.request.urlopen(req, timeout=10):
                return True
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return False
            raise

    def mlflow_get(self, endpoint, **query):
        import base64
        import urllib.parse
        url = f"{self.mlflow['url']}{endpoint}?{urllib.parse.urlencode(query)}"
        auth = base64.b64encode(f"{self.mlflow['username']}:{self.mlflow['password']}".encode()).decode()
        req = urllib.request.Request(url, headers={"Authorization": f"Basic {auth}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def build(self, name, template, values, inputs, customize=None):
        """Renders TEMPLATE with VALUES into a build context and builds it (build_context)."""
        ctx = os.path.join(self.work, name)
        render(os.path.join(TEMPLATES, template), values, ctx)
        if customize:
            customize(ctx)
        return self.build_context(name, ctx, values["name"], inputs)

    def build_context(self, name, ctx, repository_name, inputs, exact_tag=False):
        """Builds the Dockerfile in CTX and pushes it as ml/REPOSITORY_NAME; returns (ref, None)
        or (None, reason). The tag is INPUTS' tag and a hash of the context, INPUTS (what the
        image holds besides the context, e.g. the model version's run) and the base image;
        or INPUTS' tag alone with EXACT_TAG (the tag a rendered manifest names), built anew."""
        digest = hashlib.sha256(json.dumps([inputs, self.registry["baseImageId"]], sort_keys=True).encode())
        for root, dirs, files in os.walk(ctx):
            dirs.sort()
            for f in sorted(files):
                path = os.path.join(root, f)
                digest.update(os.path.relpath(path, ctx).encode())
                with open(path, "rb") as fh:
                    digest.update(fh.read())
        repository, tag = f"ml/{repository_name}", f"{inputs.get('tag', 'latest')}-{digest.hexdigest()[:12]}"
        if exact_tag:
            tag = inputs["tag"]
        ref = f"{self.registry['host']}/{repository}:{tag}"
        if not exact_tag and self.exists(repository, tag):
            log(f"{ref}: in the registry")
            return ref, None
        refusal = os.path.join(self.work, f"{name}.refused")
        if not exact_tag and os.path.exists(refusal):
            with open(refusal) as f:
                known_tag, reason = f.read().split("\n", 1)
            if known_tag == tag:
                return None, reason.strip()
        secrets = os.path.join(self.work, "secrets")
        os.makedirs(secrets, mode=0o700, exist_ok=True)
        for key in ("username", "password"):
            with open(os.path.join(secrets, f"mlflow_{key}"), "w") as f:
                f.write(self.mlflow[key])
        started = time.time()
        build_log = os.path.join(self.work, f"{name}.log")
        code = self.buildah(
            "bud", "--pull=never", "--layers", "--network", "host", "--isolation", "chroot",
            # The machine's CA store while building (package downloads may pass a proxy the
            # machine trusts); it is not part of any layer.
            "--volume", f"{HOST_CA_BUNDLE}:/etc/ssl/certs/ca-certificates.crt:ro",
            "--secret", f"id=mlflow_username,src={secrets}/mlflow_username",
            "--secret", f"id=mlflow_password,src={secrets}/mlflow_password",
            "--build-arg", f"MLFLOW_TRACKING_URI={self.mlflow['url']}",
            "-t", ref, ctx, log_file=build_log)
        if code != 0:
            with open(build_log) as f:
                reasons = [line.strip() for line in f if line.startswith(("refusing ", "ERROR", "Error"))]
            reason = reasons[0] if reasons else f"buildah bud failed, see {build_log}"
            if reasons and reasons[0].startswith("refusing "):
                # The loader's verdict on these inputs: not built again until they change.
                with open(refusal, "w") as f:
                    f.write(f"{tag}\n{reason}\n")
            return None, reason
        self.buildah("push", "--tls-verify=false", ref,
                     f"docker://127.0.0.1:{self.registry['port']}/{repository}:{tag}")
        log(f"{ref}: built and pushed in {time.time() - started:.0f}s")
        return ref, None


def served_versions(spec):
    """(model, namespace, version) of every version a deployment of the spec serves."""
    for d in spec["deployments"]:
        versions = {"httproute": lambda: d["weights"].keys(),
                    "argo-rollout": lambda: (d["stable"], d["canary"]),
                    "kserve": lambda: (d["previous"], d["latest"])}[d["router"]]()
        for v in versions:
            yield d["model"], int(v)


def features_override(features):
    """The demo's pre-processing passes the fraud model's own columns: the worked example's
    FEATURES replaced, as a user of the template does."""
    def customize(ctx):
        path = os.path.join(ctx, "app", "transform.py")
        with open(path) as f:
            text = f.read()
        start = text.index("FEATURES: dict[str, tuple[float, float]] = {")
        end = text.index("}\n", start) + 2
        body = "".join(f'    "{k}": ({m}, {s}),\n' for k, (m, s) in features.items())
        with open(path, "w") as f:
            f.write(text[:start] + "FEATURES: dict[str, tuple[float, float]] = {\n" + body + "}\n" + text[end:])
    return customize


def main(spec_file, state):
    with open(spec_file) as f:
        spec = json.load(f)
    builder = Builder(state)
    models = {m["name"]: m for m in spec["models"]}
    images = {"models": {}, "processing": {}, "refused": {}}
    for model_name, version in sorted(set(served_versions(spec))):
        model = models[model_name]
        mv = builder.mlflow_get("/api/2.0/mlflow/model-versions/get", name=model_name, version=str(version))
        values = {
            "name": model["service"], "description": model["description"], "owner": model["owner"],
            "system": "demo", "registry": "", "registeredModel": model_name, "model": model_name,
            "version": str(version), "format": "", "modelUri": f"models:/{model_name}/{version}",
            "labels": {}, "workloadName": f"{model['service']}-v{version}", "cluster": "local",
            "namespace": "", "router": "gateway-api", "gateway": "", "replicas": 1, "cpu": "", "memory": "",
            "image": "",
        }
        ref, refused = builder.build(
            f"{model['service']}-v{version}", "model-service", values,
            {"tag": f"v{version}", "run": mv["model_version"].get("run_id"), "source": mv["model_version"]["source"]})
        key = f"{model_name}/{version}"
        if ref:
            images["models"][key] = ref
        else:
            images["refused"][key] = refused
            log(f"{key}: no image, stays on the fake nodes: {refused}")
    for p in spec.get("processing", []):
        values = {
            "name": p["name"], "description": p["description"], "owner": p["owner"], "system": p["system"],
            "kind": p["kind"], "modelService": f"component:{p['modelService']}", "modelServiceName": p["modelService"],
            "cluster": "local", "namespace": p["namespace"], "replicas": 1, "cpu": "", "memory": "", "image": "",
        }
        customize = features_override(p["features"]) if p.get("features") else None
        ref, refused = builder.build(p["name"], "processing-service", values, {"tag": "v1"}, customize)
        if not ref:
            raise SystemExit(f"ERROR: building {p['name']} failed: {refused}")
        images["processing"][p["name"]] = ref
    out = os.path.join(state, "images.json")
    with open(out + ".tmp", "w") as f:
        json.dump(images, f, indent=2)
    os.replace(out + ".tmp", out)
    print(f"{len(images['models'])} model and {len(images['processing'])} processing images; "
          f"{len(images['refused'])} versions refused")


def build_one(state, ctx, name, tag):
    """The platform's builder for one rendered template output: builds it as ml/NAME:TAG,
    prints the image reference, or exits 1 with the reason the build failed (the loader's
    refusal of a model that would unpickle)."""
    ref, refused = Builder(state).build_context(f"one-{name}", os.path.abspath(ctx), name, {"tag": tag}, True)
    if not ref:
        print(refused, file=sys.stderr)
        sys.exit(1)
    print(ref)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "one":
        build_one(*sys.argv[2:])
    elif len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
