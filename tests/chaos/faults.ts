import { LEASE_SECONDS } from "../../agent/protocol/leases";
import type { ChaosAgent } from "./agents";
import { untilOk, type AppControl } from "./app-control";
import type { PostgresControl } from "./postgres-control";
import type { Rng } from "./prng";

/** What a fault can act on. */
export type ChaosWorld = { app: AppControl; pg: PostgresControl; agents: ChaosAgent[]; ownerKey: string; log: (line: string) => void };

/** One fault as it happened (times are epoch ms; endMs is when things were back: restarted, healthy, reconnected). */
export type FaultRecord = {
  kind: FaultKind;
  target: string | null;
  startMs: number;
  endMs: number;
  plannedMs: number;
  /** Server: restart → /api/health 200. Postgres: restart → first 200 from the API. */
  recoveryMs?: number;
};

type FaultDef = {
  /** Seconds the fault lasts, drawn from this range (the run's options can narrow it). */
  seconds: [number, number];
  /** It hits one agent (chosen among those running an attempt), not the control plane. */
  onAgent: boolean;
  /** Injects the fault, waits `ms`, undoes it; returns what it measured. */
  inject(world: ChaosWorld, agent: ChaosAgent | null, ms: number): Promise<{ recoveryMs?: number }>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every fault kind, in one place. To add one: a new entry here (its duration range, whether it
 * targets an agent, and how to inject and undo it). The schedule, the figures and invariant 5
 * (which faults count as a control-plane outage: `onAgent: false`) pick it up from this table.
 */
export const FAULTS = {
  /** SIGKILL of an agent; it is started again (a new process, same name) after the pause. */
  "agent-kill": {
    seconds: [1, 3],
    onAgent: true,
    async inject(_world, agent, ms) {
      await agent!.kill();
      await sleep(ms);
      await agent!.start();
      return {};
    },
  },
  /** SIGSTOP of an agent (a long GC pause, a frozen VM), then SIGCONT. */
  "agent-stop": {
    seconds: [5, 20],
    onAgent: true,
    async inject(_world, agent, ms) {
      agent!.freeze();
      await sleep(ms);
      agent!.thaw();
      return {};
    },
  },
  /** The agent's connection to the server stops carrying bytes (a partition), then flows again. */
  "proxy-cut": {
    seconds: [5, 30],
    onAgent: true,
    async inject(_world, agent, ms) {
      agent!.proxy.cut();
      await sleep(ms);
      agent!.proxy.restore();
      return {};
    },
  },
  /** SIGKILL of the server, restarted on the same port after the pause. */
  "server-kill": {
    seconds: [2, 40],
    onAgent: false,
    async inject(world, _agent, ms) {
      await world.app.kill();
      await sleep(ms);
      return { recoveryMs: await world.app.start() };
    },
  },
  /** SIGKILL of the postmaster, restarted on the same data after the pause. */
  "postgres-kill": {
    seconds: [2, 20],
    onAgent: false,
    async inject(world, _agent, ms) {
      await world.pg.kill();
      await sleep(ms);
      const restarted = Date.now();
      await world.pg.start();
      await untilOk(`${world.app.url}/api/v1/deployments`, 60_000, () => false, { authorization: `Bearer ${world.ownerKey}` });
      return { recoveryMs: Date.now() - restarted };
    },
  },
} satisfies Record<string, FaultDef>;

export type FaultKind = keyof typeof FAULTS;
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];

/**
 * Ranges for the short suite: faults that must outlast a lease to test anything do, an agent's
 * by enough that its lease expires and the retry starts elsewhere while the first attempt lives.
 */
export const SHORT_SUITE_SECONDS: Partial<Record<FaultKind, [number, number]>> = {
  "agent-stop": [LEASE_SECONDS + 6, LEASE_SECONDS + 9],
  "proxy-cut": [LEASE_SECONDS + 6, LEASE_SECONDS + 9],
  "server-kill": [LEASE_SECONDS + 2, LEASE_SECONDS + 5],
  "postgres-kill": [3, 6],
};

/** One planned fault: the gap before it, its kind and length, and the roll that picks its target. */
export type PlannedFault = { gapMs: number; kind: FaultKind; ms: number; targetRoll: number };

/**
 * The schedule, from the seed alone: shuffled rounds of every kind (so each kind occurs before any
 * repeats), random gaps, random lengths. Faults run one after another, never together, so each
 * invariant failure can be traced to one fault.
 */
export function planFaults(rng: Rng, opts: { count: number; gapSeconds: [number, number]; seconds?: Partial<Record<FaultKind, [number, number]>> }): PlannedFault[] {
  const plan: PlannedFault[] = [];
  while (plan.length < opts.count) {
    for (const kind of rng.shuffle(FAULT_KINDS)) {
      if (plan.length === opts.count) break;
      const [lo, hi] = opts.seconds?.[kind] ?? FAULTS[kind].seconds;
      plan.push({ gapMs: Math.round(rng.between(...opts.gapSeconds) * 1000), kind, ms: Math.round(rng.between(lo, hi) * 1000), targetRoll: rng.next() });
    }
  }
  return plan;
}

/**
 * Runs one planned fault. One aimed at an agent waits (up to 15 s) for an agent running an
 * attempt (`busy()`, from the journal): a fault on an idle agent tests nothing.
 */
export async function injectFault(world: ChaosWorld, planned: PlannedFault, busy: () => string[]): Promise<FaultRecord> {
  const def: FaultDef = FAULTS[planned.kind];
  let agent: ChaosAgent | null = null;
  if (def.onAgent) {
    let names = busy();
    for (const deadline = Date.now() + 15_000; names.length === 0 && Date.now() < deadline; names = busy()) await sleep(250);
    const pool = names.length ? world.agents.filter((a) => names.includes(a.name)) : world.agents;
    agent = pool[Math.floor(planned.targetRoll * pool.length)];
  }
  const startMs = Date.now();
  world.log(`fault ${planned.kind}${agent ? ` on ${agent.name}` : ""} for ${(planned.ms / 1000).toFixed(1)} s`);
  const measured = await def.inject(world, agent, planned.ms);
  return { kind: planned.kind, target: agent?.name ?? null, startMs, endMs: Date.now(), plannedMs: planned.ms, ...measured };
}
