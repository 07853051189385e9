import { readFile } from "node:fs/promises";

/** One CSV row as read: any field may be missing (null); cleaning decides what is usable. */
export interface RawTrip {
  pickupDatetime: string | null;
  dropoffDatetime: string | null;
  puLocationId: number | null;
  doLocationId: number | null;
  tripDistance: number | null;
  passengerCount: number | null;
  fareAmount: number | null;
}

/** The columns this pipeline needs; the file may have more (the real TLC files do) in any order. */
export const TRIP_COLUMNS = [
  "lpep_pickup_datetime",
  "lpep_dropoff_datetime",
  "PULocationID",
  "DOLocationID",
  "trip_distance",
  "passenger_count",
  "fare_amount",
] as const;

/** Splits one CSV line into fields; handles double-quoted fields with commas and "" escapes. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

function text(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

function number(value: string | undefined): number | null {
  const trimmed = text(value);
  if (trimmed === null) return null;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : null;
}

/** Parses the trips CSV (header first). Throws if a needed column is absent from the header. */
export function parseTripsCsv(csv: string): RawTrip[] {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new Error("The trips CSV is empty: expected a header line and rows.");
  const header = splitCsvLine(lines[0]).map((name) => name.trim());
  const index = Object.fromEntries(
    TRIP_COLUMNS.map((column) => {
      const i = header.indexOf(column);
      if (i < 0) throw new Error(`The trips CSV has no "${column}" column (header: ${header.join(",")}).`);
      return [column, i];
    }),
  ) as Record<(typeof TRIP_COLUMNS)[number], number>;

  return lines.slice(1).map((line) => {
    const fields = splitCsvLine(line);
    return {
      pickupDatetime: text(fields[index.lpep_pickup_datetime]),
      dropoffDatetime: text(fields[index.lpep_dropoff_datetime]),
      puLocationId: number(fields[index.PULocationID]),
      doLocationId: number(fields[index.DOLocationID]),
      tripDistance: number(fields[index.trip_distance]),
      passengerCount: number(fields[index.passenger_count]),
      fareAmount: number(fields[index.fare_amount]),
    };
  });
}

/** Reads and parses a trips CSV; a relative path is resolved against the working directory. */
export async function readTripsFile(path: string): Promise<RawTrip[]> {
  return parseTripsCsv(await readFile(path, "utf8"));
}
