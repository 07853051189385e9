import { and, arrayOverlaps, asc, eq, inArray } from "drizzle-orm";
import type { SlotHolder } from "../../agent/protocol/concurrency-limits";
import { LEASED_STATES } from "../../agent/protocol/states";
import type { Queryable } from "../db/client";
import { flowRuns, workPools } from "../db/schema";

/** Shown per limit; the count is always exact. */
const HOLDERS_SHOWN = 50;

/**
 * Who takes the slots of each of `tags` now: the workspace's runs in a pool that hold a lease
 * (PENDING, RUNNING, CANCELLING, PAUSED) and carry the tag, as the claim counts them. Runs started from a
 * script (no pool) are never held back by a limit, so they take no slot.
 */
export async function readTagSlots(db: Queryable, workspaceId: string, tags: string[]): Promise<Map<string, { taken: number; holders: SlotHolder[] }>> {
  const out = new Map(tags.map((t) => [t, { taken: 0, holders: [] as SlotHolder[] }]));
  if (tags.length === 0) return out;
  const rows = await db
    .select({ id: flowRuns.id, name: flowRuns.name, type: flowRuns.stateType, stateName: flowRuns.stateName, tags: flowRuns.tags, workPool: workPools.name })
    .from(flowRuns)
    .innerJoin(workPools, eq(workPools.id, flowRuns.workPoolId))
    .where(and(eq(workPools.workspaceId, workspaceId), inArray(flowRuns.stateType, [...LEASED_STATES]), arrayOverlaps(flowRuns.tags, tags)))
    .orderBy(asc(flowRuns.claimedAt), asc(flowRuns.id));
  for (const r of rows) {
    for (const tag of r.tags) {
      const slot = out.get(tag);
      if (!slot) continue;
      slot.taken++;
      if (slot.holders.length < HOLDERS_SHOWN) slot.holders.push({ id: r.id, name: r.name, state: { type: r.type, name: r.stateName }, workPool: r.workPool });
    }
  }
  return out;
}
