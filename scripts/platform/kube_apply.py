#!/usr/bin/env python3
"""Applies objects to the local kube-apiserver by server-side apply (no kubectl here).

    kube_apply.py apply FILE...        every YAML/JSON document; waits for CRDs to be Established
    kube_apply.py seed SPEC STATE_DIR  the demo platform of demo-platform.json; waits for its pods
    kube_apply.py wait-nodes SECONDS NODE...  waits until the nodes are Ready

The connection comes from KUBE_SERVER, KUBE_CA_FILE and KUBE_TOKEN, or else from
$ML_PLATFORM_STATE/kube.json. Standard library plus PyYAML only.

kube-controller-manager, kube-scheduler and kwok run next to this apiserver: they make
the Pods of Deployments and ReplicaSets and report them Ready. No Gateway API, Argo
Rollouts or KServe controller runs, so the seed writes those objects' `status` the way
their controller would, each under the field manager of that controller.
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
GATEWAY_CLASS = "ml-platform-demo"
GATEWAY = "ml-gateway"
SERVICE_PORT = 8080
# Pods are Ready within seconds of their Deployment; on a busy 2-core machine it can take
# a few times longer.
WORKLOADS_READY_TIMEOUT = 90


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


class Seed:
    def __init__(self, spec, state_dir):
        self.spec = spec
        self.state_dir = state_dir
        self.models = {m["name"]: m for m in spec["models"]}
        # (object, status builder or None, field manager of the controller that writes the status)
        self.items = []

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

    def pod_template(self, model, version, extra_labels=None):
        return {
            "metadata": {"labels": {**self.version_labels(model, version), **(extra_labels or {})}},
            "spec": {"containers": [{
                "name": "model",
                "image": f"registry.example.com/models/{model['service']}:{version}",
                "ports": [{"name": "http", "containerPort": SERVICE_PORT, "protocol": "TCP"}],
                "env": [{"name": "MODEL_URI", "value": f"models:/{model['name']}/{version}"}],
            }]},
        }

    # -- plain workloads

    def deployment(self, model, version, namespace, replicas):
        name = f"{model['service']}-v{version}"
        labels = self.version_labels(model, version)
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

    def version_workload(self, model, version, namespace, replicas):
        self.deployment(model, version, namespace, replicas)
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

        self.add({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": self.meta(GATEWAY, namespace),
            "spec": {"gatewayClassName": GATEWAY_CLASS,
                     "listeners": [{"name": "http", "protocol": "HTTP", "port": 80,
                                    "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
        }, status, GATEWAY_CONTROLLER)

    def http_route(self, name, namespace, labels, backends):
        """backends: [(service name, weight)]"""
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
                                    for svc, w in backends],
                }],
            },
        }, status, GATEWAY_CONTROLLER)

    def httproute_deployment(self, d, model, replicas):
        weights = sorted(((int(v), int(w)) for v, w in d["weights"].items()))
        for v, _ in weights:
            self.version_workload(model, v, d["namespace"], replicas)
        self.http_route(model["service"], d["namespace"], self.service_labels(model),
                        [(f"{model['service']}-v{v}", w) for v, w in weights])

    # -- Argo Rollouts

    def rollout_deployment(self, d, model, replicas):
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

    # -- KServe

    def kserve_deployment(self, d, model, replicas):
        ns, svc = d["namespace"], model["service"]
        prev_v, latest_v, percent = d["previous"], d["latest"], d["canaryTrafficPercent"]
        for v in (prev_v, latest_v):
            self.version_workload(model, v, ns, replicas)
        latest = self.version_of(model, latest_v)
        # KServe numbers the predictor revisions; the previous version is the first one here.
        prev_rev, latest_rev = f"{svc}-predictor-00001", f"{svc}-predictor-00002"
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
            self.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}})
        self.add({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": GATEWAY_CLASS},
            "spec": {"controllerName": GATEWAY_CONTROLLER},
        }, lambda cur: {"conditions": conditions((cur.get("status") or {}).get("conditions"), [
            {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
             "observedGeneration": cur["metadata"]["generation"]}], "lastTransitionTime")}, GATEWAY_CONTROLLER)
        for d in self.spec["deployments"]:
            model = self.models[d["model"]]
            replicas = 2 if envs.get(d["namespace"]) == "prod" else 1
            {"httproute": self.httproute_deployment, "argo-rollout": self.rollout_deployment,
             "kserve": self.kserve_deployment}[d["router"]](d, model, replicas)
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
        cur = kube.apply(obj)
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
    wait_workloads(kube, [obj for obj, _, _ in seed.items], WORKLOADS_READY_TIMEOUT)
    print(f"all demo pods Ready {time.time() - started:.1f}s after the last apply")


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
