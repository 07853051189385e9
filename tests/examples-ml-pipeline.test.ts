// The pure modules of examples/ml-pipeline. flows/train.ts is not imported: it needs the "baton"
// package, and everything it does beyond calling these modules is the SDK's job.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cleanTripRows, parseTripDatetime } from "../examples/ml-pipeline/src/clean";
import { fitFeatureSpace, vectorize } from "../examples/ml-pipeline/src/features";
import { fitLinearRegression, predict, solveSymmetricPositiveDefinite } from "../examples/ml-pipeline/src/linear-regression";
import { rmse } from "../examples/ml-pipeline/src/metrics";
import { evaluateDurationModel, fitDurationModel } from "../examples/ml-pipeline/src/model";
import { normal, seededRandom } from "../examples/ml-pipeline/src/random";
import { parseTripsCsv, readTripsFile, type RawTrip, splitCsvLine } from "../examples/ml-pipeline/src/read-trips";
import { splitTrainValidation } from "../examples/ml-pipeline/src/split";

const EXAMPLE = path.resolve(import.meta.dirname, "../examples/ml-pipeline");
const DATA = path.join(EXAMPLE, "data/green-trips.csv");
const HEADER = "lpep_pickup_datetime,lpep_dropoff_datetime,PULocationID,DOLocationID,trip_distance,passenger_count,fare_amount";

const raw = (overrides: Partial<RawTrip>): RawTrip => ({
  pickupDatetime: "2021-01-05 08:00:00",
  dropoffDatetime: "2021-01-05 08:12:30",
  puLocationId: 74,
  doLocationId: 75,
  tripDistance: 1.5,
  passengerCount: 1,
  fareAmount: 9.5,
  ...overrides,
});

describe("reading trips", () => {
  it("parses rows by header name, with missing fields as null", () => {
    const csv = [
      `VendorID,${HEADER}`,
      "2,2021-01-01 00:15:56,2021-01-01 00:19:52,43,151,1.01,1,5.50",
      "2,2021-01-01 00:25:59,2021-01-01 00:34:44,166,,,,10.00",
      "",
    ].join("\r\n");
    expect(parseTripsCsv(csv)).toEqual([
      {
        pickupDatetime: "2021-01-01 00:15:56",
        dropoffDatetime: "2021-01-01 00:19:52",
        puLocationId: 43,
        doLocationId: 151,
        tripDistance: 1.01,
        passengerCount: 1,
        fareAmount: 5.5,
      },
      {
        pickupDatetime: "2021-01-01 00:25:59",
        dropoffDatetime: "2021-01-01 00:34:44",
        puLocationId: 166,
        doLocationId: null,
        tripDistance: null,
        passengerCount: null,
        fareAmount: 10,
      },
    ]);
  });

  it("reads columns in any order and treats non-numbers as missing", () => {
    const csv = "trip_distance,fare_amount,passenger_count,DOLocationID,PULocationID,lpep_dropoff_datetime,lpep_pickup_datetime\nabc,7,1,75,74,2021-01-01 00:10:00,2021-01-01 00:01:00\n";
    const [row] = parseTripsCsv(csv);
    expect(row).toMatchObject({ tripDistance: null, puLocationId: 74, doLocationId: 75, pickupDatetime: "2021-01-01 00:01:00" });
  });

  it("splits quoted fields", () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).toEqual(["a", "b,c", 'say "hi"', ""]);
  });

  it("names the missing column", () => {
    expect(() => parseTripsCsv("lpep_pickup_datetime,lpep_dropoff_datetime\n")).toThrow(/no "PULocationID" column/);
    expect(() => parseTripsCsv("")).toThrow(/empty/);
  });
});

describe("cleaning", () => {
  it("computes durations in minutes, independent of the machine's time zone", () => {
    const [trip] = cleanTripRows([raw({})]).trips;
    expect(trip).toEqual({ puLocationId: 74, doLocationId: 75, tripDistance: 1.5, durationMinutes: 12.5 });
    expect(parseTripDatetime("2021-01-05 08:00:00")).toBe(Date.UTC(2021, 0, 5, 8, 0, 0));
    expect(parseTripDatetime("05/01/2021 08:00")).toBeNull();
  });

  it("keeps 1 ≤ duration ≤ 60 minutes and drops rows missing what the model needs", () => {
    const rows = [
      raw({}),
      raw({ dropoffDatetime: "2021-01-05 08:00:59" }), // 59 s
      raw({ dropoffDatetime: "2021-01-05 08:01:00" }), // exactly 1 min: kept
      raw({ dropoffDatetime: "2021-01-05 09:00:00" }), // exactly 60 min: kept
      raw({ dropoffDatetime: "2021-01-05 09:00:01" }),
      raw({ dropoffDatetime: "2021-01-05 07:50:00" }), // before pickup
      raw({ tripDistance: null }),
      raw({ tripDistance: -1 }),
      raw({ doLocationId: null }),
      raw({ pickupDatetime: null }),
      raw({ dropoffDatetime: "not a time" }),
      raw({ passengerCount: null, fareAmount: null }), // not used by the model: kept
    ];
    const { trips, dropped } = cleanTripRows(rows);
    expect(trips.map((t) => t.durationMinutes)).toEqual([12.5, 1, 60, 12.5]);
    expect(dropped).toEqual({ missingFields: 5, tooShort: 2, tooLong: 1 });
  });

  it("drops the bad rows of the shipped data set", async () => {
    const rows = await readTripsFile(DATA);
    const { trips, dropped } = cleanTripRows(rows);
    expect(rows.length).toBeGreaterThanOrEqual(3000);
    expect(rows.length).toBeLessThanOrEqual(5000);
    expect(dropped.missingFields).toBeGreaterThan(0);
    expect(dropped.tooShort).toBeGreaterThan(0);
    expect(dropped.tooLong).toBeGreaterThan(0);
    expect(trips.length + dropped.missingFields + dropped.tooShort + dropped.tooLong).toBe(rows.length);
    expect(trips.every((t) => t.durationMinutes >= 1 && t.durationMinutes <= 60)).toBe(true);
  });
});

describe("features", () => {
  const trip = (pu: number, doId: number, tripDistance = 1) => ({ puLocationId: pu, doLocationId: doId, tripDistance, durationMinutes: 10 });

  it("one-hots the most frequent pickup→dropoff pairs and buckets the rest as other", () => {
    const trips = [trip(1, 2), trip(1, 2), trip(1, 2), trip(3, 4), trip(3, 4), trip(5, 6), trip(7, 8)];
    const space = fitFeatureSpace(trips, 2);
    expect(space.pairs).toEqual(["1_2", "3_4"]);
    expect(space.featureNames).toEqual(["trip_distance", "PU_DO=1_2", "PU_DO=3_4", "PU_DO=other"]);
    expect(vectorize(space, [trip(3, 4, 2.5), trip(9, 9, 0.5)])).toEqual([
      [2.5, 0, 1, 0],
      [0.5, 0, 0, 1],
    ]);
  });

  it("breaks frequency ties by key, so the columns never depend on row order", () => {
    const trips = [trip(9, 9), trip(1, 1), trip(5, 5)];
    expect(fitFeatureSpace(trips, 2).pairs).toEqual(["1_1", "5_5"]);
    expect(fitFeatureSpace([...trips].reverse(), 2).pairs).toEqual(["1_1", "5_5"]);
    expect(() => fitFeatureSpace(trips, 0)).toThrow(/topPairs/);
  });
});

describe("linear regression", () => {
  it("recovers known coefficients from noisy synthetic data", () => {
    const random = seededRandom(7);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const row = [10 * random(), random() * 4 - 2, random() < 0.3 ? 1 : 0];
      x.push(row);
      y.push(3 + 2 * row[0] - 1.5 * row[1] + 4 * row[2] + 0.5 * normal(random));
    }
    const model = fitLinearRegression(x, y);
    expect(model.intercept).toBeCloseTo(3, 1);
    expect(model.weights[0]).toBeCloseTo(2, 1);
    expect(model.weights[1]).toBeCloseTo(-1.5, 1);
    expect(model.weights[2]).toBeCloseTo(4, 1);
    expect(rmse(y, predict(model, x))).toBeLessThan(0.55);
  });

  it("fits exact data exactly, and collinear one-hot columns thanks to the ridge term", () => {
    const x = [[0], [1], [2], [3]];
    const exact = fitLinearRegression(x, [1, 3, 5, 7], { ridge: 0 });
    expect(exact.intercept).toBeCloseTo(1, 10);
    expect(exact.weights[0]).toBeCloseTo(2, 10);

    // Both one-hot columns always sum to 1, the intercept's column.
    const oneHot = [[1, 0], [1, 0], [0, 1], [0, 1]];
    const targets = [5, 5, 9, 9];
    expect(() => fitLinearRegression(oneHot, targets, { ridge: 0 })).toThrow(/singular/);
    const model = fitLinearRegression(oneHot, targets);
    expect(predict(model, oneHot).every((p, i) => Math.abs(p - targets[i]) < 1e-3)).toBe(true);
  });

  it("solves a symmetric positive definite system", () => {
    const solution = solveSymmetricPositiveDefinite([[4, 2], [2, 3]], [2, 5]);
    expect(solution[0]).toBeCloseTo(-0.5, 12);
    expect(solution[1]).toBeCloseTo(2, 12);
  });
});

describe("metrics and split", () => {
  it("computes the RMSE of a known case", () => {
    expect(rmse([1, 2, 3, 4], [1, 2, 3, 4])).toBe(0);
    expect(rmse([0, 0, 0, 0], [1, -1, 3, -3])).toBeCloseTo(Math.sqrt(5), 12); // (1+1+9+9)/4 = 5
    expect(() => rmse([1], [1, 2])).toThrow(/1 actual values but 2 predictions/);
  });

  it("splits deterministically, without overlap, in the requested proportion", () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const a = splitTrainValidation(items, 0.2);
    const b = splitTrainValidation(items, 0.2);
    expect(a).toEqual(b);
    expect(a.validation).toHaveLength(200);
    expect(a.train).toHaveLength(800);
    expect(new Set([...a.train, ...a.validation]).size).toBe(1000);
    expect(a.train).toEqual([...a.train].sort((p, q) => p - q)); // input order kept
    expect(a.validation).not.toEqual(items.slice(0, 200)); // shuffled, not the first rows
    expect(splitTrainValidation(items, 0.2, 1).validation).not.toEqual(a.validation);
    expect(() => splitTrainValidation(items, 1)).toThrow(/between 0 and 1/);
  });
});

describe("the whole pipeline on the shipped data", () => {
  it("predicts trip durations within a few minutes, far better than the mean", async () => {
    const { trips } = cleanTripRows(await readTripsFile(DATA));
    const { train, validation } = splitTrainValidation(trips, 0.2);
    const model = fitDurationModel(train, fitFeatureSpace(train, 50));
    const trainMetrics = evaluateDurationModel(model, train);
    const validationMetrics = evaluateDurationModel(model, validation);

    expect(model.weights[0]).toBeGreaterThan(2); // minutes per mile
    expect(model.weights[0]).toBeLessThan(6);
    expect(validationMetrics.rows).toBe(validation.length);
    expect(validationMetrics.rmse).toBeGreaterThan(1);
    expect(validationMetrics.rmse).toBeLessThan(10);
    expect(validationMetrics.rmse).toBeLessThan(validationMetrics.baselineRmse / 2);
    expect(trainMetrics.rmse).toBeLessThan(trainMetrics.baselineRmse / 2);
    // Held-out error close to training error: no overfitting with 50 pairs.
    expect(Math.abs(validationMetrics.rmse - trainMetrics.rmse)).toBeLessThan(1);
  });

  it("ships the data the committed generator writes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-ml-data-"));
    try {
      const output = path.join(dir, "green-trips.csv");
      const tsx = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
      execFileSync(tsx, [path.join(EXAMPLE, "scripts/make-data.ts"), output], { cwd: EXAMPLE, stdio: "pipe" });
      expect(fs.readFileSync(output, "utf8")).toBe(fs.readFileSync(DATA, "utf8"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the data set small", () => {
    expect(fs.statSync(DATA).size).toBeLessThan(400 * 1024);
  });
});
