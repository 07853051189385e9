/**
 * Writes data/green-trips.csv: synthetic trips shaped like the NYC green-taxi data of January 2021
 * (the month the DataTalks MLOps Zoomcamp starts with), with the same column names.
 *
 *   npx tsx scripts/make-data.ts [output.csv]     (from examples/ml-pipeline)
 *
 * Deterministic: the same seed always writes the same bytes, so the committed file can be checked
 * against this script. How a trip is made:
 * - pickup zone by popularity; dropoff zone by popularity damped by distance (most trips are short);
 * - trip_distance = straight-line distance between the zones × a detour factor, plus noise;
 * - duration = pick-up overhead + distance × pace, where pace depends on how congested both zones
 *   are and on rush hour, plus per-zone delays and noise. A model that sees the distance and the
 *   pickup→dropoff pair can explain most of it, but not rush hour or the noise: an RMSE of a few
 *   minutes is the best it can do, as with the real data.
 * - about 7% of rows are bad on purpose: durations under 1 minute or over 60, missing
 *   trip_distance or DOLocationID. The pipeline's cleaning step must drop them.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { normal, seededRandom } from "../src/random";

const SEED = 20210101;
const ROWS = 4000;
const OUTPUT = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../data/green-trips.csv");

interface Zone {
  id: number;
  name: string;
  /** Rough position in miles (east, north) of a common origin in lower Manhattan. */
  x: number;
  y: number;
  /** Relative share of pickups and dropoffs. */
  popularity: number;
  /** 0 (free-flowing) … 1 (gridlock): slows every mile driven from or to the zone. */
  congestion: number;
}

// Zone ids and names are the TLC's; positions are approximate.
const ZONES: Zone[] = [
  { id: 74, name: "East Harlem North", x: 1.5, y: 6.5, popularity: 10, congestion: 0.5 },
  { id: 75, name: "East Harlem South", x: 1.2, y: 5.8, popularity: 8, congestion: 0.6 },
  { id: 41, name: "Central Harlem", x: 0.6, y: 6.8, popularity: 7, congestion: 0.5 },
  { id: 42, name: "Central Harlem North", x: 0.9, y: 7.6, popularity: 5, congestion: 0.4 },
  { id: 166, name: "Morningside Heights", x: -0.2, y: 7.0, popularity: 5, congestion: 0.5 },
  { id: 152, name: "Manhattanville", x: 0.0, y: 7.6, popularity: 2, congestion: 0.4 },
  { id: 116, name: "Hamilton Heights", x: 0.1, y: 8.2, popularity: 3, congestion: 0.4 },
  { id: 244, name: "Washington Heights South", x: 0.4, y: 9.3, popularity: 4, congestion: 0.4 },
  { id: 43, name: "Central Park", x: 0.5, y: 5.2, popularity: 2, congestion: 0.3 },
  { id: 236, name: "Upper East Side North", x: 1.2, y: 4.8, popularity: 2, congestion: 0.8 },
  { id: 263, name: "Yorkville West", x: 1.4, y: 4.4, popularity: 1, congestion: 0.8 },
  { id: 24, name: "Bloomingdale", x: -0.2, y: 6.2, popularity: 2, congestion: 0.6 },
  { id: 151, name: "Manhattan Valley", x: -0.1, y: 5.7, popularity: 1, congestion: 0.6 },
  { id: 238, name: "Upper West Side North", x: -0.4, y: 5.3, popularity: 1, congestion: 0.7 },
  { id: 7, name: "Astoria", x: 3.0, y: 4.8, popularity: 5, congestion: 0.3 },
  { id: 179, name: "Old Astoria", x: 2.6, y: 5.3, popularity: 2, congestion: 0.3 },
  { id: 226, name: "Sunnyside", x: 3.6, y: 3.2, popularity: 2, congestion: 0.3 },
  { id: 260, name: "Woodside", x: 4.3, y: 3.0, popularity: 3, congestion: 0.3 },
  { id: 129, name: "Jackson Heights", x: 5.6, y: 3.2, popularity: 4, congestion: 0.4 },
  { id: 82, name: "Elmhurst", x: 6.2, y: 2.6, popularity: 4, congestion: 0.4 },
  { id: 95, name: "Forest Hills", x: 7.8, y: 1.5, popularity: 3, congestion: 0.2 },
  { id: 255, name: "Williamsburg (North Side)", x: 2.2, y: 1.0, popularity: 3, congestion: 0.5 },
  { id: 256, name: "Williamsburg (South Side)", x: 2.0, y: 0.4, popularity: 2, congestion: 0.5 },
  { id: 97, name: "Fort Greene", x: 1.0, y: -0.9, popularity: 3, congestion: 0.4 },
  { id: 65, name: "Downtown Brooklyn/MetroTech", x: 0.4, y: -0.7, popularity: 3, congestion: 0.7 },
  { id: 33, name: "Brooklyn Heights", x: 0.0, y: -0.6, popularity: 1, congestion: 0.5 },
  { id: 25, name: "Boerum Hill", x: 0.4, y: -1.1, popularity: 1, congestion: 0.5 },
  { id: 181, name: "Park Slope", x: 0.9, y: -2.4, popularity: 2, congestion: 0.3 },
  { id: 61, name: "Crown Heights North", x: 2.6, y: -1.8, popularity: 3, congestion: 0.3 },
  { id: 17, name: "Bedford", x: 2.8, y: -0.8, popularity: 2, congestion: 0.3 },
];

// Share of pickups per hour of the day (0–23): a quiet night, a morning and an evening peak.
const HOURLY = [2, 1.5, 1, 0.8, 0.8, 1.2, 2.5, 4.5, 6, 5.5, 5, 5, 5.2, 5.2, 5.5, 6, 6.5, 6.8, 6.5, 5.5, 4.5, 3.8, 3.2, 2.6];
const RUSH_HOURS = new Set([7, 8, 9, 16, 17, 18, 19]);

const random = seededRandom(SEED);

function pick<T>(items: T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = random() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items[items.length - 1];
}

function between(a: Zone, b: Zone): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

// A fixed extra delay per zone (hard to reach, one-way streets, bridges), as minutes.
const zoneDelay = new Map(ZONES.map((zone) => [zone.id, 5 * random()]));

function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

interface Trip {
  pickupMs: number;
  dropoffMs: number;
  pu: number;
  doId: number | null;
  distance: number | null;
  passengers: number;
  fare: number;
}

function makeTrip(): Trip {
  const pu = pick(ZONES, (zone) => zone.popularity);
  const dropoff = pick(ZONES, (zone) => zone.popularity * Math.exp(-(zone === pu ? 0.4 : between(pu, zone)) / 2.5));
  const straight = dropoff === pu ? 0.3 + 0.8 * random() : between(pu, dropoff);
  const distance = Math.max(0.1, straight * (1.25 + 0.1 * random()) + 0.2 * normal(random));

  const day = 1 + Math.floor(random() * 31);
  const hour = pick([...HOURLY.keys()], (h) => HOURLY[h]);
  const pickupMs = Date.UTC(2021, 0, day, hour, Math.floor(random() * 60), Math.floor(random() * 60));

  const congestion = (pu.congestion + dropoff.congestion) / 2;
  const pace = 2.4 + 2.2 * congestion + (RUSH_HOURS.has(hour) ? 0.8 : 0) + 0.3 * normal(random); // minutes per mile
  const duration =
    1.5 + distance * Math.max(1.6, pace) + zoneDelay.get(pu.id)! + zoneDelay.get(dropoff.id)! + 2 * normal(random);
  const minutes = Math.max(1.2, duration);
  const fare = Math.max(2.5, Math.round((2.5 + 2.5 * distance + 0.5 * minutes + normal(random)) * 2) / 2);
  const passengers = pick([1, 2, 3, 4, 5, 6], (n) => [80, 12, 3, 1, 3, 1][n - 1]);
  return {
    pickupMs,
    dropoffMs: pickupMs + Math.round(minutes * 60) * 1000,
    pu: pu.id,
    doId: dropoff.id,
    distance: Math.round(distance * 100) / 100,
    passengers,
    fare,
  };
}

/** Spoils a good trip the way real records are spoiled. */
function spoil(trip: Trip): Trip {
  const kind = pick(["short", "long", "no-distance", "no-dropoff-zone"], (k) => ({ short: 40, long: 15, "no-distance": 25, "no-dropoff-zone": 8 })[k]!);
  switch (kind) {
    case "short": // cancelled on the spot: a few seconds, hardly any distance
      return { ...trip, dropoffMs: trip.pickupMs + Math.floor(random() * 55) * 1000, distance: Math.round(random() * 20) / 100 };
    case "long": // meter left running for hours
      return { ...trip, dropoffMs: trip.pickupMs + Math.round((61 + random() * 600) * 60) * 1000 };
    case "no-distance":
      return { ...trip, distance: null };
    default:
      return { ...trip, doId: null };
  }
}

const trips: Trip[] = [];
for (let i = 0; i < ROWS; i++) {
  const trip = makeTrip();
  trips.push(random() < 0.07 ? spoil(trip) : trip);
}
trips.sort((a, b) => a.pickupMs - b.pickupMs);

const header = "lpep_pickup_datetime,lpep_dropoff_datetime,PULocationID,DOLocationID,trip_distance,passenger_count,fare_amount";
const lines = trips.map((t) =>
  [
    formatDatetime(t.pickupMs),
    formatDatetime(t.dropoffMs),
    t.pu,
    t.doId ?? "",
    t.distance === null ? "" : t.distance.toFixed(2),
    t.passengers,
    t.fare.toFixed(2),
  ].join(","),
);
fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
fs.writeFileSync(OUTPUT, [header, ...lines].join("\n") + "\n");
console.log(`wrote ${lines.length} trips to ${path.relative(process.cwd(), OUTPUT)}`);
