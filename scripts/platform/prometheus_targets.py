#!/usr/bin/env python3
"""Keeps Prometheus' file_sd targets file in step with the real node's pods.

    prometheus_targets.py OUT_FILE NODE NAMESPACE...

Debian's Prometheus is built without Kubernetes service discovery, so this lists the
pods of the namespaces every 5 s (as the apiserver user kube_apply.py is given) and
writes the Running pods of NODE with a container port named http as targets, labelled
with their namespace, pod and app.kubernetes.io/name. Standard library plus PyYAML only.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kube_apply import Kube, KubeError  # noqa: E402

INTERVAL_SECONDS = 5


def targets(kube, node, namespaces):
    out = []
    for ns in namespaces:
        for pod in kube.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"]:
            st, spec = pod.get("status") or {}, pod["spec"]
            if spec.get("nodeName") != node or st.get("phase") != "Running" or not st.get("podIP"):
                continue
            for c in spec["containers"]:
                for port in c.get("ports") or []:
                    if port.get("name") == "http":
                        out.append({"targets": [f"{st['podIP']}:{port['containerPort']}"], "labels": {
                            "namespace": ns, "pod": pod["metadata"]["name"],
                            "service": (pod["metadata"].get("labels") or {}).get("app.kubernetes.io/name", "")}})
    return out


def main(out_file, node, namespaces):
    kube = Kube()
    last = None
    while True:
        try:
            found = json.dumps(targets(kube, node, namespaces), indent=1, sort_keys=True)
            if found != last:
                with open(out_file + ".tmp", "w") as f:
                    f.write(found)
                os.replace(out_file + ".tmp", out_file)
                last = found
        except (KubeError, OSError) as e:
            print(f"listing pods: {e}", file=sys.stderr, flush=True)
        time.sleep(INTERVAL_SECONDS)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
