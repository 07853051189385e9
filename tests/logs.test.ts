import { and, eq } from "drizzle-orm";
import http from "node:http";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { logs } from "../server/db/schema";
import { uuidv7 } from "../server/db/uuidv7";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { createRunningRun, startNextAttempt } from "./helpers/report-fixtures";

const { db, url } = await createTestDatabase();
const api = await startApiServer(db);

async function workspaceWithKeys() {
  const w = await createWorkspaceWithMembers(db);
  const key = async (role: "owner" | "developer" | "runner" | "viewer" | "agent") =>
    (await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: `${role}-key`, role })).key;
  return { ...w, ownerKey: await key("owner"), agentKey: await key("agent"), viewerKey: await key("viewer"), runnerKey: await key("runner") };
}

type Line = { runId: string; taskRunId?: string | null; attempt: number; seq: number; level: string; timestamp: string; message: string };
const line = (runId: string, seq: number, extra: Partial<Line> = {}): Line => ({
  runId,
  attempt: 1,
  seq,
  level: "info",
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq)).toISOString(),
  message: `line ${seq}`,
  ...extra,
});

/**
 * A request on a connection of its own: the server answers 413 before reading the whole body, and
 * a keep-alive connection shared with later requests would be left mid-body.
 */
function postOnFreshConnection(path: string, key: string, body: unknown, { chunked = false } = {}): Promise<{ status: number; json: { error: { code: string } } }> {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  if (chunked) headers["transfer-encoding"] = "chunked";
  else headers["content-length"] = payload.length;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(api.base + path, { method: "POST", agent: false, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    // The server may close before taking the rest of the body; the answer has arrived by then.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    if (!chunked) return req.end(payload);
    for (let i = 0; i < payload.length; i += 64 * 1024) req.write(payload.subarray(i, i + 64 * 1024));
    req.end();
  });
}

const stored = (runId: string) => db.select().from(logs).where(eq(logs.flowRunId, runId)).orderBy(logs.attempt, logs.seq);

async function until<T>(check: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("POST /api/v1/logs", () => {
  it("stores a batch once however often it is re-sent, and notifies once per run", async () => {
    const w = await workspaceWithKeys();
    const a = await createRunningRun(db, w.ws.id);
    const b = await createRunningRun(db, w.ws.id);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const events: { w: string; kind: string; ids: string[] }[] = [];
    listener.on("notification", (n) => events.push(JSON.parse(n.payload ?? "{}")));
    await listener.query("listen baton_events");
    try {
      const batch = { logs: [line(a.run.id, 0), line(a.run.id, 1), line(b.run.id, 0, { level: "error" }), line(a.run.id, 2)] };
      const first = await api.call("POST", "/api/v1/logs", { key: w.agentKey, body: batch });
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ accepted: 4, duplicates: 0 });
      const logEvents = await until(() => {
        const e = events.filter((x) => x.kind === "log");
        return e.length >= 2 ? e : undefined;
      }, "two log notifications");
      expect(logEvents.flatMap((e) => e.ids).sort()).toEqual([a.run.id, b.run.id].sort());
      expect(logEvents.every((e) => e.w === w.ws.id)).toBe(true);

      const again = await api.call("POST", "/api/v1/logs", { key: w.agentKey, body: batch });
      expect(again.json).toEqual({ accepted: 0, duplicates: 4 });
      const overlapping = await api.call("POST", "/api/v1/logs", { key: w.ownerKey, body: { logs: [line(a.run.id, 2), line(a.run.id, 3), line(a.run.id, 3)] } });
      expect(overlapping.json).toEqual({ accepted: 1, duplicates: 2 });

      expect((await stored(a.run.id)).map((l) => l.seq)).toEqual([0, 1, 2, 3]);
      expect(await stored(b.run.id)).toMatchObject([{ seq: 0, level: "error", message: "line 0", workspaceId: w.ws.id }]);
    } finally {
      await listener.end();
    }
  });

  it("refuses the whole batch when one line names a run that is not the workspace's", async () => {
    const w = await workspaceWithKeys();
    const other = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const theirs = await createRunningRun(db, other.ws.id);
    for (const stranger of [uuidv7(), theirs.run.id]) {
      const res = await api.call("POST", "/api/v1/logs", { key: w.ownerKey, body: { logs: [line(mine.run.id, 0), line(stranger, 0)] } });
      expect(res.status).toBe(404);
      expect(res.json.error.message).toContain(stranger);
    }
    expect(await stored(mine.run.id)).toHaveLength(0);
    expect(await stored(theirs.run.id)).toHaveLength(0);
  });

  it("refuses a batch over 1 MiB with 413 and stores nothing of it", async () => {
    const w = await workspaceWithKeys();
    const { run } = await createRunningRun(db, w.ws.id);
    const big = Array.from({ length: 80 }, (_, i) => line(run.id, i, { message: "x".repeat(15_000) }));
    const res = await postOnFreshConnection("/api/v1/logs", w.agentKey, { logs: big });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("payload_too_large");
    expect(await stored(run.id)).toHaveLength(0);
  });

  it("counts a chunked body (no Content-Length) as it arrives: over 1 MiB → 413, a small one is stored", async () => {
    const w = await workspaceWithKeys();
    const { run } = await createRunningRun(db, w.ws.id);
    const big = Array.from({ length: 80 }, (_, i) => line(run.id, i, { message: "x".repeat(15_000) }));
    const refused = await postOnFreshConnection("/api/v1/logs", w.agentKey, { logs: big }, { chunked: true });
    expect(refused.status).toBe(413);
    expect(refused.json.error.code).toBe("payload_too_large");
    expect(await stored(run.id)).toHaveLength(0);
    const small = Array.from({ length: 10 }, (_, i) => line(run.id, i, { message: "y".repeat(10_000) }));
    const taken = await postOnFreshConnection("/api/v1/logs", w.agentKey, { logs: small }, { chunked: true });
    expect(taken.status).toBeLessThan(300);
    expect(await stored(run.id)).toHaveLength(10);
  });

  it("cuts lines over 16 KiB on a character boundary with a marker, and keeps shorter ones whole", async () => {
    const w = await workspaceWithKeys();
    const { run } = await createRunningRun(db, w.ws.id);
    const long = "é".repeat(10_000); // 20,000 bytes in UTF-8
    const exact = "a".repeat(16 * 1024);
    const res = await api.call("POST", "/api/v1/logs", {
      key: w.agentKey,
      body: { logs: [line(run.id, 0, { message: long }), line(run.id, 1, { message: exact }), line(run.id, 2, { message: "nul\u0000byte" })] },
    });
    expect(res.json).toEqual({ accepted: 3, duplicates: 0 });
    const [cut, whole, nul] = await stored(run.id);
    const m = /^(é+)… \[truncated (\d+) bytes\]$/.exec(cut.message);
    expect(m).not.toBeNull();
    expect(Buffer.byteLength(cut.message)).toBeLessThanOrEqual(16 * 1024);
    expect(Buffer.byteLength(m![1]) + Number(m![2])).toBe(20_000);
    expect(whole.message).toBe(exact);
    expect(nul.message).toBe("nul\uFFFDbyte");
  });

  it("validates every line (422) and needs a role that may report (403)", async () => {
    const w = await workspaceWithKeys();
    const { run } = await createRunningRun(db, w.ws.id);
    const bad = await api.call("POST", "/api/v1/logs", { key: w.ownerKey, body: { logs: [line(run.id, 0), line(run.id, 1, { level: "loud" })] } });
    expect(bad.status).toBe(422);
    for (const key of [w.viewerKey, w.runnerKey]) {
      expect((await api.call("POST", "/api/v1/logs", { key, body: { logs: [line(run.id, 0)] } })).status).toBe(403);
    }
    expect((await api.call("POST", "/api/v1/logs", { body: { logs: [line(run.id, 0)] } })).status).toBe(401);
    expect(await stored(run.id)).toHaveLength(0);
  });

  it("a run token sends lines of its own run and attempt only, and none once a newer attempt started", async () => {
    const w = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const other = await createRunningRun(db, w.ws.id);
    const foreign = await api.call("POST", "/api/v1/logs", { key: mine.token, body: { logs: [line(mine.run.id, 0), line(other.run.id, 0)] } });
    expect(foreign.status).toBe(404);
    const wrongAttempt = await api.call("POST", "/api/v1/logs", { key: mine.token, body: { logs: [line(mine.run.id, 0, { attempt: 2 })] } });
    expect(wrongAttempt.status).toBe(409);
    expect(await stored(mine.run.id)).toHaveLength(0);
    expect(await stored(other.run.id)).toHaveLength(0);

    const next = await startNextAttempt(db, mine.run);
    const late = await api.call("POST", "/api/v1/logs", { key: mine.token, body: { logs: [line(mine.run.id, 0, { message: "from attempt 1" })] } });
    expect(late.status).toBe(409);
    const current = await api.call("POST", "/api/v1/logs", { key: next.token, body: { logs: [line(mine.run.id, 0, { attempt: 2, message: "from attempt 2" })] } });
    expect(current.json).toEqual({ accepted: 1, duplicates: 0 });
    expect((await stored(mine.run.id)).map((l) => [l.attempt, l.seq, l.message])).toEqual([[2, 0, "from attempt 2"]]);
  });
});

describe("GET /api/v1/flow-runs/:id/logs", () => {
  it("pages in (attempt, seq) order and tails with the last cursor", async () => {
    const w = await workspaceWithKeys();
    const { run } = await createRunningRun(db, w.ws.id, { attempt: 2 });
    const taskRunId = uuidv7();
    await api.call("POST", "/api/v1/logs", {
      key: w.agentKey,
      body: { logs: [line(run.id, 1, { attempt: 2 }), line(run.id, 5), line(run.id, 0, { attempt: 2, taskRunId }), line(run.id, 2)] },
    });
    const path = `/api/v1/flow-runs/${run.id}/logs`;
    const p1 = await api.call("GET", `${path}?limit=3`, { key: w.viewerKey });
    expect(p1.status).toBe(200);
    expect(p1.json.logs.map((l: Line) => [l.attempt, l.seq])).toEqual([
      [1, 2],
      [1, 5],
      [2, 0],
    ]);
    expect(p1.json.logs[2]).toMatchObject({ runId: run.id, taskRunId, level: "info", message: "line 0", timestamp: "2026-01-01T00:00:00.000Z" });
    expect(p1.json.hasMore).toBe(true);
    const p2 = await api.call("GET", `${path}?limit=3&after=${p1.json.nextCursor}`, { key: w.viewerKey });
    expect(p2.json.logs.map((l: Line) => [l.attempt, l.seq])).toEqual([[2, 1]]);
    expect(p2.json.hasMore).toBe(false);

    // Nothing new: the same cursor comes back, so a tailing client keeps polling with it.
    const idle = await api.call("GET", `${path}?after=${p2.json.nextCursor}`, { key: w.viewerKey });
    expect(idle.json).toEqual({ logs: [], nextCursor: p2.json.nextCursor, hasMore: false });
    await api.call("POST", "/api/v1/logs", { key: w.agentKey, body: { logs: [line(run.id, 2, { attempt: 2, level: "warning" })] } });
    const tail = await api.call("GET", `${path}?after=${idle.json.nextCursor}`, { key: w.viewerKey });
    expect(tail.json.logs.map((l: Line) => [l.attempt, l.seq])).toEqual([[2, 2]]);

    const warnings = await api.call("GET", `${path}?level=warning`, { key: w.runnerKey });
    expect(warnings.json.logs.map((l: Line) => l.level)).toEqual(["warning"]);
    expect((await api.call("GET", `${path}?after=garbage`, { key: w.viewerKey })).status).toBe(422);

    const empty = await createRunningRun(db, w.ws.id);
    expect((await api.call("GET", `/api/v1/flow-runs/${empty.run.id}/logs`, { key: w.viewerKey })).json).toEqual({ logs: [], nextCursor: null, hasMore: false });
  });

  it("refuses agent keys (403), lets a run token read its own run only, and hides other workspaces' runs (404)", async () => {
    const w = await workspaceWithKeys();
    const other = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const sibling = await createRunningRun(db, w.ws.id);
    await api.call("POST", "/api/v1/logs", { key: mine.token, body: { logs: [line(mine.run.id, 0)] } });
    const path = `/api/v1/flow-runs/${mine.run.id}/logs`;
    const agent = await api.call("GET", path, { key: w.agentKey });
    expect(agent.status).toBe(403);
    expect((await api.call("GET", path, { key: mine.token })).json.logs).toHaveLength(1);
    expect((await api.call("GET", path, { key: sibling.token })).status).toBe(404);
    expect((await api.call("GET", path, { key: other.ownerKey })).status).toBe(404);
    expect((await api.call("GET", "/api/v1/flow-runs/not-a-uuid/logs", { key: w.ownerKey })).status).toBe(404);
  });

  it("stores lines with the workspace of the run", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    await api.call("POST", "/api/v1/logs", { key: token, body: { logs: [line(run.id, 7)] } });
    const rows = await db.select().from(logs).where(and(eq(logs.workspaceId, w.ws.id), eq(logs.seq, 7)));
    expect(rows).toHaveLength(1);
  });
});
