"""Prints the app-config overlay that points the portal at the running local platform.

YAML is a superset of JSON, so the overlay is written as JSON. It holds the
platform's credentials and lives only in the gitignored state directory.
"""
import base64
import json
import os
import secrets
import sys

state = sys.argv[1]


def read(component):
    path = os.path.join(state, f"{component}.json")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: start the platform with scripts/platform/up.sh")
    with open(path) as f:
        return json.load(f)


def webhook_secret():
    """The secret MLflow signs its webhooks to the demo portal with; kept across restarts."""
    path = os.path.join(state, "mlflow", "webhook-secret")
    if not os.path.exists(path):
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(32))
    with open(path) as f:
        return f.read().strip()


kube, mlflow, zenml, lakefs = (read(c) for c in ("kube", "mlflow", "zenml", "lakefs"))
config = {
    "kubernetes": {
        "serviceLocatorMethod": {"type": "multiTenant"},
        "clusterLocatorMethods": [
            {
                "type": "config",
                "clusters": [
                    {
                        "name": kube.get("name", "local"),
                        "url": kube["server"],
                        "authProvider": "serviceAccount",
                        "serviceAccountToken": kube["token"],
                        "caData": kube.get("caData")
                        or base64.b64encode(open(kube["caFile"], "rb").read()).decode(),
                        "skipMetricsLookup": True,
                    }
                ],
            }
        ],
    },
    "mlPlatform": {
        "registries": {
            "mlflow": [
                {
                    "id": "mlflow",
                    "baseUrl": mlflow["url"],
                    "uiUrl": mlflow.get("uiUrl", mlflow["url"]),
                    "auth": {"username": mlflow["username"], "password": mlflow["password"]},
                    # The demo portal registers this webhook in MLflow at startup, so a new
                    # version or alias shows at once (app-config.yaml's backend port).
                    "webhook": {
                        "secret": webhook_secret(),
                        "url": "http://127.0.0.1:7007/api/ml-platform/webhooks/mlflow/mlflow",
                    },
                }
            ]
        },
        "zenml": {
            "baseUrl": zenml["url"],
            "dashboardUrl": zenml.get("dashboardUrl", zenml["url"]),
            "username": zenml["username"],
            "password": zenml["password"],
        },
        "lakefs": {
            "baseUrl": lakefs["url"],
            "uiUrl": lakefs.get("uiUrl", lakefs["url"]),
            "accessKeyId": lakefs["accessKeyId"],
            "secretAccessKey": lakefs["secretAccessKey"],
        },
    },
}
json.dump(config, sys.stdout, indent=2)
print()
