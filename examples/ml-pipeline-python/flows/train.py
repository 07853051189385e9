"""The taxi-trip-duration pipeline of the MLOps Zoomcamp as a Baton flow, in Python.

The course's Prefect flow with its imports changed (`from prefect import …` → `from baton import …`):
read the January trips to train and the February trips to validate, clean them, build the
DictVectorizer's columns, fit a linear regression, publish the validation RMSE as a markdown
artifact and the coefficients as a table artifact. Standard library only (taxi_model.py), so it
runs anywhere; README.md shows the pandas / scikit-learn variant.

Run it locally: `PYTHONPATH=../../agent/python python3 flows/train.py`; deploy it: `npx baton deploy`.
"""
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import taxi_model  # noqa: E402
from baton import create_markdown_artifact, create_table_artifact, flow, get_run_logger, task, task_input_hash  # noqa: E402


@task(retries=3, retry_delay_seconds=2)
def read_data(path: str) -> list:
    """Read a month of trips; retried, as a file on a network share can be briefly unavailable."""
    rows = taxi_model.read_trips(path)
    get_run_logger().info("read %d rows from %s", len(rows), path)
    return rows


@task
def clean(rows: list) -> list:
    trips, dropped = taxi_model.clean_trips(rows)
    get_run_logger().info("kept %d of %d trips; dropped %s", len(trips), len(rows), dropped or "none")
    if len(trips) < 100:
        raise ValueError(f"Only {len(trips)} trips left after cleaning: too few to train on.")
    return trips


@task(cache_key_fn=task_input_hash, cache_expiration=timedelta(days=1))
def add_features(train: list, top_pairs: int) -> dict:
    """The DictVectorizer's columns, from the training trips only; cached a day (same trips, same columns)."""
    return taxi_model.fit_features(train, top_pairs)


@task(log_prints=True)
def train_best_model(train: list, features: dict) -> dict:
    model = taxi_model.fit_model(train, features)
    print(f"fitted {len(model['weights'])} weights on {len(train)} trips: intercept {model['intercept']:.2f} min, {model['weights'][0]:.2f} min per mile")
    return model


@task
def evaluate(model: dict, trips: list, part: str) -> dict:
    result = taxi_model.rmse(model, trips)
    get_run_logger().info("%s: RMSE %.3f min on %d trips (predicting the mean: %.3f min)", part, result["rmse"], result["rows"], result["baseline_rmse"])
    return result


@task
def publish(model: dict, train_metrics: dict, val_metrics: dict) -> None:
    create_markdown_artifact(
        key="taxi-model-metrics-python",
        description="Validation metrics",
        markdown="\n".join(
            [
                "## Taxi trip duration model (Python)",
                "",
                "| split | trips | RMSE (min) | predicting the mean (min) |",
                "| --- | ---: | ---: | ---: |",
                f"| train | {train_metrics['rows']} | {train_metrics['rmse']:.3f} | {train_metrics['baseline_rmse']:.3f} |",
                f"| validation | {val_metrics['rows']} | {val_metrics['rmse']:.3f} | {val_metrics['baseline_rmse']:.3f} |",
            ]
        ),
    )
    create_table_artifact(
        key="taxi-model-coefficients-python",
        description="Intercept and weights of the model, minutes",
        table=[{"feature": "intercept", "weight": round(model["intercept"], 4)}]
        + [{"feature": name, "weight": round(w, 4)} for name, w in zip(model["feature_names"], model["weights"])],
    )


@flow(name="train-taxi-model-python", description="Train a linear regression on January's green-taxi trips and validate on February's", retries=1, retry_delay_seconds=60)
def main_flow(train_path: str = "data/green-trips-train.csv", val_path: str = "data/green-trips-val.csv", top_pairs: int = 50) -> dict:
    """The course's main_flow.

    Args:
        train_path: CSV of the trips to train on, relative to the run's working directory
        val_path: CSV of the trips to validate on
        top_pairs: how many pickup→dropoff pairs get a column of their own
    """
    logger = get_run_logger()
    train = clean(read_data(train_path))
    val = clean(read_data(val_path))
    features = add_features(train, top_pairs)
    model = train_best_model(train, features)
    train_metrics = evaluate.submit(model, train, "train")
    val_metrics = evaluate.submit(model, val, "validation")
    publish(model, train_metrics, val_metrics)
    logger.info("validation RMSE %.3f min", val_metrics.result()["rmse"])
    return {"rmse_train": train_metrics.result()["rmse"], "rmse_validation": val_metrics.result()["rmse"]}


if __name__ == "__main__":
    main_flow()
