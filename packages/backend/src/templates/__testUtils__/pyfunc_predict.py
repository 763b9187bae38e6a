"""Prints what MLflow itself predicts for a model version: the reference.

    python pyfunc_predict.py MODEL VERSION ROWS_JSON

Run with the local platform's MLflow virtualenv; reads MLFLOW_TRACKING_URI
and the credentials from the environment. Rows are lists (a tensor model) or
objects by column name (a column-based signature).
"""

import json
import sys

import mlflow
import numpy as np
import pandas as pd

model_name, version, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
model = mlflow.pyfunc.load_model(f"models:/{model_name}/{version}")
if isinstance(rows[0], dict):
    data = pd.DataFrame(rows).astype("float64")
else:
    data = np.array(rows, dtype=np.float32)
result = model.predict(data)
if isinstance(result, dict):
    out = {k: np.asarray(v).tolist() for k, v in result.items()}
elif isinstance(result, pd.DataFrame):
    out = {k: result[k].tolist() for k in result.columns}
else:
    out = np.asarray(result).tolist()
print(json.dumps(out))
