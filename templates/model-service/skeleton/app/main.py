"""The model service: /predict, /healthz, /readyz and /metrics.

Every answer names the model version that gave it (X-Model-Version), so a
client, the gateway's logs or a test counting a canary's share can tell the
versions apart.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Union

import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from .loader import LoadedModel, load
from .metrics import instrument

MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/model"))
MODEL_NAME = os.environ.get("MODEL_NAME", "")
MODEL_VERSION = os.environ.get("MODEL_VERSION", "")

state: dict[str, LoadedModel] = {}


@asynccontextmanager
async def lifespan(_: FastAPI):
    # An unsafe or missing model stops the start here, so a bad image never
    # becomes Ready.
    state["model"] = load(MODEL_DIR)
    yield
    state.clear()


app = FastAPI(title="Model service", lifespan=lifespan)
instrument(
    app,
    "model_service",
    {"model": MODEL_NAME, "version": MODEL_VERSION},
    {"X-Model-Name": MODEL_NAME, "X-Model-Version": MODEL_VERSION},
)


class PredictRequest(BaseModel):
    inputs: list[Union[list[float], dict[str, float]]] = Field(
        min_length=1,
        description="Rows of features: lists in the model's column order, or objects by column name.",
    )


class PredictResponse(BaseModel):
    model: str
    version: str
    predictions: Union[list[Any], dict[str, list[Any]]]


def to_matrix(model: LoadedModel, rows: list) -> np.ndarray:
    names = model.spec.input_names
    if all(isinstance(r, dict) for r in rows):
        if not names:
            raise HTTPException(422, "this model's signature has no column names: send rows as lists")
        missing = sorted({n for r in rows for n in names if n not in r})
        if missing:
            raise HTTPException(422, f"missing features: {', '.join(missing)}")
        return np.array([[r[n] for n in names] for r in rows], dtype=np.float64)
    if any(isinstance(r, dict) for r in rows):
        raise HTTPException(422, "send every row as a list or every row as an object")
    widths = {len(r) for r in rows}
    if len(widths) != 1 or (names and widths != {len(names)}):
        raise HTTPException(422, f"every row needs {len(names) or 'the same number of'} features")
    return np.array(rows, dtype=np.float64)


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.get("/readyz")
def readyz() -> dict:
    if "model" not in state:
        raise HTTPException(503, "model not loaded")
    return {"status": "ready", "format": state["model"].spec.format}


@app.post("/predict", response_model=PredictResponse)
def predict(request: PredictRequest) -> PredictResponse:
    model = state["model"]
    result = model.predict(to_matrix(model, request.inputs))
    predictions = (
        {k: np.asarray(v).tolist() for k, v in result.items()}
        if isinstance(result, dict)
        else np.asarray(result).tolist()
    )
    return PredictResponse(model=MODEL_NAME, version=MODEL_VERSION, predictions=predictions)
