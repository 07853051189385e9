import type { RawTrip } from "./read-trips";

/** A trip the model can learn from: every field present, duration within bounds. */
export interface CleanTrip {
  puLocationId: number;
  doLocationId: number;
  tripDistance: number;
  durationMinutes: number;
}

export interface CleanResult {
  trips: CleanTrip[];
  dropped: { missingFields: number; tooShort: number; tooLong: number };
}

export interface CleanOptions {
  minMinutes?: number;
  maxMinutes?: number;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses "2021-01-05 08:23:11" to milliseconds. The TLC's times are local New York times without
 * a zone; both ends of a trip are read the same way (as UTC), so their difference is right and no
 * machine's time zone changes it.
 */
export function parseTripDatetime(value: string): number | null {
  const m = DATETIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Computes each trip's duration in minutes and keeps trips of minMinutes ≤ duration ≤ maxMinutes
 * (1 and 60, as in the course) that have pickup and dropoff times and zones and a distance.
 * Passenger count and fare are not used by the model, so a trip missing them is kept.
 */
export function cleanTripRows(rows: RawTrip[], options: CleanOptions = {}): CleanResult {
  const { minMinutes = 1, maxMinutes = 60 } = options;
  const result: CleanResult = { trips: [], dropped: { missingFields: 0, tooShort: 0, tooLong: 0 } };
  for (const row of rows) {
    const pickup = row.pickupDatetime === null ? null : parseTripDatetime(row.pickupDatetime);
    const dropoff = row.dropoffDatetime === null ? null : parseTripDatetime(row.dropoffDatetime);
    if (
      pickup === null ||
      dropoff === null ||
      row.puLocationId === null ||
      row.doLocationId === null ||
      row.tripDistance === null ||
      row.tripDistance < 0
    ) {
      result.dropped.missingFields++;
      continue;
    }
    const durationMinutes = (dropoff - pickup) / 60_000;
    if (durationMinutes < minMinutes) {
      result.dropped.tooShort++;
    } else if (durationMinutes > maxMinutes) {
      result.dropped.tooLong++;
    } else {
      result.trips.push({
        puLocationId: row.puLocationId,
        doLocationId: row.doLocationId,
        tripDistance: row.tripDistance,
        durationMinutes,
      });
    }
  }
  return result;
}
