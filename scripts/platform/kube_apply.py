#!/usr/bin/env python3
"""Applies objects to the local kube-apiserver by server-side apply (no kubectl here).

    kube_apply.py apply FILE...        every YAML/JSON document; waits for CRDs to be Established
    kube_apply.py seed SPEC STATE_DIR  the demo platform of demo-platform.json; waits for its pods
    kube_apply.py wait-nodes SECONDS NODE...  waits until the nodes are Ready

The connection comes from KUBE_SERVER, KUBE_CA_FILE and KUBE_TOKEN, or else from
$ML_PLATFORM_STATE/kube.json. Standard library plus PyYAML only.

kube-controller-manager, kube-scheduler and kwok run next to this apiserver: they make
the Pods of Deployments and ReplicaSets and report them Ready.

With serving on (the default; ML_PLATFORM_SERVING=off turns it off), the real node runs
the serving namespaces' pods from the images registry.sh seed built (STATE_DIR/images.json),
Traefik (gateway.sh) is the Gateway API controller and the Argo Rollouts controller
(rollouts.sh) runs: the seed writes no status of theirs, and the Rollout gets to its
paused canary by the controller's own steps. Versions without an image (the loader
refuses them) and KServe's objects stay on kwok's fake nodes; no KServe controller runs,
so the seed writes the InferenceService's status the way KServe would. With serving off,
no Gateway API or Argo Rollouts controller runs either, and the seed writes their status
too, each under the field manager of that controller.
"""

import datetime
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

FIELD_MANAGER = "ml-platform-seed"
GATEWAY_CONTROLLER = "ml-platform.io/demo-gateway-controller"
TRAEFIK_CONTROLLER = "traefik.io/gateway-controller"
GATEWAY_CLASS = "ml-platform-demo"
# Taints and labels of the two kinds of node (kube.sh, node.sh).
REAL_NODE_TOLERATION = {"key": "ml-platform.io/node", "operator": "Equal", "value": "real", "effect": "NoSchedule"}
FAKE_NODE_TOLERATION = {"key": "kwok.x-k8s.io/node", "operator": "Exists", "effect": "NoSchedule"}
GATEWAY = "ml-gateway"
SERVICE_PORT = 8080
# Pods are Ready within seconds of their Deployment; on a busy 2-core machine it can take
# a few times longer.
WORKLOADS_READY_TIMEOUT = 90
# Real pods pull their image and load a model first; the first start pulls ~0.5 GB per image.
SERVING_READY_TIMEOUT = 420


class KubeError(Exception):
    def __init__(self, method, path, status, body):
        try:
            message = json.loads(body).get("message", body)
        except ValueError:
            message = body
        super().__init__(f"{method} {path} -> HTTP {status}: {message}")
        self.status = status


class Kube:
    def __init__(self):
        server, ca_file, token = (os.environ.get(k) for k in ("KUBE_SERVER", "KUBE_CA_FILE", "KUBE_TOKEN"))
        if not (server and ca_file and token):
            state = os.environ.get("ML_PLATFORM_STATE") or os.path.join(
                os.path.dirname(os.path.abspath(__file__)), "../../.local/platform")
            with open(os.path.join(state, "kube.json")) as f:
                conf = json.load(f)
            server, ca_file, token = conf["server"], conf["caFile"], conf["token"]
        self.server = server.rstrip("/")
        self.token = token
        self.ssl = ssl.create_default_context(cafile=ca_file)
        self._resources = {}

    def request(self, method, path, body=None, content_type="application/json", params=None):
        url = self.server + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Content-Type": content_type,
        })
        try:
            with urllib.request.urlopen(req, context=self.ssl, timeout=60) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise KubeError(method, path, e.code, e.read().decode(errors="replace")) from None

    def resource(self, api_version, kind):
        """(plural, namespaced) of a kind, from the server's discovery."""
        if api_version not in self._resources:
            base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            found = self.request("GET", base)
            self._resources[api_version] = {
                r["kind"]: (r["name"], r["namespaced"]) for r in found["resources"] if "/" not in r["name"]}
        try:
            return self._resources[api_version][kind]
        except KeyError:
            raise SystemExit(f"ERROR: the server has no {kind} in {api_version}") from None

    def path(self, obj, subresource=""):
        api_version, kind = obj["apiVersion"], obj["kind"]
        plural, namespaced = self.resource(api_version, kind)
        base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        ns = f"/namespaces/{obj['metadata']['namespace']}" if namespaced else ""
        return f"{base}{ns}/{plural}/{obj['metadata']['name']}{'/' + subresource if subresource else ''}"

    def apply(self, obj, subresource="", manager=FIELD_MANAGER):
        # force: the seed owns the demo state; re-seeding takes back fields a demo or a
        # test changed. Strict: a typo in a seed must fail, not be silently pruned.
        return self.request("PATCH", self.path(obj, subresource), obj, "application/apply-patch+yaml",
                            {"fieldManager": manager, "force": "true", "fieldValidation": "Strict"})

    def get(self, obj):
        return self.request("GET", self.path(obj))


def load_documents(files):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the KServe CRD alone is 1 MB
    for name in files:
        with open(name) as f:
            for doc in yaml.load_all(f, Loader=loader):
                if doc:
                    yield name, doc


def condition_status(obj, condition):
    """The status of one of obj's conditions ("True", "False", "Unknown"), or None."""
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c["type"] == condition:
            return c["status"]
    return None


def wait_condition(kube, what, paths, condition, timeout):
    """Waits until the object at each of paths (name -> API path) has condition True."""
    deadline = time.time() + timeout
    pending = dict(paths)
    while True:
        missing = set()
        for name, path in sorted(pending.items()):
            try:
                obj = kube.request("GET", path)
            except KubeError as e:
                if e.status != 404:
                    raise
                missing.add(name)
                continue
            if condition_status(obj, condition) == "True":
                del pending[name]
        if not pending:
            return
        if time.time() > deadline:
            names = [f"{n} (missing)" if n in missing else n for n in sorted(pending)]
            raise SystemExit(f"ERROR: {what} not {condition} after {timeout}s: {', '.join(names)}")
        time.sleep(0.5)


def wait_established(kube, names, timeout=60):
    wait_condition(kube, "CRDs", {n: f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{n}" for n in names},
                   "Established", timeout)


def cmd_apply(files):
    kube = Kube()
    crds = []
    for name, doc in load_documents(files):
        kube.apply(doc)
        if doc["kind"] == "CustomResourceDefinition":
            crds.append(doc["metadata"]["name"])
        print(f"    applied {doc['kind']} {doc['metadata']['name']}", file=sys.stderr)
    wait_established(kube, crds)


# ---------------------------------------------------------------------------- seed

def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def conditions(current, wanted, *time_fields):
    """Conditions with their transition times kept when the status did not change, as
    controllers do; it also makes a re-seed a no-op instead of a new resourceVersion."""
    old = {c["type"]: c for c in current or []}
    out = []
    for c in wanted:
        prev = old.get(c["type"])
        same = prev and prev.get("status") == c["status"]
        for field in time_fields:
            c[field] = prev[field] if same and prev.get(field) else now()
        out.append(c)
    return out


def pod_hash(template):
    """A stable stand-in for the controllers' pod-template-hash (FNV-32a, rendered with
    the alphabet of k8s.io/apimachinery's rand.SafeEncodeString)."""
    h = 0x811C9DC5
    for b in json.dumps(template, sort_keys=True).encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[ord(ch) % len(alphabet)] for ch in str(h))


MODEL_FORMATS = {"sklearn": "sklearn", "skops": "sklearn", "onnx": "onnx", "xgboost": "xgboost", "pyfunc": "mlflow"}


def model_format(fmt):
    return MODEL_FORMATS.get(fmt.split("-")[0], fmt)


def read_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


class Seed:
    def __init__(self, spec, state_dir):
        self.spec = spec
        self.state_dir = state_dir
        self.models = {m["name"]: m for m in spec["models"]}
        # (object, status builder or None, field manager of the controller that writes the status)
        self.items = []
        # Steps run after every object is applied: fn(kube), in order.
        self.actions = []
        # (kind, namespace, name) of objects applied only when missing.
        self.create_only = set()
        self.serving = os.environ.get("ML_PLATFORM_SERVING", "on") != "off"
        if self.serving:
            self.images = read_json(os.path.join(state_dir, "images.json"))
            self.gateway_info = read_json(os.path.join(state_dir, "gateway.json"))
            if not self.images or not self.gateway_info:
                raise SystemExit("ERROR: serving is on but images.json or gateway.json is missing in "
                                 f"{state_dir}: run registry.sh seed and gateway.sh start first")
        else:
            self.images = {"models": {}, "processing": {}}

    def add(self, obj, status=None, manager=None):
        self.items.append((obj, status, manager))

    @staticmethod
    def meta(name, namespace, labels=None, annotations=None):
        m = {"name": name, "namespace": namespace, "labels": labels or {}}
        if annotations:
            m["annotations"] = annotations
        return m

    def version_labels(self, model, version):
        return {
            "app.kubernetes.io/name": model["service"],
            "backstage.io/kubernetes-id": model["service"],
            "ml-platform.io/model": model["name"],
            "ml-platform.io/model-version": str(version),
        }

    def service_labels(self, model):
        return {
            "app.kubernetes.io/name": model["service"],
            "backstage.io/kubernetes-id": model["service"],
            "ml-platform.io/model": model["name"],
        }

    def version_of(self, model, version):
        for v in model["versions"]:
            if v["version"] == int(version):
                return v
        raise SystemExit(f"ERROR: {model['name']} has no version {version} in the spec")

    def image_of(self, model, version):
        """The image built for a model version (registry.sh seed), or None: no image, no real pod."""
        return self.images["models"].get(f"{model['name']}/{version}")

    def pod_template(self, model, version, extra_labels=None):
        labels = {**self.version_labels(model, version), **(extra_labels or {})}
        image = self.image_of(model, version)
        if image:
            return {"metadata": {"labels": labels}, "spec": serving_pod_spec("model", image, [
                {"name": "MODEL_NAME", "value": model["name"]}, {"name": "MODEL_VERSION", "value": str(version)}])}
        spec = {"containers": [{
            "name": "model",
            "image": f"registry.example.com/models/{model['service']}:{version}",
            "ports": [{"name": "http", "containerPort": SERVICE_PORT, "protocol": "TCP"}],
            "env": [{"name": "MODEL_URI", "value": f"models:/{model['name']}/{version}"}],
        }]}
        if self.serving:
            # No image (the loader refuses the version, or KServe's objects): kwok plays it.
            spec.update(nodeSelector={"type": "kwok"}, tolerations=[FAKE_NODE_TOLERATION])
        return {"metadata": {"labels": labels}, "spec": spec}

    # -- plain workloads

    def deployment(self, model, version, namespace, replicas, extra_labels=None):
        name = f"{model['service']}-v{version}"
        labels = {**self.version_labels(model, version), **(extra_labels or {})}
        selector = {"app.kubernetes.io/name": model["service"], "ml-platform.io/model-version": str(version)}
        template = self.pod_template(model, version)
        self.add({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": self.meta(name, namespace, labels),
            "spec": {"replicas": replicas, "selector": {"matchLabels": selector}, "template": template},
        })

    def service(self, name, namespace, labels, selector, annotations=None, port=SERVICE_PORT):
        self.add({
            "apiVersion": "v1", "kind": "Service",
            "metadata": self.meta(name, namespace, labels, annotations),
            "spec": {"selector": selector,
                     "ports": [{"name": "http", "port": port, "targetPort": port, "protocol": "TCP"}]},
        })

    def version_workload(self, model, version, namespace, replicas, extra_labels=None):
        self.deployment(model, version, namespace, replicas, extra_labels)
        self.service(f"{model['service']}-v{version}", namespace, self.version_labels(model, version),
                     {"app.kubernetes.io/name": model["service"], "ml-platform.io/model-version": str(version)})

    # -- Gateway API

    def gateway(self, namespace):
        def status(cur):
            old = (cur.get("status") or {})
            return {
                "conditions": conditions(old.get("conditions"), [
                    {"type": t, "status": "True", "reason": t, "message": "", "observedGeneration": cur["metadata"]["generation"]}
                    for t in ("Accepted", "Programmed")], "lastTransitionTime"),
                "listeners": [{
                    "name": "http", "attachedRoutes": self.routes_per_namespace.get(namespace, 0),
                    "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                    "conditions": conditions(
                        (old.get("listeners") or [{}])[0].get("conditions"), [
                            {"type": t, "status": "True", "reason": t, "message": "",
                             "observedGeneration": cur["metadata"]["generation"]}
                            for t in ("Accepted", "Programmed", "ResolvedRefs")], "lastTransitionTime"),
                }],
            }

        # Traefik serves a Gateway listener on its entryPoint of the same port.
        port = self.gateway_info["port"] if self.serving else 80
        self.add({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": self.meta(GATEWAY, namespace),
            "spec": {"gatewayClassName": GATEWAY_CLASS,
                     "listeners": [{"name": "http", "protocol": "HTTP", "port": port,
                                    "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
        }, None if self.serving else status, GATEWAY_CONTROLLER)

    def http_route(self, name, namespace, labels, backends, backend_kind=None):
        """backends: [(service name, weight)]; backend_kind: (group, kind) other than a Service's"""
        def status(cur):
            old = ((cur.get("status") or {}).get("parents") or [{}])[0].get("conditions")
            gen = cur["metadata"]["generation"]
            return {"parents": [{
                "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY},
                "controllerName": GATEWAY_CONTROLLER,
                "conditions": conditions(old, [
                    {"type": "Accepted", "status": "True", "reason": "Accepted",
                     "message": "Route is accepted", "observedGeneration": gen},
                    {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs",
                     "message": "All references resolved", "observedGeneration": gen},
                ], "lastTransitionTime"),
            }]}

        self.routes_per_namespace[namespace] = self.routes_per_namespace.get(namespace, 0) + 1
        self.add({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": self.meta(name, namespace, labels),
            "spec": {
                "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY}],
                "hostnames": [f"{name}.{namespace}.ml.example.com"],
                "rules": [{
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [{"group": "", "kind": "Service", "name": svc, "port": SERVICE_PORT, "weight": w}
                                    if not backend_kind else
                                    {"group": backend_kind[0], "kind": backend_kind[1], "name": svc, "weight": w}
                                    for svc, w in backends],
                }],
            },
        }, None if self.serving else status, GATEWAY_CONTROLLER)

    def httproute_deployment(self, d, model, replicas):
        weights = sorted(((int(v), int(w)) for v, w in d["weights"].items()))
        for v, _ in weights:
            self.version_workload(model, v, d["namespace"], replicas)
        self.http_route(model["service"], d["namespace"], self.service_labels(model),
                        [(f"{model['service']}-v{v}", w) for v, w in weights])
        # The name in-cluster callers use (the template's services.yaml): every version's pods.
        self.service(model["service"], d["namespace"], self.service_labels(model),
                     {"app.kubernetes.io/name": model["service"]})

    # -- Argo Rollouts

    def rollout_deployment(self, d, model, replicas):
        if self.serving:
            return self.real_rollout(d, model, replicas)
        ns, svc = d["namespace"], model["service"]
        stable_v, canary_v, steps = d["stable"], d["canary"], d["canarySteps"]
        index = d.get("currentStepIndex", 0)
        for v in (stable_v, canary_v):
            self.version_workload(model, v, ns, replicas)
        stable_tpl, canary_tpl = self.pod_template(model, stable_v), self.pod_template(model, canary_v)
        stable_hash, canary_hash = pod_hash(stable_tpl), pod_hash(canary_tpl)
        # The traffic weight at the current step is the last setWeight at or before it.
        weight = 0
        for step in steps[: index + 1]:
            weight = step.get("setWeight", weight)
        paused = index < len(steps) and "pause" in steps[index]
        canary_replicas = max(1, -(-replicas * weight // 100)) if weight else 0
        stable_svc, canary_svc = f"{svc}-stable", f"{svc}-canary"

        # Argo points the stable/canary Services at a ReplicaSet by adding its hash to the
        # selector, and marks them as its own.
        managed = {"argo-rollouts.argoproj.io/managed-by-rollouts": svc}
        self.service(stable_svc, ns, self.service_labels(model),
                     {"app.kubernetes.io/name": svc, "rollouts-pod-template-hash": stable_hash}, managed)
        self.service(canary_svc, ns, self.service_labels(model),
                     {"app.kubernetes.io/name": svc, "rollouts-pod-template-hash": canary_hash}, managed)
        # Argo's Gateway API plugin steers traffic by rewriting this route's weights.
        self.http_route(svc, ns, self.service_labels(model),
                        [(stable_svc, 100 - weight), (canary_svc, weight)])

        def status(cur):
            old = (cur.get("status") or {})
            pause_conditions = []
            if paused:
                keep = [p for p in old.get("pauseConditions") or [] if p.get("reason") == "CanaryPauseStep"]
                pause_conditions = [{"reason": "CanaryPauseStep", "startTime": keep[0]["startTime"] if keep else now()}]
            total = replicas + canary_replicas
            st = {
                "phase": "Paused" if paused else "Progressing",
                "message": "CanaryPauseStep" if paused else "more replicas need to be updated",
                "observedGeneration": str(cur["metadata"]["generation"]),
                "currentStepIndex": index,
                "currentStepHash": pod_hash(steps),
                "currentPodHash": canary_hash,
                "stableRS": stable_hash,
                "controllerPause": paused,
                "pauseConditions": pause_conditions,
                "replicas": total, "updatedReplicas": canary_replicas,
                "readyReplicas": total, "availableReplicas": total, "HPAReplicas": total,
                "selector": f"app.kubernetes.io/name={svc}",
                "canary": {"weights": {
                    "canary": {"weight": weight, "podTemplateHash": canary_hash, "serviceName": canary_svc},
                    "stable": {"weight": 100 - weight, "podTemplateHash": stable_hash, "serviceName": stable_svc},
                }},
                "conditions": conditions(old.get("conditions"), [
                    {"type": "Available", "status": "True", "reason": "AvailableReason",
                     "message": "Rollout has minimum availability"},
                    {"type": "Progressing", "status": "True", "reason": "RolloutPaused" if paused else "ReplicaSetUpdated",
                     "message": "Rollout is paused" if paused else f'Rollout "{svc}" is progressing.'},
                    {"type": "Paused", "status": "True" if paused else "False", "reason": "RolloutPaused" if paused else "RolloutResumed",
                     "message": "Rollout is paused" if paused else "Rollout is resumed"},
                    {"type": "Healthy", "status": "False", "reason": "RolloutHealthy",
                     "message": "Rollout does not have minimum availability"},
                ], "lastUpdateTime", "lastTransitionTime"),
            }
            if not paused:
                del st["pauseConditions"]
            return st

        rollout = {
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": self.meta(svc, ns, self.service_labels(model)),
            "spec": {
                "replicas": replicas,
                "revisionHistoryLimit": 3,
                "selector": {"matchLabels": {"app.kubernetes.io/name": svc}},
                "template": canary_tpl,
                "strategy": {"canary": {
                    "stableService": stable_svc, "canaryService": canary_svc,
                    "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": svc, "namespace": ns}}},
                    "steps": steps,
                }},
            },
        }
        self.add(rollout, status, "argo-rollouts")
        # The ReplicaSets Argo keeps per revision: `undo` copies the previous one's template back.
        # The ReplicaSet controller makes their pods and writes their status.
        for revision, (version, tpl, h, count) in enumerate(
                [(stable_v, stable_tpl, stable_hash, replicas), (canary_v, canary_tpl, canary_hash, canary_replicas)], 1):
            labels = {**tpl["metadata"]["labels"], "rollouts-pod-template-hash": h}
            self.add({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {**self.meta(f"{svc}-{h}", ns, labels, {"rollout.argoproj.io/revision": str(revision)}),
                             "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": svc,
                                                  "uid": None, "controller": True, "blockOwnerDeletion": True}]},
                "spec": {"replicas": count,
                         "selector": {"matchLabels": {"app.kubernetes.io/name": svc, "rollouts-pod-template-hash": h}},
                         "template": {**tpl, "metadata": {"labels": labels}}},
            })

    def real_rollout(self, d, model, replicas):
        """The Rollout as its controller makes it: created at the stable version (its first
        revision is promoted at once), then given the canary's template, so the controller
        steps it to the spec's paused step. Argo sets the weights of a TraefikService that
        the HTTPRoute sends the model's traffic to (its Traefik traffic routing)."""
        ns, svc = d["namespace"], model["service"]
        stable_v, canary_v, steps = d["stable"], d["canary"], d["canarySteps"]
        index = d.get("currentStepIndex", 0)
        # The Rollout's own ReplicaSets run the versions: no Deployment per version.
        stable_svc, canary_svc = f"{svc}-stable", f"{svc}-canary"
        for name in (stable_svc, canary_svc):
            # The controller adds the ReplicaSet's hash to each selector.
            self.service(name, ns, self.service_labels(model), {"app.kubernetes.io/name": svc})
        # Created once: its weights are the controller's from then on.
        self.create_only.add(("TraefikService", ns, svc))
        self.add({
            "apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
            "metadata": self.meta(svc, ns, self.service_labels(model)),
            "spec": {"weighted": {"services": [
                {"name": stable_svc, "port": SERVICE_PORT, "weight": 100},
                {"name": canary_svc, "port": SERVICE_PORT, "weight": 0}]}},
        })
        self.http_route(svc, ns, self.service_labels(model), [(svc, 1)], ("traefik.io", "TraefikService"))

        def rollout(version):
            return {
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                "metadata": self.meta(svc, ns, self.service_labels(model)),
                "spec": {
                    "replicas": replicas,
                    "revisionHistoryLimit": 3,
                    "selector": {"matchLabels": {"app.kubernetes.io/name": svc}},
                    "template": self.pod_template(model, version),
                    "strategy": {"canary": {
                        "stableService": stable_svc, "canaryService": canary_svc,
                        "trafficRouting": {"traefik": {"weightedTraefikServiceName": svc}},
                        "steps": steps,
                    }},
                },
            }

        def remnants(kube):
            # A seed before serving ran each version as a Deployment of its own too.
            for v in (stable_v, canary_v):
                for api_version, kind in (("apps/v1", "Deployment"), ("v1", "Service")):
                    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": f"{svc}-v{v}", "namespace": ns}}
                    try:
                        kube.request("DELETE", kube.path(obj))
                    except KubeError as e:
                        if e.status != 404:
                            raise

        self.actions.append(remnants)
        self.actions.append(lambda kube: seed_rollout(kube, rollout(stable_v), rollout(canary_v),
                                                      stable_v, canary_v, index))

    # -- processing services

    def processing_service(self, p):
        ns, name = p["namespace"], p["name"]
        labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "processing-service",
                  "backstage.io/kubernetes-id": name}
        env = [{"name": "MODEL_SERVICE_URL", "value": f"http://{p['modelService']}:{SERVICE_PORT}"}]
        if p.get("next"):
            env.append({"name": "POSTPROCESSING_URL", "value": f"http://{p['next']}:{SERVICE_PORT}"})
        image = self.images["processing"].get(name)
        if image:
            spec = serving_pod_spec("service", image, env)
        else:
            spec = {"containers": [{"name": "service", "image": f"registry.example.com/ml/{name}:latest", "env": env,
                                    "ports": [{"name": "http", "containerPort": SERVICE_PORT, "protocol": "TCP"}]}]}
            if self.serving:
                spec.update(nodeSelector={"type": "kwok"}, tolerations=[FAKE_NODE_TOLERATION])
        self.add({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": self.meta(name, ns, labels),
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                     "template": {"metadata": {"labels": labels}, "spec": spec}},
        })
        self.service(name, ns, labels, {"app.kubernetes.io/name": name})
        if p.get("exposed"):
            self.http_route(name, ns, labels, [(name, 1)])

    # -- KServe

    def kserve_deployment(self, d, model, replicas):
        ns, svc = d["namespace"], model["service"]
        prev_v, latest_v, percent = d["previous"], d["latest"], d["canaryTrafficPercent"]
        latest = self.version_of(model, latest_v)
        # KServe numbers the predictor revisions; the previous version is the first one here.
        prev_rev, latest_rev = f"{svc}-predictor-00001", f"{svc}-predictor-00002"
        # Knative labels each revision's Deployment with its revision, and the
        # InferenceService's labels (the model version among them) reach it too.
        for v, rev in ((prev_v, prev_rev), (latest_v, latest_rev)):
            self.version_workload(model, v, ns, replicas, {"serving.knative.dev/revision": rev})
        url = f"http://{svc}.{ns}.ml.example.com"

        def status(cur):
            old = (cur.get("status") or {})
            traffic = [{"revisionName": latest_rev, "percent": percent, "latestRevision": True, "tag": "latest",
                        "url": f"http://latest-{svc}-predictor.{ns}.ml.example.com"}]
            if percent < 100:
                traffic.append({"revisionName": prev_rev, "percent": 100 - percent, "latestRevision": False,
                                "tag": "prev", "url": f"http://prev-{svc}-predictor.{ns}.ml.example.com"})
            return {
                "observedGeneration": cur["metadata"]["generation"],
                "url": url,
                "address": {"url": f"http://{svc}.{ns}.svc.cluster.local"},
                "components": {"predictor": {
                    "latestCreatedRevision": latest_rev, "latestReadyRevision": latest_rev,
                    "latestRolledoutRevision": prev_rev, "previousRolledoutRevision": prev_rev,
                    "url": f"http://{svc}-predictor.{ns}.ml.example.com",
                    "traffic": traffic,
                }},
                "conditions": conditions(old.get("conditions"), [
                    {"type": t, "status": "True"} for t in
                    ("IngressReady", "LatestDeploymentReady", "PredictorConfigurationReady", "PredictorReady",
                     "PredictorRouteReady", "Ready")], "lastTransitionTime"),
                "modelStatus": {"states": {"activeModelState": "Loaded", "targetModelState": "Loaded"},
                                "transitionStatus": "UpToDate"},
            }

        self.add({
            "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": self.meta(svc, ns, self.version_labels(model, latest_v)),
            "spec": {"predictor": {
                "minReplicas": replicas,
                "canaryTrafficPercent": percent,
                "model": {
                    "modelFormat": {"name": model_format(latest["format"])},
                    "storageUri": f"mlflow://{model['name']}/{latest_v}",
                },
            }},
        }, status, "kserve-controller")

    # -- tools

    def tool_service(self, tool):
        annotations = {}
        info_file = os.path.join(self.state_dir, f"{tool['name']}.json")
        if os.path.exists(info_file):
            with open(info_file) as f:
                url = json.load(f).get("url")
            if url:
                annotations["ml-platform.io/dashboard-url"] = url
        labels = {"ml-platform.io/tool": tool["name"], "app.kubernetes.io/name": tool["name"],
                  "backstage.io/kubernetes-id": tool["name"]}
        self.service(tool["name"], tool["namespace"], labels, {"app.kubernetes.io/name": tool["name"]},
                     annotations or None, tool["port"])

    def build(self):
        self.routes_per_namespace = {}
        envs = {e["namespace"]: e["name"] for e in self.spec["environments"]}
        namespaces = list(envs) + sorted({t["namespace"] for t in self.spec["tools"]} - set(envs))
        for ns in namespaces:
            labels = {"ml-platform.io/environment": envs[ns]} if ns in envs else {}
            meta = {"name": ns, "labels": labels}
            if self.serving and ns in envs:
                # The serving namespaces' pods tolerate the real node's taint, and only it
                # (PodTolerationRestriction: this replaces the fake nodes' cluster default).
                meta["annotations"] = {"scheduler.alpha.kubernetes.io/defaultTolerations":
                                       json.dumps([REAL_NODE_TOLERATION])}
            self.add({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
        controller = TRAEFIK_CONTROLLER if self.serving else GATEWAY_CONTROLLER
        # controllerName cannot change: a class of the other controller is made anew.
        self.replace_if = {("GatewayClass", GATEWAY_CLASS): lambda cur: cur["spec"]["controllerName"] != controller}
        self.add({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": GATEWAY_CLASS},
            "spec": {"controllerName": controller},
        }, None if self.serving else (lambda cur: {"conditions": conditions((cur.get("status") or {}).get("conditions"), [
            {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
             "observedGeneration": cur["metadata"]["generation"]}], "lastTransitionTime")}), GATEWAY_CONTROLLER)
        for d in self.spec["deployments"]:
            model = self.models[d["model"]]
            replicas = 2 if envs.get(d["namespace"]) == "prod" else 1
            {"httproute": self.httproute_deployment, "argo-rollout": self.rollout_deployment,
             "kserve": self.kserve_deployment}[d["router"]](d, model, replicas)
        for p in self.spec.get("processing", []):
            self.processing_service(p)
        for ns in sorted(self.routes_per_namespace):
            self.gateway(ns)
        for tool in self.spec["tools"]:
            self.tool_service(tool)


def cmd_seed(spec_file, state_dir):
    with open(spec_file) as f:
        spec = json.load(f)
    seed = Seed(spec, state_dir)
    seed.build()
    kube = Kube()
    uids = {}
    for obj, status, manager in seed.items:
        for ref in obj["metadata"].get("ownerReferences", []):
            ref["uid"] = uids[(ref["kind"], obj["metadata"]["namespace"], ref["name"])]
        replace = seed.replace_if.get((obj["kind"], obj["metadata"]["name"]))
        if replace:
            try:
                if replace(kube.get(obj)):
                    delete_and_wait(kube, obj)
            except KubeError as e:
                if e.status != 404:
                    raise
        if (obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) in seed.create_only:
            try:
                kube.get(obj)
                print(f"    {obj['kind']} {obj['metadata']['name']} (kept)", file=sys.stderr)
                continue
            except KubeError as e:
                if e.status != 404:
                    raise
        cur = kube.apply(obj)
        if seed.serving and not status:
            drop_seeded_status(kube, obj, cur)
        uids[(obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"])] = cur["metadata"]["uid"]
        what = f"{obj['kind']} {obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}".replace(" /", " ")
        if status:
            kube.apply({"apiVersion": obj["apiVersion"], "kind": obj["kind"],
                        "metadata": {k: v for k, v in obj["metadata"].items() if k in ("name", "namespace")},
                        "status": status(cur)}, "status", manager)
            what += " (+status)"
        print(f"    {what}", file=sys.stderr)
    if os.environ.get("ML_KUBE_WORKLOADS", "on") == "off":
        return  # no controllers run (kube.sh), so no pod will ever be Ready
    started = time.time()
    for action in seed.actions:
        action(kube)
    wait_workloads(kube, [obj for obj, _, _ in seed.items],
                   SERVING_READY_TIMEOUT if seed.serving else WORKLOADS_READY_TIMEOUT)
    print(f"all demo pods Ready {time.time() - started:.1f}s after the last apply")


def serving_pod_spec(container, image, env):
    """A pod of a service image on the real node, as the templates' manifests run it."""
    return {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": container, "image": image, "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": SERVICE_PORT, "protocol": "TCP"}],
            "env": env,
            "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
            "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 2},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}},
        }],
    }


def delete_and_wait(kube, obj, timeout=120):
    kube.request("DELETE", kube.path(obj), {"propagationPolicy": "Foreground"})
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            kube.get(obj)
        except KubeError as e:
            if e.status == 404:
                return
            raise
        time.sleep(0.5)
    raise SystemExit(f"ERROR: {obj['kind']} {obj['metadata']['name']} not deleted after {timeout}s")


def drop_seeded_status(kube, obj, cur):
    """Removes what an earlier seed without serving wrote as the Gateway API controller's
    status: the real controller writes its own and leaves other controllers' entries."""
    if obj["kind"] != "HTTPRoute":
        return
    parents = (cur.get("status") or {}).get("parents") or []
    keep = [p for p in parents if p.get("controllerName") != GATEWAY_CONTROLLER]
    if len(keep) != len(parents):
        kube.request("PATCH", kube.path(obj, "status"), {"status": {"parents": keep}},
                     "application/merge-patch+json")


def rollout_versions(kube, ns, name):
    """(stable version, current version, status) of a Rollout, read from its ReplicaSets."""
    rollout = kube.request("GET", f"/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/{name}")
    st = rollout.get("status") or {}
    by_hash = {}
    for rs in kube.request("GET", f"/apis/apps/v1/namespaces/{ns}/replicasets")["items"]:
        labels = rs["metadata"].get("labels") or {}
        if "rollouts-pod-template-hash" in labels:
            by_hash[labels["rollouts-pod-template-hash"]] = labels.get("ml-platform.io/model-version")
    return by_hash.get(st.get("stableRS")), by_hash.get(st.get("currentPodHash")), rollout


def wait_rollout(kube, ns, name, check, what, timeout=SERVING_READY_TIMEOUT):
    deadline = time.time() + timeout
    while True:
        stable, current, rollout = rollout_versions(kube, ns, name)
        if check(stable, current, rollout.get("status") or {}):
            return
        if time.time() > deadline:
            st = rollout.get("status") or {}
            raise SystemExit(f"ERROR: Rollout {ns}/{name} not {what} after {timeout}s: phase {st.get('phase')}, "
                             f"step {st.get('currentStepIndex')}, {st.get('message', '')} (stable v{stable}, "
                             f"current v{current}); see the rollouts controller's log")
        time.sleep(1)


def seed_rollout(kube, at_stable, at_canary, stable_v, canary_v, index):
    """Brings the Rollout to the demo's state through its controller: stable at STABLE_V, the
    canary of CANARY_V paused at step INDEX. A Rollout elsewhere (a test or a demo moved it)
    is made anew."""
    ns, name = at_stable["metadata"]["namespace"], at_stable["metadata"]["name"]

    def at_demo_state(stable, current, st):
        return stable == str(stable_v) and current == str(canary_v) and st.get("currentStepIndex") == index \
            and st.get("phase") == "Paused"

    try:
        stable, current, rollout = rollout_versions(kube, ns, name)
    except KubeError as e:
        if e.status != 404:
            raise
        rollout = None
    # A status an earlier seed wrote in the controller's stead (before serving) is not the
    # controller's: such a Rollout is made anew too.
    seeded = rollout is not None and any(
        f.get("subresource") == "status" and f.get("manager") == "argo-rollouts"
        for f in rollout["metadata"].get("managedFields") or [])
    if rollout is not None and not seeded and at_demo_state(stable, current, rollout.get("status") or {}):
        kube.apply(at_canary)  # takes back any other field a test changed
        return
    if rollout is not None:
        delete_and_wait(kube, at_stable)
    kube.apply(at_stable)
    wait_rollout(kube, ns, name, lambda s, c, st: s == str(stable_v) and c == s and st.get("phase") == "Healthy",
                 f"Healthy at v{stable_v}")
    kube.apply(at_canary)
    wait_rollout(kube, ns, name, at_demo_state, f"paused at step {index} with v{canary_v}")
    print(f"    Rollout {ns}/{name}: stable v{stable_v}, canary v{canary_v} paused at step {index}", file=sys.stderr)


def controller_uid(obj):
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref["uid"]
    return None


def is_ready(pod):
    return pod.get("status", {}).get("phase") == "Running" and condition_status(pod, "Ready") == "True" \
        and not pod["metadata"].get("deletionTimestamp")


def not_ready(workload, replica_sets, pods):
    """Why a Deployment or ReplicaSet does not have all its pods Ready yet, or None.

    Counts the Ready pods themselves, not only the status: seeds before the controllers
    ran wrote a status that claims every pod Ready."""
    spec, st, meta = workload.get("spec") or {}, workload.get("status") or {}, workload["metadata"]
    want = spec.get("replicas", 1)
    if st.get("observedGeneration", 0) < meta["generation"]:
        return "its controller has not seen its latest spec"
    owners = {meta["uid"]}
    if workload["kind"] == "Deployment":
        owners = {rs["metadata"]["uid"] for rs in replica_sets if controller_uid(rs) == meta["uid"]}
    ready = sum(1 for pod in pods if controller_uid(pod) in owners and is_ready(pod))
    if ready != want or st.get("readyReplicas", 0) != want:
        return f"{ready}/{want} pods Ready (status says {st.get('readyReplicas', 0)})"
    return None


def wait_workloads(kube, objs, timeout):
    """Waits until every Deployment and ReplicaSet in objs has all its pods Ready."""
    pending = [o for o in objs if o["apiVersion"] == "apps/v1" and o["kind"] in ("Deployment", "ReplicaSet")]
    namespaces = sorted({o["metadata"]["namespace"] for o in pending})
    deadline = time.time() + timeout
    while True:
        replica_sets, pods = [], []
        for ns in namespaces:
            replica_sets += kube.request("GET", f"/apis/apps/v1/namespaces/{ns}/replicasets")["items"]
            pods += kube.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"]
        reasons = {}
        for obj in pending:
            reason = not_ready(kube.get(obj), replica_sets, pods)
            if reason:
                reasons[f"{obj['kind']} {obj['metadata']['namespace']}/{obj['metadata']['name']}"] = reason
        if not reasons:
            return
        if time.time() > deadline:
            lines = "\n".join(f"  {what}: {why}" for what, why in sorted(reasons.items()))
            raise SystemExit(f"ERROR: not all demo pods Ready after {timeout}s:\n{lines}\n"
                             "kube-controller-manager makes the pods, kube-scheduler places them and kwok "
                             "reports them Ready: see their logs in the kube state directory (logs/).")
        time.sleep(0.5)


def cmd_wait_nodes(timeout, names):
    wait_condition(Kube(), "nodes", {n: f"/api/v1/nodes/{n}" for n in names}, "Ready", timeout)


def main(argv):
    try:
        if len(argv) >= 2 and argv[0] == "apply":
            cmd_apply(argv[1:])
        elif len(argv) == 3 and argv[0] == "seed":
            cmd_seed(argv[1], argv[2])
        elif len(argv) >= 3 and argv[0] == "wait-nodes":
            cmd_wait_nodes(float(argv[1]), argv[2:])
        else:
            sys.exit(__doc__)
    except KubeError as e:
        sys.exit(f"ERROR: {e}")


if __name__ == "__main__":
    main(sys.argv[1:])
