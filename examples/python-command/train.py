#!/usr/bin/env python3
"""Fits duration = a + b * distance to data.csv by gradient descent. Standard library only.

Run by a Baton agent as a command deployment (see baton.yaml), or by hand:

    python3 train.py
    BATON_PARAMETERS='{"epochs": 50, "learning_rate": 0.1}' python3 train.py
    BATON_PARAM_EPOCHS=50 BATON_PARAM_LEARNING_RATE=0.1 python3 train.py

Parameters come from the environment the agent sets: all of them as JSON in BATON_PARAMETERS
(read first: it keeps their types), and each one as BATON_PARAM_<NAME> (the name upper-cased,
anything but letters and digits made "_"; strings as they are, anything else as JSON).

Exit codes: 0 trained; 1 failed (the `fail` parameter, or training diverged); 2 bad parameters.
Everything printed is flushed at once, so the agent streams each line to the run's logs as it
happens instead of when the process ends.
"""
import csv
import json
import math
import os
import re
import sys

DEFAULTS = {"epochs": 200, "learning_rate": 0.05, "fail": False}
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.csv")


class ParameterError(Exception):
    pass


def env_name(name):
    return "BATON_PARAM_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def from_env_text(text):
    """BATON_PARAM_* values are JSON unless the parameter is a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def as_positive_int(name, value):
    if isinstance(value, str):
        value = from_env_text(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
        raise ParameterError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def as_positive_float(name, value):
    if isinstance(value, str):
        value = from_env_text(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a number greater than 0, got {value!r}")
    return float(value)


def as_bool(name, value):
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off", ""):
            return False
    if isinstance(value, bool):
        return value
    raise ParameterError(f"{name} must be true or false, got {value!r}")


def read_parameters(environ):
    raw_json = environ.get("BATON_PARAMETERS", "").strip()
    if raw_json:
        try:
            given = json.loads(raw_json)
        except ValueError as error:
            raise ParameterError(f"BATON_PARAMETERS is not valid JSON ({error})") from None
        if not isinstance(given, dict):
            raise ParameterError(f"BATON_PARAMETERS must be a JSON object, got {raw_json!r}")
    else:
        given = {name: environ[env_name(name)] for name in DEFAULTS if env_name(name) in environ}
    values = {**DEFAULTS, **{k: v for k, v in given.items() if k in DEFAULTS and v is not None}}
    return {
        "epochs": as_positive_int("epochs", values["epochs"]),
        "learning_rate": as_positive_float("learning_rate", values["learning_rate"]),
        "fail": as_bool("fail", values["fail"]),
    }


def read_data(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [float(r["trip_distance"]) for r in rows], [float(r["duration_minutes"]) for r in rows]


def train(xs, ys, epochs, learning_rate):
    """Gradient descent on the mean squared error, with x standardised so one learning rate fits."""
    n = len(xs)
    mean_x = sum(xs) / n
    std_x = math.sqrt(sum((x - mean_x) * (x - mean_x) for x in xs) / n)
    zs = [(x - mean_x) / std_x for x in xs]
    w, b = 0.0, 0.0
    first_loss = None
    for epoch in range(1, epochs + 1):
        errors = [w * z + b - y for z, y in zip(zs, ys)]
        loss = sum(e * e for e in errors) / n
        first_loss = loss if first_loss is None else first_loss
        # Gradient descent never makes the loss 100 times worse unless the steps overshoot.
        if not math.isfinite(loss) or loss > 100 * first_loss:
            raise ArithmeticError(f"training diverged at epoch {epoch}: use a smaller learning_rate")
        w -= learning_rate * 2 * sum(e * z for e, z in zip(errors, zs)) / n
        b -= learning_rate * 2 * sum(errors) / n
        if epoch % 50 == 0 or epoch == epochs:
            print(f"epoch {epoch} loss {loss:.4f}", flush=True)
    slope = w / std_x
    intercept = b - slope * mean_x
    rmse = math.sqrt(sum((intercept + slope * x - y) ** 2 for x, y in zip(xs, ys)) / n)
    return intercept, slope, rmse


def main():
    try:
        params = read_parameters(os.environ)
    except ParameterError as error:
        print(f"train.py: bad parameter: {error}", file=sys.stderr, flush=True)
        return 2
    print(f"parameters: epochs={params['epochs']} learning_rate={params['learning_rate']} fail={str(params['fail']).lower()}", flush=True)
    if params["fail"]:
        print("train.py: failing on purpose because the parameter fail is true", file=sys.stderr, flush=True)
        return 1

    xs, ys = read_data(DATA)
    print(f"training on {len(xs)} rows from {os.path.basename(DATA)}", flush=True)
    try:
        intercept, slope, rmse = train(xs, ys, params["epochs"], params["learning_rate"])
    except ArithmeticError as error:
        print(f"train.py: {error}", file=sys.stderr, flush=True)
        return 1
    print(f"model: duration = {intercept:.3f} + {slope:.3f} * trip_distance", flush=True)
    print(f"final rmse={rmse:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
