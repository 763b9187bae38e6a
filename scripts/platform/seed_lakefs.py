#!/usr/bin/env python3
"""Seeds the local lakeFS with the demo's training data (standard library only).

Reads the `lakefs` section of demo-platform.json: creates the repository, then for each
dataset in order uploads a synthetic CSV to its path on `main` and commits it with the
dataset's message and `dataset: <id>` metadata, so one path gets several commits over
time. A dataset whose commit already exists (found by that metadata) is left alone, so a
rerun changes nothing. Writes {"repository", "commits": {dataset id: commit id}} for the
other seeds, which tag their runs with those commits.
"""

import argparse
import base64
import csv
import io
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

BRANCH = "main"
ROWS = 400


class LakeFS:
    def __init__(self, url, key_id, secret):
        self.api = url.rstrip("/") + "/api/v1"
        token = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
        self.auth = "Basic " + token

    def call(self, method, path, query=None, body=None, data=None, ok=(200, 201, 204)):
        url = self.api + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Authorization": self.auth, "Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            headers["Content-Type"] = "application/octet-stream"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as err:
            if err.code in ok:
                return err.code, None
            detail = err.read().decode(errors="replace")[:500]
            raise SystemExit(f"lakeFS {method} {path}: HTTP {err.code}: {detail}") from None

    def repository(self, name):
        try:
            return self.call("GET", f"/repositories/{q(name)}")[1]
        except SystemExit as err:
            if "HTTP 404" in str(err):
                return None
            raise

    def commits(self, repo, ref):
        """All commits reachable from ref, newest first."""
        after, out = "", []
        while True:
            _, page = self.call("GET", f"/repositories/{q(repo)}/refs/{q(ref)}/commits",
                                {"amount": 1000, "after": after})
            out += page["results"]
            if not page["pagination"]["has_more"]:
                return out
            after = page["pagination"]["next_offset"]


def q(segment):
    return urllib.parse.quote(segment, safe="")


def month_of(dataset_id):
    """'transactions-2026-10' -> datetime(2026, 10, 1)."""
    year, month = dataset_id.rsplit("-", 2)[-2:]
    return datetime(int(year), int(month), 1, tzinfo=timezone.utc)


def synthetic_csv(dataset):
    """A few hundred realistic rows, the same for the same dataset id on every run."""
    rng = random.Random(dataset["id"])
    start = month_of(dataset["id"])
    when = lambda: (start + timedelta(seconds=rng.randrange(28 * 86400))).strftime("%Y-%m-%dT%H:%M:%SZ")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    kind = dataset["path"].split("/")[-1]
    if kind == "transactions.csv":
        # A later month relabels late chargebacks: a slightly higher fraud rate.
        fraud_rate = 0.018 if "relabel" in dataset.get("message", "") else 0.012
        categories = ["grocery", "electronics", "travel", "restaurants", "fuel", "online_services", "jewelry"]
        w.writerow(["transaction_id", "timestamp", "card_id", "merchant_category", "amount", "currency",
                    "country", "card_present", "is_fraud"])
        for i in range(ROWS):
            fraud = rng.random() < fraud_rate * 8  # oversampled, as in a training extract
            amount = rng.lognormvariate(4.6 if fraud else 3.6, 0.9)
            w.writerow([f"tx-{start:%Y%m}-{i:06d}", when(), f"card-{rng.randrange(10**6):06d}",
                        rng.choice(categories[-3:] if fraud and rng.random() < 0.6 else categories),
                        f"{amount:.2f}", "EUR", rng.choice(["DE", "FR", "NL", "ES", "IT", "US", "GB"]),
                        str(rng.random() > (0.8 if fraud else 0.3)).lower(), int(fraud)])
    elif kind == "clicks.csv":
        w.writerow(["event_id", "timestamp", "session_id", "user_id", "product_id", "position",
                    "device", "clicked", "added_to_cart"])
        for i in range(ROWS):
            position = rng.randrange(1, 21)
            clicked = rng.random() < 0.35 / position ** 0.5
            w.writerow([f"ev-{start:%Y%m}-{i:06d}", when(), f"s-{rng.randrange(5000):05d}",
                        f"u-{rng.randrange(2000):05d}", f"p-{rng.randrange(800):04d}", position,
                        rng.choice(["web", "ios", "android"]), int(clicked),
                        int(clicked and rng.random() < 0.25)])
    elif kind == "subscribers.csv":
        w.writerow(["subscriber_id", "snapshot_date", "plan", "tenure_months", "monthly_charges",
                    "support_tickets_90d", "days_since_last_login", "churned"])
        plans = {"basic": 9.99, "standard": 15.49, "premium": 22.99}
        for i in range(ROWS):
            plan = rng.choice(list(plans))
            tenure = rng.randrange(1, 72)
            tickets = min(rng.expovariate(0.8), 9)
            idle = int(rng.expovariate(1 / 12))
            risk = 0.05 + 0.25 * (tenure < 6) + 0.05 * tickets + 0.01 * min(idle, 30)
            w.writerow([f"sub-{i:06d}", f"{start:%Y-%m-%d}", plan, tenure, plans[plan], int(tickets),
                        idle, int(rng.random() < min(risk, 0.9))])
    else:
        raise SystemExit(f"no synthetic data for {dataset['path']}: add a generator for it")
    return buf.getvalue().encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", required=True, help="demo-platform.json")
    ap.add_argument("--server", required=True, help="lakefs.json written by lakefs.sh start")
    ap.add_argument("--out", required=True, help="where to write lakefs-seed.json")
    ap.add_argument("--storage-namespace", help="default: local://<repository>")
    args = ap.parse_args()

    spec = json.load(open(args.spec))["lakefs"]
    server = json.load(open(args.server))
    lakefs = LakeFS(server["url"], server["accessKeyId"], server["secretAccessKey"])
    repo = spec["repository"]

    if lakefs.repository(repo) is None:
        # local:// namespaces resolve under the server's blockstore.local.path, which
        # lakefs.sh puts in the state dir.
        namespace = args.storage_namespace or f"local://{repo}"
        lakefs.call("POST", "/repositories",
                    body={"name": repo, "storage_namespace": namespace, "default_branch": BRANCH})
        print(f"    created repository {repo} ({namespace})", file=sys.stderr)

    seeded = {}
    for c in reversed(lakefs.commits(repo, BRANCH)):  # oldest first: the first seed wins
        ds = (c.get("metadata") or {}).get("dataset")
        if ds and ds not in seeded:
            seeded[ds] = c["id"]

    commits = {}
    for ds in spec["datasets"]:
        if ds["id"] in seeded:
            commits[ds["id"]] = seeded[ds["id"]]
            continue
        lakefs.call("POST", f"/repositories/{q(repo)}/branches/{BRANCH}/objects",
                    {"path": ds["path"]}, data=synthetic_csv(ds))
        _, commit = lakefs.call("POST", f"/repositories/{q(repo)}/branches/{BRANCH}/commits",
                                body={"message": ds["message"], "metadata": {"dataset": ds["id"]}})
        commits[ds["id"]] = commit["id"]
        print(f"    committed {ds['id']}: {ds['path']} -> {commit['id'][:12]}", file=sys.stderr)

    created = len(spec["datasets"]) - len(set(seeded) & {d["id"] for d in spec["datasets"]})
    print(f"    {repo}: {len(commits)} dataset commits ({created} new)", file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump({"repository": repo, "commits": commits}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
