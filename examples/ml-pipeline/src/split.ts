import { seededRandom } from "./random";

export interface Split<T> {
  train: T[];
  validation: T[];
}

/**
 * Shuffles with a seeded PRNG and puts round(n × validationFraction) items in validation. The same
 * items, fraction and seed always give the same split; each part keeps the input order.
 */
export function splitTrainValidation<T>(items: T[], validationFraction: number, seed = 42): Split<T> {
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new Error(`validationFraction must be between 0 and 1 (exclusive), got ${validationFraction}.`);
  }
  const random = seededRandom(seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const inValidation = new Set(order.slice(0, Math.round(items.length * validationFraction)));
  const split: Split<T> = { train: [], validation: [] };
  items.forEach((item, i) => (inValidation.has(i) ? split.validation : split.train).push(item));
  return split;
}
