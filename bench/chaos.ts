/**
 * npm run chaos — the chaos suite, longer: real Postgres, server and agents, faults from a seeded
 * schedule for a while, then the invariants and the figures. Not part of `npm test` (its short
 * version is tests/chaos/chaos.test.ts).
 *
 *   npm run chaos -- --minutes 8 --agents 4 --seed 1234
 *
 * Exits 1 when an invariant failed. What each module does: tests/chaos/README.md.
 */
import { parseArgs } from "node:util";
import { formatFigures } from "../tests/chaos/figures";
import { runChaos } from "../tests/chaos/run-chaos";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    agents: { type: "string", default: "4" },
    slots: { type: "string", default: "5" },
    seed: { type: "string" },
    faults: { type: "string" },
  },
});
const num = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number (got "${v}")`);
    process.exit(2);
  }
  return n;
};

const figures = await runChaos({
  seed: num("seed", values.seed),
  agents: num("agents", values.agents),
  slots: num("slots", values.slots),
  durationMs: num("minutes", values.minutes)! * 60_000,
  faults: num("faults", values.faults),
});
console.log(`\n${formatFigures(figures)}`);
process.exit(figures.invariants.every((i) => i.ok) ? 0 : 1);
