import type { CleanTrip } from "./clean";

/**
 * What the course does with scikit-learn's DictVectorizer on {"PU_DO": "74_75", "trip_distance":
 * 1.2}: one column for the distance and one 0/1 column per pickup→dropoff pair. Here only the
 * topPairs most frequent pairs get a column; every other pair shares the "other" column, so rare
 * pairs don't each get a weight fitted on two trips. Plain JSON, so it can be cached and stored.
 */
export interface FeatureSpace {
  pairs: string[];
  featureNames: string[];
}

export const OTHER_PAIR = "other";

export function pairKey(trip: Pick<CleanTrip, "puLocationId" | "doLocationId">): string {
  return `${trip.puLocationId}_${trip.doLocationId}`;
}

/** Chooses the columns from (training) trips: most frequent pairs first, ties by key. */
export function fitFeatureSpace(trips: CleanTrip[], topPairs: number): FeatureSpace {
  if (!Number.isInteger(topPairs) || topPairs < 1) throw new Error(`topPairs must be a positive integer, got ${topPairs}.`);
  const counts = new Map<string, number>();
  for (const trip of trips) {
    const key = pairKey(trip);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const pairs = [...counts]
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, topPairs)
    .map(([key]) => key);
  return {
    pairs,
    featureNames: ["trip_distance", ...pairs.map((pair) => `PU_DO=${pair}`), `PU_DO=${OTHER_PAIR}`],
  };
}

/** One dense row per trip, columns in featureNames order. */
export function vectorize(space: FeatureSpace, trips: CleanTrip[]): number[][] {
  const column = new Map(space.pairs.map((pair, i) => [pair, 1 + i]));
  const otherColumn = space.featureNames.length - 1;
  return trips.map((trip) => {
    const row = new Array<number>(space.featureNames.length).fill(0);
    row[0] = trip.tripDistance;
    row[column.get(pairKey(trip)) ?? otherColumn] = 1;
    return row;
  });
}
