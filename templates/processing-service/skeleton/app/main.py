"""The processing service: POST /transform, POST /predict (the inference chain through
the model service), /healthz, /readyz and /metrics."""

from __future__ import annotations

import os

from fastapi import FastAPI, Response

from .chain import ChainRequest, ChainResponse, run_chain
from .metrics import instrument
from .transform import DESCRIPTION, TransformRequest, TransformResponse, transform

SERVICE_TITLE = os.environ.get("SERVICE_TITLE", "processing-service")

app = FastAPI(title=SERVICE_TITLE, description=DESCRIPTION, version="1.0.0")
# Every answer names the service that gave it, so a chain's caller sees each hop.
instrument(app, "processing_service", {"service": SERVICE_TITLE}, {"X-Served-By": SERVICE_TITLE})


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    # Nothing to load: ready as soon as the process serves.
    return {"status": "ready"}


@app.post("/transform", response_model=TransformResponse)
def post_transform(request: TransformRequest) -> TransformResponse:
    return transform(request)


@app.post("/predict", response_model=ChainResponse)
def predict(request: ChainRequest, response: Response) -> ChainResponse:
    answer = run_chain(request)
    # The version of the model that answered, as the model service says it.
    response.headers["X-Model-Version"] = answer.version
    return answer
