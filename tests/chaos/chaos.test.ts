import { expect, test } from "vitest";
import { FAULT_KINDS, SHORT_SUITE_SECONDS } from "./faults";
import { formatFigures } from "./figures";
import { runChaos } from "./run-chaos";

/**
 * The short chaos suite: one fault of each kind (agent killed, agent frozen, its connection cut,
 * server killed, Postgres killed) on real processes, then every invariant. CHAOS_SEED replays a
 * schedule; `npm run chaos` runs the long version and prints the same figures.
 */
test("chaos: real agents, server and Postgres under faults keep every invariant", { timeout: 240_000 }, async () => {
  const figures = await runChaos({
    seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined,
    agents: 4,
    faults: FAULT_KINDS.length,
    faultSeconds: SHORT_SUITE_SECONDS,
    gapSeconds: [1, 3],
  });
  console.log(formatFigures(figures));
  expect(Object.keys(figures.faults).sort()).toEqual([...FAULT_KINDS].sort());
  expect(figures.runs.total).toBeGreaterThan(20);
  for (const inv of figures.invariants) expect.soft(inv.details, `(${inv.id}) ${inv.name}: ${inv.summary}`).toEqual([]);
});
