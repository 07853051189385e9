/**
 * The taxi-trip-duration pipeline of the DataTalks MLOps Zoomcamp as a Baton flow: read the
 * green-taxi trips, clean them, one-hot the pickup→dropoff pairs, fit a linear regression, report
 * the validation RMSE as artifacts.
 *
 * The work itself is in ../src (plain functions with unit tests); the tasks here only wrap it, so
 * each step gets retries, caching, logs and a place in the run's graph.
 *
 * Importing this file runs nothing: run it locally with run-local.ts, or deploy it with baton.yaml.
 */
import { z } from "zod";
import { artifacts, flow, getRunLogger, task } from "baton";
import { type CleanTrip, cleanTripRows } from "../src/clean";
import { type FeatureSpace, fitFeatureSpace } from "../src/features";
import { type DurationModel, type Evaluation, evaluateDurationModel, fitDurationModel } from "../src/model";
import { type RawTrip, readTripsFile } from "../src/read-trips";
import { splitTrainValidation } from "../src/split";

const RIDGE = 1e-3;

// Relative paths resolve against the working directory: the agent's --workdir when deployed.
// Retries cover a file on a network share that is briefly unavailable.
export const readTrips = task("read-trips", { retries: 2, retryDelay: 1 }, async (path: string) => {
  const rows = await readTripsFile(path);
  getRunLogger().info(`read ${rows.length} rows from ${path}`);
  return rows;
});

export const cleanTrips = task("clean-trips", {}, async (rows: RawTrip[]) => {
  const { trips, dropped } = cleanTripRows(rows);
  getRunLogger().info(
    `kept ${trips.length} of ${rows.length} trips; dropped ${dropped.missingFields} with missing fields, ` +
      `${dropped.tooShort} under 1 minute, ${dropped.tooLong} over 60 minutes`,
  );
  if (trips.length < 100) throw new Error(`Only ${trips.length} trips left after cleaning: too few to train on.`);
  return trips;
});

// Called once per part: both calls shuffle with the same seed, so the parts never overlap, and
// each part is a task result of its own that the next tasks depend on.
export const splitTrips = task(
  "split-trips",
  {},
  async (trips: CleanTrip[], validationFraction: number, part: "train" | "validation") =>
    splitTrainValidation(trips, validationFraction)[part],
);

// The columns come from the training trips only, as DictVectorizer.fit(train) in the course.
// Cached for a day: the same training trips and topPairs give the same columns.
export const buildFeatures = task(
  "build-features",
  { cache: true, cacheExpirationSeconds: 24 * 3600 },
  async (rows: CleanTrip[], topPairs: number) => fitFeatureSpace(rows, topPairs),
);

export const trainModel = task(
  "train-model",
  { timeoutSeconds: 300 },
  async (train: CleanTrip[], features: FeatureSpace) => {
    const model = fitDurationModel(train, features, RIDGE);
    getRunLogger().info(
      `fitted ${model.weights.length} weights on ${train.length} trips: ` +
        `intercept ${model.intercept.toFixed(2)} min, ${model.weights[0].toFixed(2)} min per mile`,
    );
    return model;
  },
);

export const evaluate = task("evaluate", {}, async (model: DurationModel, trips: CleanTrip[], part: string) => {
  const evaluation = evaluateDurationModel(model, trips);
  getRunLogger().info(
    `${part}: RMSE ${evaluation.rmse.toFixed(3)} min on ${evaluation.rows} trips ` +
      `(predicting the mean: ${evaluation.baselineRmse.toFixed(3)} min)`,
  );
  return evaluation;
});

const minutes = (value: number) => value.toFixed(3);

export const publish = task("publish", {}, async (model: DurationModel, train: Evaluation, validation: Evaluation) => {
  await artifacts.markdown({
    key: "taxi-model-metrics",
    description: "Validation metrics",
    markdown: [
      "## Taxi trip duration model",
      "",
      "| split | trips | RMSE (min) | predicting the mean (min) |",
      "| --- | ---: | ---: | ---: |",
      `| train | ${train.rows} | ${minutes(train.rmse)} | ${minutes(train.baselineRmse)} |`,
      `| validation | ${validation.rows} | ${minutes(validation.rmse)} | ${minutes(validation.baselineRmse)} |`,
      "",
      `Linear regression (ridge ${model.ridge}) on \`trip_distance\` and the ${model.space.pairs.length} most ` +
        "frequent pickup→dropoff pairs, the rest in one `other` column. " +
        `The mean training duration is ${model.trainMean.toFixed(2)} min.`,
    ].join("\n"),
  });
  await artifacts.table({
    key: "taxi-model-coefficients",
    description: "Intercept and weights of the model, minutes",
    columns: ["feature", "weight"],
    rows: [
      ["intercept", round(model.intercept)],
      ...model.space.featureNames.map((name, j): [string, number] => [name, round(model.weights[j])]),
    ],
  });
});

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

export const trainTaxiModel = flow(
  "train-taxi-model",
  {
    description: "Train a linear regression on green-taxi trips and publish the validation RMSE",
    parameters: z.object({
      dataPath: z.string().default("data/green-trips.csv"),
      validationFraction: z.number().min(0.05).max(0.5).default(0.2),
      topPairs: z.number().int().min(1).max(500).default(50),
    }),
  },
  async (params) => {
    const log = getRunLogger();
    log.info(`reading ${params.dataPath}`);
    const rows = await readTrips(params.dataPath);
    const trips = await cleanTrips(rows);

    // Not awaited one by one: the two halves are computed concurrently.
    const [train, validation] = await Promise.all([
      splitTrips(trips, params.validationFraction, "train"),
      splitTrips(trips, params.validationFraction, "validation"),
    ]);
    log.info(`training on ${train.length} trips, validating on ${validation.length}`);

    const features = await buildFeatures(train, params.topPairs);
    const model = await trainModel(train, features);
    const [trainMetrics, validationMetrics] = await Promise.all([
      evaluate(model, train, "train"),
      evaluate(model, validation, "validation"),
    ]);
    await publish(model, trainMetrics, validationMetrics);

    log.info(`validation RMSE ${validationMetrics.rmse.toFixed(3)} min`);
    return {
      rmseTrain: trainMetrics.rmse,
      rmseValidation: validationMetrics.rmse,
      trainRows: train.length,
      validationRows: validation.length,
    };
  },
);
