{%- if values.kind == 'pre' -%}
"""Pre-processing for a model service: raw records to model features.

Worked example: z-score normalisation. Each feature is centred on the mean
and scaled by the standard deviation it had in the training data, and the
rows come out in the column order the model was trained on, ready to send to
the model service's POST /predict as {"inputs": rows}. Replace FEATURES with
your model's columns and statistics.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

DESCRIPTION = ${{ ("Turns raw records into normalised feature rows for " + values.modelService + ".") | dump }}

# Column order of the model's input, with (mean, standard deviation) in training.
FEATURES: dict[str, tuple[float, float]] = {
    "amount": (54.6, 71.5),
    "hour": (11.5, 6.9),
    "merchant_risk": (0.5, 0.29),
    "distance_km": (20.0, 20.0),
}


class TransformRequest(BaseModel):
    records: list[dict[str, float]] = Field(min_length=1, description="Raw records, one value per feature name")

    @field_validator("records")
    @classmethod
    def has_every_feature(cls, records: list[dict[str, float]]) -> list[dict[str, float]]:
        # Raised here, the error answers 422 with the names, like any invalid body.
        missing = sorted({name for record in records for name in FEATURES if name not in record})
        if missing:
            raise ValueError(f"missing features: {', '.join(missing)}")
        return records


class TransformResponse(BaseModel):
    columns: list[str]
    inputs: list[list[float]] = Field(description="Normalised rows, in the model's column order")


def transform(request: TransformRequest) -> TransformResponse:
    rows = [
        [round((record[name] - mean) / std, 6) for name, (mean, std) in FEATURES.items()]
        for record in request.records
    ]
    return TransformResponse(columns=list(FEATURES), inputs=rows)
{%- else -%}
"""Post-processing for a model service: scores to decisions with reasons.

Worked example: a score in [0, 1] (e.g. a fraud probability) becomes
approve, review or decline, with the reason a reviewer reads. Replace the
thresholds and reasons with your own policy.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

DESCRIPTION = ${{ ("Turns the scores of " + values.modelService + " into decisions with their reasons.") | dump }}

REVIEW_AT = 0.5
DECLINE_AT = 0.8


class TransformRequest(BaseModel):
    scores: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1, description="Model scores, each in [0, 1]")


class Decision(BaseModel):
    score: float = Field(ge=0, le=1)
    decision: Literal["approve", "review", "decline"]
    reasons: list[str]


class TransformResponse(BaseModel):
    decisions: list[Decision]


def decide(score: float) -> Decision:
    if score >= DECLINE_AT:
        return Decision(score=score, decision="decline", reasons=[f"score {score} is at or above {DECLINE_AT}"])
    if score >= REVIEW_AT:
        return Decision(
            score=score, decision="review", reasons=[f"score {score} is between {REVIEW_AT} and {DECLINE_AT}"]
        )
    return Decision(score=score, decision="approve", reasons=[f"score {score} is below {REVIEW_AT}"])


def transform(request: TransformRequest) -> TransformResponse:
    return TransformResponse(decisions=[decide(s) for s in request.scores])
{%- endif %}
