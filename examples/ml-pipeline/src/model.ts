import type { CleanTrip } from "./clean";
import { type FeatureSpace, vectorize } from "./features";
import { fitLinearRegression, type LinearModel, predict } from "./linear-regression";
import { mean, rmse } from "./metrics";

/** A trained duration model with everything needed to predict: plain JSON. */
export interface DurationModel extends LinearModel {
  space: FeatureSpace;
  ridge: number;
  /** Mean training duration: the baseline a model must beat. */
  trainMean: number;
}

export interface Evaluation {
  rows: number;
  /** Minutes. */
  rmse: number;
  /** RMSE of always predicting the mean training duration, minutes. */
  baselineRmse: number;
}

export function fitDurationModel(trips: CleanTrip[], space: FeatureSpace, ridge = 1e-3): DurationModel {
  const targets = trips.map((trip) => trip.durationMinutes);
  const fitted = fitLinearRegression(vectorize(space, trips), targets, { ridge });
  return { ...fitted, space, ridge, trainMean: mean(targets) };
}

export function predictDurations(model: DurationModel, trips: CleanTrip[]): number[] {
  return predict(model, vectorize(model.space, trips));
}

export function evaluateDurationModel(model: DurationModel, trips: CleanTrip[]): Evaluation {
  const actual = trips.map((trip) => trip.durationMinutes);
  return {
    rows: trips.length,
    rmse: rmse(actual, predictDurations(model, trips)),
    baselineRmse: rmse(actual, actual.map(() => model.trainMean)),
  };
}
