{%- if values.kind == 'pre' -%}
"""The inference chain through this service: POST /predict takes raw records, turns them
into features (app/transform.py), asks the model service at MODEL_SERVICE_URL, and, when
POSTPROCESSING_URL names a post-processing service, hands it the model's scores and
answers its decisions. Every hop goes over the Services of the namespace.
"""
{%- else -%}
"""The inference chain through this service: POST /predict takes feature rows, asks the
model service at MODEL_SERVICE_URL, and turns its scores into decisions
(app/transform.py).
"""
{%- endif %}

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any, Optional, Union

from fastapi import HTTPException
from pydantic import BaseModel, Field

from .transform import TransformRequest, transform

SERVICE_NAME = os.environ.get("SERVICE_TITLE", ${{ values.name | dump }})
MODEL_SERVICE_URL = os.environ.get("MODEL_SERVICE_URL", "")
{%- if values.kind == 'pre' %}
POSTPROCESSING_URL = os.environ.get("POSTPROCESSING_URL", "")
{%- endif %}
TIMEOUT_SECONDS = float(os.environ.get("CHAIN_TIMEOUT_SECONDS", "10"))

{% if values.kind == 'pre' -%}
ChainRequest = TransformRequest
{%- else -%}
class ChainRequest(BaseModel):
    inputs: list[Union[list[float], dict[str, float]]] = Field(
        min_length=1, description="Feature rows for the model service's POST /predict"
    )
{%- endif %}


class ChainResponse(BaseModel):
    model: str = Field(description="The registered model that answered")
    version: str = Field(description="Its version")
    predictions: Any = Field(description="The model service's predictions")
    decisions: Optional[list[dict[str, Any]]] = Field(
        default=None, description="The post-processing service's decisions, when there is one"
    )
    chain: list[str] = Field(description="Who answered, in order: services and the model version")


def call(url: str, body: dict) -> tuple[dict, dict[str, str]]:
    """POSTs BODY as JSON to URL; answers the JSON body and the headers, or raises a 502
    that says which hop failed."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read()), dict(response.headers.items())
    except urllib.error.HTTPError as e:
        raise HTTPException(502, f"{url} answered {e.code}: {e.read()[:300].decode(errors='replace')}") from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise HTTPException(502, f"{url} did not answer: {getattr(e, 'reason', e)}") from e


def scores_of(predictions: Any) -> list[float]:
    """One score per row from a model's predictions: the last column of its probabilities
    (the positive class), or the predictions themselves when they are one number per row."""
    if isinstance(predictions, dict):
        key = next((k for k in predictions if "prob" in k.lower()), next(iter(predictions), None))
        predictions = predictions.get(key, []) if key is not None else []
    return [float(p[-1]) if isinstance(p, list) else float(p) for p in predictions]


def ask_model(inputs: list) -> tuple[dict, list[str]]:
    if not MODEL_SERVICE_URL:
        raise HTTPException(503, "MODEL_SERVICE_URL is not set: this service does not know its model service")
    answer, headers = call(f"{MODEL_SERVICE_URL.rstrip('/')}/predict", {"inputs": inputs})
    model = headers.get("X-Model-Name") or headers.get("x-model-name") or answer.get("model", "")
    version = headers.get("X-Model-Version") or headers.get("x-model-version") or answer.get("version", "")
    return {**answer, "model": model, "version": version}, [f"{model} v{version}"]


def run_chain(request: ChainRequest) -> ChainResponse:
{%- if values.kind == 'pre' %}
    features = transform(request)
    answer, hops = ask_model(features.inputs)
    decisions = None
    chain = [SERVICE_NAME, *hops]
    if POSTPROCESSING_URL:
        post, headers = call(
            f"{POSTPROCESSING_URL.rstrip('/')}/transform", {"scores": scores_of(answer["predictions"])}
        )
        decisions = post["decisions"]
        chain.append(headers.get("X-Served-By") or headers.get("x-served-by") or POSTPROCESSING_URL)
{%- else %}
    answer, hops = ask_model(request.inputs)
    decisions = [d.model_dump() for d in transform(TransformRequest(scores=scores_of(answer["predictions"]))).decisions]
    chain = [*hops, SERVICE_NAME]
{%- endif %}
    return ChainResponse(
        model=answer["model"], version=answer["version"], predictions=answer["predictions"],
        decisions=decisions, chain=chain,
    )
