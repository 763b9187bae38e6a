"""The build reads the model's requirements without installing them, and
keeps MLflow's credentials to MLflow."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import fetch_model
from fetch_model import Mlflow, read_lock, unmet_requirements

LOCK = read_lock(Path(fetch_model.__file__).with_name("requirements.txt"))


def test_the_lock_pins_what_the_loaders_import():
    for package in ("onnxruntime", "scikit-learn", "skops", "safetensors", "xgboost-cpu", "lightgbm", "numpy", "fastapi", "uvicorn"):
        assert package in LOCK


def test_a_model_that_needs_only_the_lock_passes():
    onnx = f"mlflow==3.17.2\nonnx=={LOCK['onnx']}\nonnxruntime=={LOCK['onnxruntime']}\n"
    skops = f"# logged by MLflow\nmlflow==3.17.2\nscikit-learn>={LOCK['scikit-learn']}  # inline\nskops\n"
    assert unmet_requirements(onnx, LOCK) == []
    assert unmet_requirements(skops, LOCK) == []


def test_xgboost_is_met_by_its_cpu_build_at_the_same_version_only():
    assert unmet_requirements(f"xgboost=={LOCK['xgboost-cpu']}\n", LOCK) == []
    assert unmet_requirements("xgboost==1.7.6\n", LOCK) == [
        f"xgboost==1.7.6 is required, the image's lock has xgboost=={LOCK['xgboost-cpu']}"
    ]


@pytest.mark.parametrize(
    "line, named",
    [
        ("requests==2.32.3", "requests ('requests==2.32.3') is not in the image's lock"),
        ("scikit-learn==1.0.2", f"scikit-learn==1.0.2 is required, the image's lock has scikit-learn=={LOCK['scikit-learn']}"),
        ("evil @ https://example.com/evil-1.0.tar.gz", "evil @ https://example.com/evil-1.0.tar.gz: the image installs packages of its lock only"),
        ("-e git+https://example.com/evil.git#egg=evil", "'-e git+https://example.com/evil.git#egg=evil': pip options are not followed"),
        ("--extra-index-url https://example.com/simple", "'--extra-index-url https://example.com/simple': pip options are not followed"),
        ("-r other.txt", "'-r other.txt': pip options are not followed"),
        ("./evil", "'./evil' is not a requirement the build can check"),
        ("numpy[dev]", "numpy[dev]: extras are not checked against the lock"),
    ],
)
def test_refuses_what_the_lock_does_not_satisfy_naming_it(line, named):
    unmet = unmet_requirements(f"mlflow==3.17.2\n{line}\n", LOCK)
    assert len(unmet) == 1
    assert unmet[0].startswith(named)


def test_skips_requirements_for_other_platforms():
    assert unmet_requirements('pywin32==306; sys_platform == "win32"\n', LOCK) == []


class _Recorder(BaseHTTPRequestHandler):
    """Answers /redirect with a redirect to `target`, anything else with {}."""

    target = ""
    seen: list = []

    def do_GET(self):
        type(self).seen.append((self.server.server_address[1], self.path, self.headers.get("Authorization")))
        if self.path.startswith("/api/2.0/mlflow/redirect"):
            self.send_response(302)
            self.send_header("Location", type(self).target)
            self.end_headers()
            return
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def servers():
    started = []
    for _ in range(2):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    _Recorder.seen = []
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in started]
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["another server", "the same server"])
def test_does_not_send_the_credentials_where_mlflow_redirects(servers, monkeypatch, where):
    mlflow_url, other_url = servers
    target = other_url if where == "another server" else mlflow_url
    _Recorder.target = f"{target}/landing"
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "s3cret")

    assert Mlflow(mlflow_url).json("/api/2.0/mlflow/redirect") == {}

    (first, second) = _Recorder.seen
    assert first[1:] == ("/api/2.0/mlflow/redirect", "Bearer s3cret")
    assert second[1:] == ("/landing", None)
