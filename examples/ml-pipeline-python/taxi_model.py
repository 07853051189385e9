"""The taxi-duration model in plain Python (standard library only): read, clean, features, fit, evaluate.

The same steps as the course's pandas / scikit-learn notebook (read_dataframe, DictVectorizer,
LinearRegression, mean_squared_error), written so they run on a machine with nothing but python3.
flows/train.py wraps each step in a task; the functions here know nothing of Baton and have their
own unit tests (tests/test_taxi_model.py).
"""
import csv
import math
from collections import Counter
from datetime import datetime

OTHER_PAIR = "other"


def read_trips(path):
    """The rows of a TLC green-taxi CSV, as dicts of strings."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _minutes(row):
    fmt = "%Y-%m-%d %H:%M:%S"
    pickup = datetime.strptime(row["lpep_pickup_datetime"], fmt)
    dropoff = datetime.strptime(row["lpep_dropoff_datetime"], fmt)
    return (dropoff - pickup).total_seconds() / 60


def clean_trips(rows, min_minutes=1, max_minutes=60):
    """Trips with every field the model needs and a duration of 1 to 60 minutes (as in the course), and what was dropped."""
    trips, dropped = [], Counter()
    for row in rows:
        try:
            duration = _minutes(row)
            trip = {"pu": row["PULocationID"], "do": row["DOLocationID"], "distance": float(row["trip_distance"]), "duration": duration}
        except (KeyError, ValueError, TypeError):
            dropped["missing_fields"] += 1
            continue
        if not trip["pu"] or not trip["do"] or trip["distance"] < 0:
            dropped["missing_fields"] += 1
        elif duration < min_minutes:
            dropped["too_short"] += 1
        elif duration > max_minutes:
            dropped["too_long"] += 1
        else:
            trips.append(trip)
    return trips, dict(dropped)


def pair_key(trip):
    return f"{trip['pu']}_{trip['do']}"


def fit_features(trips, top_pairs):
    """DictVectorizer's columns, from the training trips: the distance and one 0/1 column per frequent pickup→dropoff pair; the rest share `other`."""
    if top_pairs < 1:
        raise ValueError(f"top_pairs must be at least 1, got {top_pairs}")
    counts = Counter(pair_key(t) for t in trips)
    pairs = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_pairs]]
    return {"pairs": pairs, "feature_names": ["trip_distance"] + [f"PU_DO={p}" for p in pairs] + [f"PU_DO={OTHER_PAIR}"]}


def _sparse_row(features, column_of, trip):
    """(column, value) pairs of a trip's row: the intercept (0), the distance (1), its pair's column."""
    return [(0, 1.0), (1, trip["distance"]), (column_of.get(pair_key(trip), 1 + len(features["pairs"]) + 1), 1.0)]


def fit_model(trips, features, ridge=1e-3):
    """Least squares with a small ridge, by the normal equations: each row has three non-zero entries, so XᵀX costs O(rows)."""
    column_of = {p: 2 + i for i, p in enumerate(features["pairs"])}
    n = 2 + len(features["pairs"]) + 1
    xtx = [[0.0] * n for _ in range(n)]
    xty = [0.0] * n
    for trip in trips:
        row = _sparse_row(features, column_of, trip)
        for i, a in row:
            xty[i] += a * trip["duration"]
            for j, b in row:
                xtx[i][j] += a * b
    for i in range(1, n):  # the intercept is not penalised
        xtx[i][i] += ridge * len(trips)
    coefficients = _solve(xtx, xty)
    mean = sum(t["duration"] for t in trips) / len(trips)
    return {"intercept": coefficients[0], "weights": coefficients[1:], "feature_names": features["feature_names"], "pairs": features["pairs"], "train_mean": mean, "ridge": ridge}


def _solve(a, b):
    """Gaussian elimination with partial pivoting (a is small and symmetric positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            raise ValueError("the features are linearly dependent: too few trips for this many pairs")
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def predict(model, trip):
    column_of = {p: 1 + i for i, p in enumerate(model["pairs"])}
    weights = model["weights"]
    pair_column = column_of.get(pair_key(trip), len(weights) - 1)
    return model["intercept"] + weights[0] * trip["distance"] + weights[pair_column]


def rmse(model, trips):
    """Root mean squared error in minutes, and that of predicting the training mean (the baseline)."""
    err = sum((predict(model, t) - t["duration"]) ** 2 for t in trips) / len(trips)
    base = sum((model["train_mean"] - t["duration"]) ** 2 for t in trips) / len(trips)
    return {"rows": len(trips), "rmse": math.sqrt(err), "baseline_rmse": math.sqrt(base)}
