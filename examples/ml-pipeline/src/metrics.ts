export function mean(values: number[]): number {
  if (values.length === 0) throw new Error("mean of an empty list");
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Root mean squared error, in the unit of the target (minutes here). */
export function rmse(actual: number[], predicted: number[]): number {
  if (actual.length !== predicted.length) {
    throw new Error(`rmse: ${actual.length} actual values but ${predicted.length} predictions.`);
  }
  if (actual.length === 0) throw new Error("rmse of no values");
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}
