"""The processing service: POST /transform, /healthz and /readyz."""

from __future__ import annotations

import os

from fastapi import FastAPI

from .transform import DESCRIPTION, TransformRequest, TransformResponse, transform

app = FastAPI(
    title=os.environ.get("SERVICE_TITLE", "processing-service"),
    description=DESCRIPTION,
    version="1.0.0",
)


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
