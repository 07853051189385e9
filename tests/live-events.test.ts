import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../server/db/client";
import { reloadEnv } from "../server/env";
import { fillSchedules } from "../server/scheduling/fill-schedules";
import { liveSubscriberCount, openLiveEventStream } from "../server/live/live-event-stream";
import { startAppForFile, waitFor } from "./helpers/app-process";
import { createTestDatabase } from "./helpers/db";
import { signInToApp } from "./helpers/app-sign-in";
import { addMember, createUser, createWorkspaceWithMembers } from "./helpers/fixtures";

type SseEvent = { event: string; data: string; at: number };

const { db, url: databaseUrl } = await createTestDatabase();
const { base } = await startAppForFile({ DATABASE_URL: databaseUrl });

const signIn = (email: string) => signInToApp(base, email);

/** A real HTTP SSE client: parses `event:`/`data:` frames and keeps the raw text (comments, retry). */
async function openStream(slug: string, cookie?: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/w/${slug}/events`, { headers: cookie ? { cookie } : {}, signal: controller.signal });
  const events: SseEvent[] = [];
  let raw = "";
  let ended = false;
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const text = decoder.decode(chunk, { stream: true });
          raw += text;
          buffer += text;
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const lines = frame.split("\n");
            const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
            const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
            if (event && data !== undefined) events.push({ event, data, at: Date.now() });
          }
        }
      } catch {
        // aborted by the test
      }
      ended = true;
    })();
  }
  return {
    res,
    events,
    raw: () => raw,
    ended: () => ended,
    close: () => controller.abort(),
    /** The first event matching, within the deadline. */
    next: (match: (e: SseEvent) => boolean, timeoutMs = 5000) =>
      waitFor(async () => events.find(match), { timeoutMs, what: "an SSE event" }),
  };
}

const hasId = (kind: string, id: string) => (e: SseEvent) => e.event === kind && (JSON.parse(e.data).ids as string[]).includes(id);

async function api(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  const json = (await res.json()) as Record<string, any>;
  expect(res.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

async function workspaceWithRun() {
  const w = await createWorkspaceWithMembers(db, ["viewer"]);
  const { key } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "owner", role: "owner" });
  const { deployment } = await api("PUT", "/api/v1/deployments", key, { flowName: "live", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "echo hi" });
  const startRun = async () => (await api("POST", `/api/v1/deployments/${deployment.id}/runs`, key, {})).run as { id: string };
  return { ...w, key, startRun };
}

async function listenConnections(): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const { rows } = await db.$client.query<{ n: number }>(
    "select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'baton-live-events'",
    [name],
  );
  return rows[0].n;
}

describe("live events over SSE (GET /api/w/{slug}/events)", () => {
  it("a run cancelled through /api/v1 reaches a member's stream within 1 s; another workspace's events never do", async () => {
    const A = await workspaceWithRun();
    const B = await workspaceWithRun();
    const viewerA = await openStream(A.ws.slug, await signIn(A.members.viewer.user.email));
    const ownerB = await openStream(B.ws.slug, await signIn(B.owner.user.email));
    expect(viewerA.res.status).toBe(200);
    expect(viewerA.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await waitFor(async () => viewerA.raw().includes("retry: 2000"), { timeoutMs: 5000, what: "the retry line" });

    const run = await A.startRun();
    await viewerA.next(hasId("flow_run", run.id));
    const before = Date.now();
    const cancelled = await api("POST", `/api/v1/flow-runs/${run.id}/cancel`, A.key);
    expect(cancelled.state.type).toBe("CANCELLED");
    const event = await viewerA.next((e) => e.at >= before && hasId("flow_run", run.id)(e), 1000);
    expect(JSON.parse(event.data)).toEqual({ ids: [run.id] });
    expect(event.at - before).toBeLessThan(1000);

    // B's run reaches B's stream (so it was sent) but never A's.
    const other = await B.startRun();
    await api("POST", `/api/v1/flow-runs/${other.id}/cancel`, B.key);
    await ownerB.next(hasId("flow_run", other.id));
    const third = await A.startRun();
    await viewerA.next(hasId("flow_run", third.id));
    expect(viewerA.events.some((e) => e.data.includes(other.id))).toBe(false);
    expect(ownerB.events.some((e) => e.data.includes(run.id) || e.data.includes(third.id))).toBe(false);
    viewerA.close();
    ownerB.close();
  });

  it("log batches notify `log` with the run's id, once per run per batch", async () => {
    const A = await workspaceWithRun();
    const stream = await openStream(A.ws.slug, await signIn(A.owner.user.email));
    const run = await A.startRun();
    const lines = Array.from({ length: 50 }, (_, i) => ({ runId: run.id, attempt: 0, seq: i, level: "info", timestamp: new Date().toISOString(), message: `line ${i}` }));
    await api("POST", "/api/v1/logs", A.key, { logs: lines });
    await stream.next(hasId("log", run.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.events.filter((e) => e.event === "log")).toHaveLength(1);
    stream.close();
  });

  it("scheduled runs created and removed, and deployment changes, arrive as `flow_run` and `deployment` events", async () => {
    const A = await workspaceWithRun();
    const stream = await openStream(A.ws.slug, await signIn(A.owner.user.email));
    const { deployment } = await api("PUT", "/api/v1/deployments", A.key, { flowName: "live", name: "hourly", kind: "command", command: "echo hi", schedules: [{ kind: "cron", cron: "0 * * * *" }] });
    await stream.next(hasId("deployment", deployment.id));
    expect((await fillSchedules(db, { now: new Date() })).runsCreated).toBeGreaterThan(0);
    const created = await stream.next((e) => e.event === "flow_run");
    const { rows } = await db.$client.query<{ id: string }>("select id from flow_runs where workspace_id = $1 and auto_scheduled", [A.ws.id]);
    const future = new Set(rows.map((r) => r.id));
    expect(new Set(JSON.parse(created.data).ids)).toEqual(future);

    // Pausing deletes the future runs: pages learn which, and that the deployment changed.
    stream.events.length = 0;
    await api("POST", `/api/v1/deployments/${deployment.id}/pause`, A.key);
    const removed = await stream.next((e) => e.event === "flow_run");
    expect(new Set(JSON.parse(removed.data).ids)).toEqual(future);
    await stream.next(hasId("deployment", deployment.id));
    // Redeploying the same definition changes nothing and says nothing.
    stream.events.length = 0;
    await api("PUT", "/api/v1/deployments", A.key, { flowName: "live", name: "hourly", kind: "command", command: "echo hi", schedules: [{ kind: "cron", cron: "0 * * * *" }] });
    const marker = await A.startRun();
    await stream.next(hasId("flow_run", marker.id));
    expect(stream.events.filter((e) => e.event === "deployment")).toEqual([]);
    stream.close();
  });

  it("automation changes and each delivery attempt arrive as `automation` events with the automation's id", async () => {
    const w = await createWorkspaceWithMembers(db, ["viewer"]);
    const stream = await openStream(w.ws.slug, await signIn(w.members.viewer.user.email));
    const { automation } = await w.owner.caller.automations.create({
      workspace: w.ws.slug,
      name: "Live",
      triggerKind: "run_state",
      states: ["Failed"],
      actions: [{ kind: "email", userIds: [], roles: ["owner"], addresses: [] }],
    });
    await stream.next(hasId("automation", automation.id));
    const before = Date.now();
    expect((await w.owner.caller.automations.sendTest({ workspace: w.ws.slug, destinationId: automation.destinations[0].id })).outcome).toBe("kept");
    await stream.next((e) => e.at >= before && hasId("automation", automation.id)(e), 1000);
  });

  it("after the LISTEN connection is killed, streams get `resync` and events flow again", async () => {
    const A = await workspaceWithRun();
    const stream = await openStream(A.ws.slug, await signIn(A.owner.user.email));
    await waitFor(async () => (await listenConnections()) === 1, { timeoutMs: 5000, what: "the LISTEN connection" });
    const name = new URL(databaseUrl).pathname.slice(1);
    await db.$client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'baton-live-events'", [name]);
    await stream.next((e) => e.event === "resync", 10_000);
    expect(await listenConnections()).toBe(1);
    const run = await A.startRun();
    await stream.next(hasId("flow_run", run.id));
    expect(stream.ended()).toBe(false);
    stream.close();
  });

  it("signed out is 401; a non-member or an unknown workspace is 404", async () => {
    const A = await createWorkspaceWithMembers(db);
    const outsider = await createUser(db);
    const outsiderCookie = await signIn(outsider.user.email);
    expect((await openStream(A.ws.slug)).res.status).toBe(401);
    expect((await openStream(A.ws.slug, "authjs.session-token=forged")).res.status).toBe(401);
    const denied = await openStream(A.ws.slug, outsiderCookie);
    expect(denied.res.status).toBe(404);
    expect(await denied.res.json()).toMatchObject({ error: { code: "not_found" } });
    expect((await openStream("no-such-workspace", outsiderCookie)).res.status).toBe(404);
    // Joining makes the same session a listener; any role may listen.
    await addMember(db, A.ws.id, A.owner.user.id, outsider.user, "viewer");
    const allowed = await openStream(A.ws.slug, outsiderCookie);
    expect(allowed.res.status).toBe(200);
    allowed.close();
  });

  it("many streams opening and closing share one LISTEN connection, and each close ends its response", async () => {
    const A = await workspaceWithRun();
    const cookie = await signIn(A.owner.user.email);
    for (let round = 0; round < 3; round++) {
      const streams = await Promise.all(Array.from({ length: 10 }, () => openStream(A.ws.slug, cookie)));
      expect(streams.every((s) => s.res.status === 200)).toBe(true);
      for (const s of streams) s.close();
      await waitFor(async () => streams.every((s) => s.ended()), { timeoutMs: 5000, what: "streams to end" });
    }
    expect(await listenConnections()).toBe(1);
    // Still delivering after all that churn.
    const stream = await openStream(A.ws.slug, cookie);
    const run = await A.startRun();
    await stream.next(hasId("flow_run", run.id));
    stream.close();
    expect(await listenConnections()).toBe(1);
  });
});

describe("the stream service, in process", () => {
  it("removes its subscriber when the request aborts or the reader cancels", async () => {
    // The hub reads DATABASE_URL through server/env, as in the app.
    process.env.DATABASE_URL = databaseUrl;
    reloadEnv();
    const A = await createWorkspaceWithMembers(db);
    const session = { userId: A.owner.user.id, sessionId: A.owner.sessionId };
    const base = liveSubscriberCount();
    const aborted = new AbortController();
    const s1 = await openLiveEventStream({ db: db as Db, session, slug: A.ws.slug, signal: aborted.signal });
    const s2 = await openLiveEventStream({ db: db as Db, session, slug: A.ws.slug, signal: new AbortController().signal });
    expect(liveSubscriberCount()).toBe(base + 2);
    const reader1 = s1.getReader();
    expect(new TextDecoder().decode((await reader1.read()).value)).toContain("retry: 2000");
    aborted.abort();
    expect(liveSubscriberCount()).toBe(base + 1);
    expect((await reader1.read()).done).toBe(true);
    await s2.getReader().cancel();
    expect(liveSubscriberCount()).toBe(base);
  });
});
