/** y ≈ intercept + Σ weights[j] · x[j] */
export interface LinearModel {
  intercept: number;
  weights: number[];
}

export interface FitOptions {
  /**
   * Added to the diagonal of XᵀX for every weight but the intercept. One-hot columns that sum to
   * one are collinear with the intercept, so without it the normal equations have no unique
   * solution; a small value picks the smallest weights and barely changes the predictions.
   */
  ridge?: number;
}

/**
 * Ordinary least squares with a ridge term, by solving the normal equations
 * (XᵀX + λD) β = Xᵀy with a Cholesky factorisation. Fine for the few dozen columns of this
 * pipeline: the cost is n·p² to form XᵀX and p³/3 to factor it.
 */
export function fitLinearRegression(x: number[][], y: number[], options: FitOptions = {}): LinearModel {
  const { ridge = 1e-3 } = options;
  if (x.length !== y.length) throw new Error(`fitLinearRegression: ${x.length} rows but ${y.length} targets.`);
  if (x.length === 0) throw new Error("fitLinearRegression: no rows to fit.");
  const p = x[0].length + 1; // column 0 is the intercept's column of ones

  const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  const row = new Array<number>(p);
  for (let i = 0; i < x.length; i++) {
    if (x[i].length !== p - 1) throw new Error(`fitLinearRegression: row ${i} has ${x[i].length} columns, expected ${p - 1}.`);
    row[0] = 1;
    for (let j = 1; j < p; j++) row[j] = x[i][j - 1];
    for (let j = 0; j < p; j++) {
      if (row[j] === 0) continue; // one-hot rows are mostly zeros
      b[j] += row[j] * y[i];
      for (let k = 0; k <= j; k++) a[j][k] += row[j] * row[k];
    }
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < j; k++) a[k][j] = a[j][k];
    if (j > 0) a[j][j] += ridge;
  }

  const beta = solveSymmetricPositiveDefinite(a, b);
  return { intercept: beta[0], weights: beta.slice(1) };
}

/** Solves A·x = b for symmetric positive definite A (Cholesky: A = L·Lᵀ). */
export function solveSymmetricPositiveDefinite(a: number[][], b: number[]): number[] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let diagonal = a[j][j];
    for (let k = 0; k < j; k++) diagonal -= l[j][k] ** 2;
    if (!(diagonal > 1e-12 * Math.max(1, Math.abs(a[j][j])))) {
      throw new Error(
        `The normal equations are singular at column ${j}: a feature is constant or a copy of others. Use a ridge > 0 or drop the column.`,
      );
    }
    l[j][j] = Math.sqrt(diagonal);
    for (let i = j + 1; i < n; i++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      l[i][j] = sum / l[j][j];
    }
  }
  const z = new Array<number>(n); // L·z = b
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * z[k];
    z[i] = sum / l[i][i];
  }
  const solution = new Array<number>(n); // Lᵀ·x = z
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < n; k++) sum -= l[k][i] * solution[k];
    solution[i] = sum / l[i][i];
  }
  return solution;
}

export function predict(model: LinearModel, x: number[][]): number[] {
  return x.map((row) => row.reduce((sum, value, j) => sum + value * model.weights[j], model.intercept));
}
