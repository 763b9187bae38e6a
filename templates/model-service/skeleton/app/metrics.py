"""Request metrics in Prometheus' text format, served at GET /metrics.

Per route and status code: requests, errors (5xx answers) and a latency histogram,
each labelled with what this service serves (its model and version, for a model
service), so a scrape of two versions' pods tells them apart. No client library:
the image's dependencies stay those of serving.
"""

from __future__ import annotations

import threading
import time

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(pairs: dict[str, str]) -> str:
    escaped = (f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"' for k, v in pairs.items())
    return "{" + ",".join(escaped) + "}"


class Metrics:
    def __init__(self, prefix: str, labels: dict[str, str]):
        self.prefix = prefix
        self.labels = labels
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str], int] = {}
        self._errors: dict[str, int] = {}
        self._buckets: dict[str, list[int]] = {}
        self._sum: dict[str, float] = {}

    def observe(self, route: str, code: int, seconds: float) -> None:
        with self._lock:
            key = (route, str(code))
            self._requests[key] = self._requests.get(key, 0) + 1
            if code >= 500:
                self._errors[route] = self._errors.get(route, 0) + 1
            counts = self._buckets.setdefault(route, [0] * len(BUCKETS))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self._sum[route] = self._sum.get(route, 0.0) + seconds

    def render(self) -> str:
        p = self.prefix
        lines = [f"# HELP {p}_requests_total Requests answered, by route and status code.",
                 f"# TYPE {p}_requests_total counter"]
        with self._lock:
            for (route, code), n in sorted(self._requests.items()):
                lines.append(f"{p}_requests_total{_labels({**self.labels, 'route': route, 'code': code})} {n}")
            lines += [f"# HELP {p}_request_errors_total Requests answered with a server error (5xx).",
                      f"# TYPE {p}_request_errors_total counter"]
            for route in sorted(self._buckets):
                n = self._errors.get(route, 0)
                lines.append(f"{p}_request_errors_total{_labels({**self.labels, 'route': route})} {n}")
            lines += [f"# HELP {p}_request_duration_seconds Time to answer a request.",
                      f"# TYPE {p}_request_duration_seconds histogram"]
            for route, counts in sorted(self._buckets.items()):
                base = {**self.labels, "route": route}
                for bound, n in zip(BUCKETS, counts):
                    lines.append(f"{p}_request_duration_seconds_bucket{_labels({**base, 'le': str(bound)})} {n}")
                total = sum(n for (r, _), n in self._requests.items() if r == route)
                lines.append(f"{p}_request_duration_seconds_bucket{_labels({**base, 'le': '+Inf'})} {total}")
                lines.append(f"{p}_request_duration_seconds_sum{_labels(base)} {self._sum[route]:.6f}")
                lines.append(f"{p}_request_duration_seconds_count{_labels(base)} {total}")
        return "\n".join(lines) + "\n"


def instrument(app: FastAPI, prefix: str, labels: dict[str, str], headers: dict[str, str] | None = None) -> Metrics:
    """Measures every request of APP, adds HEADERS to every answer and serves GET /metrics."""
    metrics = Metrics(prefix, labels)

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:
            metrics.observe(_route(request), 500, time.perf_counter() - started)
            raise
        metrics.observe(_route(request), response.status_code, time.perf_counter() - started)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    @app.get("/metrics", include_in_schema=False)
    def serve_metrics() -> PlainTextResponse:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    return metrics


def _route(request: Request) -> str:
    # The route's template, not the raw path: a label per URL anyone sends would grow
    # without bound.
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")
